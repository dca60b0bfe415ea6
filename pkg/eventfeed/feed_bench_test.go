package eventfeed_test

// Page latency on the package's embedded MongoDB-wire server (FerretDB on SQLite) with 100,000
// events stored, next to a single FindOne by _id on the same collection in the same run:
//
//	go test -run '^$' -bench Page ./pkg/eventfeed/
//
// The events span the 48 hours before the last hour (about 350 per ten-minute bucket, four
// types); every page asks for 100 events of a one-hour window in the middle, with no type filter
// (allTypes) and with one type (oneType), taking the pages of the window in turn (first page,
// then each cursor). The window is paged once before timing, which seals its buckets as the
// endpoint's first client would. sparse14Days pages the widest window the endpoint allows over
// another organisation's 200 events. The FindOne reads are interleaved with the pages (as many
// after every few pages) so both see the same load. Goal: page p99 ≤ 50 ms.
//
// BenchmarkSeal times the first page over a bucket that 350 appends of one event filled, when
// its writers have not sealed it (they do once it is due, in a later Append): that page seals it
// (reads every slot), once per bucket.

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"provision.local/pkg/benchref"
	"provision.local/pkg/eventfeed"
)

const (
	benchEvents = 100_000
	benchSpan   = 48 * time.Hour
	benchLimit  = 100
	// benchChunk is how many pages run between two runs of as many FindOnes.
	benchChunk = 25
)

var benchTypes = []string{"BUNDLE_ACTIVATION", "BUNDLE_PLAN_CHANGE", "BUNDLE_SUSPENSION", "BUNDLE_CANCELLATION"}

// benchPayload is shaped like a Netflix events-endpoint item.
func benchPayload(i int, typ string, at time.Time) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"bundle_id":"bundle-%07d","event_type":%q,"netflix_event_id":"nfx-evt-%07d",`+
		`"netflix_offer_id":"offer-premium-4k","original_netflix_transaction_id":"txn-%07d","partner_account_id":"1234567890%06d",`+
		`"partner_reference_id":"yoigo-ref-%07d","timestamp":%q}`, i%20000, typ, i, i, i%1000000, i, at.Format(time.RFC3339Nano)))
}

func BenchmarkPage(b *testing.B) {
	if testing.Short() {
		b.Skip("stores 100,000 events")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	coll := newColl(b)
	f := newFeed(b, coll, eventfeed.Options{})

	// A reference document and a first write create the collection; then the store gets time to
	// index _id lookups in it (pkg/localinfra looks for new collections every second).
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "reference"}, {Key: "payload", Value: string(benchPayload(0, benchTypes[0], time.Now()))}}); err != nil {
		b.Fatal(err)
	}
	time.Sleep(2 * time.Second)

	end := time.Now().UTC().Add(-time.Hour).Truncate(time.Minute)
	first := end.Add(-benchSpan)
	step := benchSpan / benchEvents
	start := time.Now()
	const batch = 1000
	for i := 0; i < benchEvents; i += batch {
		events := make([]eventfeed.Event, 0, batch)
		for j := i; j < i+batch; j++ {
			at := first.Add(time.Duration(j) * step)
			typ := benchTypes[j%len(benchTypes)]
			events = append(events, eventfeed.Event{ID: fmt.Sprintf("evt-%07d", j), Time: at, Type: typ, Payload: benchPayload(j, typ, at)})
		}
		if err := f.Append(ctx, "yoigo", events...); err != nil {
			b.Fatal(err)
		}
	}
	setup := time.Since(start)
	wide := eventfeed.Window{Start: end.Add(-14 * 24 * time.Hour), End: end}
	for i := range 200 {
		at := wide.Start.Add(time.Duration(i) * 14 * 24 * time.Hour / 200)
		if err := f.Append(ctx, "sparse", eventfeed.Event{ID: fmt.Sprintf("sparse-%03d", i), Time: at, Type: benchTypes[0], Payload: benchPayload(i, benchTypes[0], at)}); err != nil {
			b.Fatal(err)
		}
	}

	w := eventfeed.Window{Start: first.Add(benchSpan / 2), End: first.Add(benchSpan/2 + time.Hour)}
	for _, tc := range []struct {
		name  string
		org   string
		w     eventfeed.Window
		types []string
	}{
		{name: "allTypes", org: "yoigo", w: w},
		{name: "oneType", org: "yoigo", w: w, types: benchTypes[1:2]},
		{name: "sparse14Days", org: "sparse", w: wide},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.Logf("stored %d events in %s", benchEvents, setup.Round(time.Millisecond))
			org, w := tc.org, tc.w
			start := time.Now()
			all := pageAll(b, f, org, w, tc.types, benchLimit)
			if len(all) == 0 {
				b.Fatal("the window is empty")
			}
			b.Logf("first pass over the window: %d events in %s", len(all), time.Since(start).Round(time.Millisecond))

			var pages, refs benchref.Latencies
			cursor := ""
			b.ResetTimer()
			for i := range b.N {
				t0 := time.Now()
				p, err := f.Page(ctx, org, w, tc.types, cursor, benchLimit)
				pages = append(pages, time.Since(t0))
				if err != nil || len(p.Events) == 0 {
					b.Fatalf("page: %d events, %v", len(p.Events), err)
				}
				cursor = p.Next
				if (i+1)%benchChunk == 0 || i == b.N-1 {
					b.StopTimer()
					r, err := benchref.FindOnes(ctx, coll, "reference", len(pages)-len(refs))
					if err != nil {
						b.Fatal(err)
					}
					refs = append(refs, r...)
					b.StartTimer()
				}
			}
			b.StopTimer()
			benchref.ReportLatency(b, "page", pages, "findone", refs)
		})
	}
}

func BenchmarkSeal(b *testing.B) {
	if testing.Short() {
		b.Skip("fills a bucket with single appends before each page")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	coll := newColl(b)
	bucket := time.Now().UTC().Add(-2 * time.Hour).Truncate(eventfeed.BucketWidth)
	// The writer appends as it would have then, so the bucket is not due to be sealed yet.
	writer := newFeed(b, coll, eventfeed.Options{Now: func() time.Time { return bucket.Add(eventfeed.BucketWidth) }})
	f := newFeed(b, coll, eventfeed.Options{})
	if err := writer.Append(ctx, "warm-up", eventfeed.Event{ID: "warm-up", Time: time.Now(), Type: benchTypes[0], Payload: json.RawMessage(`{}`)}); err != nil {
		b.Fatal(err)
	}
	time.Sleep(2 * time.Second) // let the store index _id lookups in the new collection
	w := eventfeed.Window{Start: bucket, End: bucket.Add(eventfeed.BucketWidth)}
	var pages benchref.Latencies
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		org := fmt.Sprintf("org-%d", i)
		for j := range 350 {
			at := bucket.Add(time.Duration(j) * eventfeed.BucketWidth / 350)
			if err := writer.Append(ctx, org, eventfeed.Event{ID: fmt.Sprintf("evt-%03d", j), Time: at, Type: benchTypes[0], Payload: benchPayload(j, benchTypes[0], at)}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		t0 := time.Now()
		p, err := f.Page(ctx, org, w, nil, "", benchLimit)
		pages = append(pages, time.Since(t0))
		if err != nil || len(p.Events) != benchLimit {
			b.Fatalf("page: %d events, %v", len(p.Events), err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(pages.Percentile(50))/float64(time.Millisecond), "first_page_p50_ms")
}
