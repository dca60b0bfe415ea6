package kafkaio_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"provision.local/pkg/cekafka"
	"provision.local/pkg/kafkaio"
	"provision.local/pkg/localinfra"
	"provision.local/pkg/localinfra/infratest"
)

var (
	brokerAddr string
	// runSeq keeps topic names unique when tests repeat in one process (-count=N) on one broker.
	runSeq atomic.Int32
)

// name returns a topic name unique to this run of the test.
func name(base string) string { return fmt.Sprintf("%s.%d", base, runSeq.Add(1)) }

func TestMain(m *testing.M) { infratest.MainWithBroker(m, &brokerAddr) }

func testConfig(partitions int) kafkaio.Config {
	return kafkaio.Config{
		Brokers:           []string{brokerAddr},
		Partitions:        partitions,
		ReplicationFactor: 1,
		BatchTimeout:      time.Millisecond,
		WriteTimeout:      5 * time.Second,
	}
}

func testCtx(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func partitionCount(t *testing.T, topic string) int {
	t.Helper()
	conn, err := kafka.Dial("tcp", brokerAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	parts, err := conn.ReadPartitions(topic)
	if err != nil {
		t.Fatalf("read partitions of %s: %v", topic, err)
	}
	return len(parts)
}

func event(id, key string) cloudevents.Event {
	e := cloudevents.NewEvent()
	e.SetID(id)
	e.SetType("test.kafkaio")
	e.SetSource("/kafkaio-test")
	_ = e.SetData(cloudevents.ApplicationJSON, map[string]string{"id": id})
	if key != "" {
		e.SetExtension(cekafka.ExtPartitionKey, key)
	}
	return e
}

// readN reads n records of topic from every partition with a fresh consumer group.
func readN(t *testing.T, ctx context.Context, topic string, n int) []kafka.Message {
	t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: []string{brokerAddr}, Topic: topic, GroupID: "read-" + topic,
		MaxWait: 100 * time.Millisecond, StartOffset: kafka.FirstOffset,
	})
	defer r.Close()
	out := make([]kafka.Message, 0, n)
	for len(out) < n {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("read %s: got %d of %d records: %v", topic, len(out), n, err)
		}
		out = append(out, m)
	}
	return out
}

func TestNewWriterSettings(t *testing.T) {
	w := kafkaio.NewWriter(kafkaio.Config{Brokers: []string{"a:1", "b:2"}, BatchTimeout: 3 * time.Millisecond})
	defer w.Close()
	if w.RequiredAcks != kafka.RequireAll {
		t.Errorf("RequiredAcks = %v", w.RequiredAcks)
	}
	if _, ok := w.Balancer.(*kafka.Hash); !ok {
		t.Errorf("Balancer = %T, want *kafka.Hash", w.Balancer)
	}
	if w.Async || w.AllowAutoTopicCreation || w.Topic != "" {
		t.Errorf("Async=%v AllowAutoTopicCreation=%v Topic=%q", w.Async, w.AllowAutoTopicCreation, w.Topic)
	}
	if w.BatchTimeout != 3*time.Millisecond || w.MaxAttempts < 2 {
		t.Errorf("BatchTimeout=%v MaxAttempts=%d", w.BatchTimeout, w.MaxAttempts)
	}
	if got := w.Addr.String(); got != "a:1,b:2" {
		t.Errorf("Addr = %q", got)
	}
}

func TestEnsureTopics(t *testing.T) {
	tests := []struct {
		name       string
		topics     []string
		partitions int
	}{
		{"one partition", []string{name("kafkaio.ensure.p1")}, 1},
		{"several topics", []string{name("kafkaio.ensure.a"), name("kafkaio.ensure.b")}, 4},
		{"default partitions", []string{name("kafkaio.ensure.default")}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t, 20*time.Second)
			cfg := testConfig(tc.partitions)
			want := tc.partitions
			if want == 0 {
				want = 6
			}
			if err := kafkaio.EnsureTopics(ctx, cfg, tc.topics...); err != nil {
				t.Fatalf("EnsureTopics: %v", err)
			}
			// Idempotent: again, and with a different partition count, changes nothing.
			cfg.Partitions = want + 3
			if err := kafkaio.EnsureTopics(ctx, cfg, tc.topics...); err != nil {
				t.Fatalf("second EnsureTopics: %v", err)
			}
			for _, topic := range tc.topics {
				if got := partitionCount(t, topic); got != want {
					t.Errorf("%s has %d partitions, want %d", topic, got, want)
				}
			}
		})
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestEnsureTopicsWaitsForBroker(t *testing.T) {
	addr := freeAddr(t)
	ctx := testCtx(t, 30*time.Second)
	done := make(chan error, 1)
	go func() {
		done <- kafkaio.EnsureTopics(ctx, kafkaio.Config{Brokers: []string{addr}, Partitions: 2}, "kafkaio.late")
	}()
	b, err := localinfra.StartBroker(localinfra.BrokerConfig{Addr: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("EnsureTopics: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("EnsureTopics did not return after the broker came up")
	}
}

func TestEnsureTopicsGivesUpWithContext(t *testing.T) {
	ctx := testCtx(t, 500*time.Millisecond)
	err := kafkaio.EnsureTopics(ctx, kafkaio.Config{Brokers: []string{freeAddr(t)}}, "kafkaio.never")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
}

func TestPublishReadBack(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	topic := name("kafkaio.readback")
	cfg := testConfig(1)
	if err := kafkaio.EnsureTopics(ctx, cfg, topic); err != nil {
		t.Fatal(err)
	}
	p := kafkaio.NewPublisher(cfg)
	defer p.Close()
	before := counterValue(t, "provision_kafka_published_total", map[string]string{"topic": topic, "outcome": "ok"})

	events := []cloudevents.Event{event("rb-1", "sub-a"), event("rb-2", "sub-b"), event("rb-3", "")}
	if err := p.Publish(ctx, topic, events...); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	raw := kafka.Message{Topic: topic, Key: []byte("raw-key"), Value: []byte("raw"), Headers: []kafka.Header{{Key: "x", Value: []byte("y")}}}
	if err := p.PublishMessages(ctx, raw); err != nil {
		t.Fatalf("PublishMessages: %v", err)
	}

	got := readN(t, ctx, topic, 4)
	for i, e := range events {
		m := got[i]
		if want := e.Extensions()[cekafka.ExtPartitionKey]; fmt.Sprint(want) != string(m.Key) && !(want == nil && len(m.Key) == 0) {
			t.Errorf("record %d key = %q, want %v", i, m.Key, want)
		}
		h := map[string]string{}
		for _, hd := range m.Headers {
			h[hd.Key] = string(hd.Value)
		}
		if h["ce_id"] != e.ID() || h["ce_type"] != "test.kafkaio" || h["ce_specversion"] != "1.0" || h["content-type"] != "application/json" {
			t.Errorf("record %d headers = %v", i, h)
		}
	}
	if string(got[3].Key) != "raw-key" || string(got[3].Value) != "raw" || len(got[3].Headers) != 1 {
		t.Errorf("raw record = %+v", got[3])
	}
	after := counterValue(t, "provision_kafka_published_total", map[string]string{"topic": topic, "outcome": "ok"})
	if after-before != 4 {
		t.Errorf("published_total{ok} grew by %v, want 4", after-before)
	}
}

func TestSameKeySamePartition(t *testing.T) {
	ctx := testCtx(t, 60*time.Second)
	topic := name("kafkaio.keys")
	cfg := testConfig(6)
	if err := kafkaio.EnsureTopics(ctx, cfg, topic); err != nil {
		t.Fatal(err)
	}
	p := kafkaio.NewPublisher(cfg)
	defer p.Close()
	keys := []string{"sub-1", "sub-2", "sub-3", "sub-4", "sub-5", "sub-6", "sub-7", "sub-8"}
	const perKey = 25
	for i := 0; i < perKey; i++ {
		batch := make([]cloudevents.Event, 0, len(keys))
		for _, k := range keys {
			batch = append(batch, event(fmt.Sprintf("%s-%03d", k, i), k))
		}
		if err := p.Publish(ctx, topic, batch...); err != nil {
			t.Fatalf("Publish: %v", err)
		}
	}
	got := readN(t, ctx, topic, perKey*len(keys))
	partOf := map[string]int{}
	next := map[string]int{}
	used := map[int]bool{}
	for _, m := range got {
		k := string(m.Key)
		if p, ok := partOf[k]; ok && p != m.Partition {
			t.Fatalf("key %s on partitions %d and %d", k, p, m.Partition)
		}
		partOf[k] = m.Partition
		used[m.Partition] = true
		e, err := cekafka.FromMessage(m)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%s-%03d", k, next[k]); e.ID() != want {
			t.Fatalf("key %s: got %s, want %s (order within a key lost)", k, e.ID(), want)
		}
		next[k]++
	}
	if len(used) < 2 {
		t.Errorf("all keys on one partition: the balancer ignores keys? %v", partOf)
	}
}

func TestPublishErrors(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	p := kafkaio.NewPublisher(testConfig(1))
	defer p.Close()
	missing := name("kafkaio.does-not-exist")
	bad := event("bad", "k")
	bad.SetSource("")
	tests := []struct {
		name string
		call func() error
	}{
		{"missing topic", func() error { return p.Publish(ctx, missing, event("m-1", "k")) }},
		{"empty topic", func() error { return p.Publish(ctx, "", event("m-2", "k")) }},
		{"invalid event", func() error { return p.Publish(ctx, missing, bad) }},
		{"raw record without topic", func() error { return p.PublishMessages(ctx, kafka.Message{Value: []byte("x")}) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			err := tc.call()
			if err == nil {
				t.Fatal("no error")
			}
			if time.Since(start) > 15*time.Second {
				t.Fatalf("took %s to fail", time.Since(start))
			}
		})
	}
	if got := counterValue(t, "provision_kafka_published_total", map[string]string{"topic": missing, "outcome": "error"}); got != 1 {
		t.Errorf("published_total{error} = %v, want 1", got)
	}
}

func TestPublishBrokerDown(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	cfg := testConfig(1)
	cfg.Brokers = []string{freeAddr(t)}
	cfg.WriteTimeout = time.Second
	p := kafkaio.NewPublisher(cfg)
	defer p.Close()
	start := time.Now()
	if err := p.Publish(ctx, "kafkaio.anything", event("down-1", "k")); err == nil {
		t.Fatal("publish to a dead broker succeeded")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("publish to a dead broker took %s; WriteTimeout is 1s", took)
	}
}

func TestPing(t *testing.T) {
	tests := []struct {
		name    string
		brokers []string
		ok      bool
	}{
		{"live", []string{brokerAddr}, true},
		{"dead then live", []string{freeAddr(t), brokerAddr}, true},
		{"dead", []string{freeAddr(t)}, false},
		{"none", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := kafkaio.Ping(testCtx(t, 5*time.Second), tc.brokers)
			if (err == nil) != tc.ok {
				t.Fatalf("Ping = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// TestSeveralPublishers checks the metrics are registered once without panicking.
func TestSeveralPublishers(t *testing.T) {
	for i := 0; i < 3; i++ {
		p := kafkaio.NewPublisher(testConfig(1))
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// counterValue reads one counter series from the default registry; 0 when it does not exist yet.
func counterValue(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			if len(m.GetLabel()) != len(labels) {
				continue
			}
			for _, lp := range m.GetLabel() {
				if labels[lp.GetName()] != lp.GetValue() {
					continue series
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// TestPublishToTopicCreatedLater: the writer has cached a cluster layout without the topic; the
// publish must still succeed once the topic exists.
func TestPublishToTopicCreatedLater(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	cfg := testConfig(2)
	first, later := name("kafkaio.later.first"), name("kafkaio.later.second")
	if err := kafkaio.EnsureTopics(ctx, cfg, first); err != nil {
		t.Fatal(err)
	}
	p := kafkaio.NewPublisher(cfg)
	defer p.Close()
	if err := p.Publish(ctx, first, event("l-1", "k")); err != nil {
		t.Fatal(err)
	}
	if err := kafkaio.EnsureTopics(ctx, cfg, later); err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(ctx, later, event("l-2", "k")); err != nil {
		t.Fatalf("publish to a topic created after the first write: %v", err)
	}
	if got := readN(t, ctx, later, 1); string(got[0].Key) != "k" {
		t.Fatalf("key = %q", got[0].Key)
	}
}
