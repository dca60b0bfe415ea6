package consumer

import (
	"context"
	"fmt"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/segmentio/kafka-go"
	"github.com/sirupsen/logrus"

	"provision.local/pkg/cekafka"
)

// process runs one record until it is done: handled, or dead-lettered, with its outputs
// published. It reports whether it got there (finished) and whether the record was
// dead-lettered. It gives up only when ctx is cancelled (the generation ended or the drain
// deadline passed); the record is then not committed and is read again.
func (r *Runner) process(ctx context.Context, rec kafka.Message) (deadLettered, finished bool) {
	start := time.Now()
	tr := &tracker{retry: r.metrics.retries.Inc}
	ctx = withTracker(ctx, tr)

	msg := Message{Record: rec}
	h := r.chain
	if ev, err := cekafka.FromMessage(rec); err != nil {
		// Not retryable: the same bytes will never decode.
		h = r.failWith(Permanent(err))
	} else {
		msg.Event = *ev
	}
	log := messageEntry(r.log, msg)

	outs, err := h(ctx, msg)
	if err == nil {
		if verr := validateOutputs(outs); verr != nil {
			// A handler bug; the outputs can never be published, so the input is dead-lettered
			// instead of blocking the partition forever.
			outs, err = r.failWith(Permanent(fmt.Errorf("output: %w", verr)))(ctx, msg)
		}
	}
	// The chain dead-letters every failure and retries the dead-letter write until it lands, so
	// it returns an error only once ctx is done. Past that point nothing more is started (a
	// write begun on a cancelled context may still land): the record stays uncommitted and its
	// redelivery republishes the same outputs.
	if err != nil || ctx.Err() != nil || !r.publishOutputs(ctx, log, tr, outs) {
		entry := log
		if err != nil {
			entry = log.WithField("reason", err.Error())
		}
		entry.Info("work cancelled: message not committed; it will be redelivered")
		return false, false
	}
	r.metrics.handle.Observe(time.Since(start).Seconds())
	return tr.deadLettered.Load(), true
}

// failWith returns the dead-letter path for a record the handler must not see.
func (r *Runner) failWith(err error) Handler {
	fail := func(context.Context, Message) ([]Output, error) { return nil, err }
	return Correlation(r.log)(DeadLetter(r.pub, r.cfg.DeadLetterTopic, r.cfg.RetryInitial, r.cfg.RetryMax)(fail))
}

// publishOutputs publishes outputs in order, consecutive outputs to one topic in one write. A
// failed write is retried with backoff from where it stopped until it succeeds or ctx ends: the
// input is never committed without its outputs, and outputs are never dropped.
func (r *Runner) publishOutputs(ctx context.Context, log *logrus.Entry, tr *tracker, outs []Output) bool {
	backoff := r.cfg.RetryInitial
	for i := 0; i < len(outs); {
		j := i + 1
		for j < len(outs) && outs[j].Topic == outs[i].Topic {
			j++
		}
		events := make([]cloudevents.Event, 0, j-i)
		for _, o := range outs[i:j] {
			events = append(events, o.Event)
		}
		if err := r.pub.Publish(ctx, outs[i].Topic, events...); err != nil {
			if ctx.Err() != nil {
				return false
			}
			log.WithError(err).WithField("output_topic", outs[i].Topic).Warn("publishing outputs failed; retrying")
			tr.retry()
			if !sleep(ctx, jitter(backoff)) {
				return false
			}
			backoff = min(2*backoff, r.cfg.RetryMax)
			continue
		}
		backoff = r.cfg.RetryInitial
		i = j
	}
	return true
}

func validateOutputs(outs []Output) error {
	for i, o := range outs {
		if o.Topic == "" {
			return fmt.Errorf("output %d (%s) has no topic", i, o.Event.ID())
		}
		if err := o.Event.Validate(); err != nil {
			return fmt.Errorf("output %d to %s: invalid event: %w", i, o.Topic, err)
		}
	}
	return nil
}
