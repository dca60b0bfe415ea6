package provider

import (
	"context"
	"fmt"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/sirupsen/logrus"

	"provision.local/pkg/consumer"
)

// Outbox is a ledger store whose relayed commands (ExecuteRelayed: state changes made by a
// synchronous internal call) have their events published by the runtime; *ledger.Store
// implements it.
type Outbox interface {
	// RelayPending publishes pending events with publish, then marks them published.
	RelayPending(ctx context.Context, publish func(context.Context, []consumer.Output) error) (int, error)
	// Relayed signals that this process wrote a relayed command.
	Relayed() <-chan struct{}
}

// finalRelayTimeout bounds the last relay pass of a shutdown.
const finalRelayTimeout = 5 * time.Second

// runRelay relays o's pending events when o signals a write, and every interval for what other
// processes left (a crash between their write and their relay), until ctx is done; then it
// makes one last pass, so a state change answered just before shutdown is published now.
func runRelay(ctx context.Context, o Outbox, pub consumer.Publisher, interval time.Duration, log *logrus.Logger) {
	if interval <= 0 {
		interval = time.Second
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	publish := func(ctx context.Context, outs []consumer.Output) error { return publishInOrder(ctx, pub, outs) }
	for {
		relayPass(ctx, o, publish, log)
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalRelayTimeout)
			defer cancel()
			relayPass(fctx, o, publish, log)
			return
		case <-o.Relayed():
		case <-tick.C:
		}
	}
}

// relayPass relays until the outbox has nothing more to settle or a pass fails; a failure waits
// for the next signal or tick.
func relayPass(ctx context.Context, o Outbox, publish func(context.Context, []consumer.Output) error, log *logrus.Logger) {
	for {
		n, err := o.RelayPending(ctx, publish)
		if err != nil {
			if ctx.Err() == nil {
				log.WithError(err).Warn("outbox relay: the pass stopped; the next one retries")
			}
			return
		}
		if n == 0 {
			return
		}
	}
}

// publishInOrder publishes outputs in order, consecutive outputs to one topic in one write.
func publishInOrder(ctx context.Context, pub consumer.Publisher, outs []consumer.Output) error {
	for i := 0; i < len(outs); {
		j := i + 1
		for j < len(outs) && outs[j].Topic == outs[i].Topic {
			j++
		}
		batch := make([]cloudevents.Event, 0, j-i)
		for _, o := range outs[i:j] {
			batch = append(batch, o.Event)
		}
		if err := pub.Publish(ctx, outs[i].Topic, batch...); err != nil {
			return fmt.Errorf("publish to %s: %w", outs[i].Topic, err)
		}
		i = j
	}
	return nil
}
