// Package benchref measures the limits a benchmark is judged against, in the same run as the path
// it measures: the raw store's inserts and updates by _id, and the latency of a FindOne by _id. These machines are shared and noisy,
// so a figure means little alone; a ratio to its limit, both taken minutes apart on the same
// machine, survives the noise.
package benchref

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Rate is n operations in elapsed time.
type Rate struct {
	N       int
	Elapsed time.Duration
}

// PerSecond is the rate in operations per second.
func (r Rate) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.N) / r.Elapsed.Seconds()
}

// doc is a document of about size bytes, shaped like a stored aggregate: an id, a version and a
// payload.
func doc(id string, version int64, payload string) bson.D {
	return bson.D{{Key: "_id", Value: id}, {Key: "version", Value: version}, {Key: "payload", Value: payload}}
}

// StoreInserts inserts n documents of about docBytes bytes into coll, one InsertOne each, from
// clients goroutines, and returns the rate.
func StoreInserts(ctx context.Context, coll *mongo.Collection, n, clients, docBytes int) (Rate, error) {
	payload := strings.Repeat("x", docBytes)
	prefix := fmt.Sprintf("raw-insert-%d-", time.Now().UnixNano())
	return parallel(n, clients, func(i int) error {
		_, err := coll.InsertOne(ctx, doc(fmt.Sprintf("%s%d", prefix, i), 1, payload))
		return err
	})
}

// StoreUpdates updates documents of about docBytes bytes by _id, n UpdateOne calls in all, from
// clients goroutines, each rewriting the whole payload as an aggregate write does, and returns the
// rate. The documents (one per client) are inserted first, untimed.
func StoreUpdates(ctx context.Context, coll *mongo.Collection, n, clients, docBytes int) (Rate, error) {
	payload := strings.Repeat("y", docBytes)
	prefix := fmt.Sprintf("raw-update-%d-", time.Now().UnixNano())
	for c := range clients {
		if _, err := coll.InsertOne(ctx, doc(fmt.Sprintf("%s%d", prefix, c), 0, payload)); err != nil {
			return Rate{}, fmt.Errorf("prepare: %w", err)
		}
	}
	var version atomic.Int64
	return parallel(n, clients, func(i int) error {
		id := fmt.Sprintf("%s%d", prefix, i%clients)
		res, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "version", Value: version.Add(1)}, {Key: "payload", Value: payload}}}})
		if err == nil && res.MatchedCount != 1 {
			err = fmt.Errorf("update %s matched %d documents", id, res.MatchedCount)
		}
		return err
	})
}

// parallel runs op(0..n-1) on clients goroutines and times the whole.
func parallel(n, clients int, op func(i int) error) (Rate, error) {
	clients = max(1, min(clients, n))
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := op(i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return Rate{}, err
	}
	return Rate{N: n, Elapsed: elapsed}, nil
}

// Report adds to b's result line the measured rate, its limit and the ratio between them, with
// units named after what they count, e.g. Report(b, "creates", 450, "raw_inserts", 890) prints
// "450 creates/s  890 raw_inserts/s  50.6 %_of_raw_inserts".
func Report(b *testing.B, what string, rate float64, limit string, limitRate float64) {
	b.ReportMetric(rate, what+"/s")
	b.ReportMetric(limitRate, limit+"/s")
	if limitRate > 0 {
		b.ReportMetric(100*rate/limitRate, "%_of_"+limit)
	}
}
