package consumer_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"

	"provision.local/pkg/cekafka"
	"provision.local/pkg/consumer"
	"provision.local/pkg/kafkaio"
	"provision.local/pkg/localinfra/infratest"
	"provision.local/pkg/logging"
)

var brokerAddr string

func TestMain(m *testing.M) { infratest.MainWithBroker(m, &brokerAddr) }

// env is one test's topics, group and publisher.
type env struct {
	t                testing.TB
	ctx              context.Context
	in, out, dlq     string
	group            string
	partitions       int
	pub              *kafkaio.Publisher
	log              *logrus.Logger
	logs             *test.Hook
	readers          atomic.Int32
	defaultRunConfig consumer.Config
}

var (
	unsafeTopicChars = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)
	// envSeq keeps names unique when tests repeat in one process (-count=N) on one broker.
	envSeq atomic.Int32
)

func newEnv(t testing.TB, partitions int) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	name := fmt.Sprintf("consumer.%s.%d", unsafeTopicChars.ReplaceAllString(t.Name(), "_"), envSeq.Add(1))
	e := &env{t: t, ctx: ctx, in: name + ".in", out: name + ".out", dlq: name + ".dlq", group: name + ".group", partitions: partitions}
	kcfg := kafkaio.Config{Brokers: []string{brokerAddr}, Partitions: partitions, BatchTimeout: time.Millisecond, WriteTimeout: 5 * time.Second}
	if err := kafkaio.EnsureTopics(ctx, kcfg, e.in, e.out); err != nil {
		t.Fatal(err)
	}
	kcfg.Partitions = 1
	if err := kafkaio.EnsureTopics(ctx, kcfg, e.dlq); err != nil {
		t.Fatal(err)
	}
	e.pub = kafkaio.NewPublisher(kcfg)
	t.Cleanup(func() { e.pub.Close() })
	e.log, e.logs = test.NewNullLogger()
	e.log.SetLevel(logrus.DebugLevel)
	e.defaultRunConfig = consumer.Config{
		Brokers: []string{brokerAddr}, Topic: e.in, GroupID: e.group, DeadLetterTopic: e.dlq,
		HandlerTimeout: 5 * time.Second, RetryInitial: 5 * time.Millisecond, RetryMax: 20 * time.Millisecond,
		RetryMaxElapsed: 200 * time.Millisecond, DrainTimeout: 5 * time.Second, MaxWait: 50 * time.Millisecond,
	}
	return e
}

func ev(id, key string) cloudevents.Event {
	e := cloudevents.NewEvent()
	e.SetID(id)
	e.SetType("test.consumer.command")
	e.SetSource("/consumer-test")
	_ = e.SetData(cloudevents.ApplicationJSON, map[string]string{"id": id})
	if key != "" {
		e.SetExtension(cekafka.ExtPartitionKey, key)
	}
	e.SetExtension(cekafka.ExtCorrelationID, "corr-"+id)
	return e
}

func (e *env) produce(events ...cloudevents.Event) {
	e.t.Helper()
	if err := e.pub.Publish(e.ctx, e.in, events...); err != nil {
		e.t.Fatalf("produce: %v", err)
	}
}

// running is a Run in progress.
type running struct {
	cancel context.CancelFunc
	done   chan struct{} // closed when Run returned
	err    error
}

// stop cancels Run and returns its result and how long it took to return.
func (r *running) stop(t testing.TB) (time.Duration, error) {
	t.Helper()
	start := time.Now()
	r.cancel()
	if !r.wait(30 * time.Second) {
		t.Fatal("Run did not return after cancel")
	}
	return time.Since(start), r.err
}

func (r *running) wait(d time.Duration) bool {
	select {
	case <-r.done:
		return true
	case <-time.After(d):
		return false
	}
}

func (e *env) start(h consumer.Handler, pub consumer.Publisher, mutate ...func(*consumer.Config)) *running {
	e.t.Helper()
	cfg := e.defaultRunConfig
	for _, m := range mutate {
		m(&cfg)
	}
	if pub == nil {
		pub = e.pub
	}
	ctx, cancel := context.WithCancel(e.ctx)
	r := &running{cancel: cancel, done: make(chan struct{})}
	runner := consumer.New(cfg, h, pub, e.log)
	go func() {
		defer close(r.done)
		r.err = runner.Run(ctx)
	}()
	e.t.Cleanup(func() {
		cancel()
		r.wait(30 * time.Second)
	})
	return r
}

// read returns the first n records of topic, read with a fresh consumer group.
func (e *env) read(topic string, n int) []kafka.Message {
	e.t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: []string{brokerAddr}, Topic: topic, MaxWait: 50 * time.Millisecond,
		GroupID: fmt.Sprintf("%s.assert.%d", topic, e.readers.Add(1)), StartOffset: kafka.FirstOffset,
	})
	defer r.Close()
	var out []kafka.Message
	for len(out) < n {
		m, err := r.FetchMessage(e.ctx)
		if err != nil {
			e.t.Fatalf("read %s: %d of %d records: %v", topic, len(out), n, err)
		}
		out = append(out, m)
	}
	return out
}

// count is the number of records in topic (sum of end offsets; nothing is ever deleted here).
func (e *env) count(topic string) int64 {
	e.t.Helper()
	parts := make([]kafka.OffsetRequest, 0, e.partitions)
	n := e.partitions
	if topic == e.dlq {
		n = 1
	}
	for p := 0; p < n; p++ {
		parts = append(parts, kafka.LastOffsetOf(p))
	}
	c := &kafka.Client{Addr: kafka.TCP(brokerAddr)}
	res, err := c.ListOffsets(e.ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: parts}})
	if err != nil {
		e.t.Fatal(err)
	}
	var total int64
	for _, po := range res.Topics[topic] {
		if po.Error != nil {
			e.t.Fatalf("list offsets %s: %v", topic, po.Error)
		}
		total += po.LastOffset
	}
	return total
}

// committed returns the group's committed offset per partition of the input topic (-1: none).
func (e *env) committed() map[int]int64 {
	e.t.Helper()
	out, err := e.fetchCommitted()
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// fetchCommitted is committed for any goroutine: it returns the error instead of failing.
func (e *env) fetchCommitted() (map[int]int64, error) {
	ps := make([]int, e.partitions)
	for i := range ps {
		ps[i] = i
	}
	c := &kafka.Client{Addr: kafka.TCP(brokerAddr)}
	res, err := c.OffsetFetch(e.ctx, &kafka.OffsetFetchRequest{GroupID: e.group, Topics: map[string][]int{e.in: ps}})
	if err != nil {
		return nil, err
	}
	out := map[int]int64{}
	for _, p := range res.Topics[e.in] {
		if p.Error != nil {
			return nil, fmt.Errorf("offset fetch, partition %d: %w", p.Partition, p.Error)
		}
		out[p.Partition] = p.CommittedOffset
	}
	return out, nil
}

func (e *env) metric(name string, labels map[string]string) float64 {
	mfs, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		e.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
					continue series
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

func (e *env) outcome(outcome string) float64 {
	return e.metric("provision_consumer_messages_total", map[string]string{"topic": e.in, "group": e.group, "outcome": outcome})
}

func (e *env) retries() float64 {
	return e.metric("provision_consumer_retries_total", map[string]string{"topic": e.in, "group": e.group})
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func headerMap(m kafka.Message) map[string]string {
	out := map[string]string{}
	for _, h := range m.Headers {
		out[h.Key] = string(h.Value)
	}
	return out
}

func idOf(t *testing.T, m kafka.Message) string {
	t.Helper()
	e, err := cekafka.FromMessage(m)
	if err != nil {
		t.Fatalf("decode %s/%d@%d: %v", m.Topic, m.Partition, m.Offset, err)
	}
	return e.ID()
}

// calls counts handler invocations per event id.
type calls struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *calls) inc(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[id]++
	return c.n[id]
}

func (c *calls) get(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[id]
}

func TestOutputsPublishedAndCommitted(t *testing.T) {
	e := newEnv(t, 1)
	var seen calls
	h := func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		seen.inc(msg.Event.ID())
		a, b := ev(msg.Event.ID()+"-a", "k"), ev(msg.Event.ID()+"-b", "k")
		return []consumer.Output{{Topic: e.out, Event: a}, {Topic: e.out, Event: b}}, nil
	}
	for i := 0; i < 5; i++ {
		e.produce(ev(fmt.Sprintf("in-%d", i), "k"))
	}
	run := e.start(h, nil)
	waitFor(t, 30*time.Second, "5 processed", func() bool { return e.outcome("processed") == 5 })
	if _, err := run.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}

	outs := e.read(e.out, 10)
	for i := 0; i < 5; i++ {
		for j, suffix := range []string{"-a", "-b"} {
			if got, want := idOf(t, outs[2*i+j]), fmt.Sprintf("in-%d%s", i, suffix); got != want {
				t.Fatalf("output %d = %s, want %s", 2*i+j, got, want)
			}
		}
		if seen.get(fmt.Sprintf("in-%d", i)) != 1 {
			t.Fatalf("in-%d handled %d times", i, seen.get(fmt.Sprintf("in-%d", i)))
		}
	}
	if got := e.committed()[0]; got != 5 {
		t.Fatalf("committed offset = %d, want 5", got)
	}
	// A new member of the group starts after the committed records: the first thing it gets is
	// a record produced after the runner stopped.
	e.produce(ev("sentinel", "k"))
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{brokerAddr}, Topic: e.in, GroupID: e.group, MaxWait: 50 * time.Millisecond})
	defer r.Close()
	m, err := r.FetchMessage(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id := idOf(t, m); id != "sentinel" {
		t.Fatalf("new group member got %s first; offsets were not committed", id)
	}
}

func TestFailuresGoToDeadLetter(t *testing.T) {
	tests := []struct {
		name       string
		bad        func(e *env) // produces the failing record
		handler    func(id string, n int) ([]consumer.Output, error)
		wantReason *regexp.Regexp
		wantCalls  int // handler calls for the failing record; -1: more than one
	}{
		{
			name: "transient error outlasts the retries",
			bad:  func(e *env) { e.produce(ev("bad", "k")) },
			handler: func(id string, n int) ([]consumer.Output, error) {
				return nil, errors.New("partner unavailable")
			},
			wantReason: regexp.MustCompile(`^gave up after \d+ attempts in .*: partner unavailable$`),
			wantCalls:  -1,
		},
		{
			name: "permanent error",
			bad:  func(e *env) { e.produce(ev("bad", "k")) },
			handler: func(id string, n int) ([]consumer.Output, error) {
				return nil, consumer.Permanent(errors.New("invalid payload: subscriptionId missing"))
			},
			wantReason: regexp.MustCompile(`^invalid payload: subscriptionId missing$`),
			wantCalls:  1,
		},
		{
			name: "panic",
			bad:  func(e *env) { e.produce(ev("bad", "k")) },
			handler: func(id string, n int) ([]consumer.Output, error) {
				panic("kaboom")
			},
			wantReason: regexp.MustCompile(`^panic: kaboom$`),
			wantCalls:  1,
		},
		{
			name: "not a CloudEvent",
			bad: func(e *env) {
				raw := kafka.Message{Topic: e.in, Key: []byte("k"), Value: []byte(`{"hello":"world"}`),
					Headers: []kafka.Header{{Key: "content-type", Value: []byte("application/json")}, {Key: "trace", Value: []byte("t-1")}}}
				if err := e.pub.PublishMessages(e.ctx, raw); err != nil {
					e.t.Fatal(err)
				}
			},
			handler:    func(id string, n int) ([]consumer.Output, error) { return nil, nil },
			wantReason: regexp.MustCompile(`^decode: .*not a CloudEvent`),
			wantCalls:  0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 1)
			var seen calls
			var order []string
			var mu sync.Mutex
			h := func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
				id := msg.Event.ID()
				n := seen.inc(id)
				mu.Lock()
				order = append(order, id)
				mu.Unlock()
				if id == "bad" {
					return tc.handler(id, n)
				}
				return []consumer.Output{{Topic: e.out, Event: ev(id+"-done", "k")}}, nil
			}
			tc.bad(e)
			e.produce(ev("good", "k"))
			run := e.start(h, nil)
			waitFor(t, 30*time.Second, "1 dead-lettered and 1 processed", func() bool {
				return e.outcome("deadlettered") == 1 && e.outcome("processed") == 1
			})
			if _, err := run.stop(t); err != nil {
				t.Fatalf("Run: %v", err)
			}

			switch got := seen.get("bad"); {
			case tc.wantCalls >= 0 && got != tc.wantCalls:
				t.Fatalf("handler called %d times for the failing record, want %d", got, tc.wantCalls)
			case tc.wantCalls < 0 && got < 2:
				t.Fatalf("handler called %d times; transient errors must be retried", got)
			}
			if seen.get("good") != 1 || order[len(order)-1] != "good" {
				t.Fatalf("the consumer did not carry on with the next record: %v", order)
			}
			if n := e.count(e.dlq); n != 1 {
				t.Fatalf("dead-letter topic has %d records, want 1", n)
			}
			orig := e.read(e.in, 1)[0]
			dl := e.read(e.dlq, 1)[0]
			if string(dl.Key) != string(orig.Key) || string(dl.Value) != string(orig.Value) {
				t.Fatalf("dead letter key/value %q/%q, original %q/%q", dl.Key, dl.Value, orig.Key, orig.Value)
			}
			h2 := headerMap(dl)
			for k, v := range headerMap(orig) {
				if h2[k] != v {
					t.Errorf("original header %s = %q in the dead letter, want %q", k, h2[k], v)
				}
			}
			if !tc.wantReason.MatchString(h2["dlq_reason"]) {
				t.Errorf("dlq_reason = %q, want match %s", h2["dlq_reason"], tc.wantReason)
			}
			if h2["dlq_original_topic"] != e.in || h2["dlq_original_partition"] != "0" || h2["dlq_original_offset"] != "0" {
				t.Errorf("origin headers: %v", h2)
			}
			if _, err := time.Parse(time.RFC3339, h2["dlq_failed_at"]); err != nil {
				t.Errorf("dlq_failed_at = %q: %v", h2["dlq_failed_at"], err)
			}
			if got := e.committed()[0]; got != 2 {
				t.Fatalf("committed offset = %d, want 2 (both records)", got)
			}
			if n := e.count(e.out); n != 1 {
				t.Fatalf("output topic has %d records, want 1 (from the good record only)", n)
			}
		})
	}
}

func TestTransientErrorSucceedsOnThirdAttempt(t *testing.T) {
	e := newEnv(t, 1)
	var seen calls
	h := func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		id := msg.Event.ID()
		n := seen.inc(id)
		switch {
		case id == "flaky" && n < 3:
			return nil, fmt.Errorf("attempt %d: partner timeout", n)
		case id == "poison":
			return nil, consumer.Permanent(errors.New("poison"))
		}
		return []consumer.Output{{Topic: e.out, Event: ev(id+"-done", "k")}}, nil
	}
	// "poison" comes after "flaky": once it is dead-lettered, flaky is decided, and the
	// dead-letter topic shows whether flaky went there too.
	e.produce(ev("flaky", "k"), ev("poison", "k"))
	run := e.start(h, nil, func(c *consumer.Config) { c.RetryMaxElapsed = 10 * time.Second })
	waitFor(t, 30*time.Second, "flaky processed and poison dead-lettered", func() bool {
		return e.outcome("processed") == 1 && e.outcome("deadlettered") == 1
	})
	if _, err := run.stop(t); err != nil {
		t.Fatal(err)
	}
	if n := seen.get("flaky"); n != 3 {
		t.Fatalf("flaky handled %d times, want 3", n)
	}
	if n := e.count(e.dlq); n != 1 {
		t.Fatalf("dead-letter topic has %d records, want only poison", n)
	}
	if id := idOf(t, e.read(e.dlq, 1)[0]); id != "poison" {
		t.Fatalf("dead letter is %s", id)
	}
	if n := e.count(e.out); n != 1 {
		t.Fatalf("outputs = %d, want 1", n)
	}
	if got := e.retries(); got != 2 {
		t.Fatalf("retries_total = %v, want 2", got)
	}
	warns := 0
	for _, l := range e.logs.AllEntries() {
		if l.Level == logrus.WarnLevel && l.Data["event_id"] == "flaky" && l.Data["correlation_id"] == "corr-flaky" {
			warns++
		}
	}
	if warns != 2 {
		t.Fatalf("warn lines with correlation fields for flaky = %d, want 2", warns)
	}
}

// partitionOf is where the writer's hash balancer puts key among n partitions.
func partitionOf(key string, n int) int {
	ps := make([]int, n)
	for i := range ps {
		ps[i] = i
	}
	return (&kafka.Hash{}).Balance(kafka.Message{Key: []byte(key)}, ps...)
}

// keysOnPartitions returns n keys, the i-th of which the writer puts on partition i.
func keysOnPartitions(n int) []string {
	keys := make([]string, n)
	for found, i := 0, 0; found < n; i++ {
		k := fmt.Sprintf("sub-%d", i)
		if p := partitionOf(k, n); keys[p] == "" {
			keys[p] = k
			found++
		}
	}
	return keys
}

func TestPerPartitionOrdering(t *testing.T) {
	const partitions, total = 4, 200
	e := newEnv(t, partitions)
	// Four keys on four different partitions, so every partition has work.
	var keys []string
	used := map[int]bool{}
	for i := 0; len(keys) < partitions; i++ {
		k := fmt.Sprintf("sub-%d", i)
		if p := partitionOf(k, partitions); !used[p] {
			used[p] = true
			keys = append(keys, k)
		}
	}

	var (
		mu         sync.Mutex
		lastOffset = map[int]int64{}
		nextSeq    = map[string]int{}
		inFlight   = map[int]*atomic.Int32{}
		violations []string
		handled    atomic.Int32
	)
	for p := 0; p < partitions; p++ {
		inFlight[p] = &atomic.Int32{}
		lastOffset[p] = -1
	}
	h := func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		p := msg.Record.Partition
		if n := inFlight[p].Add(1); n != 1 {
			mu.Lock()
			violations = append(violations, fmt.Sprintf("partition %d had %d messages in flight", p, n))
			mu.Unlock()
		}
		defer inFlight[p].Add(-1)
		time.Sleep(time.Duration(msg.Record.Offset%3) * time.Millisecond) // uneven work per message
		key := string(msg.Record.Key)
		seq, _ := strconv.Atoi(strings.TrimPrefix(msg.Event.ID(), key+"-"))
		mu.Lock()
		if msg.Record.Offset <= lastOffset[p] {
			violations = append(violations, fmt.Sprintf("partition %d: offset %d after %d", p, msg.Record.Offset, lastOffset[p]))
		}
		lastOffset[p] = msg.Record.Offset
		if seq != nextSeq[key] {
			violations = append(violations, fmt.Sprintf("key %s: seq %d, want %d", key, seq, nextSeq[key]))
		}
		nextSeq[key] = seq + 1
		mu.Unlock()
		handled.Add(1)
		return nil, nil
	}
	batch := make([]cloudevents.Event, 0, total)
	for i := 0; i < total; i++ {
		k := keys[i%len(keys)]
		batch = append(batch, ev(fmt.Sprintf("%s-%d", k, i/len(keys)), k))
	}
	e.produce(batch...)
	run := e.start(h, nil)
	waitFor(t, 60*time.Second, "200 processed", func() bool { return e.outcome("processed") == total })
	if _, err := run.stop(t); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(violations) > 0 {
		t.Fatalf("%d ordering violations, first: %v", len(violations), violations[:min(5, len(violations))])
	}
	if handled.Load() != total {
		t.Fatalf("handled %d, want %d", handled.Load(), total)
	}
	for _, k := range keys {
		if nextSeq[k] != total/len(keys) {
			t.Fatalf("key %s reached seq %d", k, nextSeq[k])
		}
	}
	for p, off := range e.committed() {
		if off != lastOffset[p]+1 {
			t.Fatalf("partition %d committed %d, last handled %d", p, off, lastOffset[p])
		}
	}
}

// TestPartitionsRunInParallel: a handler on one partition waits for a handler on another to
// start. If partitions were handled one after the other this would never happen.
func TestPartitionsRunInParallel(t *testing.T) {
	e := newEnv(t, 4)
	a, b := "sub-a", ""
	for i := 0; b == ""; i++ {
		if k := fmt.Sprintf("sub-b%d", i); partitionOf(k, 4) != partitionOf(a, 4) {
			b = k
		}
	}
	bStarted := make(chan struct{})
	var once sync.Once
	h := func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		switch string(msg.Record.Key) {
		case b:
			once.Do(func() { close(bStarted) })
		case a:
			select {
			case <-bStarted:
			case <-time.After(15 * time.Second):
				return nil, consumer.Permanent(errors.New("the other partition never started"))
			}
		}
		return nil, nil
	}
	e.produce(ev("a-1", a))
	e.produce(ev("b-1", b))
	run := e.start(h, nil)
	waitFor(t, 30*time.Second, "both handled", func() bool {
		return e.outcome("processed")+e.outcome("deadlettered") == 2
	})
	run.stop(t)
	if e.outcome("deadlettered") != 0 {
		t.Fatal("partitions did not run in parallel")
	}
}

func TestShutdownDrainTimeoutLeavesMessageUncommitted(t *testing.T) {
	e := newEnv(t, 1)
	started := make(chan struct{})
	var once sync.Once
	var sawCancel atomic.Bool
	hang := func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		once.Do(func() { close(started) })
		<-ctx.Done()
		sawCancel.Store(true)
		return nil, ctx.Err()
	}
	const drain = 300 * time.Millisecond
	e.produce(ev("stuck", "k"))
	run := e.start(hang, nil, func(c *consumer.Config) { c.DrainTimeout = drain })
	select {
	case <-started:
	case <-e.ctx.Done():
		t.Fatal("handler never started")
	}
	took, err := run.stop(t)
	if err != nil {
		t.Fatalf("Run = %v, want nil after a drain", err)
	}
	if took < drain || took > drain+2*time.Second {
		t.Fatalf("Run returned %s after cancel; DrainTimeout is %s", took, drain)
	}
	if !sawCancel.Load() {
		t.Fatal("the handler's context was not cancelled at the drain deadline")
	}
	if n := e.count(e.dlq); n != 0 {
		t.Fatalf("a message cut off by shutdown was dead-lettered (%d)", n)
	}
	if got := e.committed()[0]; got >= 1 {
		t.Fatalf("committed offset = %d: the unfinished message was committed", got)
	}
	for _, l := range e.logs.AllEntries() {
		if l.Level <= logrus.ErrorLevel && !strings.Contains(l.Message, "drain") {
			t.Errorf("shutdown logged an error: %s %v", l.Message, l.Data)
		}
	}

	// A new runner in the same group gets the message again.
	var seen calls
	run2 := e.start(func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		seen.inc(msg.Event.ID())
		return nil, nil
	}, nil)
	waitFor(t, 30*time.Second, "redelivery", func() bool { return e.outcome("processed") == 1 })
	run2.stop(t)
	if seen.get("stuck") != 1 {
		t.Fatalf("redelivered %d times", seen.get("stuck"))
	}
}

func TestShutdownFinishesMessageInHand(t *testing.T) {
	e := newEnv(t, 1)
	started := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	var seen calls
	h := func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		seen.inc(msg.Event.ID())
		once.Do(func() { close(started) })
		<-release
		return []consumer.Output{{Topic: e.out, Event: ev(msg.Event.ID()+"-done", "k")}}, nil
	}
	e.produce(ev("first", "k"), ev("second", "k"), ev("third", "k"))
	run := e.start(h, nil)
	select {
	case <-started:
	case <-e.ctx.Done():
		t.Fatal("handler never started")
	}
	run.cancel()
	close(release) // the message in hand finishes after shutdown began
	if _, err := run.stop(t); err != nil {
		t.Fatal(err)
	}
	if seen.get("first") != 1 || seen.get("second") != 0 {
		t.Fatalf("handled first %d, second %d: shutdown must finish the message in hand and start no other",
			seen.get("first"), seen.get("second"))
	}
	if got := e.committed()[0]; got != 1 {
		t.Fatalf("committed offset = %d, want 1", got)
	}
	if id := idOf(t, e.read(e.out, 1)[0]); id != "first-done" {
		t.Fatalf("output %s", id)
	}
}

// TestRedeliveryAfterStopBeforeCommit: the handler stored its effect, then the process stops
// before the commit. The message must come back (at least once).
func TestRedeliveryAfterStopBeforeCommit(t *testing.T) {
	tests := []struct {
		name    string
		outputs bool
	}{
		{"with outputs", true},
		{"without outputs", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 1)
			var effects calls
			result := func(msg consumer.Message) []consumer.Output {
				if !tc.outputs {
					return nil
				}
				return []consumer.Output{{Topic: e.out, Event: ev(msg.Event.ID()+"-done", "k")}}
			}
			var run *running
			var runMu sync.Mutex
			crashy := func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
				effects.inc(msg.Event.ID())
				runMu.Lock()
				run.cancel()
				runMu.Unlock()
				<-ctx.Done() // the drain deadline passes before the runner gets to commit
				return result(msg), nil
			}
			e.produce(ev("once", "k"))
			runMu.Lock()
			run = e.start(crashy, nil, func(c *consumer.Config) { c.DrainTimeout = 100 * time.Millisecond })
			runMu.Unlock()
			if !run.wait(30 * time.Second) {
				t.Fatal("Run did not stop")
			}
			if run.err != nil {
				t.Fatal(run.err)
			}
			if effects.get("once") != 1 {
				t.Fatalf("effects = %d", effects.get("once"))
			}
			if got := e.committed()[0]; got >= 1 {
				t.Fatalf("committed %d after the stop", got)
			}
			if n := e.count(e.out); n != 0 {
				t.Fatalf("%d outputs published after the deadline", n)
			}

			run2 := e.start(func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
				effects.inc(msg.Event.ID())
				return result(msg), nil
			}, nil)
			waitFor(t, 30*time.Second, "redelivered and processed", func() bool { return e.outcome("processed") == 1 })
			run2.stop(t)
			if effects.get("once") != 2 {
				t.Fatalf("handled %d times, want 2 (at least once)", effects.get("once"))
			}
			if got := e.committed()[0]; got != 1 {
				t.Fatalf("committed %d", got)
			}
		})
	}
}

// flakyPublisher fails the first n calls of one kind, and checks nothing was committed while
// it failed.
type flakyPublisher struct {
	consumer.Publisher
	failPublish, failMessages atomic.Int32
	onFail                    func()
}

func (p *flakyPublisher) Publish(ctx context.Context, topic string, events ...cloudevents.Event) error {
	if p.failPublish.Add(-1) >= 0 {
		p.onFail()
		return errors.New("broker unavailable")
	}
	return p.Publisher.Publish(ctx, topic, events...)
}

func (p *flakyPublisher) PublishMessages(ctx context.Context, msgs ...kafka.Message) error {
	if p.failMessages.Add(-1) >= 0 {
		p.onFail()
		return errors.New("broker unavailable")
	}
	return p.Publisher.PublishMessages(ctx, msgs...)
}

func TestOutputPublishFailureIsRetriedBeforeCommit(t *testing.T) {
	e := newEnv(t, 1)
	pub := &flakyPublisher{Publisher: e.pub}
	pub.failPublish.Store(2)
	pub.onFail = func() {
		if got := e.committed()[0]; got >= 0 {
			t.Errorf("offset %d committed while the outputs were not published", got)
		}
	}
	var seen calls
	h := func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		seen.inc(msg.Event.ID())
		return []consumer.Output{{Topic: e.out, Event: ev("out-1", "k")}}, nil
	}
	e.produce(ev("in-1", "k"))
	run := e.start(h, pub)
	waitFor(t, 30*time.Second, "processed", func() bool { return e.outcome("processed") == 1 })
	run.stop(t)
	if seen.get("in-1") != 1 {
		t.Fatalf("handler ran %d times; only the publish should be retried", seen.get("in-1"))
	}
	if n := e.count(e.out); n != 1 {
		t.Fatalf("outputs = %d", n)
	}
	if got := e.retries(); got != 2 {
		t.Fatalf("retries_total = %v, want 2", got)
	}
	if got := e.committed()[0]; got != 1 {
		t.Fatalf("committed = %d", got)
	}
}

// TestDeadLetterWriteFailureIsRetried: the dead-letter write fails three times, then lands. Only
// the write is retried: the handler (the partner call, in a service) ran once.
func TestDeadLetterWriteFailureIsRetried(t *testing.T) {
	const failures = 3
	e := newEnv(t, 1)
	pub := &flakyPublisher{Publisher: e.pub}
	pub.failMessages.Store(failures)
	pub.onFail = func() {
		if got := e.committed()[0]; got >= 0 {
			t.Errorf("offset %d committed while the dead letter was not written", got)
		}
	}
	var seen calls
	h := func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		seen.inc(msg.Event.ID())
		return nil, consumer.Permanent(errors.New("unknown type"))
	}
	e.produce(ev("bad", "k"))
	run := e.start(h, pub)
	waitFor(t, 30*time.Second, "dead-lettered", func() bool { return e.outcome("deadlettered") == 1 })
	run.stop(t)
	if n := e.count(e.dlq); n != 1 {
		t.Fatalf("dead letters = %d, want exactly 1", n)
	}
	if seen.get("bad") != 1 {
		t.Fatalf("handler ran %d times, want 1: only the dead-letter write is retried", seen.get("bad"))
	}
	if got := e.retries(); got != failures {
		t.Fatalf("retries_total = %v, want %d (the dead-letter writes)", got, failures)
	}
	if got := e.committed()[0]; got != 1 {
		t.Fatalf("committed = %d", got)
	}
}

func TestInvalidOutputIsDeadLettered(t *testing.T) {
	e := newEnv(t, 1)
	h := func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		return []consumer.Output{{Topic: "", Event: ev("x", "k")}}, nil
	}
	e.produce(ev("in-1", "k"))
	run := e.start(h, nil)
	waitFor(t, 30*time.Second, "dead-lettered", func() bool { return e.outcome("deadlettered") == 1 })
	run.stop(t)
	if r := headerMap(e.read(e.dlq, 1)[0])["dlq_reason"]; !strings.HasPrefix(r, "output: ") {
		t.Fatalf("reason = %q", r)
	}
}

func TestRunRejectsIncompleteConfig(t *testing.T) {
	full := consumer.Config{Brokers: []string{brokerAddr}, Topic: "t", GroupID: "g", DeadLetterTopic: "d"}
	tests := []struct {
		name   string
		mutate func(*consumer.Config)
		want   string
	}{
		{"no brokers", func(c *consumer.Config) { c.Brokers = nil }, "no brokers"},
		{"no topic", func(c *consumer.Config) { c.Topic = "" }, "no topic"},
		{"no group", func(c *consumer.Config) { c.GroupID = "" }, "no group id"},
		{"no dead-letter topic", func(c *consumer.Config) { c.DeadLetterTopic = "" }, "no dead-letter topic"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := full
			tc.mutate(&cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := consumer.New(cfg, func(context.Context, consumer.Message) ([]consumer.Output, error) { return nil, nil }, nil, nil).Run(ctx)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestHandlerTimeoutIsPerAttempt: a hung attempt is cut off by HandlerTimeout and retried.
func TestHandlerTimeoutIsPerAttempt(t *testing.T) {
	e := newEnv(t, 1)
	var seen calls
	h := func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		if seen.inc(msg.Event.ID()) == 1 {
			<-ctx.Done() // a partner call that never answers
			return nil, ctx.Err()
		}
		return nil, nil
	}
	e.produce(ev("slow", "k"))
	run := e.start(h, nil, func(c *consumer.Config) {
		c.HandlerTimeout = 100 * time.Millisecond
		c.RetryMaxElapsed = 10 * time.Second
	})
	waitFor(t, 30*time.Second, "processed", func() bool { return e.outcome("processed") == 1 })
	run.stop(t)
	if seen.get("slow") != 2 {
		t.Fatalf("attempts = %d, want 2", seen.get("slow"))
	}
}

// TestChainOrder: extra middleware run in the order given, inside Correlation (they see its
// logger) and outside the retries: they see each message once, without the per-attempt deadline.
func TestChainOrder(t *testing.T) {
	e := newEnv(t, 1)
	var mu sync.Mutex
	var trace []string
	mark := func(name string) consumer.Middleware {
		return func(next consumer.Handler) consumer.Handler {
			return func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
				_, hasDeadline := ctx.Deadline()
				fields := logging.FromContext(ctx).Data
				mu.Lock()
				trace = append(trace, fmt.Sprintf("%s deadline=%v event=%v", name, hasDeadline, fields[logging.FieldEventID]))
				mu.Unlock()
				return next(ctx, msg)
			}
		}
	}
	var seen calls
	h := func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		if seen.inc(msg.Event.ID()) == 1 {
			return nil, errors.New("once")
		}
		return nil, nil
	}
	e.produce(ev("m-1", "k"))
	runner := consumer.New(e.defaultRunConfig, h, e.pub, e.log, mark("first"), mark("second"))
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- runner.Run(ctx) }()
	waitFor(t, 30*time.Second, "processed", func() bool { return e.outcome("processed") == 1 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []string{"first deadline=false event=m-1", "second deadline=false event=m-1"}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(trace, "\n") != strings.Join(want, "\n") {
		t.Fatalf("trace:\n%s\nwant:\n%s", strings.Join(trace, "\n"), strings.Join(want, "\n"))
	}
}
