// Package providertest holds what the component tests of every provider service share: a reader
// of the provider's status topic that checks each record as a consumer of it would.
package providertest

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"provision.local/events"
	"provision.local/pkg/cekafka"
	"provision.local/pkg/localinfra/infratest"
)

// Status is one status event read from the topic, with its CloudEvent type.
type Status[D any] struct {
	Type  string
	Event events.StatusEvent[D]
}

// StatusTopic collects a provider's status events while its test runs.
type StatusTopic[D any] struct {
	t       testing.TB
	mu      sync.Mutex
	read    []Status[D]
	records []kafka.Message
}

// ReadStatus reads topic from its start until ctx is done. Each record must be a CloudEvent of a
// catalogued type whose data validates against its schema, keyed by the subscription it names;
// anything else fails the test.
func ReadStatus[D any](ctx context.Context, t testing.TB, broker, topic string) *StatusTopic[D] {
	s := &StatusTopic[D]{t: t}
	ReadTopic(ctx, t, broker, topic, func(m kafka.Message) {
		s.mu.Lock()
		s.records = append(s.records, m)
		s.mu.Unlock()
		e, err := cekafka.FromMessage(m)
		if err != nil {
			t.Errorf("a status record is no CloudEvent: %v", err)
			return
		}
		var p events.StatusEvent[D]
		if err := events.Decode(*e, &p); err != nil {
			t.Errorf("status event %s: %v", e.ID(), err)
			return
		}
		if string(m.Key) != p.SubscriptionID {
			t.Errorf("status event %s keyed %q, want its subscription %q", e.ID(), m.Key, p.SubscriptionID)
		}
		s.mu.Lock()
		s.read = append(s.read, Status[D]{Type: e.Type(), Event: p})
		s.mu.Unlock()
	})
	return s
}

// ReadTopic hands every record of topic, from its start, to fn until ctx is done.
func ReadTopic(ctx context.Context, t testing.TB, broker, topic string, fn func(kafka.Message)) {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{broker}, Topic: topic,
		GroupID: "test-" + uuid.NewString(), StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
	go func() {
		defer r.Close()
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				return
			}
			fn(m)
		}
	}()
}

// Wait waits for the first status event that match accepts and returns it.
func (s *StatusTopic[D]) Wait(what string, match func(Status[D]) bool) Status[D] {
	s.t.Helper()
	var found Status[D]
	infratest.Eventually(s.t, 45*time.Second, what, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, st := range s.read {
			if match(st) {
				found = st
				return true
			}
		}
		return false
	})
	return found
}

// Of waits for the status event of a command.
func (s *StatusTopic[D]) Of(commandID string) Status[D] {
	s.t.Helper()
	return s.Wait("the status event of "+commandID, func(st Status[D]) bool { return st.Event.CommandID == commandID })
}

// Records are the raw records read so far.
func (s *StatusTopic[D]) Records() []kafka.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]kafka.Message(nil), s.records...)
}

// Serve runs a service (its Run) until the test ends and waits until it answers ready at
// base+"/readyz". The test fails if the service stops with an error, or does not stop within 30 s
// of the test's end. Cleanups registered before Serve run after the service stopped.
func Serve(t testing.TB, base string, run func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-stopped:
			if err != nil {
				t.Errorf("the service stopped with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("the service did not stop within 30s")
		}
	})
	infratest.Eventually(t, 45*time.Second, "the service is ready", func() bool {
		res, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
}
