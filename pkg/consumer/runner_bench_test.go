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

// BenchmarkRunnerThroughput is the runner's own cost per record, on the embedded broker: b.N
// records over four partitions, produced in one batch, each handled by a handler that does
// nothing but return one output (as a provider returns its status event); the clock stops when
// every record is committed. The Disney pipeline's figure adds the store and the partner to
// this.
func BenchmarkRunnerThroughput(b *testing.B) {
	const partitions = 4
	e := newEnv(b, partitions)
	keys := keysOnPartitions(partitions)
	records := func(prefix string, n int) []cloudevents.Event {
		es := make([]cloudevents.Event, n)
		for i := range es {
			es[i] = ev(fmt.Sprintf("%s-%d", prefix, i), keys[i%partitions])
		}
		return es
	}
	h := func(_ context.Context, msg consumer.Message) ([]consumer.Output, error) {
		return []consumer.Output{{Topic: e.out, Event: ev(msg.Event.ID()+"-done", string(msg.Record.Key))}}, nil
	}
	run := e.start(h, nil)
	// Warm up: the runner owns every partition and the writers know the topics.
	e.produce(records("warm", partitions)...)
	infratest.Eventually(b, time.Minute, "warm-up committed", func() bool {
		return e.outcome("processed") == partitions
	})

	batch := records("r", b.N)
	b.ResetTimer()
	e.produce(batch...)
	infratest.Eventually(b, 10*time.Minute, "every record committed", func() bool {
		return e.outcome("processed") == float64(partitions+b.N)
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	if _, err := run.stop(b); err != nil {
		b.Fatal(err)
	}
}
