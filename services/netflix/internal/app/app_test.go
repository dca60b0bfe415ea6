package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/pkg/ledger/ledgertest"
	"provision.local/services/netflix/internal/app"
	"provision.local/services/netflix/internal/domain"
)

// Values of the seed's examples.
const (
	org      = "masmovil"
	otherOrg = "yoigo"
	pai      = "4567890123456789"
	bundle   = "c2a45099-1cda-4178-83a8-02c02356ea01"
	offer    = "2106f808-36e9-402d-bf37-f1f7fa04776b"
	premium  = "5b1f4a43-7c8f-4f43-9f4e-1b6f0c2d9e77"
	billing  = "e307f177-091a-4840-9830-dda1c29eea44"
	email    = "test@email.com"
	phone    = "+525512345678"
)

type fixture struct {
	app     *app.App
	store   *ledgertest.Store[domain.Subscription]
	partner *partner
}

func newFixture() fixture {
	f := fixture{store: ledgertest.New[domain.Subscription](), partner: &partner{}}
	f.app = app.New(f.store, f.partner)
	return f
}

func meta(id string) app.Meta {
	return app.Meta{CommandID: id, CorrelationID: "corr-" + id, WorkflowID: "wf-" + id, IssuedAt: time.Now().UTC()}
}

func create(orgID string) events.NetflixCreateSubscription {
	return events.NetflixCreateSubscription{
		Org: orgID, PartnerAccountID: pai, BundleID: bundle, OfferID: offer, Channel: "WEB", Email: email,
		Phone: phone, ChargeCountry: "ES", PreferredLanguage: "es-ES", ExternalID: "external_subscription_12345",
		BillingEventID: billing,
	}
}

func activation(id string) events.NetflixActivationCallback {
	return events.NetflixActivationCallback{Org: org, PartnerAccountID: pai, NetflixEventID: id, ActivatedAt: time.Date(2026, 11, 24, 10, 45, 0, 0, time.UTC)}
}

func suspend() events.NetflixSuspendSubscription {
	return events.NetflixSuspendSubscription{Org: org, PartnerAccountID: pai, SuspendEventID: "suspend-1", Reason: "PAYMENT_INSTRUMENT_FAILURE"}
}

func reactivate() events.NetflixReactivateSubscription {
	return events.NetflixReactivateSubscription{Org: org, PartnerAccountID: pai, ReactivateEventID: "reactivate-1"}
}

func cancel() events.NetflixCancelSubscription {
	return events.NetflixCancelSubscription{Org: org, PartnerAccountID: pai, CancelEventID: "cancel-1", CancelReason: "CUSTOMER_REQUESTED_CANCEL"}
}

func changeOffer(o string) events.NetflixUpdateSubscription {
	return events.NetflixUpdateSubscription{Org: org, PartnerAccountID: pai, OfferID: o, BillingEventID: "billing-2"}
}

// must(t)(a use case) fails the test if the use case fails and returns its events.
func must(t *testing.T) func([]consumer.Output, error) []consumer.Output {
	t.Helper()
	return func(outs []consumer.Output, err error) []consumer.Output {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return outs
	}
}

// status decodes the one status event a command published, validating it against its schema.
func status(t *testing.T, outs []consumer.Output, wantType string) events.StatusEvent[events.NetflixStatusDetails] {
	t.Helper()
	if len(outs) != 1 {
		t.Fatalf("%d events, want one", len(outs))
	}
	e := outs[0].Event
	if outs[0].Topic != events.TopicNetflixStatus || e.Type() != wantType || events.Extension(e, events.ExtPartitionKey) != pai {
		t.Fatalf("event %s on %s, want a %s keyed by the PAI", e.Type(), outs[0].Topic, wantType)
	}
	var p events.StatusEvent[events.NetflixStatusDetails]
	if err := events.Decode(e, &p); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(e.Data()), email) || strings.Contains(string(e.Data()), phone) {
		t.Errorf("a status event carries personal data: %s", e.Data())
	}
	return p
}

func TestLifecycle_FromEnrolmentToCancellation(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	type step struct {
		name         string
		run          func(m app.Meta) ([]consumer.Output, error)
		status, prev string
		bundle       string
		event        string // the Netflix event type recorded; "" for none
		eventID      string
		reference    string
		partner      string // the partner method called; "" for none
	}
	for i, s := range []step{
		{"create", func(m app.Meta) ([]consumer.Output, error) { return f.app.CreateSubscription(ctx, m, create(org)) },
			events.StatusPending, "", events.NetflixBundlePendingActivation, "", "", "", "Enrol"},
		{"activation", func(m app.Meta) ([]consumer.Output, error) {
			return f.app.RecordActivation(ctx, m, activation("nf-activation"))
		},
			events.StatusActive, events.StatusPending, events.NetflixBundleActive, events.NetflixEventBundleActivation, "nf-activation", billing, ""},
		{"plan change", func(m app.Meta) ([]consumer.Output, error) {
			return f.app.UpdateSubscription(ctx, m, changeOffer(premium))
		},
			events.StatusActive, events.StatusActive, events.NetflixBundleActive, events.NetflixEventBundlePlanChange, "nf-c3", "billing-2", "Update"},
		{"suspend", func(m app.Meta) ([]consumer.Output, error) { return f.app.SuspendSubscription(ctx, m, suspend()) },
			events.StatusSuspended, events.StatusActive, events.NetflixBundleSuspended, events.NetflixEventBundleSuspension, "nf-c4", "suspend-1", "Suspend"},
		{"reactivate", func(m app.Meta) ([]consumer.Output, error) { return f.app.ReactivateSubscription(ctx, m, reactivate()) },
			events.StatusActive, events.StatusSuspended, events.NetflixBundleActive, events.NetflixEventBundleReactivation, "nf-c5", "reactivate-1", "Reactivate"},
		{"cancel", func(m app.Meta) ([]consumer.Output, error) { return f.app.CancelSubscription(ctx, m, cancel()) },
			events.StatusDeactivated, events.StatusActive, events.NetflixBundleCancelled, events.NetflixEventBundleCancellation, "nf-c6", "cancel-1", "Cancel"},
	} {
		t.Run(s.name, func(t *testing.T) {
			id := "c" + string(rune('1'+i))
			before := len(f.partner.received())
			outs, err := s.run(meta(id))
			p := status(t, must(t)(outs, err), events.TypeNetflixSubscriptionStatusV2)
			if p.Status != s.status || p.PreviousStatus != s.prev || p.Version != int64(i+1) || p.CommandID != id || p.WorkflowID != "wf-"+id ||
				p.Provider != events.ProviderNetflix || p.SubscriptionID != pai || p.Details.BundleStatus != s.bundle || p.Details.PartnerAccountID != pai {
				t.Errorf("status %s from %s v%d, bundle %s (%+v); want %s from %s v%d, bundle %s",
					p.Status, p.PreviousStatus, p.Version, p.Details.BundleStatus, p, s.status, s.prev, i+1, s.bundle)
			}
			switch ev := p.Details.Event; {
			case s.event == "" && ev != nil:
				t.Errorf("event %+v recorded, want none", ev)
			case s.event != "" && (ev == nil || ev.Type != s.event || ev.NetflixEventID != s.eventID || ev.PartnerReferenceID != s.reference ||
				ev.OriginalTransactionID != "tx-c1" || ev.OccurredAt.IsZero()):
				t.Errorf("event %+v, want %s %s referencing %s from the enrolment tx-c1", ev, s.event, s.eventID, s.reference)
			}
			calls := f.partner.received()[before:]
			switch {
			case s.partner == "" && len(calls) != 0:
				t.Errorf("partner called %+v, want no call", calls)
			case s.partner != "" && (len(calls) != 1 || calls[0].method != s.partner || calls[0].key != id || calls[0].pai != pai):
				t.Errorf("partner calls %+v, want one %s keyed %s", calls, s.partner, id)
			}
		})
	}
	sub, err := f.app.Subscription(ctx, org, pai)
	if err != nil || sub.OfferID != premium || sub.Status != domain.Cancelled || sub.Email != email {
		t.Errorf("stored %v (%v), want cancelled on the premium offer, the email kept", sub, err)
	}
}

func TestActivation_ActivatedAtIsTheCustomersTime(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	must(t)(f.app.CreateSubscription(ctx, meta("c1"), create(org)))
	p := status(t, must(t)(f.app.RecordActivation(ctx, meta("c2"), activation("nf-1"))), events.TypeNetflixSubscriptionStatusV2)
	if want := activation("").ActivatedAt; !p.Details.Event.OccurredAt.Equal(want) {
		t.Errorf("activation event at %v, want the reported %v", p.Details.Event.OccurredAt, want)
	}
}

// A refusal fails the command with its failure event, changes nothing and never calls Netflix.
func TestRefusals_NeverCallThePartner(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, f fixture)
		run   func(f fixture) ([]consumer.Output, error)
		code  string
		// status is the subscription's status the failure repeats; "" when none exists.
		status string
	}{
		{"create for an enrolled PAI", enrolled, func(f fixture) ([]consumer.Output, error) {
			return f.app.CreateSubscription(ctx, meta("x"), create(org))
		}, "PARTNER_ACCOUNT_ALREADY_ENROLLED", events.StatusPending},
		{"create with a phone not in E.164", nothing, func(f fixture) ([]consumer.Output, error) {
			c := create(org)
			c.Phone = "5512345678"
			return f.app.CreateSubscription(ctx, meta("x"), c)
		}, "INVALID_FIELD", ""},
		{"update of an unknown PAI", nothing, func(f fixture) ([]consumer.Output, error) {
			return f.app.UpdateSubscription(ctx, meta("x"), changeOffer(premium))
		}, "SUBSCRIPTION_NOT_FOUND", ""},
		{"update of another org's PAI", func(t *testing.T, f fixture) {
			must(t)(f.app.CreateSubscription(ctx, meta("c0"), create(otherOrg)))
		}, func(f fixture) ([]consumer.Output, error) {
			return f.app.UpdateSubscription(ctx, meta("x"), changeOffer(premium))
		}, "SUBSCRIPTION_NOT_FOUND", ""},
		{"suspend before the activation", enrolled, func(f fixture) ([]consumer.Output, error) {
			return f.app.SuspendSubscription(ctx, meta("x"), suspend())
		}, "INVALID_TRANSITION", events.StatusPending},
		{"reactivate an active bundle", activated, func(f fixture) ([]consumer.Output, error) {
			return f.app.ReactivateSubscription(ctx, meta("x"), reactivate())
		}, "INVALID_TRANSITION", events.StatusActive},
		{"cancel a cancelled bundle", cancelled, func(f fixture) ([]consumer.Output, error) {
			return f.app.CancelSubscription(ctx, meta("x"), cancel())
		}, "INVALID_TRANSITION", events.StatusCancelled},
		{"update a cancelled bundle", cancelled, func(f fixture) ([]consumer.Output, error) {
			return f.app.UpdateSubscription(ctx, meta("x"), changeOffer(premium))
		}, "INVALID_TRANSITION", events.StatusCancelled},
		{"a cancel reference over 1024 bytes", activated, func(f fixture) ([]consumer.Output, error) {
			c := cancel()
			c.CancelEventID = strings.Repeat("é", 513)
			return f.app.CancelSubscription(ctx, meta("x"), c)
		}, "INVALID_FIELD", events.StatusActive},
		{"an activation of a cancelled bundle", cancelled, func(f fixture) ([]consumer.Output, error) {
			return f.app.RecordActivation(ctx, meta("x"), activation("nf-late"))
		}, "INVALID_TRANSITION", events.StatusCancelled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture()
			tc.setup(t, f)
			before, version := len(f.partner.received()), versionOf(t, f)
			outs, err := tc.run(f)
			p := status(t, must(t)(outs, err), events.TypeNetflixOperationFailedV2)
			if p.Error == nil || p.Error.Code != tc.code || p.Status != tc.status || p.Version != version || p.Details.PartnerAccountID != pai {
				t.Errorf("failure %+v (error %+v), want %s with status %q v%d", p, p.Error, tc.code, tc.status, version)
			}
			if calls := f.partner.received()[before:]; len(calls) != 0 {
				t.Errorf("the partner was called: %+v", calls)
			}
			if versionOf(t, f) != version {
				t.Error("the refusal changed the subscription")
			}
			op, err := f.store.Operation(ctx, "x")
			if err != nil || op.Outcome != ledger.Failed || op.Failure == nil || op.Failure.Code != tc.code {
				t.Errorf("operation record %+v (%v), want FAILED %s", op, err, tc.code)
			}
		})
	}
}

func nothing(*testing.T, fixture) {}

func enrolled(t *testing.T, f fixture) {
	t.Helper()
	must(t)(f.app.CreateSubscription(context.Background(), meta("c1"), create(org)))
}

func activated(t *testing.T, f fixture) {
	t.Helper()
	enrolled(t, f)
	must(t)(f.app.RecordActivation(context.Background(), meta("c2"), activation("nf-1")))
}

func cancelled(t *testing.T, f fixture) {
	t.Helper()
	enrolled(t, f)
	must(t)(f.app.CancelSubscription(context.Background(), meta("c3"), cancel()))
}

func versionOf(t *testing.T, f fixture) int64 {
	t.Helper()
	_, v, err := f.store.Get(context.Background(), domain.Key(org, pai))
	if err != nil && !app.IsNotFound(err) {
		t.Fatal(err)
	}
	return v
}

func TestCancel_BeforeTheActivationIsCancelledNotDeactivated(t *testing.T) {
	f := newFixture()
	enrolled(t, f)
	p := status(t, must(t)(f.app.CancelSubscription(context.Background(), meta("c2"), cancel())), events.TypeNetflixSubscriptionStatusV2)
	if p.Status != events.StatusCancelled || p.PreviousStatus != events.StatusPending {
		t.Errorf("status %s from %s, want CANCELLED from PENDING", p.Status, p.PreviousStatus)
	}
}

// A redelivered command answers with the events stored the first time, ids included, and calls
// Netflix no second time; a redelivered refusal too.
func TestRedelivery_IsIdempotent(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	enrolled(t, f)
	first := must(t)(f.app.RecordActivation(ctx, meta("c2"), activation("nf-1")))
	again := must(t)(f.app.RecordActivation(ctx, meta("c2"), activation("nf-1")))
	if len(again) != 1 || again[0].Event.ID() != first[0].Event.ID() || string(again[0].Event.Data()) != string(first[0].Event.Data()) {
		t.Errorf("redelivery published %v, want the first event again", again)
	}
	plan := must(t)(f.app.UpdateSubscription(ctx, meta("c3"), changeOffer(premium)))
	replan := must(t)(f.app.UpdateSubscription(ctx, meta("c3"), changeOffer(premium)))
	if len(replan) != 1 || replan[0].Event.ID() != plan[0].Event.ID() {
		t.Errorf("the plan change's redelivery published %v", replan)
	}
	refused := must(t)(f.app.ReactivateSubscription(ctx, meta("c4"), reactivate()))
	rerefused := must(t)(f.app.ReactivateSubscription(ctx, meta("c4"), reactivate()))
	if len(rerefused) != 1 || rerefused[0].Event.ID() != refused[0].Event.ID() {
		t.Errorf("the refusal's redelivery published %v", rerefused)
	}
	if n := len(f.partner.received()); n != 2 { // Enrol, Update
		t.Errorf("%d partner calls, want 2: %+v", n, f.partner.received())
	}
	if v := versionOf(t, f); v != 3 {
		t.Errorf("version %d, want 3", v)
	}
}

// Netflix reporting an activation again (another report, another command) changes nothing.
func TestActivation_ReportedAgainChangesNothing(t *testing.T) {
	f := newFixture()
	activated(t, f)
	outs, err := f.app.RecordActivation(context.Background(), meta("c9"), activation("nf-2"))
	if err != nil || len(outs) != 0 || versionOf(t, f) != 2 {
		t.Errorf("got %v, %v at v%d; want nothing published at v2", outs, err, versionOf(t, f))
	}
}

func TestUpdate_ThatChangesNothingCallsNoOne(t *testing.T) {
	f := newFixture()
	activated(t, f)
	before := len(f.partner.received())
	u := events.NetflixUpdateSubscription{Org: org, PartnerAccountID: pai, Email: "new@email.com"}
	outs, err := f.app.UpdateSubscription(context.Background(), meta("c3"), u)
	if err != nil || len(outs) != 0 || len(f.partner.received()) != before || versionOf(t, f) != 2 {
		t.Errorf("got %v, %v; want no event, no partner call, v2 (the email does not change once activated)", outs, err)
	}
}

func TestUpdate_OfContactDataRecordsNoEvent(t *testing.T) {
	f := newFixture()
	activated(t, f)
	u := events.NetflixUpdateSubscription{Org: org, PartnerAccountID: pai, Channel: "STB", Phone: "+34600000000"}
	p := status(t, must(t)(f.app.UpdateSubscription(context.Background(), meta("c3"), u)), events.TypeNetflixSubscriptionStatusV2)
	if p.Details.Event != nil || p.Details.Channel != "STB" || p.Operation != events.OpUpdate {
		t.Errorf("details %+v, want the new channel and no event", p.Details)
	}
}

func TestPartner_RefusalFailsTheCommand_OtherErrorsAreRetried(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	activated(t, f)
	f.partner.fail(errors.New("netflix: 503"))
	if outs, err := f.app.SuspendSubscription(ctx, meta("c3"), suspend()); err == nil || len(outs) != 0 {
		t.Fatalf("got %v, %v; want the error, to be retried", outs, err)
	}
	if _, err := f.store.Operation(ctx, "c3"); !app.IsNotFound(err) {
		t.Errorf("a transient failure left a record: %v", err)
	}
	f.partner.fail(&app.PartnerRefusal{Partner: "netflix", Status: 409, Code: "BUNDLE_ON_HOLD", Message: "on hold"})
	p := status(t, must(t)(f.app.SuspendSubscription(ctx, meta("c3"), suspend())), events.TypeNetflixOperationFailedV2)
	if p.Error.Code != "PARTNER_REJECTED" || p.Status != events.StatusActive || p.Version != 2 {
		t.Errorf("failure %+v, want PARTNER_REJECTED on the unchanged ACTIVE v2", p)
	}
	f.partner.fail(nil)
	p = status(t, must(t)(f.app.SuspendSubscription(ctx, meta("c4"), suspend())), events.TypeNetflixSubscriptionStatusV2)
	if p.Status != events.StatusSuspended {
		t.Errorf("status %s after the partner recovered", p.Status)
	}
}

// Without an id from Netflix, the event's id derives from the command: the same on a redelivery,
// another for another command.
func TestNetflixEventID_WithoutOneFromThePartner(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	activated(t, f)
	f.partner.noEventIDs = true
	a := status(t, must(t)(f.app.SuspendSubscription(ctx, meta("c3"), suspend())), events.TypeNetflixSubscriptionStatusV2)
	b := status(t, must(t)(f.app.ReactivateSubscription(ctx, meta("c4"), reactivate())), events.TypeNetflixSubscriptionStatusV2)
	if a.Details.Event.NetflixEventID == "" || a.Details.Event.NetflixEventID == b.Details.Event.NetflixEventID ||
		a.Details.Event.NetflixEventID == a.CommandID {
		t.Errorf("event ids %q and %q", a.Details.Event.NetflixEventID, b.Details.Event.NetflixEventID)
	}
}

func TestEnrolledPAI(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	check := func(when string, orgID string, want bool) {
		t.Helper()
		got, err := f.app.EnrolledPAI(ctx, orgID, pai)
		if err != nil || got != want {
			t.Errorf("%s: EnrolledPAI(%s) = %v, %v; want %v", when, orgID, got, err, want)
		}
	}
	check("before the enrolment", org, false)
	enrolled(t, f)
	check("after the enrolment", org, true)
	check("in another org", otherOrg, false)
	must(t)(f.app.CancelSubscription(ctx, meta("c2"), cancel()))
	check("after the cancellation", org, false)
	p := status(t, must(t)(f.app.CreateSubscription(ctx, meta("c3"), create(org))), events.TypeNetflixSubscriptionStatusV2)
	if p.Status != events.StatusPending || p.PreviousStatus != events.StatusCancelled || p.Version != 3 {
		t.Errorf("re-enrolment %s from %s v%d, want PENDING from CANCELLED v3", p.Status, p.PreviousStatus, p.Version)
	}
	check("after the re-enrolment", org, true)
}

func TestStatus_TheBundleAndNetflixsPlan(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	f.partner.status = app.PartnerStatus{HasPartnerMOP: true, ProductType: "BUNDLE", PlanType: "STANDARD", PlanLocalizedType: "Estándar"}
	if _, err := f.app.Status(ctx, org, pai); !app.IsNotFound(err) {
		t.Errorf("unknown PAI: %v, want not found", err)
	}
	activated(t, f)
	st, err := f.app.Status(ctx, org, pai)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(st)
	want := `{"has_partner_mop":true,"product_type":"BUNDLE","subscription":{"plan":{"localized_type":"Estándar","type":"STANDARD"}},"bundle":{"id":"` +
		bundle + `","offer_id":"` + offer + `","status":"ACTIVE"}}`
	if string(b) != want {
		t.Errorf("status %s\nwant %s", b, want)
	}
	if _, err := f.app.Status(ctx, otherOrg, pai); !app.IsNotFound(err) {
		t.Errorf("another org's PAI: %v, want not found", err)
	}
	f.partner.fail(errors.New("netflix: 503"))
	if _, err := f.app.Status(ctx, org, pai); err == nil || app.IsNotFound(err) {
		t.Errorf("partner down: %v, want its error", err)
	}
}

func TestHistory_ListsTheOperationsOfThePAI(t *testing.T) {
	f := newFixture()
	activated(t, f)
	h, err := f.app.History(context.Background(), org, pai)
	if err != nil || len(h) != 2 || h[0].ID != "c1" || h[1].ID != "c2" {
		t.Errorf("history %+v, %v", h, err)
	}
	if _, err := f.app.History(context.Background(), otherOrg, pai); !app.IsNotFound(err) {
		t.Errorf("another org: %v", err)
	}
}
