package benchref

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Latencies are the durations of single operations.
type Latencies []time.Duration

// Percentile is the nearest-rank p-th percentile (0 < p ≤ 100), zero when l is empty.
func (l Latencies) Percentile(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(l))
	rank := int(float64(len(s))*p/100+0.999999) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

// Time runs op(0..n-1) one after the other and returns how long each took.
func Time(n int, op func(i int) error) (Latencies, error) {
	l := make(Latencies, 0, n)
	for i := range n {
		start := time.Now()
		if err := op(i); err != nil {
			return nil, err
		}
		l = append(l, time.Since(start))
	}
	return l, nil
}

// FindOnes reads the document id of coll n times with FindOne by _id, one after the other, and
// returns how long each read took: the cheapest read a store offers.
func FindOnes(ctx context.Context, coll *mongo.Collection, id string, n int) (Latencies, error) {
	return Time(n, func(int) error {
		if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Err(); err != nil {
			return fmt.Errorf("find %s: %w", id, err)
		}
		return nil
	})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// ReportLatency adds to b's result line the p50 and p99 of l and of its reference, in
// milliseconds, and how many reference p99s one p99 of l is, e.g. ReportLatency(b, "page", l,
// "findone", r) prints "4.1 page_p50_ms  9.3 page_p99_ms  0.4 findone_p50_ms  0.9 findone_p99_ms
// 10.3 page_p99_x_findone".
func ReportLatency(b *testing.B, what string, l Latencies, ref string, r Latencies) {
	b.ReportMetric(ms(l.Percentile(50)), what+"_p50_ms")
	b.ReportMetric(ms(l.Percentile(99)), what+"_p99_ms")
	b.ReportMetric(ms(r.Percentile(50)), ref+"_p50_ms")
	b.ReportMetric(ms(r.Percentile(99)), ref+"_p99_ms")
	if p := r.Percentile(99); p > 0 {
		b.ReportMetric(float64(l.Percentile(99))/float64(p), what+"_p99_x_"+ref)
	}
}
