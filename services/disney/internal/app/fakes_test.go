package app_test

// The fakes of the two ports of the application layer: a hand-written Disney partner API and the
// shared in-memory ledger as the subscription store.

import (
	"context"
	"slices"
	"sync"

	"provision.local/pkg/ledger/ledgertest"
	"provision.local/services/disney/internal/app"
	"provision.local/services/disney/internal/domain"
)

// Partner methods, as recorded in partnerCall.Method.
const (
	callCreateEntitlement = "CreateEntitlement"
	callModifyProducts    = "ModifyProducts"
	callSuspend           = "Suspend"
	callReactivate        = "Reactivate"
	callCancel            = "Cancel"
	callConfirmActivation = "ConfirmActivation"
	callActivationURL     = "ActivationURL"
)

// partnerCall is one call received by fakePartner.
type partnerCall struct {
	Method        string
	Key           string // the idempotency key
	EntitlementID string
	Products      []string // CreateEntitlement, ModifyProducts, Suspend, Reactivate, ActivationURL
	Product       string   // Cancel
	Entitlement   app.Entitlement
	URLRequest    app.ActivationURLRequest
}

// fakePartner records every call, failed ones included, and answers nil (or url) unless told to
// fail.
type fakePartner struct {
	mu    sync.Mutex
	calls []partnerCall
	fail  func(partnerCall) error
	url   app.ActivationURL
}

var _ app.Partner = (*fakePartner)(nil)

// failWith makes the calls that match return err (every call when match is nil). A transient
// error is any error; a definitive one is a *app.PartnerRejection.
func (p *fakePartner) failWith(err error, match func(partnerCall) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail = func(c partnerCall) error {
		if match == nil || match(c) {
			return err
		}
		return nil
	}
}

// recover makes every later call succeed.
func (p *fakePartner) recover() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail = nil
}

// Calls returns the calls received so far, in order.
func (p *fakePartner) Calls() []partnerCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.calls)
}

func (p *fakePartner) record(c partnerCall) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, c)
	if p.fail != nil {
		return p.fail(c)
	}
	return nil
}

func (p *fakePartner) CreateEntitlement(_ context.Context, key string, e app.Entitlement) error {
	e.Products = slices.Clone(e.Products)
	return p.record(partnerCall{Method: callCreateEntitlement, Key: key, EntitlementID: e.EntitlementID, Products: e.Products, Entitlement: e})
}

func (p *fakePartner) ModifyProducts(_ context.Context, key, entitlementID string, products []string) error {
	return p.record(partnerCall{Method: callModifyProducts, Key: key, EntitlementID: entitlementID, Products: slices.Clone(products)})
}

func (p *fakePartner) Suspend(_ context.Context, key, entitlementID string, products []string) error {
	return p.record(partnerCall{Method: callSuspend, Key: key, EntitlementID: entitlementID, Products: slices.Clone(products)})
}

func (p *fakePartner) Reactivate(_ context.Context, key, entitlementID string, products []string) error {
	return p.record(partnerCall{Method: callReactivate, Key: key, EntitlementID: entitlementID, Products: slices.Clone(products)})
}

func (p *fakePartner) Cancel(_ context.Context, key, entitlementID, product string) error {
	return p.record(partnerCall{Method: callCancel, Key: key, EntitlementID: entitlementID, Product: product})
}

func (p *fakePartner) ConfirmActivation(_ context.Context, key, entitlementID string) error {
	return p.record(partnerCall{Method: callConfirmActivation, Key: key, EntitlementID: entitlementID})
}

func (p *fakePartner) ActivationURL(_ context.Context, key, entitlementID string, req app.ActivationURLRequest) (app.ActivationURL, error) {
	req.Products = slices.Clone(req.Products)
	err := p.record(partnerCall{Method: callActivationURL, Key: key, EntitlementID: entitlementID, Products: req.Products, URLRequest: req})
	if err != nil {
		return app.ActivationURL{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.url, nil
}

// fakeStore is the in-memory ledger (which keeps ledger.Store's contract) over subscriptions,
// with the helpers these tests use. It keeps subscriptions as clones: the use cases put
// nanosecond times in their status events, which the tests compare with the stored state, while
// the real store keeps milliseconds.
type fakeStore struct {
	*ledgertest.Store[domain.Subscription]
}

var _ app.Store = (*fakeStore)(nil)

func newFakeStore() *fakeStore {
	return &fakeStore{ledgertest.New[domain.Subscription]()}
}

// seed stores a subscription at the given version, as earlier commands would have.
func (s *fakeStore) seed(sub domain.Subscription, version int64) {
	if err := s.Seed(domain.Key(sub.Org, sub.SubscriptionID), sub, version); err != nil {
		panic(err) // a subscription always encodes
	}
}

func cloneSubscription(s domain.Subscription) domain.Subscription {
	s.Products = slices.Clone(s.Products)
	return s
}
