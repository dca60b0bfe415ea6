package app_test

import (
	"context"
	"sync"

	"provision.local/events"
	"provision.local/services/netflix/internal/app"
)

// call is one call the fake partner received.
type call struct {
	method string
	key    string // the idempotency key
	pai    string
	data   any // the command it carried
}

// partner is a hand-written Netflix: it records every call and answers receipts numbered in
// order, or the error failing returns for a call.
type partner struct {
	mu      sync.Mutex
	calls   []call
	failing func(call) error
	// noEventIDs makes the receipts name no Netflix event.
	noEventIDs bool
	status     app.PartnerStatus
}

var _ app.Partner = (*partner)(nil)

func (p *partner) receive(c call) (app.Receipt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, c)
	if p.failing != nil {
		if err := p.failing(c); err != nil {
			return app.Receipt{}, err
		}
	}
	r := app.Receipt{TransactionID: "tx-" + c.key}
	if !p.noEventIDs {
		r.EventID = "nf-" + c.key
	}
	return r, nil
}

// fail makes every later call return err (nil: succeed again).
func (p *partner) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failing = func(call) error { return err }
}

func (p *partner) received() []call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]call(nil), p.calls...)
}

func (p *partner) Enrol(_ context.Context, key string, c events.NetflixCreateSubscription) (app.Receipt, error) {
	return p.receive(call{"Enrol", key, c.PartnerAccountID, c})
}

func (p *partner) Update(_ context.Context, key string, c events.NetflixUpdateSubscription) (app.Receipt, error) {
	return p.receive(call{"Update", key, c.PartnerAccountID, c})
}

func (p *partner) Cancel(_ context.Context, key string, c events.NetflixCancelSubscription) (app.Receipt, error) {
	return p.receive(call{"Cancel", key, c.PartnerAccountID, c})
}

func (p *partner) Suspend(_ context.Context, key string, c events.NetflixSuspendSubscription) (app.Receipt, error) {
	return p.receive(call{"Suspend", key, c.PartnerAccountID, c})
}

func (p *partner) Reactivate(_ context.Context, key string, c events.NetflixReactivateSubscription) (app.Receipt, error) {
	return p.receive(call{"Reactivate", key, c.PartnerAccountID, c})
}

func (p *partner) Status(_ context.Context, org, pai string) (app.PartnerStatus, error) {
	if _, err := p.receive(call{"Status", "", pai, org}); err != nil {
		return app.PartnerStatus{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status, nil
}

func (p *partner) Token(_ context.Context, key, _, pai string, r app.TokenRequest) (app.Token, error) {
	if _, err := p.receive(call{"Token", key, pai, r}); err != nil {
		return app.Token{}, err
	}
	return app.Token{Token: "token-" + key, RequestedSecuritizedURL: "https://partner.example/activate?token=token-" + key}, nil
}

func (p *partner) EnrolPhone(_ context.Context, key, _, pai string, e app.PhoneEnrolment) error {
	_, err := p.receive(call{"EnrolPhone", key, pai, e})
	return err
}

func (p *partner) RemovePhone(_ context.Context, key, _, pai, phone string) error {
	_, err := p.receive(call{"RemovePhone", key, pai, phone})
	return err
}
