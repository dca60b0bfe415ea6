package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"provision.local/events"
	"provision.local/pkg/eventfeed"
	"provision.local/services/netflix/internal/app"
)

// feed is a hand-written event feed: it records appends and page calls, and answers the scripted
// pages in order (the last one again once they run out), or ErrInvalidCursor for the cursor
// "forged".
type feed struct {
	appended []eventfeed.Event
	pages    []eventfeed.Page
	calls    []pageCall
}

type pageCall struct {
	org    string
	w      eventfeed.Window
	types  []string
	cursor string
	limit  int
}

func (f *feed) Append(_ context.Context, _ string, evs ...eventfeed.Event) error {
	f.appended = append(f.appended, evs...)
	return nil
}

func (f *feed) Page(_ context.Context, org string, w eventfeed.Window, types []string, cursor string, limit int) (eventfeed.Page, error) {
	f.calls = append(f.calls, pageCall{org, w, types, cursor, limit})
	if cursor == "forged" {
		return eventfeed.Page{}, eventfeed.ErrInvalidCursor
	}
	if len(f.pages) == 0 {
		return eventfeed.Page{}, nil
	}
	p := f.pages[0]
	if len(f.pages) > 1 {
		f.pages = f.pages[1:]
	}
	return p, nil
}

var clockNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func newEventsQuery(f *feed) *app.EventsQuery {
	return app.NewEventsQuery(f, 15*time.Minute, 50, func() time.Time { return clockNow })
}

func unix(d time.Duration) int64 { return clockNow.Add(d).Unix() }

// The endpoint's rules: what is refused (with which code, before the feed is read) and what the
// feed is asked for.
func TestEventsQueryRules(t *testing.T) {
	hourAgo, twentyMinAgo := unix(-time.Hour), unix(-20*time.Minute)
	tests := []struct {
		name      string
		req       app.EventsRequest
		wantCode  string
		wantTypes []string
	}{
		{"allTypes200", app.EventsRequest{Start: hourAgo, End: twentyMinAgo}, "", nil},
		{"startFourteenDaysAgo200", app.EventsRequest{Start: unix(-app.EventsHorizon), End: twentyMinAgo}, "", nil},
		{"endExactlyMinAgeAgo200", app.EventsRequest{Start: hourAgo, End: unix(-15 * time.Minute)}, "", nil},
		{"knownTypes200", app.EventsRequest{Start: hourAgo, End: twentyMinAgo, Events: "BUNDLE_ACTIVATION,BUNDLE_PLAN_CHANGE"},
			"", []string{"BUNDLE_ACTIVATION", "BUNDLE_PLAN_CHANGE"}},
		{"offsetPassedOn200", app.EventsRequest{Start: hourAgo, End: twentyMinAgo, Offset: "next"}, "", nil},
		{"startOlderThan14Days400", app.EventsRequest{Start: unix(-app.EventsHorizon - time.Second), End: twentyMinAgo}, app.CodeInvalidStartTimestamp, nil},
		{"endTooRecent400", app.EventsRequest{Start: hourAgo, End: unix(-15*time.Minute + time.Second)}, app.CodeInvalidEndTimestamp, nil},
		{"endInTheFuture400", app.EventsRequest{Start: hourAgo, End: unix(time.Hour)}, app.CodeInvalidEndTimestamp, nil},
		{"endEqualsStart400", app.EventsRequest{Start: hourAgo, End: hourAgo}, app.CodeInvalidEndTimestamp, nil},
		{"endBeforeStart400", app.EventsRequest{Start: twentyMinAgo, End: hourAgo}, app.CodeInvalidEndTimestamp, nil},
		{"unknownType400", app.EventsRequest{Start: hourAgo, End: twentyMinAgo, Events: "BUNDLE_ACTIVATION,BUNDLE_UPGRADE"}, app.CodeInvalidEventType, nil},
		{"lowerCaseType400", app.EventsRequest{Start: hourAgo, End: twentyMinAgo, Events: "bundle_activation"}, app.CodeInvalidEventType, nil},
		{"emptyType400", app.EventsRequest{Start: hourAgo, End: twentyMinAgo, Events: "BUNDLE_ACTIVATION,"}, app.CodeInvalidEventType, nil},
		{"forgedOffset400", app.EventsRequest{Start: hourAgo, End: twentyMinAgo, Offset: "forged"}, app.CodeInvalidOffset, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &feed{}
			_, err := newEventsQuery(f).List(context.Background(), "masmovil", tc.req)
			if tc.wantCode != "" {
				var bad *app.InvalidEventsQuery
				if !errors.As(err, &bad) || bad.Code != tc.wantCode {
					t.Fatalf("err = %v, want %s", err, tc.wantCode)
				}
				if tc.wantCode != app.CodeInvalidOffset && len(f.calls) != 0 {
					t.Fatalf("the feed was read for a refused query: %+v", f.calls)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := pageCall{"masmovil", eventfeed.Window{Start: time.Unix(tc.req.Start, 0).UTC(), End: time.Unix(tc.req.End, 0).UTC()},
				tc.wantTypes, tc.req.Offset, 50}
			if len(f.calls) != 1 || !equalCall(f.calls[0], want) {
				t.Fatalf("feed calls %+v, want one %+v", f.calls, want)
			}
		})
	}
}

func equalCall(a, b pageCall) bool {
	return a.org == b.org && a.w == b.w && slices.Equal(a.types, b.types) && a.cursor == b.cursor && a.limit == b.limit
}

// Empty pages with a next cursor are followed until one has events, a bounded number of times.
func TestEventsQueryFollowsEmptyPages(t *testing.T) {
	req := app.EventsRequest{Start: unix(-48 * time.Hour), End: unix(-time.Hour)}
	event := eventfeed.Event{ID: "e1", Payload: json.RawMessage(`{"netflix_event_id":"e1"}`)}

	f := &feed{pages: []eventfeed.Page{{Next: "c1"}, {Next: "c2"}, {Events: []eventfeed.Event{event}, Next: "c3"}}}
	page, err := newEventsQuery(f).List(context.Background(), "masmovil", req)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 1 || string(page.Events[0]) != string(event.Payload) || page.NextOffset != "c3" {
		t.Fatalf("page %+v, want the one event and offset c3", page)
	}
	if got := []string{f.calls[0].cursor, f.calls[1].cursor, f.calls[2].cursor}; len(f.calls) != 3 || !slices.Equal(got, []string{"", "c1", "c2"}) {
		t.Fatalf("cursors followed %v", f.calls)
	}

	f = &feed{pages: []eventfeed.Page{{Next: "again"}}}
	page, err = newEventsQuery(f).List(context.Background(), "masmovil", req)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 0 || page.NextOffset != "again" || len(f.calls) > 5 {
		t.Fatalf("page %+v after %d feed pages, want an empty page with an offset after at most 5", page, len(f.calls))
	}

	f = &feed{}
	page, err = newEventsQuery(f).List(context.Background(), "masmovil", req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(page)
	if string(b) != `{"events":[]}` {
		t.Fatalf("last empty page %s, want events [] and no offset", b)
	}
}

// A status event's Netflix event is appended with its own id and time and the API's fields; one
// that recorded none appends nothing.
func TestProjectEvent(t *testing.T) {
	occurred := time.Date(2026, 11, 27, 10, 30, 1, 500, time.UTC)
	s := events.StatusEvent[events.NetflixStatusDetails]{Org: "masmovil", Details: events.NetflixStatusDetails{
		PartnerAccountID: "4567890123456789", BundleID: "bundle-1", OfferID: "offer-1",
		Event: &events.NetflixPartnerEvent{Type: events.NetflixEventBundleActivation, NetflixEventID: "nf-1", OccurredAt: occurred,
			PartnerReferenceID: "billing-1", OriginalTransactionID: "tx-1"},
	}}
	f := &feed{}
	q := newEventsQuery(f)
	if err := q.ProjectEvent(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	s.Details.Event = nil
	if err := q.ProjectEvent(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if len(f.appended) != 1 {
		t.Fatalf("appended %d events, want 1", len(f.appended))
	}
	e := f.appended[0]
	if e.ID != "nf-1" || !e.Time.Equal(occurred) || e.Type != events.NetflixEventBundleActivation {
		t.Fatalf("appended %+v", e)
	}
	want := `{"bundle_id":"bundle-1","event_type":"BUNDLE_ACTIVATION","netflix_event_id":"nf-1","netflix_offer_id":"offer-1",` +
		`"original_netflix_transaction_id":"tx-1","partner_account_id":4567890123456789,"partner_reference_id":"billing-1","timestamp":` +
		jsonInt(occurred.Unix()) + `}`
	if string(e.Payload) != want {
		t.Fatalf("payload %s\nwant    %s", e.Payload, want)
	}
}

func jsonInt(v int64) string {
	b, _ := json.Marshal(v)
	return string(b)
}
