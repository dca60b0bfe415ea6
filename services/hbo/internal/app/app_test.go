package app_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger/ledgertest"
	"provision.local/pkg/partnerhttp"
	"provision.local/services/hbo/internal/app"
	"provision.local/services/hbo/internal/domain"
)

const (
	org       = "masmovil"
	serviceID = "4567890123456789"
	customer  = "1234567890123456"
)

var avod = events.HBOProduct{Code: "MAX_AVOD", Name: "MAX Ad VOD", Starts: 1616425200, Renews: 1616425200, Expires: 1616425200,
	SubID: "1d732753-ae1f-45f8-82f7-7243d395b1ac", Status: "ACTIVE", TrxID: "1234567890"}

type fixture struct {
	app     *app.App
	partner *partner
}

func newFixture() fixture {
	f := fixture{partner: &partner{}}
	f.app = app.New(ledgertest.New[domain.Subscription](), f.partner)
	return f
}

func meta(id string) app.Meta {
	return app.Meta{CommandID: id, CorrelationID: "corr-" + id, WorkflowID: "wf-" + id, IssuedAt: time.Now().UTC()}
}

func create() events.HBOCreateSubscription {
	return events.HBOCreateSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Country: "ES", Products: []events.HBOProduct{avod}}
}

// one decodes the one event a command published, validating it against its schema.
func one[D any](t *testing.T, outs []consumer.Output, err error, wantType string) events.StatusEvent[D] {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 {
		t.Fatalf("%d events, want one", len(outs))
	}
	e := outs[0].Event
	if outs[0].Topic != events.TopicHBOStatus || e.Type() != wantType || events.Extension(e, events.ExtPartitionKey) != serviceID {
		t.Fatalf("event %s on %s keyed %q, want a %s keyed by the service id", e.Type(), outs[0].Topic, events.Extension(e, events.ExtPartitionKey), wantType)
	}
	var p events.StatusEvent[D]
	if err := events.Decode(e, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLifecycle_CreateUpdateActivateSuspendReactivateCancel(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	for i, s := range []struct {
		name               string
		run                func(m app.Meta) ([]consumer.Output, error)
		status, prev, hbo  string
		codes              []string
		partner            string
		wantVersion        int64
		wantReasonInDetail string
	}{
		{"create", func(m app.Meta) ([]consumer.Output, error) { return f.app.CreateSubscription(ctx, m, create()) },
			events.StatusPending, "", events.HBOPendingActivation, []string{"MAX_AVOD"}, "Create", 1, ""},
		{"update", func(m app.Meta) ([]consumer.Output, error) {
			return f.app.UpdateSubscription(ctx, m, events.HBOUpdateSubscription{Org: org, ServiceID: serviceID, ExternalID: customer,
				Reason: events.HBOReasonProductChanged, ProductsToAdd: []events.HBOProduct{{Code: "MAX_SVOD"}}, ProductsToRemove: []events.HBOProduct{{Code: "MAX_AVOD"}}})
		}, events.StatusPending, events.StatusPending, events.HBOPendingActivation, []string{"MAX_SVOD"}, "ChangeProducts", 2, events.HBOReasonProductChanged},
		{"activate", func(m app.Meta) ([]consumer.Output, error) {
			return f.app.ActivateSubscription(ctx, m, events.HBOActivateSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Products: []events.HBOProduct{avod}})
		}, events.StatusActive, events.StatusPending, events.HBOActive, []string{"MAX_SVOD"}, "Activate", 3, ""},
		{"suspend", func(m app.Meta) ([]consumer.Output, error) {
			return f.app.SuspendSubscription(ctx, m, events.HBOSuspendSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Reason: events.HBOReasonOfferExpired, Products: []events.HBOProduct{avod}})
		}, events.StatusSuspended, events.StatusActive, events.HBOSuspended, []string{"MAX_SVOD"}, "Suspend", 4, events.HBOReasonOfferExpired},
		{"reactivate", func(m app.Meta) ([]consumer.Output, error) {
			return f.app.ReactivateSubscription(ctx, m, events.HBOReactivateSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Products: []events.HBOProduct{avod}})
		}, events.StatusActive, events.StatusSuspended, events.HBOActive, []string{"MAX_SVOD"}, "Reactivate", 5, ""},
		{"cancel", func(m app.Meta) ([]consumer.Output, error) {
			return f.app.CancelSubscription(ctx, m, events.HBOCancelSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Reason: events.HBOReasonProductCanceled, Products: []events.HBOProduct{avod}})
		}, events.StatusDeactivated, events.StatusActive, events.HBOCancelled, []string{"MAX_SVOD"}, "Cancel", 6, events.HBOReasonProductCanceled},
	} {
		t.Run(s.name, func(t *testing.T) {
			id := "c" + string(rune('1'+i))
			outs, err := s.run(meta(id))
			p := one[events.HBOStatusDetails](t, outs, err, events.TypeHBOSubscriptionStatusV2)
			if p.Status != s.status || p.PreviousStatus != s.prev || p.Details.SubscriptionStatus != s.hbo || p.Version != s.wantVersion || p.Details.Reason != s.wantReasonInDetail {
				t.Errorf("event %+v", p)
			}
			var codes []string
			for _, pr := range p.Details.Products {
				codes = append(codes, pr.Code)
				if pr.Status != s.hbo {
					t.Errorf("product %s has status %s, want its subscription's %s", pr.Code, pr.Status, s.hbo)
				}
			}
			if !slices.Equal(codes, s.codes) {
				t.Errorf("products %v, want %v", codes, s.codes)
			}
			calls := f.partner.received()
			if last := calls[len(calls)-1]; last.method != s.partner || last.key != id {
				t.Errorf("partner call %+v, want %s with key %s", last, s.partner, id)
			}
		})
	}
	sub, err := f.app.Subscription(ctx, org, serviceID)
	if err != nil || len(sub.History) != 5 {
		t.Fatalf("history %+v (%v): want the creation and four changes of status", sub.History, err)
	}
}

func TestFailures_FailTheCommandWithTheirReasonAndChangeNothing(t *testing.T) {
	ctx := context.Background()
	suspend := func(mut func(*events.HBOSuspendSubscription)) func(f fixture, m app.Meta) ([]consumer.Output, error) {
		return func(f fixture, m app.Meta) ([]consumer.Output, error) {
			c := events.HBOSuspendSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Reason: events.HBOReasonOfferExpired}
			mut(&c)
			return f.app.SuspendSubscription(ctx, m, c)
		}
	}
	update := func(remove ...string) func(f fixture, m app.Meta) ([]consumer.Output, error) {
		return func(f fixture, m app.Meta) ([]consumer.Output, error) {
			c := events.HBOUpdateSubscription{Org: org, ServiceID: serviceID, ExternalID: customer}
			for _, code := range remove {
				c.ProductsToRemove = append(c.ProductsToRemove, events.HBOProduct{Code: code})
			}
			return f.app.UpdateSubscription(ctx, m, c)
		}
	}
	for _, tc := range []struct {
		name    string
		created bool
		run     func(f fixture, m app.Meta) ([]consumer.Output, error)
		code    string
		status  string // the status the failure reports, "" when no subscription exists
	}{
		{"suspendUnknownSubscription", false, suspend(func(*events.HBOSuspendSubscription) {}), "SUBSCRIPTION_NOT_FOUND", ""},
		{"suspendPending", true, suspend(func(*events.HBOSuspendSubscription) {}), "INVALID_TRANSITION", events.StatusPending},
		{"suspendForAnotherCustomer", true, suspend(func(c *events.HBOSuspendSubscription) { c.ExternalID = "42" }), "EXTERNAL_ID_MISMATCH", events.StatusPending},
		{"suspendWithAnUnassignedCountry", true, suspend(func(c *events.HBOSuspendSubscription) { c.Country = "ZZ" }), "INVALID_FIELD", events.StatusPending},
		{"removeTheLastProduct", true, update("MAX_AVOD"), "LAST_PRODUCT", events.StatusPending},
		{"removeAnUnknownProduct", true, update("NOPE"), "PRODUCT_NOT_FOUND", events.StatusPending},
		{"createTwice", true, func(f fixture, m app.Meta) ([]consumer.Output, error) {
			return f.app.CreateSubscription(ctx, m, create())
		},
			"SUBSCRIPTION_ALREADY_EXISTS", events.StatusPending},
		{"createWithAnAliasCountry", false, func(f fixture, m app.Meta) ([]consumer.Output, error) {
			c := create()
			c.Country = "UK"
			return f.app.CreateSubscription(ctx, m, c)
		}, "INVALID_FIELD", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture()
			if tc.created {
				if _, err := f.app.CreateSubscription(ctx, meta("create"), create()); err != nil {
					t.Fatal(err)
				}
			}
			calls := len(f.partner.received())
			outs, err := tc.run(f, meta("x"))
			p := one[events.HBOFailedDetails](t, outs, err, events.TypeHBOOperationFailedV2)
			if p.Error == nil || p.Error.Code != tc.code || p.Status != tc.status || p.Details.ServiceID != serviceID {
				t.Errorf("failure %+v (error %+v), want %s with status %q", p, p.Error, tc.code, tc.status)
			}
			if got := len(f.partner.received()); got != calls {
				t.Errorf("the partner was called for a refused command")
			}
		})
	}
}

func TestPartnerRefusal_FailsTheCommand_OtherErrorsAreRetried(t *testing.T) {
	ctx := context.Background()
	f := newFixture()
	f.partner.fail(&partnerhttp.Rejection{Partner: "hbo", Status: 409, Code: "SUBSCRIPTION_EXISTS", Message: "exists"})
	outs, err := f.app.CreateSubscription(ctx, meta("c1"), create())
	if p := one[events.HBOFailedDetails](t, outs, err, events.TypeHBOOperationFailedV2); p.Error.Code != "PARTNER_REJECTED" {
		t.Errorf("failure %+v", p.Error)
	}
	down := errors.New("connection refused")
	f.partner.fail(down)
	if _, err := f.app.CreateSubscription(ctx, meta("c2"), create()); !errors.Is(err, down) {
		t.Fatalf("got %v, want the partner's error, to retry", err)
	}
	f.partner.fail(nil)
	outs, err = f.app.CreateSubscription(ctx, meta("c2"), create())
	one[events.HBOStatusDetails](t, outs, err, events.TypeHBOSubscriptionStatusV2)
}

func TestRedeliveredCommand_AnswersTheStoredEventAndCallsThePartnerOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture()
	first, err := f.app.CreateSubscription(ctx, meta("c1"), create())
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.app.CreateSubscription(ctx, meta("c1"), create())
	if err != nil || len(again) != 1 || again[0].Event.ID() != first[0].Event.ID() {
		t.Fatalf("redelivery: %v %v", again, err)
	}
	if n := len(f.partner.received()); n != 1 {
		t.Errorf("%d partner calls, want 1", n)
	}
}

func TestActivationURL(t *testing.T) {
	ctx := context.Background()
	f := newFixture()
	if _, err := f.app.ActivationURL(ctx, "k1", org, serviceID, customer, "ES"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown subscription: %v", err)
	}
	if _, err := f.app.CreateSubscription(ctx, meta("c1"), create()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.ActivationURL(ctx, "k2", org, serviceID, "999", "ES"); !errors.Is(err, domain.ErrOtherCustomer) {
		t.Fatalf("another customer: %v", err)
	}
	if _, err := f.app.ActivationURL(ctx, "k2", org, serviceID, customer, "FR"); !errors.Is(err, domain.ErrOtherCountry) {
		t.Fatalf("another country: %v", err)
	}
	url, err := f.app.ActivationURL(ctx, "k2", org, serviceID, customer, "")
	if err != nil || url != "https://hbo.test/activate/k2" {
		t.Fatalf("url %q, %v", url, err)
	}
	if _, err := f.app.CancelSubscription(ctx, meta("c2"), events.HBOCancelSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Reason: events.HBOReasonOfferExpired}); err != nil {
		t.Fatal(err)
	}
	var r *domain.Refusal
	if _, err := f.app.ActivationURL(ctx, "k3", org, serviceID, customer, "ES"); !errors.As(err, &r) || r.Rule != domain.RuleTransition {
		t.Fatalf("cancelled subscription: %v", err)
	}
}
