package service_test

// End-to-end command throughput of the Disney service: b.N create commands (distinct
// subscriptions, so spread over the partitions by key) are published onto
// provision.disney.commands, and the clock stops when the b.N-th status event is on
// provision.disney.status. Each command in between is real work: the consumer fetches it, the
// ledger reads the operation and the subscription, the partner simulator is called over HTTP,
// the subscription is inserted and the operation recorded on the embedded store, the status
// event is written (acks=all) and the offset committed.
//
// Each run gets its own broker, database and partner, as the component tests do; the store is
// the package's shared FerretDB. Every command costs milliseconds, so the default 1s benchtime
// ramps b.N up to a few hundred; for a fixed amount of work name it:
//
//	go test -run '^$' -bench CommandThroughput -benchtime=1000x ./internal/service/
//
// The pipeline is judged against the store's limit, measured right after it in the same run:
// single-document inserts into the same store, from as many clients as the pipeline has
// partitions (one worker each), of documents the size of a stored subscription. The result line
// shows creates/s, raw_inserts/s and the ratio.
//
// Compare figures at the same b.N only: the database starts empty and holds b.N subscriptions and
// operation records at the end, and on the embedded store the ledger's lookups by _id read the
// collection (see pkg/ledger's benchmarks), so creates/s falls as b.N grows.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/segmentio/kafka-go"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"provision.local/events"
	"provision.local/pkg/benchref"
	"provision.local/pkg/kafkaio"
	"provision.local/pkg/ledger"
	"provision.local/pkg/mongox"
	"provision.local/services/disney/internal/adapters"
	"provision.local/services/disney/internal/service"
)

// benchBatch is the number of commands per Publish call.
const benchBatch = 500

// rawInsertsMin is the least number of raw inserts timed, so that a small b.N still gives a
// steady reference rate.
const rawInsertsMin = 1000

// benchStack is start's stack for any testing.TB.
type benchStack struct {
	tb         testing.TB
	broker     string
	http       string
	pub        *kafkaio.Publisher
	mongo      mongox.Config
	partitions int
}

// startTB is start (component_test.go) seen as a benchStack.
func startTB(tb testing.TB) *benchStack {
	tb.Helper()
	var cfg service.Config
	s := startWith(tb, func(c *service.Config) { cfg = *c })
	return &benchStack{tb: tb, broker: s.broker, http: s.http, pub: s.pub, mongo: cfg.Mongo, partitions: cfg.Kafka.Partitions}
}

// db connects to the service's database; the client closes with the benchmark.
func (s *benchStack) db() *mongo.Database {
	s.tb.Helper()
	client, db, err := mongox.Connect(context.Background(), s.mongo)
	if err != nil {
		s.tb.Fatal(err)
	}
	s.tb.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return db
}

// rawInsertRate is the store's single-document insert rate from one client per partition, with
// documents the size of a stored subscription (one is read back to size them).
func (s *benchStack) rawInsertRate(n int) float64 {
	s.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	db := s.db()
	stored, err := db.Collection(adapters.SubscriptionCollection).FindOne(ctx, bson.D{}).Raw()
	if err != nil {
		s.tb.Fatalf("read a stored subscription: %v", err)
	}
	rate, err := benchref.StoreInserts(ctx, db.Collection("bench_raw_inserts"), max(n, rawInsertsMin), s.partitions, len(stored))
	if err != nil {
		s.tb.Fatalf("raw inserts: %v", err)
	}
	return rate.PerSecond()
}

// createCommand builds a Disney create as the ingress would.
func createCommand(tb testing.TB, id, user, sub string) cloudevents.Event {
	tb.Helper()
	e, err := events.New(id, events.TypeDisneyCreateSubscription, "/bench", sub,
		events.DisneyCreateSubscription{Org: "masmovil", UserID: user, SubscriptionID: sub, Products: products})
	if err != nil {
		tb.Fatal(err)
	}
	events.SetExtensions(&e, "corr-"+id, "", "masmovil")
	return e
}

type seenStatus struct{ id, typ string }

// watchStatus reads every status event from the start of the topic, in its own consumer group,
// until the run ends.
func (s *benchStack) watchStatus() <-chan seenStatus {
	ctx, cancel := context.WithCancel(context.Background())
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: []string{s.broker}, Topic: events.TopicDisneyStatus, GroupID: fmt.Sprintf("bench-status-%d", time.Now().UnixNano()),
		StartOffset: kafka.FirstOffset, MaxWait: 50 * time.Millisecond,
	})
	out := make(chan seenStatus, 4096)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			m, err := r.FetchMessage(ctx)
			if err != nil {
				return
			}
			var st seenStatus
			for _, h := range m.Headers {
				switch h.Key {
				case "ce_id":
					st.id = string(h.Value)
				case "ce_type":
					st.typ = string(h.Value)
				}
			}
			select {
			case out <- st:
			case <-ctx.Done():
				return
			}
		}
	}()
	s.tb.Cleanup(func() {
		cancel()
		<-stopped
		_ = r.Close()
	})
	return out
}

// await waits until every event id in want has been seen as a subscription status event.
func (s *benchStack) await(seen <-chan seenStatus, want map[string]bool, within time.Duration) {
	s.tb.Helper()
	timeout := time.After(within)
	for got := 0; got < len(want); {
		select {
		case st := <-seen:
			if !want[st.id] {
				continue // another run's, or a redelivered duplicate already counted
			}
			if st.typ != events.TypeDisneySubscriptionStatusV2 {
				s.tb.Fatalf("status event %s is %s, want %s: a create failed", st.id, st.typ, events.TypeDisneySubscriptionStatusV2)
			}
			want[st.id] = false
			got++
		case <-timeout:
			s.tb.Fatalf("timed out after %s: %d of %d status events arrived", within, got, len(want))
		}
	}
}

func (s *benchStack) publish(es []cloudevents.Event) {
	s.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := 0; i < len(es); i += benchBatch {
		if err := s.pub.Publish(ctx, events.TopicDisneyCommands, es[i:min(i+benchBatch, len(es))]...); err != nil {
			s.tb.Fatal(err)
		}
	}
}

func BenchmarkCommandThroughput(b *testing.B) {
	s := startTB(b)
	seen := s.watchStatus()
	nonce := time.Now().UnixNano()
	batch := func(prefix string, n int) ([]cloudevents.Event, map[string]bool) {
		es := make([]cloudevents.Event, n)
		want := make(map[string]bool, n)
		for i := range n {
			id := fmt.Sprintf("%s-%d-%d", prefix, nonce, i)
			es[i] = createCommand(b, id, fmt.Sprintf("MOO-%s%d", prefix, i), fmt.Sprintf("ENT-%s-%d-%d", prefix, nonce, i))
			want[ledger.EventID(id, 0)] = true
		}
		return es, want
	}

	// Warm up: the consumer has joined its group and owns every partition, the status reader has
	// joined its own, the writers know the topics.
	warm, wantWarm := batch("warm", 8)
	s.publish(warm)
	s.await(seen, wantWarm, time.Minute)

	cmds, want := batch("cmd", b.N)
	b.ReportAllocs()
	b.ResetTimer()
	s.publish(cmds)
	s.await(seen, want, time.Minute+time.Duration(b.N)*20*time.Millisecond)
	b.StopTimer()
	pipeline := float64(b.N) / b.Elapsed().Seconds()

	// The last command is on record as done.
	last := cmds[len(cmds)-1].ID()
	var op struct {
		Status string `json:"status"`
	}
	resp, err := http.Get(s.http + "/internal/v1/orgs/masmovil/operations/" + last)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&op); err != nil || resp.StatusCode != http.StatusOK || op.Status != "COMPLETED" {
		b.Fatalf("operation %s: status %d, %+v (%v), want COMPLETED", last, resp.StatusCode, op, err)
	}
	benchref.Report(b, "creates", pipeline, "raw_inserts", s.rawInsertRate(b.N))
}
