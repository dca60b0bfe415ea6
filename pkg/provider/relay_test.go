package provider

// Unit tests of the relay loop, with an outbox that counts its passes.

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/segmentio/kafka-go"

	"provision.local/pkg/consumer"
	"provision.local/pkg/localinfra/infratest"
	"provision.local/pkg/logging"
)

// countingOutbox has pending entries to settle, one per pass, and fails the passes told to.
type countingOutbox struct {
	mu      sync.Mutex
	pending int
	failing int // how many passes fail before one succeeds
	passes  int
	live    []bool // whether each pass's context was live
	signal  chan struct{}
}

func (o *countingOutbox) RelayPending(ctx context.Context, publish func(context.Context, []consumer.Output) error) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.passes++
	o.live = append(o.live, ctx.Err() == nil)
	if o.failing > 0 {
		o.failing--
		return 0, errors.New("broker down")
	}
	if o.pending == 0 {
		return 0, nil
	}
	e := cloudevents.NewEvent()
	e.SetID("e")
	if err := publish(ctx, []consumer.Output{{Topic: "t", Event: e}}); err != nil {
		return 0, err
	}
	o.pending--
	return 1, nil
}

func (o *countingOutbox) Relayed() <-chan struct{} { return o.signal }

func (o *countingOutbox) state() (pending, passes int, live []bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.pending, o.passes, append([]bool(nil), o.live...)
}

func (o *countingOutbox) add(n int) {
	o.mu.Lock()
	o.pending += n
	o.mu.Unlock()
	o.signal <- struct{}{}
}

// nopPublisher accepts everything.
type nopPublisher struct{}

func (nopPublisher) Publish(context.Context, string, ...cloudevents.Event) error { return nil }
func (nopPublisher) PublishMessages(context.Context, ...kafka.Message) error     { return nil }

func startRelay(t *testing.T, o *countingOutbox, interval time.Duration) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		runRelay(ctx, o, nopPublisher{}, interval, logging.NewWithOutput("test", "panic", io.Discard))
	}()
	stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the relay did not stop")
		}
	}
	t.Cleanup(func() { cancel(); <-done })
	return stop
}

func TestTheRelaySettlesOnASignalAndRetriesOnATick(t *testing.T) {
	o := &countingOutbox{signal: make(chan struct{}, 1), failing: 2}
	startRelay(t, o, 20*time.Millisecond)
	o.add(3)
	infratest.Eventually(t, 10*time.Second, "three entries settled", func() bool { p, _, _ := o.state(); return p == 0 })
}

// Entries written as the service stops, without a signal and long before the next tick, are
// settled by the last pass, on a live context.
func TestTheRelayPassesOnceMoreAtShutdown(t *testing.T) {
	o := &countingOutbox{signal: make(chan struct{}, 1)}
	stop := startRelay(t, o, time.Hour)
	infratest.Eventually(t, 10*time.Second, "the first pass", func() bool { _, n, _ := o.state(); return n >= 1 })
	o.mu.Lock()
	o.pending = 2
	o.mu.Unlock()
	stop()
	pending, _, live := o.state()
	if pending != 0 || !live[len(live)-1] {
		t.Fatalf("%d entries left, contexts live %v: want them settled by a last pass on a live context", pending, live)
	}
}
