package ports_test

import (
	"context"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/eventfeed"
	"provision.local/services/netflix/internal/app"
	"provision.local/services/netflix/internal/ports"
)

// orgFeed is a hand-written event feed recording the org of each append.
type orgFeed struct{ orgs []string }

func (f *orgFeed) Append(_ context.Context, org string, evs ...eventfeed.Event) error {
	for range evs {
		f.orgs = append(f.orgs, org)
	}
	return nil
}

func (f *orgFeed) Page(context.Context, string, eventfeed.Window, []string, string, int) (eventfeed.Page, error) {
	return eventfeed.Page{}, nil
}

// The projection appends a status event's Netflix event to the feed of the event's org; a failure
// event appends nothing; an event whose org is missing or contradicts its org extension is poison.
func TestEventsProjection(t *testing.T) {
	now := time.Now().UTC()
	status := events.StatusEvent[events.NetflixStatusDetails]{Org: "masmovil", Provider: events.ProviderNetflix, SubscriptionID: "4567890123456789",
		Status: events.StatusSuspended, PreviousStatus: events.StatusActive, Operation: events.OpSuspend, CommandID: "cmd-1", OccurredAt: now, Version: 3,
		Details: events.NetflixStatusDetails{
			PartnerAccountID: "4567890123456789", BundleID: "bundle-1", OfferID: "2106f808-36e9-402d-bf37-f1f7fa04776b", BundleStatus: events.NetflixBundleSuspended,
			Event: &events.NetflixPartnerEvent{Type: events.NetflixEventBundleSuspension, NetflixEventID: "nf-1", OccurredAt: now},
		}}
	message := func(ceType, extOrg string, s events.StatusEvent[events.NetflixStatusDetails]) consumer.Message {
		e, err := events.New("status-1", events.TypeNetflixSubscriptionStatusV2, "/test", "4567890123456789", status)
		if err != nil {
			t.Fatal(err)
		}
		// The projection must cope with what the topic holds, valid or not: the type and data
		// are set as they come.
		e.SetType(ceType)
		if err := e.SetData(cloudevents.ApplicationJSON, s); err != nil {
			t.Fatal(err)
		}
		events.SetExtensions(&e, "", "", extOrg)
		return consumer.Message{Event: e}
	}
	noOrg := status
	noOrg.Org = ""
	tests := []struct {
		name       string
		msg        consumer.Message
		wantOrgs   int
		wantPoison bool
	}{
		{"statusAppended", message(events.TypeNetflixSubscriptionStatusV2, "masmovil", status), 1, false},
		{"withoutExtensionAppended", message(events.TypeNetflixSubscriptionStatusV2, "", status), 1, false},
		{"failureSkipped", message(events.TypeNetflixOperationFailedV2, "masmovil", status), 0, false},
		{"otherOrgsExtensionPoison", message(events.TypeNetflixSubscriptionStatusV2, "yoigo", status), 0, true},
		{"noOrgPoison", message(events.TypeNetflixSubscriptionStatusV2, "", noOrg), 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &orgFeed{}
			_, err := ports.NewEventsProjection(app.NewEventsQuery(f, time.Minute, 10, nil))(context.Background(), tc.msg)
			if consumer.IsPermanent(err) != tc.wantPoison || (!tc.wantPoison && err != nil) {
				t.Fatalf("err = %v, want poison %v", err, tc.wantPoison)
			}
			if len(f.orgs) != tc.wantOrgs || (tc.wantOrgs > 0 && f.orgs[0] != "masmovil") {
				t.Fatalf("appended to %v, want %d appends to masmovil", f.orgs, tc.wantOrgs)
			}
		})
	}
}
