package service_test

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"provision.local/events"
	"provision.local/pkg/kafkaio"
	"provision.local/services/disney/internal/service"
)

// While the dead-letter topic cannot be written, a create that exhausted its retries has only
// its dead-letter write retried: the partner is not called again (the handler does not run
// again with a fresh retry budget), and once the topic is back the record lands there and the
// operation stays dead-lettered.
func TestFailedDeadLetterWriteRetriesOnlyTheWrite(t *testing.T) {
	const partitions = 4
	s := startWith(t, func(c *service.Config) {
		c.Consumer.RetryInitial = 20 * time.Millisecond
		c.Consumer.RetryMax = 100 * time.Millisecond
		c.Consumer.RetryMaxElapsed = 500 * time.Millisecond
		// A write to a missing topic otherwise keeps waiting for the topic for seconds; a
		// short bound makes each failed dead-letter write quick.
		c.Kafka.WriteTimeout = 500 * time.Millisecond
	})
	const sub = "ENT-dlq-write"
	if code := s.partnerCall(http.MethodPut, "/admin/faults/disney", map[string]any{"status": 503, "rate": 1.0, "match": sub}, nil); code != http.StatusOK {
		t.Fatalf("inject scoped fault: %d", code)
	}
	s.deleteTopic(events.TopicDeadLetter)
	// The counter is process-wide; only what this test adds to it counts.
	failedWrites := func() int {
		return s.counter("provision_kafka_published_total", `topic="`+events.TopicDeadLetter+`"`, `outcome="error"`)
	}
	committed := func() int {
		return s.counter("provision_consumer_messages_total", `topic="`+events.TopicDisneyCommands+`"`, `outcome="deadlettered"`)
	}
	base, baseCommitted := failedWrites(), committed()

	c := create(t, "MOO1", sub)
	s.send(c)
	// The command is marked dead-lettered when its handler gives up, before the dead-letter
	// write: every partner call it will make is made by then.
	if op := s.waitOperation(c.ID()); op.Status != "FAILED" || op.Error == nil || op.Error.Code != "DEAD_LETTERED" {
		t.Fatalf("outcome %+v, want FAILED DEAD_LETTERED", op)
	}
	calls := partnerCalls(s.partnerRequests())
	if calls < 2 {
		t.Fatalf("the partner was called %d times, want the handler's retries against the fault", calls)
	}
	const wantFailed = 3
	s.eventually("the dead-letter write to fail several times", func() bool { return failedWrites()-base >= wantFailed })
	if got := partnerCalls(s.partnerRequests()); got != calls {
		t.Fatalf("while the dead-letter write failed the partner was called %d more times (%d before): the handler ran again", got-calls, calls)
	}

	s.createTopic(events.TopicDeadLetter, partitions)
	dead := s.topicRecords(events.TopicDeadLetter, 1)[0]
	if string(dead.Key) != sub || header(dead, "dlq_reason") == "" || header(dead, "dlq_original_topic") != events.TopicDisneyCommands {
		t.Fatalf("dead letter key %q, headers %v", dead.Key, dead.Headers)
	}
	s.eventually("the dead-lettered command to be committed", func() bool { return committed()-baseCommitted == 1 })
	if got := partnerCalls(s.partnerRequests()); got != calls {
		t.Fatalf("until the dead letter landed the partner was called %d more times (%d before): the handler ran again", got-calls, calls)
	}
	if op := s.operation(c.ID()); op.Status != "FAILED" || op.Error == nil || op.Error.Code != "DEAD_LETTERED" {
		t.Fatalf("after the dead-letter write: %+v, want FAILED DEAD_LETTERED", op)
	}
	t.Logf("%d partner calls, then %d failed dead-letter writes before it landed", calls, failedWrites()-base)
}

// partnerCalls is every request the partner received.
func partnerCalls(r partnerRequests) int {
	n := 0
	for _, c := range r.Counts {
		n += c
	}
	return n
}

func (s *stack) operation(id string) operation {
	s.t.Helper()
	var op operation
	if code := s.get("/internal/v1/orgs/masmovil/operations/"+id, &op); code != http.StatusOK {
		s.t.Fatalf("GET operation %s: %d", id, code)
	}
	return op
}

// counter reads the value of the series of a counter on /metrics whose labels include every
// one of labels (written name="value"), or 0 if there is none.
func (s *stack) counter(name string, labels ...string) int {
	s.t.Helper()
	resp, err := http.Get(s.http + "/metrics")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") || !containsAll(line, labels) {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			s.t.Fatalf("metrics line %q: %v", line, err)
		}
		return int(v)
	}
	if err := sc.Err(); err != nil {
		s.t.Fatal(err)
	}
	return 0
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func (s *stack) deleteTopic(topic string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(s.broker)}
	resp, err := client.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: []string{topic}})
	if err != nil {
		s.t.Fatal(err)
	}
	if err := resp.Errors[topic]; err != nil {
		s.t.Fatalf("delete %s: %v", topic, err)
	}
}

func (s *stack) createTopic(topic string, partitions int) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := kafkaio.EnsureTopics(ctx, kafkaio.Config{Brokers: []string{s.broker}, Partitions: partitions}, topic); err != nil {
		s.t.Fatal(err)
	}
}

func header(m kafka.Message, key string) string {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}
