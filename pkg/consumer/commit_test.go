package consumer_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"provision.local/pkg/consumer"
	"provision.local/pkg/localinfra/infratest"
)

func (e *env) commits() float64 {
	return e.metric("provision_consumer_commits_total", map[string]string{"topic": e.in, "group": e.group, "outcome": "ok"})
}

func (e *env) produceN(prefix string, n int) {
	e.t.Helper()
	batch := make([]cloudevents.Event, n)
	for i := range batch {
		batch[i] = ev(fmt.Sprintf("%s-%d", prefix, i), "k")
	}
	e.produce(batch...)
}

// TestCommitsEveryBatch: with an interval that never passes, a partition's offsets are
// committed each time CommitBatch records finished, so far fewer commits than records; the
// remainder is committed when the runner stops.
func TestCommitsEveryBatch(t *testing.T) {
	const records, batch = 200, 50
	e := newEnv(t, 1)
	e.produceN("r", records)
	run := e.start(func(context.Context, consumer.Message) ([]consumer.Output, error) { return nil, nil }, nil,
		func(c *consumer.Config) {
			c.CommitInterval = time.Hour
			c.CommitBatch = batch
		})
	// Each commit covers at least batch records, so the last one leaves fewer than batch behind.
	infratest.Eventually(t, 30*time.Second, "commits while running", func() bool {
		return e.committed()[0] > records-batch
	})
	if _, err := run.stop(t); err != nil {
		t.Fatal(err)
	}
	if got := e.committed()[0]; got != records {
		t.Fatalf("committed offset after stop = %d, want %d (the end of the partition)", got, records)
	}
	if got := e.commits(); got < 1 || got > records/batch+1 {
		t.Fatalf("%v commits for %d records, want at most %d", got, records, records/batch+1)
	}
	if got := e.outcome("processed"); got != records {
		t.Fatalf("processed = %v, want %d", got, records)
	}
}

// TestCommitsEveryInterval: with a batch never reached, finished records are committed after
// CommitInterval while the runner keeps running.
func TestCommitsEveryInterval(t *testing.T) {
	const records = 200
	e := newEnv(t, 1)
	e.produceN("r", records)
	run := e.start(func(context.Context, consumer.Message) ([]consumer.Output, error) { return nil, nil }, nil,
		func(c *consumer.Config) {
			c.CommitInterval = 20 * time.Millisecond
			c.CommitBatch = 10 * records
		})
	infratest.Eventually(t, 30*time.Second, "every record committed while running", func() bool {
		return e.committed()[0] == records && e.outcome("processed") == records
	})
	if _, err := run.stop(t); err != nil {
		t.Fatal(err)
	}
}
