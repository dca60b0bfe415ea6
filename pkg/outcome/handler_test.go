package outcome_test

import (
	"context"
	"testing"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/outcome"
)

func createEvent(t *testing.T, extOrg string, payload any) cloudevents.Event {
	t.Helper()
	e, err := events.New("0b7e6c44-6a43-4f6e-9d0e-0d9a3c1f2e11", events.TypeDisneyCreateSubscription, "/test", "ENT1", payload)
	if err != nil {
		t.Fatal(err)
	}
	e.SetTime(at)
	events.SetExtensions(&e, "corr-1", "wf-1", extOrg)
	e.SetExtension(events.ExtRequestDigest, "digest-1")
	return e
}

func TestHandlerRoutesByTypeAndRefusesPoison(t *testing.T) {
	valid := events.DisneyCreateSubscription{Org: "masmovil", UserID: "MOO1", SubscriptionID: "ENT1", Products: []string{"com.disney.yoigo.es.bundle.basic"}}
	var got outcome.Meta
	var gotPayload events.DisneyCreateSubscription
	h := outcome.Handler("disney", map[string]outcome.Route{
		events.TypeDisneyCreateSubscription: outcome.On(func(_ context.Context, m outcome.Meta, c events.DisneyCreateSubscription) ([]consumer.Output, error) {
			got, gotPayload = m, c
			return nil, nil
		}),
	})
	tests := map[string]struct {
		event         cloudevents.Event
		wantPermanent bool
	}{
		"a valid command reaches its use case": {event: createEvent(t, "masmovil", valid)},
		"a payload that breaks its schema is poison": {event: func() cloudevents.Event {
			e := createEvent(t, "masmovil", valid)
			if err := e.SetData(cloudevents.ApplicationJSON, map[string]any{"org": "masmovil", "userId": "MOO1"}); err != nil {
				t.Fatal(err)
			}
			return e
		}(), wantPermanent: true},
		"an org extension that disagrees with the payload is poison": {event: createEvent(t, "yoigo", valid), wantPermanent: true},
		"an unknown type is poison": {event: func() cloudevents.Event {
			e := createEvent(t, "masmovil", valid)
			e.SetType("com.provision.disney.subscription.explode.v1")
			return e
		}(), wantPermanent: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got = outcome.Meta{}
			_, err := h(context.Background(), consumer.Message{Event: tc.event})
			if tc.wantPermanent {
				if !consumer.IsPermanent(err) {
					t.Fatalf("err = %v, want a permanent error", err)
				}
				if got.CommandID != "" {
					t.Fatal("the use case ran")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := outcome.Meta{CommandID: tc.event.ID(), Type: tc.event.Type(), CorrelationID: "corr-1", WorkflowID: "wf-1", Fingerprint: "digest-1", IssuedAt: at}
			if got != want || gotPayload.SubscriptionID != "ENT1" {
				t.Fatalf("use case got %+v / %+v, want %+v", got, gotPayload, want)
			}
		})
	}
}

func TestLedgerCommandReadsWhatItCan(t *testing.T) {
	of := outcome.LedgerCommand(func(org, key, _ string) string { return org + "/" + key })
	e := createEvent(t, "masmovil", events.DisneyCreateSubscription{Org: "masmovil", UserID: "MOO1", SubscriptionID: "ENT1", Products: []string{"p"}})
	cmd := of(consumer.Message{Event: e})
	if cmd.ID != e.ID() || cmd.Org != "masmovil" || cmd.AggregateID != "masmovil/ENT1" || cmd.Operation != events.OpCreate ||
		cmd.Fingerprint != "digest-1" || !cmd.IssuedAt.Equal(at) || cmd.CorrelationID != "corr-1" {
		t.Fatalf("command %+v", cmd)
	}
	// A payload that is not JSON still names its org through the extension.
	broken := createEvent(t, "yoigo", events.DisneyCreateSubscription{Org: "masmovil", UserID: "MOO1", SubscriptionID: "ENT1", Products: []string{"p"}})
	if err := broken.SetData("text/plain", []byte("not json")); err != nil {
		t.Fatal(err)
	}
	if cmd := of(consumer.Message{Event: broken}); cmd.Org != "yoigo" || cmd.AggregateID != "yoigo/ENT1" {
		t.Fatalf("command of a broken payload %+v", cmd)
	}
}
