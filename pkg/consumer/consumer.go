// Package consumer runs a Kafka consumer group with the platform's delivery guarantees.
//
// A handler receives one decoded CloudEvent and returns the events it wants published; the runner
// owns acknowledgement. For every record the runner does, in order:
//
//	FetchMessage → decode → middleware chain + handler → publish outputs → CommitMessages
//
// An offset is committed only after the handler succeeded (it stores its own effects before
// returning) and all of its outputs are on Kafka. Records of one partition are handled one at a
// time, in offset order, by one worker; partitions run in parallel. A record that cannot be
// handled (it does not decode, the handler reports a permanent error, or transient errors outlast
// the retries) goes to the dead-letter topic and is committed, so the partition moves on. Delivery
// is at least once: handlers must be idempotent.
package consumer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/segmentio/kafka-go"
	"github.com/sirupsen/logrus"

	"provision.local/pkg/cekafka"
)

// Message is what a handler receives: the decoded event and the record it came from.
type Message struct {
	Event  cloudevents.Event
	Record kafka.Message
}

// Output is an event the runner publishes to Topic before committing the input.
type Output struct {
	Topic string
	Event cloudevents.Event
}

// Handler handles one message. It returns the events to publish, or an error: a Permanent one
// is never retried; any other is retried with backoff.
type Handler func(ctx context.Context, msg Message) ([]Output, error)

// Middleware wraps a handler.
type Middleware func(Handler) Handler

// Publisher writes events and raw records synchronously; *kafkaio.Publisher implements it.
type Publisher interface {
	Publish(ctx context.Context, topic string, events ...cloudevents.Event) error
	PublishMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Config of a runner. Zero durations take the defaults noted on each field.
type Config struct {
	Brokers         []string
	Topic           string
	GroupID         string
	DeadLetterTopic string
	// HandlerTimeout bounds one handler attempt (default 30s).
	HandlerTimeout time.Duration
	// RetryInitial, RetryMax and RetryMaxElapsed shape the backoff of transient failures
	// (defaults 200ms, 10s, 2m).
	RetryInitial    time.Duration
	RetryMax        time.Duration
	RetryMaxElapsed time.Duration
	// DrainTimeout bounds how long shutdown waits for messages in hand (default 20s).
	DrainTimeout time.Duration
	// MaxWait is how long a fetch waits for new records (default 250ms).
	MaxWait time.Duration
	// SessionTimeout is how long the group waits for a member that stopped heartbeating (one
	// that crashed) before giving its partitions to others (default 10s; Kafka brokers accept
	// 6s and up by default). RebalanceTimeout bounds a rebalance (default = SessionTimeout).
	SessionTimeout   time.Duration
	RebalanceTimeout time.Duration
}

const (
	defaultHandlerTimeout  = 30 * time.Second
	defaultRetryInitial    = 200 * time.Millisecond
	defaultRetryMax        = 10 * time.Second
	defaultRetryMaxElapsed = 2 * time.Minute
	defaultDrainTimeout    = 20 * time.Second
	defaultMaxWait         = 250 * time.Millisecond
	defaultSessionTimeout  = 10 * time.Second
	// partitionQueue is the number of fetched records a partition worker may have waiting. Small:
	// a full queue blocks the fetch loop (backpressure), and after a rebalance the records queued
	// for a partition that moved elsewhere are the ones handled twice.
	partitionQueue = 16
	commitTimeout  = 5 * time.Second
)

func (c Config) withDefaults() Config {
	set := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	set(&c.HandlerTimeout, defaultHandlerTimeout)
	set(&c.RetryInitial, defaultRetryInitial)
	set(&c.RetryMax, defaultRetryMax)
	set(&c.RetryMaxElapsed, defaultRetryMaxElapsed)
	set(&c.DrainTimeout, defaultDrainTimeout)
	set(&c.MaxWait, defaultMaxWait)
	set(&c.SessionTimeout, defaultSessionTimeout)
	set(&c.RebalanceTimeout, c.SessionTimeout)
	if c.RetryMax < c.RetryInitial {
		c.RetryMax = c.RetryInitial
	}
	return c
}

func (c Config) validate() error {
	var errs []error
	if len(c.Brokers) == 0 {
		errs = append(errs, errors.New("no brokers"))
	}
	if c.Topic == "" {
		errs = append(errs, errors.New("no topic"))
	}
	if c.GroupID == "" {
		errs = append(errs, errors.New("no group id"))
	}
	if c.DeadLetterTopic == "" {
		errs = append(errs, errors.New("no dead-letter topic"))
	}
	return errors.Join(errs...)
}

// Runner consumes one topic as one consumer group member. Run it once.
type Runner struct {
	cfg     Config
	chain   Handler
	pub     Publisher
	log     *logrus.Logger
	metrics *runnerMetrics
}

// New builds a runner. The handler is wrapped, outermost first, in Correlation, DeadLetter,
// extra (in the order given), Recover, Retry, Timeout, then h. Extra middleware sits outside the
// retries so that it sees one message once, however many attempts it takes.
func New(cfg Config, h Handler, pub Publisher, log *logrus.Logger, extra ...Middleware) *Runner {
	cfg = cfg.withDefaults()
	if log == nil {
		log = logrus.StandardLogger()
	}
	chain := Timeout(cfg.HandlerTimeout)(h)
	chain = Retry(cfg.RetryInitial, cfg.RetryMax, cfg.RetryMaxElapsed)(chain)
	chain = Recover()(chain)
	for i := len(extra) - 1; i >= 0; i-- {
		chain = extra[i](chain)
	}
	chain = DeadLetter(pub, cfg.DeadLetterTopic)(chain)
	chain = Correlation(log)(chain)
	return &Runner{cfg: cfg, chain: chain, pub: pub, log: log, metrics: newRunnerMetrics(cfg.Topic, cfg.GroupID)}
}

// Run consumes until ctx is done, then drains in order: it stops fetching, lets each partition
// worker finish the message in hand (at most DrainTimeout, after which handlers see their context
// cancelled), commits what finished and closes the reader. It returns nil after a drain, or an
// error if the configuration is unusable or the reader fails for good.
func (r *Runner) Run(ctx context.Context) error {
	if err := r.cfg.validate(); err != nil {
		return fmt.Errorf("consumer config: %w", err)
	}
	log := r.log.WithFields(logrus.Fields{"topic": r.cfg.Topic, "group": r.cfg.GroupID})
	reader := kafka.NewReader(kafka.ReaderConfig{
		Brokers: r.cfg.Brokers,
		Topic:   r.cfg.Topic,
		GroupID: r.cfg.GroupID,
		MaxWait: r.cfg.MaxWait,
		// A member that crashed is noticed after SessionTimeout; heartbeats go at a tenth of it.
		SessionTimeout:    r.cfg.SessionTimeout,
		RebalanceTimeout:  r.cfg.RebalanceTimeout,
		HeartbeatInterval: r.cfg.SessionTimeout / 10,
		// Synchronous commits: CommitMessages returns once the broker has the offset.
		CommitInterval: 0,
		// A new group starts at the beginning, so nothing produced before it existed is missed.
		StartOffset: kafka.FirstOffset,
		ErrorLogger: kafka.LoggerFunc(func(msg string, args ...interface{}) {
			log.Warnf("kafka reader: "+msg, args...)
		}),
	})

	// Handlers run on workCtx, which outlives ctx by at most DrainTimeout so that the message in
	// hand can finish and be committed after shutdown begins.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	var wg sync.WaitGroup
	workers := map[int]chan kafka.Message{}

	log.Info("consumer started")
	fetchErr := r.fetchLoop(ctx, reader, func(m kafka.Message) chan<- kafka.Message {
		ch, ok := workers[m.Partition]
		if !ok {
			ch = make(chan kafka.Message, partitionQueue)
			workers[m.Partition] = ch
			wg.Add(1)
			go func() {
				defer wg.Done()
				r.worker(workCtx, ctx.Done(), reader, ch)
			}()
		}
		return ch
	})

	// Ordered drain. Workers saw ctx end and take no new records; only the fetch loop sends to
	// their queues, and it has returned.
	for _, ch := range workers {
		close(ch)
	}
	drained := make(chan struct{})
	go func() {
		wg.Wait()
		close(drained)
	}()
	timer := time.NewTimer(r.cfg.DrainTimeout)
	defer timer.Stop()
	select {
	case <-drained:
	case <-timer.C:
		log.Warn("drain timeout: cancelling the messages still in hand; they will be redelivered")
		cancelWork()
		// Handlers are expected to return promptly once their context is cancelled; one that
		// does not is abandoned rather than holding shutdown forever.
		select {
		case <-drained:
		case <-time.After(time.Second):
			log.Error("a handler ignored cancellation; closing without it")
		}
	}
	if err := reader.Close(); err != nil {
		log.WithError(err).Warn("close reader")
	}
	log.Info("consumer stopped")
	return fetchErr
}

// fetchLoop fetches records and hands each to its partition's queue until ctx is done.
func (r *Runner) fetchLoop(ctx context.Context, reader *kafka.Reader, queueFor func(kafka.Message) chan<- kafka.Message) error {
	backoff := r.cfg.RetryInitial
	for {
		m, err := reader.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("fetch: %w", err)
			}
			r.log.WithError(err).WithField("topic", r.cfg.Topic).Warn("fetch failed; retrying")
			if !sleep(ctx, jitter(backoff)) {
				return nil
			}
			backoff = min(2*backoff, r.cfg.RetryMax)
			continue
		}
		backoff = r.cfg.RetryInitial
		select {
		case queueFor(m) <- m:
		case <-ctx.Done():
			// Not handed to a worker, so not committed: the next owner gets it.
			return nil
		}
	}
}

// worker handles one partition's records in order.
func (r *Runner) worker(ctx context.Context, stopping <-chan struct{}, reader *kafka.Reader, queue <-chan kafka.Message) {
	committed := int64(-1)
	for m := range queue {
		select {
		case <-stopping:
			// Shutdown: records not yet started stay uncommitted and are redelivered.
			return
		default:
		}
		// After a rebalance kafka-go restarts a partition at its committed offset; records this
		// worker already committed need no second pass.
		if m.Offset <= committed {
			continue
		}
		if r.process(ctx, reader, m) {
			committed = m.Offset
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// process runs one record to its commit. It returns whether the record was committed.
func (r *Runner) process(ctx context.Context, reader *kafka.Reader, rec kafka.Message) bool {
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

	backoff := r.cfg.RetryInitial
	var outs []Output
	for {
		var err error
		outs, err = h(ctx, msg)
		if err == nil {
			if verr := validateOutputs(outs); verr != nil {
				// A handler bug; the outputs can never be published, so the input is dead-lettered
				// instead of blocking the partition forever.
				h = r.failWith(Permanent(fmt.Errorf("output: %w", verr)))
				continue
			}
			break
		}
		if ctx.Err() != nil {
			log.WithField("reason", err.Error()).Info("shutting down: message not committed; it will be redelivered")
			return false
		}
		// The chain converts handler failures into dead letters, so an error here means the
		// dead-letter write failed. The record must not be skipped: try the whole chain again.
		log.WithError(err).Warn("dead-letter write failed; retrying the message")
		tr.retry()
		if !sleep(ctx, jitter(backoff)) {
			return false
		}
		backoff = min(2*backoff, r.cfg.RetryMax)
	}

	// Past the drain deadline nothing more is started (a write begun on a cancelled context may
	// still land): the message stays uncommitted and its redelivery republishes the same outputs.
	if ctx.Err() != nil || !r.publishOutputs(ctx, log, tr, outs) {
		log.Info("shutting down: message not committed; it will be redelivered")
		return false
	}
	// Outputs are out, so the commit is owed even if the drain deadline passes meanwhile; it gets
	// a short budget of its own (the reader closes soon after the deadline in any case).
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	if err := reader.CommitMessages(cctx, rec); err != nil {
		if !errors.Is(err, context.Canceled) {
			// kafka-go has already retried; usually a rebalance took the partition away.
			log.WithError(err).Error("commit failed; the message will be redelivered")
		}
		return false
	}
	outcome := "processed"
	if tr.deadLettered.Load() {
		outcome = "deadlettered"
	}
	r.metrics.messages.WithLabelValues(r.cfg.Topic, r.cfg.GroupID, outcome).Inc()
	r.metrics.handle.Observe(time.Since(start).Seconds())
	return true
}

// failWith returns the dead-letter path for a record the handler must not see.
func (r *Runner) failWith(err error) Handler {
	fail := func(context.Context, Message) ([]Output, error) { return nil, err }
	return Correlation(r.log)(DeadLetter(r.pub, r.cfg.DeadLetterTopic)(fail))
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

// sleep waits d or until ctx is done; it reports whether the full wait elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
