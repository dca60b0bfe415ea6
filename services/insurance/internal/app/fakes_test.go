package app_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/pkg/mongox"
	"provision.local/services/insurance/internal/adapters"
	"provision.local/services/insurance/internal/app"
	"provision.local/services/insurance/internal/domain"
)

// insurer is a hand-written insurer: it issues DI policy numbers in order, answers a repeated
// reservation key with its first policy, records every call, and fails a call when failing says.
// restart forgets the policies issued, as a counter kept in memory would.
type insurer struct {
	mu       sync.Mutex
	calls    []string // "<method> <policy> <key>"
	issued   map[string]app.Issued
	restarts int
	failing  func(method string) error
	answered func() // called once a reservation is answered
}

func (f *insurer) restart() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.issued = nil
	f.restarts++
}

var _ app.Partner = (*insurer)(nil)

func (f *insurer) record(method, policy, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, method+" "+policy+" "+key)
	if f.failing != nil {
		return f.failing(method)
	}
	return nil
}

func (f *insurer) received() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *insurer) Reserve(_ context.Context, key, _ string, _ domain.Reservation) (app.Issued, error) {
	if err := f.record("Reserve", "", key); err != nil {
		return app.Issued{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.issued == nil {
		f.issued = map[string]app.Issued{}
	}
	if is, ok := f.issued[key]; ok {
		return is, nil
	}
	n := len(f.issued) + 1
	is := app.Issued{
		PolicyNumber: fmt.Sprintf("DI%010d", n), RequestID: fmt.Sprintf("00000000-0000-4000-%04d-%012d", f.restarts, n),
		Quote:      domain.Quote{AnnualFee: 49.99, MonthlyFee: 4.17},
		ReservedAt: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC),
	}
	f.issued[key] = is
	if f.answered != nil {
		f.answered()
	}
	return is, nil
}

func (f *insurer) Activate(_ context.Context, key, _, policy string, _ app.Activation) error {
	return f.record("Activate", policy, key)
}

func (f *insurer) Suspend(_ context.Context, key, _, policy, _ string) error {
	return f.record("Suspend", policy, key)
}

func (f *insurer) Reconnect(_ context.Context, key, _, policy, _ string) error {
	return f.record("Reconnect", policy, key)
}

func (f *insurer) Terminate(_ context.Context, key, _, policy, _, _ string) error {
	return f.record("Terminate", policy, key)
}

func (f *insurer) Cancel(_ context.Context, key, _, policy, _ string) error {
	return f.record("Cancel", policy, key)
}

// storeLedger is the in-memory ledger behaving as the database does where the tests need it: a
// call on a cancelled context fails, and lost makes a stored policy unreadable.
type storeLedger struct {
	adapters.Ledger
	lost bool
}

func (l *storeLedger) ExecuteRelayed(ctx context.Context, cmd ledger.Command, decide ledger.Decide[domain.Policy]) ([]consumer.Output, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return l.Ledger.ExecuteRelayed(ctx, cmd, decide)
}

func (l *storeLedger) Get(ctx context.Context, id string) (domain.Policy, int64, error) {
	if err := ctx.Err(); err != nil {
		return domain.Policy{}, 0, err
	}
	if l.lost {
		return domain.Policy{}, 0, mongox.ErrNotFound
	}
	return l.Ledger.Get(ctx, id)
}
