package app_test

import (
	"context"
	"sync"

	"provision.local/services/hbo/internal/app"
	"provision.local/services/hbo/internal/domain"
)

// call is one call the fake partner received.
type call struct {
	method, key, serviceID string
}

// partner is a hand-written HBO: it records every call and answers with the error failing
// returns for it, if any.
type partner struct {
	mu      sync.Mutex
	calls   []call
	failing func(call) error
}

var _ app.Partner = (*partner)(nil)

func (p *partner) receive(c call) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, c)
	if p.failing != nil {
		return p.failing(c)
	}
	return nil
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

func (p *partner) Create(_ context.Context, key string, s domain.Subscription) error {
	return p.receive(call{"Create", key, s.ServiceID})
}

func (p *partner) ChangeProducts(_ context.Context, key, _, serviceID string, _ []domain.Product, _ []string) error {
	return p.receive(call{"ChangeProducts", key, serviceID})
}

func (p *partner) Activate(_ context.Context, key, _, serviceID string) error {
	return p.receive(call{"Activate", key, serviceID})
}

func (p *partner) Suspend(_ context.Context, key, _, serviceID, _ string) error {
	return p.receive(call{"Suspend", key, serviceID})
}

func (p *partner) Reactivate(_ context.Context, key, _, serviceID string) error {
	return p.receive(call{"Reactivate", key, serviceID})
}

func (p *partner) Cancel(_ context.Context, key, _, serviceID, _ string) error {
	return p.receive(call{"Cancel", key, serviceID})
}

func (p *partner) ActivationURL(_ context.Context, key, _, serviceID string) (string, error) {
	return "https://hbo.test/activate/" + key, p.receive(call{"ActivationURL", key, serviceID})
}
