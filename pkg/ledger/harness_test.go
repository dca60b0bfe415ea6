package ledger_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
)

// waitLimit bounds every wait of the interleaving tests; a loaded machine stays far below it.
const waitLimit = 20 * time.Second

// pause stops the first writer of one command that reaches one step, until the test releases it;
// then it runs after (if any) in the writer's goroutine.
type pause struct {
	reached chan struct{}
	release chan struct{}
	fired   atomic.Bool
	after   func(ctx context.Context)
	resume  func()
}

// pauseAt installs a pause on store (each store is one process; a store has one hook).
func pauseAt(t *testing.T, store *ledger.Store[counter], cmdID string, at ledger.Step, after func(ctx context.Context)) *pause {
	p := &pause{reached: make(chan struct{}), release: make(chan struct{}), after: after}
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(p.release) }) })
	ledger.SetHook(store, func(ctx context.Context, st ledger.Step, cmd ledger.Command) {
		if st != at || cmd.ID != cmdID || !p.fired.CompareAndSwap(false, true) {
			return
		}
		close(p.reached)
		<-p.release
		if p.after != nil {
			p.after(ctx)
		}
	})
	p.resume = func() { once.Do(func() { close(p.release) }) }
	return p
}

// crash ends the paused writer's goroutine where it stands, as a process kill would.
func crash(context.Context) { runtime.Goexit() }

// outlive waits until the paused writer's deadline has passed.
func outlive(ctx context.Context) { <-ctx.Done() }

// execution is one Execute call running in its own goroutine.
type execution struct {
	done    chan struct{}
	outs    []consumer.Output
	err     error
	crashed bool
}

func start(store *ledger.Store[counter], cmd ledger.Command, decide ledger.Decide[counter]) *execution {
	e := &execution{done: make(chan struct{})}
	go func() {
		defer close(e.done)
		e.crashed = true
		e.outs, e.err = store.Execute(context.Background(), cmd, decide)
		e.crashed = false
	}()
	return e
}

func (e *execution) wait(t *testing.T) *execution {
	t.Helper()
	select {
	case <-e.done:
	case <-time.After(waitLimit):
		t.Fatal("execution did not end")
	}
	return e
}

// until waits for the pause to be reached; it fails the test if the execution ends first.
func (p *pause) until(t *testing.T, e *execution) {
	t.Helper()
	select {
	case <-p.reached:
	case <-e.done:
		t.Fatalf("the writer ended (err %v) before reaching its pause", e.err)
	case <-time.After(waitLimit):
		t.Fatal("the writer did not reach its pause")
	}
}

// executeUntilDone runs cmd, retrying while the aggregate changes under it, as the consumer's
// retries do.
func executeUntilDone(t *testing.T, store *ledger.Store[counter], cmd ledger.Command, decide ledger.Decide[counter]) []consumer.Output {
	t.Helper()
	for range 20 {
		outs, err := store.Execute(ctx(t), cmd, decide)
		if err == nil {
			return outs
		}
		if !errors.Is(err, ledger.ErrConflict) {
			t.Fatalf("execute %s: %v", cmd.ID, err)
		}
	}
	t.Fatalf("execute %s: conflicts without end", cmd.ID)
	return nil
}

// stamp is a decide function that adds one to the counter and says, in its event, which executor
// decided: two answers of one command must carry the same stamp.
func stamp(t *testing.T, by string, calls *atomic.Int32) ledger.Decide[counter] {
	return func(_ context.Context, cur *counter, _ int64) (ledger.Decision[counter], error) {
		calls.Add(1)
		next := counter{N: 1}
		if cur != nil {
			next.N = cur.N + 1
		}
		return ledger.Decision[counter]{New: &next, Outputs: []consumer.Output{event(t, by)}}, nil
	}
}

// by returns who decided the answer: the stamp of its only event.
func by(t *testing.T, outs []consumer.Output) string {
	t.Helper()
	if len(outs) != 1 {
		t.Fatalf("want one output, got %d", len(outs))
	}
	var data map[string]string
	if err := outs[0].Event.DataAs(&data); err != nil {
		t.Fatal(err)
	}
	return data["id"]
}

// recordedBy returns who decided the recorded answer of a command.
func recordedBy(t *testing.T, store *ledger.Store[counter], cmdID string) ledger.Operation {
	t.Helper()
	op, err := store.Operation(ctx(t), cmdID)
	if err != nil {
		t.Fatalf("record of %s: %v", cmdID, err)
	}
	return op
}

func wantState(t *testing.T, store *ledger.Store[counter], id string, n int, version int64) {
	t.Helper()
	st, v, err := store.Get(ctx(t), id)
	if err != nil || st.N != n || v != version {
		t.Fatalf("%s = n=%d v%d (%v), want n=%d v%d", id, st.N, v, err, n, version)
	}
}

func countClaims(t *testing.T, db *mongo.Database) int64 {
	t.Helper()
	n, err := db.Collection("counters_versions").CountDocuments(ctx(t), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// clock is a settable time shared by the stores of a test.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }
