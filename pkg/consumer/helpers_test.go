package consumer

import (
	"context"
	"sync"
	"testing"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/segmentio/kafka-go"
	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"

	"provision.local/pkg/cekafka"
	"provision.local/pkg/logging"
)

// fakePublisher records what it is asked to publish and fails the first failN calls.
type fakePublisher struct {
	mu       sync.Mutex
	failN    int
	err      error
	calls    int
	events   map[string][]cloudevents.Event
	messages []kafka.Message
}

func (p *fakePublisher) fail() error {
	p.calls++
	if p.calls <= p.failN {
		return p.err
	}
	return nil
}

func (p *fakePublisher) Publish(_ context.Context, topic string, events ...cloudevents.Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.fail(); err != nil {
		return err
	}
	if p.events == nil {
		p.events = map[string][]cloudevents.Event{}
	}
	p.events[topic] = append(p.events[topic], events...)
	return nil
}

func (p *fakePublisher) PublishMessages(_ context.Context, msgs ...kafka.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.fail(); err != nil {
		return err
	}
	p.messages = append(p.messages, msgs...)
	return nil
}

func (p *fakePublisher) published() []kafka.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]kafka.Message(nil), p.messages...)
}

func testEvent(id string, exts map[string]string) cloudevents.Event {
	e := cloudevents.NewEvent()
	e.SetID(id)
	e.SetType("test.consumer")
	e.SetSource("/consumer-test")
	_ = e.SetData(cloudevents.ApplicationJSON, map[string]string{"id": id})
	for k, v := range exts {
		e.SetExtension(k, v)
	}
	return e
}

func testMessage(t *testing.T, id string, exts map[string]string) Message {
	t.Helper()
	e := testEvent(id, exts)
	rec, err := cekafka.ToMessage(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	rec.Topic, rec.Partition, rec.Offset = "in", 2, 41
	return Message{Event: e, Record: rec}
}

// loggedCtx returns a context whose logger records entries, as Correlation would provide.
func loggedCtx() (context.Context, *logrus.Logger, *test.Hook) {
	log, hook := test.NewNullLogger()
	log.SetLevel(logrus.DebugLevel)
	return logging.WithLogger(context.Background(), logrus.NewEntry(log)), log, hook
}

func entriesAt(hook *test.Hook, level logrus.Level) []logrus.Entry {
	var out []logrus.Entry
	for _, e := range hook.AllEntries() {
		if e.Level == level {
			out = append(out, *e)
		}
	}
	return out
}
