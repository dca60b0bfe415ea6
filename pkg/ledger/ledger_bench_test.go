package ledger_test

// Benchmarks of Store.Execute on the package's embedded MongoDB-wire server (FerretDB on
// SQLite), one command at a time, as one partition worker runs them:
//
//	go test -run '^$' -bench 'Execute$' -benchtime=500x ./pkg/ledger/
//	go test -run '^$' -bench ExecuteOnFilledStore ./pkg/ledger/
//
//   - create: a new aggregate per command (aggregate lookup, operation lookup, aggregate insert,
//     operation insert), next to the raw store's inserts;
//   - update: commands on one aggregate in turn (aggregate lookup, operation lookup, version
//     claim insert, aggregate read-back, write by _id, operation insert), next to the raw
//     store's updates by _id;
//   - redelivery: a command executed before comes back (the aggregate's last command answers);
//
// The raw rates are measured in the same run, interleaved with the ledger's operations (as many
// raw ones after every few ledger ones), in the same database, one client, with documents the
// size of the aggregate documents the ledger writes (pkg/benchref). Both start once the embedded
// store has indexed _id lookups in every collection they use (settle).
//
// BenchmarkExecute starts from an empty database, BenchmarkExecuteOnFilledStore from 10,000
// aggregates and 10,000 operation records: with every lookup by _id indexed (localinfra adds the
// index FerretDB's own does not provide) the figures should hardly depend on what is stored.
// B/op and allocs/op include the server's work, which runs in this process.

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/sirupsen/logrus"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"provision.local/pkg/benchref"
	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/pkg/logging"
)

var benchSeq atomic.Int64

// prefilled is how many aggregates and operation records the /10k variants start with.
const prefilled = 10_000

func newBenchStore(b *testing.B, existing int) (*ledger.Store[counter], *mongo.Database) {
	b.Helper()
	db := connect(b).Database(fmt.Sprintf("ledger_bench_%d_%d", time.Now().UnixNano()%1e6, benchSeq.Add(1)))
	b.Cleanup(func() { _ = db.Drop(context.Background()) })
	store, err := ledger.New[counter](benchCtx(b), db, "counters")
	if err != nil {
		b.Fatal(err)
	}
	if err := store.EnsureIndexes(benchCtx(b)); err != nil {
		b.Fatal(err)
	}
	if existing > 0 {
		prefill(b, db, existing)
	}
	return store, db
}

// benchCtx carries a logger that formats at info level, as a service's does, and writes nowhere.
func benchCtx(b *testing.B) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	b.Cleanup(cancel)
	return logging.WithLogger(c, logrus.NewEntry(logging.NewWithOutput("ledger-bench", "info", io.Discard)))
}

// benchOutput is the status event a command produces: about the size of a real one.
func benchOutput(tb testing.TB, cmdID string) consumer.Output {
	e := cloudevents.NewEvent()
	e.SetID(ledger.EventID(cmdID, 0))
	e.SetType("test.counter.changed")
	e.SetSource("/bench")
	e.SetSubject(cmdID)
	e.SetExtension("correlationid", "corr-"+cmdID)
	data := map[string]any{"commandId": cmdID, "org": "masmovil", "products": []string{"com.disney.yoigo.es.bundle.basic", "com.disney.yoigo.es.bundle.premium"}, "entitled": "ACTIVE", "version": 1}
	if err := e.SetData(cloudevents.ApplicationJSON, data); err != nil {
		tb.Fatal(err)
	}
	return consumer.Output{Topic: "status", Event: e}
}

// count is a decide function like a provider's: next state plus one status event.
func count(tb testing.TB, cmdID string) ledger.Decide[counter] {
	return func(_ context.Context, cur *counter, _ int64) (ledger.Decision[counter], error) {
		next := counter{N: 1}
		if cur != nil {
			next.N = cur.N + 1
		}
		return ledger.Decision[counter]{New: &next, Outputs: []consumer.Output{benchOutput(tb, cmdID)}}, nil
	}
}

// prefill stores n aggregates and n operation records shaped like the ones Execute writes.
func prefill(b *testing.B, db *mongo.Database, n int) {
	b.Helper()
	ctx := benchCtx(b)
	event, err := benchOutput(b, "prefill").Event.MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	outputs := bson.A{bson.D{{Key: "topic", Value: "status"}, {Key: "event", Value: string(event)}}}
	now := time.Now().UTC()
	const chunk = 1000
	for start := 0; start < n; start += chunk {
		aggs := make([]any, 0, chunk)
		ops := make([]any, 0, chunk)
		for i := start; i < min(start+chunk, n); i++ {
			cmd, agg := fmt.Sprintf("prefill-cmd-%d", i), fmt.Sprintf("masmovil/prefill-%d", i)
			op := bson.D{{Key: "_id", Value: cmd}, {Key: "type", Value: "test.inc"}, {Key: "org", Value: "masmovil"},
				{Key: "operation", Value: "inc"}, {Key: "aggregateId", Value: agg}, {Key: "outcome", Value: ledger.Completed},
				{Key: "version", Value: int64(1)}, {Key: "correlationId", Value: "corr-" + cmd}, {Key: "at", Value: now}, {Key: "outputs", Value: outputs}}
			aggs = append(aggs, bson.D{{Key: "_id", Value: agg}, {Key: "version", Value: int64(1)},
				{Key: "state", Value: bson.D{{Key: "n", Value: 1}}}, {Key: "last", Value: op}})
			ops = append(ops, op)
		}
		if _, err := db.Collection("counters").InsertMany(ctx, aggs); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Collection("operations").InsertMany(ctx, ops); err != nil {
			b.Fatal(err)
		}
	}
}

func rate(b *testing.B) float64 { return float64(b.N) / b.Elapsed().Seconds() }

// rawChunk is how many ledger operations run between two runs of as many raw operations.
const rawChunk = 25

// interleave runs op b.N times, timed, and after every rawChunk of them (and at the end), with
// the timer stopped, as many raw store operations: on a shared machine, both rates then see the
// same load. It returns the ledger's rate and the raw store's.
func interleave(b *testing.B, op func(i int), raw func(n int) (benchref.Rate, error)) (float64, float64) {
	var total benchref.Rate
	done := 0
	b.ResetTimer()
	for i := range b.N {
		op(i)
		if (i+1)%rawChunk == 0 || i == b.N-1 {
			b.StopTimer()
			r, err := raw(i + 1 - done)
			if err != nil {
				b.Fatal(err)
			}
			total.N += r.N
			total.Elapsed += r.Elapsed
			done = i + 1
			b.StartTimer()
		}
	}
	b.StopTimer()
	return rate(b), total.PerSecond()
}

// docSize is the stored size of one aggregate document.
func docSize(b *testing.B, db *mongo.Database, id string) int {
	raw, err := db.Collection("counters").FindOne(benchCtx(b), bson.D{{Key: "_id", Value: id}}).Raw()
	if err != nil {
		b.Fatal(err)
	}
	return len(raw)
}

// settle gives pkg/localinfra time to index _id lookups in the collections just created (it looks
// for new ones every second), so a run does not time full scans. The plan the server explains
// cannot tell: its connections plan EXPLAIN with the schema they loaded before the index.
func settle() { time.Sleep(2 * time.Second) }

// BenchmarkExecute starts each run on an empty database.
func BenchmarkExecute(b *testing.B) { benchmarkExecute(b, 0) }

// BenchmarkExecuteOnFilledStore starts each run with 10,000 aggregates and 10,000 operation
// records stored. Each command costs tens to hundreds of milliseconds here, so the default
// benchtime keeps b.N small; with -benchtime=Nx expect N × that.
func BenchmarkExecuteOnFilledStore(b *testing.B) { benchmarkExecute(b, prefilled) }

func benchmarkExecute(b *testing.B, existing int) {
	b.Run("create", func(b *testing.B) {
		store, db := newBenchStore(b, existing)
		ctx := benchCtx(b)
		create := func(id string) {
			cmd := ledger.Command{ID: id, Type: "test.create", Org: "masmovil", Operation: "create", AggregateID: "masmovil/" + id}
			outs, err := store.Execute(ctx, cmd, count(b, cmd.ID))
			if err != nil || len(outs) != 1 {
				b.Fatalf("execute %s: %v (%d outputs)", cmd.ID, err, len(outs))
			}
		}
		create("warm-up")
		size := docSize(b, db, "masmovil/warm-up")
		if _, err := benchref.StoreInserts(ctx, db.Collection("raw"), 1, 1, size); err != nil {
			b.Fatal(err)
		}
		settle()
		ids := make([]string, b.N)
		for i := range ids {
			ids[i] = fmt.Sprintf("create-%d", i)
		}
		b.ReportAllocs()
		creates, raw := interleave(b, func(i int) { create(ids[i]) }, func(n int) (benchref.Rate, error) {
			return benchref.StoreInserts(ctx, db.Collection("raw"), n, 1, size)
		})
		if _, v, err := store.Get(ctx, "masmovil/"+ids[b.N-1]); err != nil || v != 1 {
			b.Fatalf("last aggregate: version %d, %v", v, err)
		}
		benchref.Report(b, "creates", creates, "raw_inserts", raw)
	})

	b.Run("update", func(b *testing.B) {
		store, db := newBenchStore(b, existing)
		ctx := benchCtx(b)
		const agg = "masmovil/hot"
		update := func(id string) {
			cmd := ledger.Command{ID: id, Type: "test.inc", Org: "masmovil", Operation: "inc", AggregateID: agg}
			outs, err := store.Execute(ctx, cmd, count(b, cmd.ID))
			if err != nil || len(outs) != 1 {
				b.Fatalf("execute %s: %v (%d outputs)", cmd.ID, err, len(outs))
			}
		}
		update("warm-up-1")
		update("warm-up-2")
		size := docSize(b, db, agg)
		if _, err := benchref.StoreInserts(ctx, db.Collection("raw"), 1, 1, size); err != nil {
			b.Fatal(err)
		}
		settle()
		b.ReportAllocs()
		updates, raw := interleave(b, func(i int) { update(fmt.Sprintf("update-%d", i)) }, func(n int) (benchref.Rate, error) {
			return benchref.StoreUpdates(ctx, db.Collection("raw"), n, 1, size)
		})
		if st, v, err := store.Get(ctx, agg); err != nil || st.N != b.N+2 || v != int64(b.N+2) {
			b.Fatalf("aggregate: n=%d version %d (%v), want %d", st.N, v, err, b.N+2)
		}
		benchref.Report(b, "updates", updates, "raw_updates", raw)
	})

	// The command redelivered is the last one executed, as after a crash before the commit:
	// its operation record is the newest in the collection.
	b.Run("redelivery", func(b *testing.B) {
		store, _ := newBenchStore(b, existing)
		ctx := benchCtx(b)
		cmd := ledger.Command{ID: "redelivered", Type: "test.create", Org: "masmovil", Operation: "create", AggregateID: "masmovil/redelivered"}
		first, err := store.Execute(ctx, cmd, count(b, cmd.ID))
		if err != nil {
			b.Fatal(err)
		}
		var decided atomic.Int64
		again := func(ctx context.Context, cur *counter, v int64) (ledger.Decision[counter], error) {
			decided.Add(1)
			return count(b, cmd.ID)(ctx, cur, v)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			outs, err := store.Execute(ctx, cmd, again)
			if err != nil || len(outs) != 1 || outs[0].Event.ID() != first[0].Event.ID() {
				b.Fatalf("redelivery: %v, outputs %v", err, outs)
			}
		}
		b.StopTimer()
		b.ReportMetric(rate(b), "redeliveries/s")
		if n := decided.Load(); n != 0 {
			b.Fatalf("a redelivered command was decided %d times", n)
		}
	})
}
