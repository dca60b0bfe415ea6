package eventfeed_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"provision.local/pkg/eventfeed"
	"provision.local/pkg/localinfra/infratest"
)

// mongoURI points at one embedded MongoDB-wire server shared by the package's tests; each test
// gets its own database.
var mongoURI string

func TestMain(m *testing.M) { infratest.MainWithMongo(m, &mongoURI) }

var dbSeq atomic.Int64

var testKey = []byte("0123456789abcdef0123456789abcdef")

// newColl returns the feed collection of a fresh database, dropped when t ends.
func newColl(t testing.TB) *mongo.Collection {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(mongoURI))
	if err != nil {
		t.Fatal(err)
	}
	db := client.Database(fmt.Sprintf("eventfeed_%d_%d", time.Now().UnixNano()%1e6, dbSeq.Add(1)))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = db.Drop(ctx)
		_ = client.Disconnect(ctx)
	})
	return db.Collection("feed")
}

func newFeed(t testing.TB, coll *mongo.Collection, opts eventfeed.Options) *eventfeed.Feed {
	t.Helper()
	f, err := eventfeed.New(coll, testKey, opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// mode is how buckets are read: sealed (the endpoint's case: windows well in the past) or open
// (buckets never old enough to seal, read slot by slot).
type mode struct {
	name string
	opts eventfeed.Options
}

var modes = []mode{
	{name: "sealed"},
	{name: "open", opts: eventfeed.Options{SealAfter: 100 * 365 * 24 * time.Hour}},
}

// base is a past instant on a bucket boundary, so every bucket of the tests can be sealed.
var base = time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Hour)

func ev(id string, at time.Time, typ string) eventfeed.Event {
	return eventfeed.Event{ID: id, Time: at, Type: typ, Payload: json.RawMessage(`{"id":"` + id + `"}`)}
}

func ids(events []eventfeed.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

func appendAll(t testing.TB, f *eventfeed.Feed, org string, events ...eventfeed.Event) {
	t.Helper()
	if err := f.Append(testCtx(t), org, events...); err != nil {
		t.Fatal(err)
	}
}

// pageAll pages through w with limit and returns every event, checking each page's size (a
// page may be short, not long).
func pageAll(t testing.TB, f *eventfeed.Feed, org string, w eventfeed.Window, types []string, limit int) []eventfeed.Event {
	t.Helper()
	var all []eventfeed.Event
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 10_000 {
			t.Fatal("paging does not end")
		}
		p, err := f.Page(testCtx(t), org, w, types, cursor, limit)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		if len(p.Events) > limit {
			t.Fatalf("page %d: %d events, limit %d", pages, len(p.Events), limit)
		}
		all = append(all, p.Events...)
		if p.Next == "" {
			return all
		}
		cursor = p.Next
	}
}

func assertIDs(t testing.TB, got []eventfeed.Event, want ...string) {
	t.Helper()
	if g := strings.Join(ids(got), ","); g != strings.Join(want, ",") {
		t.Fatalf("events\n got %s\nwant %s", g, strings.Join(want, ","))
	}
}

func TestPageOrdersByTimestampThenID(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			f := newFeed(t, newColl(t), m.opts)
			at := base.Add(5 * time.Minute)
			appendAll(t, f, "yoigo", ev("c", at.Add(time.Second), "A"), ev("b", at, "A"))
			appendAll(t, f, "yoigo", ev("a", at, "B"), ev("z", at.Add(-time.Nanosecond), "A"))
			appendAll(t, f, "yoigo", ev("d", at.Add(20*time.Minute), "A")) // another bucket
			p, err := f.Page(testCtx(t), "yoigo", eventfeed.Window{Start: base, End: base.Add(time.Hour)}, nil, "", 10)
			if err != nil {
				t.Fatal(err)
			}
			assertIDs(t, p.Events, "z", "a", "b", "c", "d")
			if p.Next != "" {
				t.Fatalf("next cursor on the last page: %q", p.Next)
			}
			e := p.Events[1]
			if !e.Time.Equal(at) || e.Type != "B" || string(e.Payload) != `{"id":"a"}` {
				t.Fatalf("event a read back as %+v", e)
			}
			// Ties across a page boundary: the cursor holds the id too.
			assertIDs(t, pageAll(t, f, "yoigo", eventfeed.Window{Start: base, End: base.Add(time.Hour)}, nil, 1), "z", "a", "b", "c", "d")
		})
	}
}

func TestPageFiltersByType(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			f := newFeed(t, newColl(t), m.opts)
			var events []eventfeed.Event
			for i := range 30 {
				events = append(events, ev(fmt.Sprintf("e%02d", i), base.Add(time.Duration(i)*time.Minute), []string{"ACTIVATION", "PLAN_CHANGE", "CANCEL"}[i%3]))
			}
			appendAll(t, f, "yoigo", events...)
			w := eventfeed.Window{Start: base, End: base.Add(time.Hour)}
			assertIDs(t, pageAll(t, f, "yoigo", w, []string{"CANCEL"}, 3), "e02", "e05", "e08", "e11", "e14", "e17", "e20", "e23", "e26", "e29")
			got := pageAll(t, f, "yoigo", w, []string{"PLAN_CHANGE", "ACTIVATION"}, 4)
			if len(got) != 20 {
				t.Fatalf("two types: %d events, want 20", len(got))
			}
			for _, e := range got {
				if e.Type == "CANCEL" {
					t.Fatalf("filtered out type returned: %+v", e)
				}
			}
			assertIDs(t, pageAll(t, f, "yoigo", w, []string{"cancel"}, 5)) // case-sensitive
		})
	}
}

func TestWindowStartInclusiveEndExclusive(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			f := newFeed(t, newColl(t), m.opts)
			start, end := base.Add(13*time.Minute), base.Add(47*time.Minute)
			appendAll(t, f, "yoigo",
				ev("before", start.Add(-time.Nanosecond), "A"), ev("start", start, "A"),
				ev("last", end.Add(-time.Nanosecond), "A"), ev("end", end, "A"))
			assertIDs(t, pageAll(t, f, "yoigo", eventfeed.Window{Start: start, End: end}, nil, 1), "start", "last")
		})
	}
}

func TestEmptyWindows(t *testing.T) {
	f := newFeed(t, newColl(t), eventfeed.Options{})
	appendAll(t, f, "yoigo", ev("a", base, "A"))
	for name, w := range map[string]eventfeed.Window{
		"startEqualsEnd": {Start: base, End: base},
		"nothingStored":  {Start: base.Add(time.Hour), End: base.Add(2 * time.Hour)},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := f.Page(testCtx(t), "yoigo", w, nil, "", 10)
			if err != nil || len(p.Events) != 0 || p.Next != "" {
				t.Fatalf("page: %+v, %v; want empty and last", p, err)
			}
		})
	}
}

func TestPageRejectsBadArguments(t *testing.T) {
	f := newFeed(t, newColl(t), eventfeed.Options{})
	w := eventfeed.Window{Start: base, End: base.Add(time.Hour)}
	if _, err := f.Page(testCtx(t), "yoigo", eventfeed.Window{Start: w.End, End: w.Start}, nil, "", 10); !errors.Is(err, eventfeed.ErrInvalidWindow) {
		t.Fatalf("end before start: %v", err)
	}
	if _, err := f.Page(testCtx(t), "yoigo", eventfeed.Window{End: base}, nil, "", 10); !errors.Is(err, eventfeed.ErrInvalidWindow) {
		t.Fatalf("zero start: %v", err)
	}
	if _, err := f.Page(testCtx(t), "yoigo", w, nil, "", 0); !errors.Is(err, eventfeed.ErrInvalidLimit) {
		t.Fatalf("limit 0: %v", err)
	}
	if _, err := eventfeed.New(newColl(t), []byte("short"), eventfeed.Options{}); err == nil {
		t.Fatal("a short key was accepted")
	}
	for _, bad := range []eventfeed.Event{
		{Time: base, Type: "A", Payload: json.RawMessage(`{}`)},
		{ID: "x", Time: base, Type: "A", Payload: json.RawMessage(`{`)},
		{ID: "x", Type: "A", Payload: json.RawMessage(`{}`)},
	} {
		if err := f.Append(testCtx(t), "yoigo", bad); err == nil {
			t.Fatalf("append of %+v accepted", bad)
		}
	}
}

func TestOnlyTheOrgsEvents(t *testing.T) {
	f := newFeed(t, newColl(t), eventfeed.Options{})
	// "a/b" escaped must not meet "a" with a bucket named "b...".
	appendAll(t, f, "a", ev("a1", base, "A"))
	appendAll(t, f, "a/b", ev("ab1", base, "A"))
	appendAll(t, f, "b", ev("b1", base, "A"), ev("b2", base.Add(time.Minute), "A"))
	w := eventfeed.Window{Start: base, End: base.Add(time.Hour)}
	assertIDs(t, pageAll(t, f, "a", w, nil, 10), "a1")
	assertIDs(t, pageAll(t, f, "a/b", w, nil, 10), "ab1")
	assertIDs(t, pageAll(t, f, "b", w, nil, 10), "b1", "b2")
}

func TestAppendTwiceStoresOnce(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			coll := newColl(t)
			f := newFeed(t, coll, m.opts)
			a, b := ev("a", base.Add(time.Minute), "A"), ev("b", base.Add(2*time.Minute), "A")
			appendAll(t, f, "yoigo", a, b)
			appendAll(t, f, "yoigo", a)
			appendAll(t, f, "yoigo", b, b)
			w := eventfeed.Window{Start: base, End: base.Add(time.Hour)}
			assertIDs(t, pageAll(t, f, "yoigo", w, nil, 1), "a", "b")
			appendAll(t, f, "yoigo", a) // after the bucket was sealed, in the sealed mode
			assertIDs(t, pageAll(t, f, "yoigo", w, nil, 10), "a", "b")
			if m.name == "sealed" {
				var sealed struct {
					Count int `bson:"count"`
				}
				if err := coll.FindOne(testCtx(t), bson.D{{Key: "_id", Value: sealedDocID("yoigo", base)}}).Decode(&sealed); err != nil {
					t.Fatal(err)
				}
				if sealed.Count != 2 {
					t.Fatalf("sealed bucket stores %d events, want 2", sealed.Count)
				}
			}
		})
	}
}

// Writers with their own feeds, as separate processes (no shared hint of the next slot), append
// to the same buckets at once.
func TestConcurrentAppends(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			coll := newColl(t)
			const writers, each = 6, 40
			var wg sync.WaitGroup
			errs := make(chan error, writers)
			for w := range writers {
				f := newFeed(t, coll, m.opts)
				wg.Go(func() {
					for i := range each {
						at := base.Add(time.Duration(i%25) * time.Minute)
						if err := f.Append(testCtx(t), "yoigo", ev(fmt.Sprintf("w%d-%03d", w, i), at, "A")); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			got := pageAll(t, newFeed(t, coll, m.opts), "yoigo", eventfeed.Window{Start: base, End: base.Add(time.Hour)}, nil, 17)
			assertOrderedUnique(t, got)
			if len(got) != writers*each {
				t.Fatalf("%d events, want %d", len(got), writers*each)
			}
		})
	}
}

func assertOrderedUnique(t testing.TB, events []eventfeed.Event) {
	t.Helper()
	seen := map[string]bool{}
	for i, e := range events {
		if seen[e.ID] {
			t.Fatalf("event %s twice", e.ID)
		}
		seen[e.ID] = true
		if i > 0 {
			p := events[i-1]
			if e.Time.Before(p.Time) || e.Time.Equal(p.Time) && e.ID <= p.ID {
				t.Fatalf("out of order: %s (%s) after %s (%s)", e.ID, e.Time, p.ID, p.Time)
			}
		}
	}
}

func TestPagingThousandEvents(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			f := newFeed(t, newColl(t), m.opts)
			rng := rand.New(rand.NewPCG(1, 2))
			var events []eventfeed.Event
			want := map[string]bool{}
			for i := range 1000 {
				// Over two hours, to the second: many ties, several events per bucket.
				at := base.Add(time.Duration(rng.IntN(7200)) * time.Second)
				e := ev(fmt.Sprintf("e%04d", i), at, "A")
				events = append(events, e)
				want[e.ID] = true
			}
			for i := 0; i < len(events); i += 50 {
				appendAll(t, f, "yoigo", events[i:i+50]...)
			}
			got := pageAll(t, f, "yoigo", eventfeed.Window{Start: base, End: base.Add(2 * time.Hour)}, nil, 7)
			assertOrderedUnique(t, got)
			if len(got) != len(want) {
				t.Fatalf("%d events, want %d", len(got), len(want))
			}
		})
	}
}

// Events appended while a client pages: those after its cursor are all seen, in sealed buckets
// (appended late) as in open ones.
func TestAppendsDuringPaging(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			f := newFeed(t, newColl(t), m.opts)
			w := eventfeed.Window{Start: base, End: base.Add(time.Hour)}
			for i := range 60 {
				appendAll(t, f, "yoigo", ev(fmt.Sprintf("old%02d", i), base.Add(time.Duration(i)*time.Minute), "A"))
			}
			want := map[string]bool{}
			for i := range 60 {
				want[fmt.Sprintf("old%02d", i)] = true
			}
			seen := map[string]bool{}
			cursor := ""
			for n := 0; ; n++ {
				p, err := f.Page(testCtx(t), "yoigo", w, nil, cursor, 5)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range p.Events {
					if seen[e.ID] {
						t.Fatalf("event %s twice", e.ID)
					}
					seen[e.ID] = true
				}
				if p.Next == "" {
					break
				}
				last := p.Events[len(p.Events)-1].Time
				// One event ahead of the cursor (it must be seen), one behind (it may not).
				ahead := ev(fmt.Sprintf("new%02d", n), last.Add(90*time.Second), "A")
				if ahead.Time.Before(w.End) {
					want[ahead.ID] = true
				}
				appendAll(t, f, "yoigo", ahead, ev(fmt.Sprintf("behind%02d", n), last.Add(-90*time.Second), "A"))
				cursor = p.Next
			}
			for id := range want {
				if !seen[id] {
					t.Errorf("event %s, appended ahead of the cursor, was not returned", id)
				}
			}
		})
	}
}

// Pages that seal buckets while writers still append to them lose nothing.
func TestSealingRacesAppends(t *testing.T) {
	coll := newColl(t)
	reader := newFeed(t, coll, eventfeed.Options{})
	w := eventfeed.Window{Start: base, End: base.Add(30 * time.Minute)}
	const writers, each = 3, 30
	var wg sync.WaitGroup
	for wr := range writers {
		f := newFeed(t, coll, eventfeed.Options{})
		wg.Go(func() {
			for i := range each {
				if err := f.Append(testCtx(t), "yoigo", ev(fmt.Sprintf("w%d-%02d", wr, i), base.Add(time.Duration(i)*time.Minute), "A")); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		pageAll(t, reader, "yoigo", w, nil, 50)
	}
	got := pageAll(t, reader, "yoigo", w, nil, 13)
	assertOrderedUnique(t, got)
	if len(got) != writers*each {
		t.Fatalf("%d events, want %d", len(got), writers*each)
	}
}

func TestCursorCannotBeForgedOrReused(t *testing.T) {
	coll := newColl(t)
	f := newFeed(t, coll, eventfeed.Options{})
	for i := range 10 {
		appendAll(t, f, "yoigo", ev(fmt.Sprintf("e%d", i), base.Add(time.Duration(i)*time.Minute), "A"))
		appendAll(t, f, "other", ev(fmt.Sprintf("o%d", i), base.Add(time.Duration(i)*time.Minute), "A"))
	}
	w := eventfeed.Window{Start: base, End: base.Add(time.Hour)}
	types := []string{"A", "B"}
	p, err := f.Page(testCtx(t), "yoigo", w, types, "", 3)
	if err != nil || p.Next == "" {
		t.Fatalf("first page: %+v, %v", p, err)
	}
	// The same filter in another order is the same query.
	if _, err := f.Page(testCtx(t), "yoigo", w, []string{"B", "A", "A"}, p.Next, 3); err != nil {
		t.Fatalf("same query, types reordered: %v", err)
	}
	flipped := []byte(p.Next)
	flipped[len(flipped)/2] ^= 0x01
	otherKey, err := eventfeed.New(coll, []byte("another key of thirty-two bytes!"), eventfeed.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		feed   *eventfeed.Feed
		org    string
		w      eventfeed.Window
		types  []string
		cursor string
	}{
		{name: "tampered", feed: f, org: "yoigo", w: w, types: types, cursor: string(flipped)},
		{name: "truncated", feed: f, org: "yoigo", w: w, types: types, cursor: p.Next[:len(p.Next)-4]},
		{name: "notBase64", feed: f, org: "yoigo", w: w, types: types, cursor: "!!not a cursor!!"},
		{name: "otherKey", feed: otherKey, org: "yoigo", w: w, types: types, cursor: p.Next},
		{name: "otherOrg", feed: f, org: "other", w: w, types: types, cursor: p.Next},
		{name: "otherWindow", feed: f, org: "yoigo", w: eventfeed.Window{Start: base, End: w.End.Add(time.Second)}, types: types, cursor: p.Next},
		{name: "otherTypes", feed: f, org: "yoigo", w: w, types: []string{"A"}, cursor: p.Next},
		{name: "noTypes", feed: f, org: "yoigo", w: w, cursor: p.Next},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.feed.Page(testCtx(t), tt.org, tt.w, tt.types, tt.cursor, 3)
			if !errors.Is(err, eventfeed.ErrInvalidCursor) {
				t.Fatalf("page: %+v, %v; want ErrInvalidCursor", got, err)
			}
		})
	}
}

// A bucket of several parts, with runs of equal timestamps across their boundaries, paged from
// every position; then an event appended to it after it was sealed.
func TestPagingLargeBucket(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			f := newFeed(t, newColl(t), m.opts)
			var events []eventfeed.Event
			for i := range 700 {
				events = append(events, ev(fmt.Sprintf("e%04d", (i*389)%700), base.Add(time.Duration(i%10)*time.Second), "A"))
			}
			appendAll(t, f, "yoigo", events[:300]...)
			appendAll(t, f, "yoigo", events[300:]...)
			w := eventfeed.Window{Start: base, End: base.Add(time.Hour)}
			for _, limit := range []int{9, 128, 1000} {
				got := pageAll(t, f, "yoigo", w, nil, limit)
				assertOrderedUnique(t, got)
				if len(got) != 700 {
					t.Fatalf("limit %d: %d events, want 700", limit, len(got))
				}
			}
			appendAll(t, f, "yoigo", ev("late", base.Add(5*time.Second), "A"), events[0])
			got := pageAll(t, f, "yoigo", w, nil, 50)
			assertOrderedUnique(t, got)
			if len(got) != 701 {
				t.Fatalf("after a late append: %d events, want 701", len(got))
			}
		})
	}
}

// A fourteen-day window with a few events, days and hours apart: the days and hours without
// events are skipped, the events are all found.
func TestWideSparseWindow(t *testing.T) {
	f := newFeed(t, newColl(t), eventfeed.Options{})
	start := time.Now().UTC().Add(-15 * 24 * time.Hour).Truncate(24 * time.Hour)
	offsets := []time.Duration{
		0, 23*time.Hour + 59*time.Minute, 24 * time.Hour, 3*24*time.Hour + 7*time.Hour + 30*time.Minute,
		3*24*time.Hour + 7*time.Hour + 31*time.Minute, 9*24*time.Hour + 13*time.Hour, 14*24*time.Hour - time.Nanosecond,
	}
	var want []string
	for i, d := range offsets {
		id := fmt.Sprintf("e%d", i)
		appendAll(t, f, "yoigo", ev(id, start.Add(d), "A"))
		want = append(want, id)
	}
	appendAll(t, f, "yoigo", ev("after", start.Add(14*24*time.Hour), "A"))
	w := eventfeed.Window{Start: start, End: start.Add(14 * 24 * time.Hour)}
	assertIDs(t, pageAll(t, f, "yoigo", w, nil, 100), want...)
	assertIDs(t, pageAll(t, f, "yoigo", w, nil, 2), want...)

	// Events in many hours: pages stop at their bound of lookups, short but with a next cursor.
	var many []string
	for i := range 100 {
		id := fmt.Sprintf("m%03d", i)
		appendAll(t, f, "busy", ev(id, start.Add(time.Duration(i)*3*time.Hour+time.Duration(i)*time.Minute), "A"))
		many = append(many, id)
	}
	p, err := f.Page(testCtx(t), "busy", w, nil, "", 100)
	if err != nil || p.Next == "" || len(p.Events) == 0 || len(p.Events) >= 100 {
		t.Fatalf("first page of a long sparse window: %d events, next %q, %v; want a short page and a next cursor", len(p.Events), p.Next, err)
	}
	assertIDs(t, pageAll(t, f, "busy", w, nil, 100), many...)
}

// sealedDocID is the _id of the sealed document of org's bucket starting at start.
func sealedDocID(org string, start time.Time) string {
	return org + "/" + start.UTC().Format("20060102T1504") + "/sealed"
}

// A writer seals the buckets it appended to once they are old enough, in a later Append.
func TestWriterSealsItsBuckets(t *testing.T) {
	coll := newColl(t)
	var now atomic.Int64
	now.Store(base.Add(time.Minute).UnixNano())
	f := newFeed(t, coll, eventfeed.Options{Now: func() time.Time { return time.Unix(0, now.Load()) }})
	appendAll(t, f, "yoigo", ev("a", base.Add(time.Minute), "A"))
	sealed := func() bool {
		err := coll.FindOne(testCtx(t), bson.D{{Key: "_id", Value: sealedDocID("yoigo", base)}}).Err()
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			t.Fatal(err)
		}
		return err == nil
	}
	if sealed() {
		t.Fatal("a bucket was sealed before it was due")
	}
	now.Store(base.Add(eventfeed.BucketWidth + eventfeed.DefaultSealAfter + time.Minute).UnixNano())
	appendAll(t, f, "yoigo", ev("b", base.Add(16*time.Minute), "A"))
	if !sealed() {
		t.Fatal("the bucket due was not sealed by its writer")
	}
	assertIDs(t, pageAll(t, f, "yoigo", eventfeed.Window{Start: base, End: base.Add(time.Hour)}, nil, 10), "a", "b")
}
