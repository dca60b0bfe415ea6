package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/pkg/mongox"
	"provision.local/services/disney/internal/app"
	"provision.local/services/disney/internal/domain"
)

// Values of the seed document's examples.
const (
	org       = "masmovil"
	otherOrg  = "yoigo"
	owner     = "MOO1664367665504"
	otherUser = "MOO1664367665999"
	subID     = "ENT1664367665579"
	basic     = "com.disney.yoigo.es.bundle.basic"
	premium   = "com.disney.yoigo.es.bundle.premium"
)

var (
	products = []string{basic, premium}
	t0       = time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC)
)

type fixture struct {
	app     *app.App
	store   *fakeStore
	partner *fakePartner
}

func newFixture() fixture {
	f := fixture{store: newFakeStore(), partner: &fakePartner{}}
	f.app = app.New(f.store, f.partner)
	return f
}

// subscription is a stored subscription of org in the given state.
func subscription(userID, id string, entitled domain.Entitled, activated domain.Activated) domain.Subscription {
	s := domain.Subscription{
		Org: org, UserID: userID, SubscriptionID: id, Entitled: entitled, Activated: activated,
		Products: []string{basic, premium}, CreatedAt: t0, LastUpdated: t0,
	}
	if entitled == domain.EntitledCanceled {
		s.Cancellation = domain.CancellationVoluntary
	}
	return s
}

func meta(commandID, ceType string) app.Meta {
	return app.Meta{CommandID: commandID, Type: ceType, CorrelationID: "corr-" + commandID, WorkflowID: "wf-" + commandID}
}

// command is one use case invocation, with what the tests need to know about it.
type command struct {
	ceType    string
	operation string
	method    string // the partner method it calls
	userID    string
	subID     string
	run       func(ctx context.Context, a *app.App, m app.Meta) ([]consumer.Output, error)
}

func createCmd(userID, id string, prods ...string) command {
	return command{events.TypeDisneyCreateSubscription, events.OpCreate, callCreateEntitlement, userID, id,
		func(ctx context.Context, a *app.App, m app.Meta) ([]consumer.Output, error) {
			return a.CreateSubscription(ctx, m, events.DisneyCreateSubscription{Org: org, UserID: userID, SubscriptionID: id, Products: prods})
		}}
}

func modifyCmd(userID, id string, prods ...string) command {
	return command{events.TypeDisneyModifySubscription, events.OpModify, callModifyProducts, userID, id,
		func(ctx context.Context, a *app.App, m app.Meta) ([]consumer.Output, error) {
			return a.ModifySubscription(ctx, m, events.DisneyModifySubscription{Org: org, UserID: userID, SubscriptionID: id, Products: prods})
		}}
}

func suspendCmd(userID, id string) command {
	return command{events.TypeDisneySuspendSubscription, events.OpSuspend, callSuspend, userID, id,
		func(ctx context.Context, a *app.App, m app.Meta) ([]consumer.Output, error) {
			return a.SuspendSubscription(ctx, m, events.DisneySuspendSubscription{Org: org, UserID: userID, SubscriptionID: id, Products: products})
		}}
}

func reactivateCmd(userID, id string) command {
	return command{events.TypeDisneyReactivateSubscription, events.OpReactivate, callReactivate, userID, id,
		func(ctx context.Context, a *app.App, m app.Meta) ([]consumer.Output, error) {
			return a.ReactivateSubscription(ctx, m, events.DisneyReactivateSubscription{Org: org, UserID: userID, SubscriptionID: id, Products: products})
		}}
}

func terminateCmd(userID, id, product string) command {
	return command{events.TypeDisneyTerminateSubscription, events.OpTerminate, callCancel, userID, id,
		func(ctx context.Context, a *app.App, m app.Meta) ([]consumer.Output, error) {
			return a.TerminateSubscription(ctx, m, events.DisneyTerminateSubscription{Org: org, UserID: userID, SubscriptionID: id, Product: product})
		}}
}

// onlyEvent returns the single output, which must go to the Disney status topic.
func onlyEvent(t *testing.T, outs []consumer.Output) cloudevents.Event {
	t.Helper()
	if len(outs) != 1 {
		t.Fatalf("got %d outputs, want 1: %+v", len(outs), outs)
	}
	if outs[0].Topic != events.TopicDisneyStatus {
		t.Fatalf("topic = %q, want %q", outs[0].Topic, events.TopicDisneyStatus)
	}
	return outs[0].Event
}

// checkEnvelope checks the attributes every event of a command carries.
func checkEnvelope(t *testing.T, e cloudevents.Event, m app.Meta, ceType, wantOrg, partitionKey string) {
	t.Helper()
	if e.Type() != ceType {
		t.Errorf("type = %q, want %q", e.Type(), ceType)
	}
	if want := ledger.EventID(m.CommandID, 0); e.ID() != want {
		t.Errorf("id = %q, want %q (derived from the command id)", e.ID(), want)
	}
	if e.Source() != app.Source {
		t.Errorf("source = %q, want %q", e.Source(), app.Source)
	}
	for name, want := range map[string]string{
		events.ExtPartitionKey:  partitionKey,
		events.ExtOrg:           wantOrg,
		events.ExtCorrelationID: m.CorrelationID,
		events.ExtWorkflowID:    m.WorkflowID,
	} {
		if got := events.Extension(e, name); got != want {
			t.Errorf("extension %s = %q, want %q", name, got, want)
		}
	}
	if err := events.Validate(e.Type(), e.Data()); err != nil {
		t.Errorf("payload does not validate: %v", err)
	}
}

// platformStatus is the status every provider's events share, per Disney entitlement.
var platformStatus = map[domain.Entitled]string{
	domain.EntitledActive:      events.StatusActive,
	domain.EntitledGracePeriod: events.StatusActive,
	domain.EntitledBillingHold: events.StatusSuspended,
	domain.EntitledCanceled:    events.StatusDeactivated,
}

func statusPayload(t *testing.T, e cloudevents.Event) events.StatusEvent[events.DisneyStatusDetails] {
	t.Helper()
	var p events.StatusEvent[events.DisneyStatusDetails]
	if err := json.Unmarshal(e.Data(), &p); err != nil {
		t.Fatalf("decode status payload: %v", err)
	}
	return p
}

func failedPayload(t *testing.T, e cloudevents.Event) events.StatusEvent[events.DisneyFailedDetails] {
	t.Helper()
	var p events.StatusEvent[events.DisneyFailedDetails]
	if err := json.Unmarshal(e.Data(), &p); err != nil {
		t.Fatalf("decode failed payload: %v", err)
	}
	return p
}

// checkFailed checks that a command failed for good with code: an operation.failed event, which
// reports the subscription's state unchanged, and a FAILED operation record.
func checkFailed(t *testing.T, f fixture, outs []consumer.Output, m app.Meta, c command, code string) {
	t.Helper()
	e := onlyEvent(t, outs)
	checkEnvelope(t, e, m, events.TypeDisneyOperationFailedV2, org, c.subID)
	p := failedPayload(t, e)
	if p.Error == nil || p.Error.Code != code || p.Org != org || p.Provider != events.ProviderDisney ||
		p.Details.UserID != c.userID || p.SubscriptionID != c.subID || p.Operation != c.operation ||
		p.CommandID != m.CommandID || p.WorkflowID != m.WorkflowID || p.CorrelationID != m.CorrelationID {
		t.Errorf("failed payload = %+v, want code %s for %s of %s/%s", p, code, c.operation, c.userID, c.subID)
	}
	var wantStatus string
	var wantVersion int64
	if s, v, err := f.store.Get(context.Background(), domain.Key(org, c.subID)); err == nil {
		wantStatus, wantVersion = platformStatus[s.Entitled], v
	}
	if p.Status != wantStatus || p.PreviousStatus != wantStatus || p.Version != wantVersion {
		t.Errorf("failed payload status %q (previous %q) v%d, want the unchanged %q v%d", p.Status, p.PreviousStatus, p.Version, wantStatus, wantVersion)
	}
	op, err := f.store.Operation(context.Background(), m.CommandID)
	if err != nil {
		t.Fatalf("operation record: %v", err)
	}
	if op.Outcome != ledger.Failed || op.Failure == nil || op.Failure.Code != code {
		t.Errorf("operation = %s %+v, want FAILED %s", op.Outcome, op.Failure, code)
	}
	if op.AggregateID != domain.Key(org, c.subID) || op.Org != org || op.Operation != c.operation {
		t.Errorf("operation = %+v, want org %s, aggregate %s, operation %s", op, org, domain.Key(org, c.subID), c.operation)
	}
}

// checkState checks the stored subscription: want nil means none is stored.
func checkState(t *testing.T, f fixture, key string, want *domain.Subscription, wantVersion int64) {
	t.Helper()
	got, version, err := f.store.Get(context.Background(), key)
	if want == nil {
		if !errors.Is(err, mongox.ErrNotFound) {
			t.Errorf("stored %s = %+v (v%d, err %v), want none", key, got, version, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	if !reflect.DeepEqual(got, *want) || version != wantVersion {
		t.Errorf("stored %s = %+v v%d, want %+v v%d", key, got, version, *want, wantVersion)
	}
}

func noPartnerCalls(t *testing.T, p *fakePartner) {
	t.Helper()
	if calls := p.Calls(); len(calls) != 0 {
		t.Errorf("partner was called: %+v", calls)
	}
}
