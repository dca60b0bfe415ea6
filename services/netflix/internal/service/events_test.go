package service_test

// Component tests of the events pull endpoint: the projection of the status events into the feed
// and the paging of a window through the internal API.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"provision.local/events"
	"provision.local/pkg/localinfra/infratest"
	"provision.local/services/netflix/internal/app"
)

// eventsPage is the internal events endpoint's answer.
type eventsPage struct {
	Events []struct {
		BundleID              string      `json:"bundle_id"`
		EventType             string      `json:"event_type"`
		NetflixEventID        string      `json:"netflix_event_id"`
		NetflixOfferID        string      `json:"netflix_offer_id"`
		OriginalTransactionID string      `json:"original_netflix_transaction_id"`
		PartnerAccountID      json.Number `json:"partner_account_id"`
		PartnerReferenceID    string      `json:"partner_reference_id"`
		Timestamp             int64       `json:"timestamp"`
	} `json:"events"`
	Next *string `json:"next_page_offset"`
}

// events reads one page of an org's events.
func (n *netflix) events(org string, start, end time.Time, types, offset string) (int, eventsPage) {
	n.t.Helper()
	q := url.Values{"startTimestamp": {strconv.FormatInt(start.Unix(), 10)}, "endTimestamp": {strconv.FormatInt(end.Unix(), 10)}}
	if types != "" {
		q.Set("events", types)
	}
	if offset != "" {
		q.Set("offset", offset)
	}
	code, b := n.call(http.MethodGet, "/internal/v1/orgs/"+org+"/events?"+q.Encode(), "", nil)
	var p eventsPage
	if code == http.StatusOK {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if err := d.Decode(&p); err != nil {
			n.t.Fatalf("events page %s: %v", b, err)
		}
	}
	return code, p
}

func TestNetflix_ActivationAppearsInTheEventsEndpoint(t *testing.T) {
	t.Setenv("NETFLIX_EVENTS_MIN_AGE", "1s")
	n := startNetflix(t)
	sub := "/internal/v1/orgs/" + org + "/subscriptions/" + pai
	n.waitStatus(n.send(events.TypeNetflixCreateSubscription, events.NetflixCreateSubscription{
		Org: org, PartnerAccountID: pai, BundleID: "bundle-1", OfferID: offer, BillingEventID: "billing-1",
	}))
	var token struct {
		URL string `json:"requested_securitized_url"`
	}
	if err := json.Unmarshal(n.expect(http.StatusCreated, http.MethodPost, sub+"/geturl", "geturl-1",
		map[string]any{"token_error_url": "https://e.example/err", "type": "BUNDLE"}), &token); err != nil {
		t.Fatal(err)
	}
	n.expect(http.StatusOK, http.MethodGet, token.URL, "", nil)
	activation := n.waitEvent(events.NetflixEventBundleActivation).Details.Event

	start := activation.OccurredAt.Add(-time.Minute)
	var page eventsPage
	infratest.Eventually(t, 45*time.Second, "the activation in the events endpoint", func() bool {
		code, p := n.events(org, start, time.Now().Add(-time.Second), "", "")
		page = p
		return code == http.StatusOK && len(p.Events) > 0
	})
	if len(page.Events) != 1 || page.Next != nil {
		t.Fatalf("page %+v, want the one activation and no next offset", page)
	}
	e := page.Events[0]
	if e.EventType != events.NetflixEventBundleActivation || e.NetflixEventID != activation.NetflixEventID || e.BundleID != "bundle-1" ||
		e.NetflixOfferID != offer || e.PartnerAccountID != pai || e.PartnerReferenceID != "billing-1" || e.OriginalTransactionID == "" ||
		e.Timestamp != activation.OccurredAt.Unix() {
		t.Fatalf("event %+v, want the activation %+v of bundle-1", e, activation)
	}
	end := time.Now().Add(-time.Second)
	if code, p := n.events(org, start, end, events.NetflixEventBundlePlanChange, ""); code != http.StatusOK || len(p.Events) != 0 {
		t.Fatalf("plan changes only: %d %+v, want none", code, p)
	}
	if code, p := n.events("yoigo", start, end, "", ""); code != http.StatusOK || len(p.Events) != 0 {
		t.Fatalf("another org: %d %+v, want none", code, p)
	}
	for _, tc := range []struct {
		name, query, code string
	}{
		{"endTooRecent400", fmt.Sprintf("startTimestamp=%d&endTimestamp=%d", start.Unix(), time.Now().Add(time.Minute).Unix()), app.CodeInvalidEndTimestamp},
		{"unknownType400", fmt.Sprintf("startTimestamp=%d&endTimestamp=%d&events=BUNDLE_UPGRADE", start.Unix(), end.Unix()), app.CodeInvalidEventType},
		{"forgedOffset400", fmt.Sprintf("startTimestamp=%d&endTimestamp=%d&offset=AAAA", start.Unix(), end.Unix()), app.CodeInvalidOffset},
		{"noStart400", fmt.Sprintf("endTimestamp=%d", end.Unix()), "INVALID_QUERY_PARAMETER"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, b := n.call(http.MethodGet, "/internal/v1/orgs/"+org+"/events?"+tc.query, "", nil)
			var errs []struct {
				Code string `json:"code"`
			}
			_ = json.Unmarshal(b, &errs)
			if code != http.StatusBadRequest || len(errs) != 1 || errs[0].Code != tc.code {
				t.Fatalf("answer %d %s, want 400 %s", code, b, tc.code)
			}
		})
	}
}

// A window of 1,000 events, published as status events (a tenth of them twice, as a redelivery
// would), is paged with a small page size: every event once, in (timestamp, id) order, and none
// of another org's.
func TestNetflix_EventsPagingReturnsTheWholeWindowInOrder(t *testing.T) {
	t.Setenv("NETFLIX_EVENTS_MIN_AGE", "1s")
	t.Setenv("NETFLIX_EVENTS_PAGE_SIZE", "37")
	n := startNetflix(t)
	const total = 1000
	base := time.Now().UTC().Add(-3 * time.Hour).Truncate(time.Second)
	var batch []cloudevents.Event
	var want []string
	for i := range total {
		// Two events a timestamp, 7 seconds apart: the window spans some 60 minutes of buckets.
		id := fmt.Sprintf("nf-%04d", i)
		batch = append(batch, n.statusEvent(t, "paging", id, base.Add(time.Duration(i/2)*7*time.Second)))
		want = append(want, id)
		if i%10 == 0 {
			batch = append(batch, n.statusEvent(t, "paging", id, base.Add(time.Duration(i/2)*7*time.Second)))
		}
	}
	for i := range 10 {
		batch = append(batch, n.statusEvent(t, "other", fmt.Sprintf("other-%d", i), base.Add(time.Duration(i)*time.Minute)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.pub.Publish(ctx, events.TopicNetflixStatus, batch...); err != nil {
		t.Fatal(err)
	}

	start, end := base, base.Add(2*time.Hour)
	var got []string
	var pages int
	infratest.Eventually(t, 60*time.Second, "all 1,000 events paged", func() bool {
		got, pages = nil, 0
		offset := ""
		for {
			code, p := n.events("paging", start, end, "", offset)
			if code != http.StatusOK {
				t.Fatalf("page %d: %d", pages, code)
			}
			pages++
			if len(p.Events) > 37 {
				t.Fatalf("page %d holds %d events, over the page size", pages, len(p.Events))
			}
			for _, e := range p.Events {
				got = append(got, e.NetflixEventID)
			}
			if p.Next == nil {
				return len(got) >= total
			}
			offset = *p.Next
		}
	})
	if !slices.Equal(got, want) {
		t.Fatalf("paged %d events over %d pages, want the %d in order, each once", len(got), pages, total)
	}
	if pages < total/37 {
		t.Fatalf("%d pages for %d events, want pages of at most 37", pages, total)
	}
}

// statusEvent is a status event of org recording the BUNDLE_PLAN_CHANGE id at the time at.
func (n *netflix) statusEvent(t *testing.T, org, id string, at time.Time) cloudevents.Event {
	t.Helper()
	e, err := events.New("status-"+org+"-"+id, events.TypeNetflixSubscriptionStatusV2, "/test", pai, events.StatusEvent[events.NetflixStatusDetails]{
		Org: org, Provider: events.ProviderNetflix, SubscriptionID: pai, Status: events.StatusActive, PreviousStatus: events.StatusActive,
		Operation: events.OpUpdate, CommandID: "cmd-" + id, OccurredAt: at, Version: 2,
		Details: events.NetflixStatusDetails{
			PartnerAccountID: pai, BundleID: "bundle-1", OfferID: premium, BundleStatus: events.NetflixBundleActive,
			Event: &events.NetflixPartnerEvent{Type: events.NetflixEventBundlePlanChange, NetflixEventID: id, OccurredAt: at, PartnerReferenceID: "billing-" + id},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	events.SetExtensions(&e, "", "", org)
	return e
}
