package app_test

// Tests of the subscription commands (create, modify, suspend, reactivate, terminate) over the
// fake store and the fake partner.

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/pkg/mongox"
	"provision.local/services/disney/internal/app"
	"provision.local/services/disney/internal/domain"
)

func TestCreateSubscription_CreatesEntitlementOnceAndEmitsStatusVersion1(t *testing.T) {
	ctx := context.Background()
	f := newFixture()
	c := createCmd(owner, subID, basic, premium)
	m := meta("cmd-create-1", c.ceType)

	before := time.Now().UTC()
	outs, err := c.run(ctx, f.app, m)
	after := time.Now().UTC()
	if err != nil {
		t.Fatalf("create: %v", err)
	}

	wantCalls := []partnerCall{{
		Method: callCreateEntitlement, Key: m.CommandID, EntitlementID: subID, Products: products,
		Entitlement: app.Entitlement{EntitlementID: subID, UserID: owner, Provider: org, Products: products},
	}}
	if calls := f.partner.Calls(); !reflect.DeepEqual(calls, wantCalls) {
		t.Errorf("partner calls = %+v, want %+v", calls, wantCalls)
	}

	e := onlyEvent(t, outs)
	checkEnvelope(t, e, m, events.TypeDisneySubscriptionStatusV2, org, subID)
	p := statusPayload(t, e)
	want := events.StatusEvent[events.DisneyStatusDetails]{
		Org: org, Provider: events.ProviderDisney, SubscriptionID: subID, Status: events.StatusActive,
		Operation: events.OpCreate, CommandID: m.CommandID, WorkflowID: m.WorkflowID, CorrelationID: m.CorrelationID,
		OccurredAt: p.OccurredAt, Version: 1,
		Details: events.DisneyStatusDetails{
			UserID: owner, Entitled: events.EntitledActive, Activated: events.ActivatedUnlinked, Products: products,
		},
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("status payload = %+v, want %+v (no previous status on creation)", p, want)
	}
	if p.OccurredAt.Before(before.Truncate(time.Second)) || p.OccurredAt.After(after) {
		t.Errorf("occurredAt = %s, want between %s and %s", p.OccurredAt, before, after)
	}

	s, version, err := f.store.Get(ctx, domain.Key(org, subID))
	if err != nil {
		t.Fatalf("stored subscription: %v", err)
	}
	if version != 1 || s.UserID != owner || s.Entitled != domain.EntitledActive || s.Activated != domain.ActivatedUnlinked || !slices.Equal(s.Products, products) {
		t.Errorf("stored = %+v v%d, want the owner's ACTIVE/UNLINKED subscription at v1", s, version)
	}
	op, err := f.store.Operation(ctx, m.CommandID)
	if err != nil {
		t.Fatalf("operation record: %v", err)
	}
	if op.Outcome != ledger.Completed || op.Version != 1 || op.AggregateID != domain.Key(org, subID) || op.Org != org || op.Operation != events.OpCreate {
		t.Errorf("operation = %+v, want COMPLETED v1 on %s", op, domain.Key(org, subID))
	}
}

func TestCreateSubscription_RedeliveryAnswersTheStoredEventWithoutThePartner(t *testing.T) {
	ctx := context.Background()
	f := newFixture()
	c := createCmd(owner, subID, basic)
	m := meta("cmd-create-1", c.ceType)

	first, err := c.run(ctx, f.app, m)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	again, err := c.run(ctx, f.app, m)
	if err != nil {
		t.Fatalf("redelivered create: %v", err)
	}

	e1, e2 := onlyEvent(t, first), onlyEvent(t, again)
	if e1.ID() != e2.ID() || e1.Type() != e2.Type() || string(e1.Data()) != string(e2.Data()) {
		t.Errorf("redelivery answered %s %s, want the first answer %s %s", e2.ID(), e2.Data(), e1.ID(), e1.Data())
	}
	if n := len(f.partner.Calls()); n != 1 {
		t.Errorf("partner called %d times, want once", n)
	}
	if _, version, _ := f.store.Get(ctx, domain.Key(org, subID)); version != 1 {
		t.Errorf("version = %d after a redelivery, want 1", version)
	}
}

func TestCommands_Succeed(t *testing.T) {
	const seedVersion = 3
	tests := []struct {
		name      string
		seed      domain.Subscription
		cmd       command
		wantCall  partnerCall // Key is filled in with the command id
		wantState func(s domain.Subscription) domain.Subscription
	}{
		{
			name:     "modifiedProductsReplaced",
			seed:     subscription(owner, subID, domain.EntitledActive, domain.ActivatedLinked),
			cmd:      modifyCmd(owner, subID, premium),
			wantCall: partnerCall{Method: callModifyProducts, EntitlementID: subID, Products: []string{premium}},
			wantState: func(s domain.Subscription) domain.Subscription {
				s.Products = []string{premium}
				return s
			},
		},
		{
			name:     "suspendedOnBillingHold",
			seed:     subscription(owner, subID, domain.EntitledActive, domain.ActivatedLinked),
			cmd:      suspendCmd(owner, subID),
			wantCall: partnerCall{Method: callSuspend, EntitlementID: subID, Products: products},
			wantState: func(s domain.Subscription) domain.Subscription {
				s.Entitled = domain.EntitledBillingHold
				return s
			},
		},
		{
			name:     "suspendedFromGracePeriod",
			seed:     subscription(owner, subID, domain.EntitledGracePeriod, domain.ActivatedLinked),
			cmd:      suspendCmd(owner, subID),
			wantCall: partnerCall{Method: callSuspend, EntitlementID: subID, Products: products},
			wantState: func(s domain.Subscription) domain.Subscription {
				s.Entitled = domain.EntitledBillingHold
				return s
			},
		},
		{
			name:     "reactivatedFromBillingHold",
			seed:     subscription(owner, subID, domain.EntitledBillingHold, domain.ActivatedUnlinked),
			cmd:      reactivateCmd(owner, subID),
			wantCall: partnerCall{Method: callReactivate, EntitlementID: subID, Products: products},
			wantState: func(s domain.Subscription) domain.Subscription {
				s.Entitled = domain.EntitledActive
				return s
			},
		},
		{
			name:     "terminatedOneProductRemoved",
			seed:     subscription(owner, subID, domain.EntitledActive, domain.ActivatedLinked),
			cmd:      terminateCmd(owner, subID, basic),
			wantCall: partnerCall{Method: callCancel, EntitlementID: subID, Product: basic},
			wantState: func(s domain.Subscription) domain.Subscription {
				s.Products = []string{premium}
				return s
			},
		},
		{
			name:     "terminatedWholeSubscriptionCanceled",
			seed:     subscription(owner, subID, domain.EntitledActive, domain.ActivatedLinked),
			cmd:      terminateCmd(owner, subID, ""),
			wantCall: partnerCall{Method: callCancel, EntitlementID: subID},
			wantState: func(s domain.Subscription) domain.Subscription {
				s.Entitled, s.Cancellation = domain.EntitledCanceled, domain.CancellationVoluntary
				return s
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture()
			f.store.seed(tc.seed, seedVersion)
			m := meta("cmd-"+tc.name, tc.cmd.ceType)

			outs, err := tc.cmd.run(ctx, f.app, m)
			if err != nil {
				t.Fatalf("run: %v", err)
			}

			want := tc.wantCall
			want.Key = m.CommandID
			if calls := f.partner.Calls(); !reflect.DeepEqual(calls, []partnerCall{want}) {
				t.Errorf("partner calls = %+v, want [%+v]", calls, want)
			}

			got, version, err := f.store.Get(ctx, domain.Key(org, subID))
			if err != nil {
				t.Fatalf("stored subscription: %v", err)
			}
			wantState := tc.wantState(cloneSubscription(tc.seed))
			if version != seedVersion+1 || got.Entitled != wantState.Entitled || got.Cancellation != wantState.Cancellation ||
				got.Activated != wantState.Activated || got.UserID != owner || !slices.Equal(got.Products, wantState.Products) {
				t.Errorf("stored = %+v v%d, want %+v v%d", got, version, wantState, seedVersion+1)
			}
			if !got.LastUpdated.After(tc.seed.LastUpdated) {
				t.Errorf("lastUpdated = %s, want it moved past %s", got.LastUpdated, tc.seed.LastUpdated)
			}

			e := onlyEvent(t, outs)
			checkEnvelope(t, e, m, events.TypeDisneySubscriptionStatusV2, org, subID)
			p := statusPayload(t, e)
			d := p.Details
			if p.Version != seedVersion+1 || p.Operation != tc.cmd.operation || p.CommandID != m.CommandID ||
				p.Provider != events.ProviderDisney || p.SubscriptionID != subID || d.UserID != owner ||
				d.Entitled != string(got.Entitled) || d.Cancellation != string(got.Cancellation) ||
				d.Activated != string(got.Activated) || !slices.Equal(d.Products, got.Products) || p.OccurredAt.Before(got.LastUpdated) {
				t.Errorf("status payload = %+v, want the stored state %+v at v%d", p, got, seedVersion+1)
			}
			if p.Status != platformStatus[got.Entitled] || p.PreviousStatus != platformStatus[tc.seed.Entitled] {
				t.Errorf("status %s (previous %s), want %s from %s", p.Status, p.PreviousStatus, platformStatus[got.Entitled], platformStatus[tc.seed.Entitled])
			}

			op, err := f.store.Operation(ctx, m.CommandID)
			if err != nil || op.Outcome != ledger.Completed || op.Version != seedVersion+1 {
				t.Errorf("operation = %+v (err %v), want COMPLETED v%d", op, err, seedVersion+1)
			}
		})
	}
}

func TestCommands_DomainRefusalFailsWithoutCallingThePartner(t *testing.T) {
	const seedVersion = 2
	active := subscription(owner, subID, domain.EntitledActive, domain.ActivatedUnlinked)
	canceled := subscription(owner, subID, domain.EntitledCanceled, domain.ActivatedLinked)
	tests := []struct {
		name     string
		seed     *domain.Subscription // nil: no subscription
		cmd      command
		wantCode string
	}{
		{"invalidTransitionSuspendCanceled", &canceled, suspendCmd(owner, subID), "INVALID_TRANSITION"},
		{"invalidTransitionModifyCanceled", &canceled, modifyCmd(owner, subID, basic), "INVALID_TRANSITION"},
		{"invalidTransitionReactivateCanceled", &canceled, reactivateCmd(owner, subID), "INVALID_TRANSITION"},
		{"invalidTransitionTerminateCanceled", &canceled, terminateCmd(owner, subID, ""), "INVALID_TRANSITION"},
		{"invalidTransitionReactivateActive", &active, reactivateCmd(owner, subID), "INVALID_TRANSITION"},
		{"productNotFoundTerminateUnknownProduct", &active, terminateCmd(owner, subID, "com.disney.yoigo.es.bundle.kids"), "PRODUCT_NOT_FOUND"},
		{"notFoundModifyMissing", nil, modifyCmd(owner, subID, basic), "SUBSCRIPTION_NOT_FOUND"},
		{"notFoundSuspendMissing", nil, suspendCmd(owner, subID), "SUBSCRIPTION_NOT_FOUND"},
		{"notFoundTerminateMissing", nil, terminateCmd(owner, subID, ""), "SUBSCRIPTION_NOT_FOUND"},
		{"notFoundModifyOtherUsers", &active, modifyCmd(otherUser, subID, basic), "SUBSCRIPTION_NOT_FOUND"},
		{"notFoundSuspendOtherUsers", &active, suspendCmd(otherUser, subID), "SUBSCRIPTION_NOT_FOUND"},
		{"notFoundReactivateOtherUsers", &active, reactivateCmd(otherUser, subID), "SUBSCRIPTION_NOT_FOUND"},
		{"notFoundTerminateOtherUsers", &active, terminateCmd(otherUser, subID, ""), "SUBSCRIPTION_NOT_FOUND"},
		{"alreadyExistsCreateHeldByAnotherUser", &active, createCmd(otherUser, subID, basic), "SUBSCRIPTION_ALREADY_EXISTS"},
		{"alreadyExistsCreateHeldBySameUser", &active, createCmd(owner, subID, basic), "SUBSCRIPTION_ALREADY_EXISTS"},
		{"invalidProductsCreateWithoutProducts", nil, createCmd(owner, subID), "INVALID_PRODUCTS"},
		{"invalidProductsModifyRepeated", &active, modifyCmd(owner, subID, basic, basic), "INVALID_PRODUCTS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture()
			if tc.seed != nil {
				f.store.seed(*tc.seed, seedVersion)
			}
			m := meta("cmd-"+tc.name, tc.cmd.ceType)

			outs, err := tc.cmd.run(ctx, f.app, m)
			if err != nil {
				t.Fatalf("a refusal is an outcome, not an error: %v", err)
			}
			checkFailed(t, f, outs, m, tc.cmd, tc.wantCode)
			noPartnerCalls(t, f.partner)
			checkState(t, f, domain.Key(org, subID), tc.seed, seedVersion)
		})
	}
}

func TestCommands_PartnerRejectionFailsPartnerRejected(t *testing.T) {
	const seedVersion = 2
	active := subscription(owner, subID, domain.EntitledActive, domain.ActivatedUnlinked)
	onHold := subscription(owner, subID, domain.EntitledBillingHold, domain.ActivatedUnlinked)
	// The refusals the partner answers for each call (a conflict with its state, an entitlement
	// or product it does not have, an invalid request), also when wrapped on the way.
	tests := []struct {
		name      string
		seed      *domain.Subscription
		cmd       command
		rejection error
	}{
		{"createConflict", nil, createCmd(owner, subID, basic, premium),
			&app.PartnerRejection{Status: 409, Code: "ENTITLEMENT_EXISTS", Message: "entitlement already exists"}},
		{"createInvalid", nil, createCmd(owner, subID, basic, premium),
			&app.PartnerRejection{Status: 422, Code: "INVALID_ENTITLEMENT", Message: "entitlement refused"}},
		{"modifyEntitlementNotFound", &active, modifyCmd(owner, subID, premium),
			&app.PartnerRejection{Status: 404, Code: "ENTITLEMENT_NOT_FOUND", Message: "entitlement not found"}},
		{"suspendProductNotFound", &active, suspendCmd(owner, subID),
			&app.PartnerRejection{Status: 404, Code: "PRODUCT_NOT_FOUND", Message: "product not on the entitlement"}},
		{"reactivateNotSuspended", &onHold, reactivateCmd(owner, subID),
			&app.PartnerRejection{Status: 409, Code: "ENTITLEMENT_NOT_SUSPENDED", Message: "entitlement is not suspended"}},
		{"terminateWrappedRejection", &active, terminateCmd(owner, subID, basic),
			fmt.Errorf("cancel: %w", &app.PartnerRejection{Status: 400, Code: "INVALID_REQUEST", Message: "reason is required"})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture()
			if tc.seed != nil {
				f.store.seed(*tc.seed, seedVersion)
			}
			f.partner.failWith(tc.rejection, nil)
			m := meta("cmd-"+tc.name, tc.cmd.ceType)

			outs, err := tc.cmd.run(ctx, f.app, m)
			if err != nil {
				t.Fatalf("a rejection is an outcome, not an error: %v", err)
			}
			checkFailed(t, f, outs, m, tc.cmd, "PARTNER_REJECTED")
			rej, _ := errors.AsType[*app.PartnerRejection](tc.rejection)
			want := fmt.Sprintf("%d %s", rej.Status, rej.Code)
			if p := failedPayload(t, onlyEvent(t, outs)); !strings.Contains(p.Error.Details, want) {
				t.Errorf("details = %q, want the partner's status and code %q", p.Error.Details, want)
			}
			calls := f.partner.Calls()
			if len(calls) != 1 || calls[0].Method != tc.cmd.method || calls[0].Key != m.CommandID {
				t.Errorf("partner calls = %+v, want one %s with key %s", calls, tc.cmd.method, m.CommandID)
			}
			checkState(t, f, domain.Key(org, subID), tc.seed, seedVersion)
		})
	}
}

func TestCommands_TransientPartnerErrorIsReturnedAndRecordsNothing(t *testing.T) {
	const seedVersion = 2
	errUnavailable := errors.New("partner: 503 service unavailable")
	active := subscription(owner, subID, domain.EntitledActive, domain.ActivatedUnlinked)
	onHold := subscription(owner, subID, domain.EntitledBillingHold, domain.ActivatedUnlinked)
	tests := []struct {
		name string
		seed *domain.Subscription
		cmd  command
	}{
		{"createRetried", nil, createCmd(owner, subID, basic, premium)},
		{"modifyRetried", &active, modifyCmd(owner, subID, premium)},
		{"suspendRetried", &active, suspendCmd(owner, subID)},
		{"reactivateRetried", &onHold, reactivateCmd(owner, subID)},
		{"terminateRetried", &active, terminateCmd(owner, subID, "")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture()
			if tc.seed != nil {
				f.store.seed(*tc.seed, seedVersion)
			}
			f.partner.failWith(errUnavailable, nil)
			m := meta("cmd-"+tc.name, tc.cmd.ceType)

			outs, err := tc.cmd.run(ctx, f.app, m)
			if !errors.Is(err, errUnavailable) {
				t.Fatalf("err = %v, want the partner's error", err)
			}
			if consumer.IsPermanent(err) {
				t.Errorf("err = %v is permanent, want it retried", err)
			}
			if len(outs) != 0 {
				t.Errorf("outputs = %+v, want none", outs)
			}
			if op, err := f.store.Operation(ctx, m.CommandID); !errors.Is(err, mongox.ErrNotFound) {
				t.Errorf("operation = %+v (err %v), want no record", op, err)
			}
			checkState(t, f, domain.Key(org, subID), tc.seed, seedVersion)

			// The runner's retry, once the partner is back, runs the command with the same key.
			f.partner.recover()
			outs, err = tc.cmd.run(ctx, f.app, m)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if e := onlyEvent(t, outs); e.Type() != events.TypeDisneySubscriptionStatusV2 {
				t.Errorf("retry produced %s, want a status event", e.Type())
			}
			calls := f.partner.Calls()
			if len(calls) != 2 || calls[0].Key != m.CommandID || calls[1].Key != m.CommandID || calls[1].Method != tc.cmd.method {
				t.Errorf("partner calls = %+v, want two %s with key %s", calls, tc.cmd.method, m.CommandID)
			}
		})
	}
}
