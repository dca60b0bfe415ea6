package app_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/pkg/mongox"
	"provision.local/services/disney/internal/app"
	"provision.local/services/disney/internal/domain"
)

// seeded is a subscription stored at a version.
type seeded struct {
	s       domain.Subscription
	version int64
}

// userSubscriptions are the owner's subscriptions in every state, and two that are not the
// owner's in org: another user's, and the owner's id in another org.
func userSubscriptions() []seeded {
	inOtherOrg := subscription(owner, "ENT-F", domain.EntitledActive, domain.ActivatedUnlinked)
	inOtherOrg.Org = otherOrg
	return []seeded{
		{subscription(owner, "ENT-A", domain.EntitledActive, domain.ActivatedUnlinked), 1},
		{subscription(owner, "ENT-B", domain.EntitledBillingHold, domain.ActivatedUnlinked), 4},
		{subscription(owner, "ENT-C", domain.EntitledCanceled, domain.ActivatedUnlinked), 2},
		{subscription(owner, "ENT-D", domain.EntitledActive, domain.ActivatedLinked), 3},
		{subscription(otherUser, "ENT-E", domain.EntitledActive, domain.ActivatedUnlinked), 1},
		{inOtherOrg, 1},
	}
}

func callback(ctx context.Context, a *app.App, m app.Meta, userID string) ([]consumer.Output, error) {
	return a.ActivationCallback(ctx, m, events.DisneyActivationCallback{Org: org, UserID: userID})
}

func childMeta(parent app.Meta, subscriptionID string) app.Meta {
	child := parent
	child.CommandID = ledger.ChildID(parent.CommandID, domain.Key(org, subscriptionID))
	return child
}

func TestActivationCallback_LinksEveryNotCanceledSubscriptionOfTheUser(t *testing.T) {
	ctx := context.Background()
	f := newFixture()
	seeds := userSubscriptions()
	for _, sd := range seeds {
		f.store.seed(sd.s, sd.version)
	}
	m := meta("cmd-callback-1", events.TypeDisneyActivationCallback)

	outs, err := callback(ctx, f.app, m, owner)
	if err != nil {
		t.Fatalf("callback: %v", err)
	}

	// One status event per subscription linked now (A and B), each from its own child command.
	linked := []seeded{seeds[0], seeds[1]}
	if len(outs) != len(linked) {
		t.Fatalf("got %d outputs, want %d: %+v", len(outs), len(linked), outs)
	}
	var wantCalls []partnerCall
	for i, sd := range linked {
		id := sd.s.SubscriptionID
		child := childMeta(m, id)
		e := onlyEvent(t, outs[i:i+1])
		checkEnvelope(t, e, child, events.TypeDisneySubscriptionStatusV2, org, id)
		p := statusPayload(t, e)
		if p.SubscriptionID != id || p.Details.UserID != owner || p.Operation != events.OpActivationCallback ||
			p.CommandID != child.CommandID || p.Details.Activated != events.ActivatedLinked ||
			p.Details.Entitled != string(sd.s.Entitled) || p.Version != sd.version+1 ||
			p.Status != platformStatus[sd.s.Entitled] || p.PreviousStatus != p.Status {
			t.Errorf("status payload %d = %+v, want %s LINKED at v%d by child %s", i, p, id, sd.version+1, child.CommandID)
		}
		wantCalls = append(wantCalls, partnerCall{Method: callConfirmActivation, Key: child.CommandID, EntitlementID: id})

		want := cloneSubscription(sd.s)
		want.Activated = domain.ActivatedLinked
		got, _, _ := f.store.Get(ctx, domain.Key(org, id))
		want.LastUpdated = got.LastUpdated
		if p.OccurredAt.Before(got.LastUpdated) {
			t.Errorf("occurredAt %s is before the change at %s", p.OccurredAt, got.LastUpdated)
		}
		checkState(t, f, domain.Key(org, id), &want, sd.version+1)
	}
	if calls := f.partner.Calls(); !reflect.DeepEqual(calls, wantCalls) {
		t.Errorf("partner calls = %+v, want %+v", calls, wantCalls)
	}

	// The canceled, the already linked, another user's and another org's are untouched.
	for _, sd := range seeds[2:] {
		checkState(t, f, domain.Key(sd.s.Org, sd.s.SubscriptionID), &sd.s, sd.version)
	}

	// Every subscription of the user went through its child command; the parent keeps all events.
	for _, sd := range seeds[:4] {
		child := childMeta(m, sd.s.SubscriptionID)
		op, err := f.store.Operation(ctx, child.CommandID)
		if err != nil || op.Outcome != ledger.Completed || op.AggregateID != domain.Key(org, sd.s.SubscriptionID) {
			t.Errorf("child operation for %s = %+v (err %v), want COMPLETED on its subscription", sd.s.SubscriptionID, op, err)
		}
	}
	for _, sd := range seeds[4:] {
		if op, err := f.store.Operation(ctx, ledger.ChildID(m.CommandID, domain.Key(sd.s.Org, sd.s.SubscriptionID))); !errors.Is(err, mongox.ErrNotFound) {
			t.Errorf("child operation for %s/%s = %+v, want none", sd.s.Org, sd.s.SubscriptionID, op)
		}
	}
	op, err := f.store.Operation(ctx, m.CommandID)
	if err != nil || op.Outcome != ledger.Completed || op.AggregateID != "" || op.Org != org ||
		op.Operation != events.OpActivationCallback || len(op.Outputs) != len(linked) {
		t.Errorf("parent operation = %+v (err %v), want COMPLETED with %d outputs and no aggregate", op, err, len(linked))
	}
}

func TestActivationCallback_RedeliveryRepublishesWithoutThePartner(t *testing.T) {
	ctx := context.Background()
	f := newFixture()
	for _, sd := range userSubscriptions() {
		f.store.seed(sd.s, sd.version)
	}
	m := meta("cmd-callback-1", events.TypeDisneyActivationCallback)

	first, err := callback(ctx, f.app, m, owner)
	if err != nil {
		t.Fatalf("callback: %v", err)
	}
	again, err := callback(ctx, f.app, m, owner)
	if err != nil {
		t.Fatalf("redelivered callback: %v", err)
	}
	if ids(again) == nil || !reflect.DeepEqual(ids(again), ids(first)) {
		t.Errorf("redelivery answered %v, want the first events %v", ids(again), ids(first))
	}
	if n := len(f.partner.Calls()); n != 2 {
		t.Errorf("partner called %d times, want 2 (once per linked subscription)", n)
	}
}

func TestActivationCallback_TransientPartnerErrorRetriesOnlyTheUnlinked(t *testing.T) {
	ctx := context.Background()
	f := newFixture()
	a := subscription(owner, "ENT-A", domain.EntitledActive, domain.ActivatedUnlinked)
	b := subscription(owner, "ENT-B", domain.EntitledActive, domain.ActivatedUnlinked)
	f.store.seed(a, 1)
	f.store.seed(b, 1)
	errUnavailable := errors.New("partner: connection reset")
	f.partner.failWith(errUnavailable, func(c partnerCall) bool { return c.EntitlementID == "ENT-B" })
	m := meta("cmd-callback-1", events.TypeDisneyActivationCallback)

	outs, err := callback(ctx, f.app, m, owner)
	if !errors.Is(err, errUnavailable) || consumer.IsPermanent(err) {
		t.Fatalf("err = %v, want the partner's transient error", err)
	}
	if len(outs) != 0 {
		t.Errorf("outputs = %+v, want none", outs)
	}
	if _, err := f.store.Operation(ctx, m.CommandID); !errors.Is(err, mongox.ErrNotFound) {
		t.Errorf("parent operation recorded (err %v), want none until it completes", err)
	}
	checkState(t, f, domain.Key(org, "ENT-B"), &b, 1)

	f.partner.recover()
	outs, err = callback(ctx, f.app, m, owner)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	childA, childB := childMeta(m, "ENT-A"), childMeta(m, "ENT-B")
	wantIDs := []string{ledger.EventID(childA.CommandID, 0), ledger.EventID(childB.CommandID, 0)}
	if got := ids(outs); !reflect.DeepEqual(got, wantIDs) {
		t.Errorf("retry answered %v, want both children's events %v", got, wantIDs)
	}
	wantCalls := []partnerCall{
		{Method: callConfirmActivation, Key: childA.CommandID, EntitlementID: "ENT-A"},
		{Method: callConfirmActivation, Key: childB.CommandID, EntitlementID: "ENT-B"},
		{Method: callConfirmActivation, Key: childB.CommandID, EntitlementID: "ENT-B"},
	}
	if calls := f.partner.Calls(); !reflect.DeepEqual(calls, wantCalls) {
		t.Errorf("partner calls = %+v, want %+v (A confirmed once, B retried with the same key)", calls, wantCalls)
	}
	for _, id := range []string{"ENT-A", "ENT-B"} {
		if s, v, _ := f.store.Get(ctx, domain.Key(org, id)); s.Activated != domain.ActivatedLinked || v != 2 {
			t.Errorf("%s = %s v%d, want LINKED v2", id, s.Activated, v)
		}
	}
}

func TestActivationCallback_FailsNotFoundWhenTheUserHasNoSubscription(t *testing.T) {
	inOtherOrg := subscription(owner, subID, domain.EntitledActive, domain.ActivatedUnlinked)
	inOtherOrg.Org = otherOrg
	tests := []struct {
		name  string
		seeds []domain.Subscription
	}{
		{"failedNoSubscriptionAtAll", nil},
		{"failedOnlyAnotherUsersSubscription", []domain.Subscription{subscription(otherUser, subID, domain.EntitledActive, domain.ActivatedUnlinked)}},
		{"failedOnlyInAnotherOrg", []domain.Subscription{inOtherOrg}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture()
			for _, s := range tc.seeds {
				f.store.seed(s, 1)
			}
			m := meta("cmd-"+tc.name, events.TypeDisneyActivationCallback)

			outs, err := callback(ctx, f.app, m, owner)
			if err != nil {
				t.Fatalf("a missing subscription is an outcome, not an error: %v", err)
			}
			e := onlyEvent(t, outs)
			checkEnvelope(t, e, m, events.TypeDisneyOperationFailedV2, org, owner) // keyed by the user
			p := failedPayload(t, e)
			if p.Error == nil || p.Error.Code != "SUBSCRIPTION_NOT_FOUND" || p.Details.UserID != owner || p.SubscriptionID != "" ||
				p.Status != "" || p.Version != 0 || p.Operation != events.OpActivationCallback || p.CommandID != m.CommandID {
				t.Errorf("failed payload = %+v, want SUBSCRIPTION_NOT_FOUND for the user", p)
			}
			op, err := f.store.Operation(ctx, m.CommandID)
			if err != nil || op.Outcome != ledger.Failed || op.Failure == nil || op.Failure.Code != "SUBSCRIPTION_NOT_FOUND" {
				t.Errorf("operation = %+v (err %v), want FAILED SUBSCRIPTION_NOT_FOUND", op, err)
			}
			noPartnerCalls(t, f.partner)
			for _, s := range tc.seeds {
				checkState(t, f, domain.Key(s.Org, s.SubscriptionID), &s, 1)
			}
		})
	}
}

func ids(outs []consumer.Output) []string {
	var ids []string
	for _, o := range outs {
		ids = append(ids, o.Event.ID())
	}
	return ids
}
