package outcome_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/pkg/outcome"
)

// state is a provider's subscription in these tests.
type state struct {
	On   bool
	User string
}

var (
	errGone  = errors.New("gone")
	errWrong = errors.New("partner: 503")
	at       = time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)
)

// fakeStore runs decide once over a fixed current state, as the ledger does for a new command.
type fakeStore struct {
	current  *state
	version  int64
	cmd      ledger.Command
	decision ledger.Decision[state]
}

func (s *fakeStore) Execute(ctx context.Context, cmd ledger.Command, decide ledger.Decide[state]) ([]consumer.Output, error) {
	s.cmd = cmd
	d, err := decide(ctx, s.current, s.version)
	s.decision = d
	return d.Outputs, err
}

func executor(store *fakeStore) *outcome.Executor[state] {
	return outcome.New(outcome.Config[state]{
		Provider: events.ProviderDisney, Source: "/test", Store: store,
		AggregateID: func(org, id string) string { return org + "/" + id },
		Status: func(s state) string {
			if s.On {
				return events.StatusActive
			}
			return events.StatusSuspended
		},
		Details: func(s state) any {
			return events.DisneyStatusDetails{UserID: s.User, Entitled: events.EntitledBillingHold, Activated: events.ActivatedUnlinked}
		},
		Classify: outcome.Classifier(outcome.Is(errGone, "NOT_FOUND", "GONE")),
		Now:      func() time.Time { return at },
	})
}

func cmd() outcome.Command {
	return outcome.Command{
		Meta:      outcome.Meta{CommandID: "cmd-1", Type: "t", CorrelationID: "corr", WorkflowID: "wf"},
		Operation: events.OpSuspend, Org: "yoigo", SubscriptionID: "ENT1", Key: "MOO1",
		FailureDetails: events.DisneyFailedDetails{UserID: "MOO1"},
	}
}

func envelope(t *testing.T, outs []consumer.Output, ceType, key string) events.StatusEvent[json.RawMessage] {
	t.Helper()
	if len(outs) != 1 || outs[0].Topic != events.TopicDisneyStatus {
		t.Fatalf("outputs %+v, want one on %s", outs, events.TopicDisneyStatus)
	}
	e := outs[0].Event
	if e.Type() != ceType || e.ID() != ledger.EventID("cmd-1", 0) || e.Source() != "/test" ||
		events.Extension(e, events.ExtPartitionKey) != key || events.Extension(e, events.ExtOrg) != "yoigo" ||
		events.Extension(e, events.ExtCorrelationID) != "corr" || events.Extension(e, events.ExtWorkflowID) != "wf" {
		t.Errorf("event %s", e)
	}
	var p events.StatusEvent[json.RawMessage]
	if err := events.Decode(e, &p); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if p.Org != "yoigo" || p.Provider != events.ProviderDisney || p.Operation != events.OpSuspend || p.CommandID != "cmd-1" ||
		p.WorkflowID != "wf" || p.CorrelationID != "corr" || !p.OccurredAt.Equal(at) {
		t.Errorf("envelope %+v", p)
	}
	return p
}

func TestExecute_AChangeIsStoredWithItsStatusEvent(t *testing.T) {
	store := &fakeStore{current: &state{On: true, User: "MOO1"}, version: 4}
	outs, err := executor(store).Execute(context.Background(), cmd(), func(_ context.Context, cur *state) (state, error) {
		return state{On: false, User: cur.User}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if store.cmd.AggregateID != "yoigo/ENT1" || store.cmd.ID != "cmd-1" || store.cmd.CorrelationID != "corr" {
		t.Errorf("ledger command %+v", store.cmd)
	}
	if store.decision.New == nil || store.decision.New.On || store.decision.Failure != nil {
		t.Errorf("decision %+v, want the new state", store.decision)
	}
	p := envelope(t, outs, events.TypeDisneySubscriptionStatusV2, "ENT1")
	if p.Status != events.StatusSuspended || p.PreviousStatus != events.StatusActive || p.Version != 5 || p.SubscriptionID != "ENT1" || p.Error != nil {
		t.Errorf("status %q from %q v%d, want SUSPENDED from ACTIVE v5: %+v", p.Status, p.PreviousStatus, p.Version, p)
	}
	if want := `{"userId":"MOO1","entitled":"BILLING_HOLD","activated":"UNLINKED","products":[]}`; string(p.Details) != want {
		t.Errorf("details %s, want the provider's details of the new state %s", p.Details, want)
	}
}

func TestExecute_ARecognisedErrorFailsTheCommandAndChangesNothing(t *testing.T) {
	store := &fakeStore{current: &state{On: true}, version: 2}
	outs, err := executor(store).Execute(context.Background(), cmd(), func(context.Context, *state) (state, error) {
		return state{}, fmt.Errorf("suspend: %w", errGone)
	})
	if err != nil {
		t.Fatalf("a failure is an outcome, not an error: %v", err)
	}
	if store.decision.New != nil || store.decision.Failure == nil || store.decision.Failure.Code != "NOT_FOUND" {
		t.Errorf("decision %+v, want FAILED NOT_FOUND and no new state", store.decision)
	}
	p := envelope(t, outs, events.TypeDisneyOperationFailedV2, "ENT1")
	if p.Error == nil || p.Error.Code != "NOT_FOUND" || p.Error.Title != "GONE" || p.Error.Details != "suspend: gone" ||
		p.Status != events.StatusActive || p.PreviousStatus != events.StatusActive || p.Version != 2 || string(p.Details) != `{"userId":"MOO1"}` {
		t.Errorf("failure %+v (details %s), want NOT_FOUND with the unchanged ACTIVE v2", p, p.Details)
	}
}

func TestExecute_AnyOtherErrorIsReturnedForARetry(t *testing.T) {
	store := &fakeStore{}
	outs, err := executor(store).Execute(context.Background(), cmd(), func(context.Context, *state) (state, error) {
		return state{}, errWrong
	})
	if !errors.Is(err, errWrong) || len(outs) != 0 || store.decision.Failure != nil {
		t.Errorf("got %v, %+v, %+v; want the error and no outcome", err, outs, store.decision)
	}
}

func TestExecute_ErrUnchangedStoresAndPublishesNothing(t *testing.T) {
	store := &fakeStore{current: &state{On: true}, version: 1}
	outs, err := executor(store).Execute(context.Background(), cmd(), func(context.Context, *state) (state, error) {
		return state{}, outcome.ErrUnchanged
	})
	if err != nil || len(outs) != 0 || store.decision.New != nil || store.decision.Failure != nil {
		t.Errorf("got %v, %+v, %+v; want an empty decision", err, outs, store.decision)
	}
}

func TestFail_ACommandNamingNoSubscriptionIsKeyedByItsKey(t *testing.T) {
	c := cmd()
	c.SubscriptionID, c.Operation = "", events.OpActivationCallback
	store := &fakeStore{}
	x := executor(store)
	outs, err := x.Run(context.Background(), c, func(context.Context, *state, int64) (ledger.Decision[state], error) {
		return x.Fail(c, &ledger.Failure{Code: "SUBSCRIPTION_NOT_FOUND", Title: "NOT_FOUND", Details: "none"}, nil, 0)
	})
	if err != nil {
		t.Fatal(err)
	}
	if store.cmd.AggregateID != "" {
		t.Errorf("aggregate %q, want none", store.cmd.AggregateID)
	}
	e := outs[0].Event
	var p events.StatusEvent[json.RawMessage]
	if err := events.Decode(e, &p); err != nil {
		t.Fatal(err)
	}
	if events.Extension(e, events.ExtPartitionKey) != "MOO1" || p.SubscriptionID != "" || p.Status != "" || p.Version != 0 {
		t.Errorf("failure %s %+v, want keyed by MOO1 with no subscription", e, p)
	}
}

func TestClassifier(t *testing.T) {
	type rejection struct{ error }
	classify := outcome.Classifier(
		outcome.Is(errGone, "NOT_FOUND", "GONE"),
		outcome.As[*rejection]("PARTNER_REJECTED", "PARTNER_ERROR"),
	)
	own := &ledger.Failure{Code: "OWN", Title: "T", Details: "d"}
	for _, tc := range []struct {
		name     string
		err      error
		code     string
		details  string
		retrying bool
	}{
		{"sentinel", errGone, "NOT_FOUND", "gone", false},
		{"wrapped sentinel", fmt.Errorf("x: %w", errGone), "NOT_FOUND", "x: gone", false},
		{"typed, wrapped: the details are its own message", fmt.Errorf("call: %w", &rejection{errors.New("409 TAKEN")}), "PARTNER_REJECTED", "409 TAKEN", false},
		{"a failure is itself", fmt.Errorf("w: %w", own), "OWN", "d", false},
		{"anything else is retried", errWrong, "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := classify(tc.err)
			if tc.retrying {
				if f != nil {
					t.Errorf("got %+v, want nil (retry)", f)
				}
				return
			}
			if f == nil || f.Code != tc.code || f.Details != tc.details {
				t.Errorf("got %+v, want %s %q", f, tc.code, tc.details)
			}
		})
	}
}
