package consumer

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/sirupsen/logrus"
)

const (
	// commitTimeout bounds the last commit of a shutdown.
	commitTimeout = 5 * time.Second
	// abandonAfter is how long shutdown waits, after cancelling the work in hand, for a handler
	// to return before closing without it.
	abandonAfter = time.Second
	// closeTimeout bounds leaving the group.
	closeTimeout = 5 * time.Second
)

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
	chain = DeadLetter(pub, cfg.DeadLetterTopic, cfg.RetryInitial, cfg.RetryMax)(chain)
	chain = Correlation(log)(chain)
	return &Runner{cfg: cfg, chain: chain, pub: pub, log: log, metrics: newRunnerMetrics(cfg.Topic, cfg.GroupID)}
}

// Run consumes until ctx is done, then drains in order: the partition workers stop taking
// records, the messages in hand finish (at most DrainTimeout, after which handlers see their
// context cancelled), what finished is committed, and the member leaves the group. It returns
// nil after a drain, or an error if the configuration is unusable.
func (r *Runner) Run(ctx context.Context) error {
	if err := r.cfg.validate(); err != nil {
		return fmt.Errorf("consumer config: %w", err)
	}
	log := r.log.WithFields(logrus.Fields{"topic": r.cfg.Topic, "group": r.cfg.GroupID})
	group, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID:      r.cfg.GroupID,
		Brokers: r.cfg.Brokers,
		Topics:  []string{r.cfg.Topic},
		// A member that crashed is noticed after SessionTimeout; heartbeats go at a tenth of it,
		// and a heartbeat is how a member learns that its generation ended.
		SessionTimeout:    r.cfg.SessionTimeout,
		RebalanceTimeout:  r.cfg.RebalanceTimeout,
		HeartbeatInterval: r.cfg.SessionTimeout / 10,
		// A new group starts at the beginning, so nothing produced before it existed is missed.
		StartOffset: kafka.FirstOffset,
		ErrorLogger: kafka.LoggerFunc(func(msg string, args ...interface{}) {
			log.Warnf("kafka consumer group: "+msg, args...)
		}),
	})
	if err != nil {
		return fmt.Errorf("consumer group: %w", err)
	}

	// Handlers run on work, which outlives ctx by at most DrainTimeout so that the messages in
	// hand can finish and be committed after shutdown begins.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()

	log.Info("consumer started")
	var current *generation
	for {
		// Next returns a generation only once the previous one has ended and every worker it
		// started has returned, so two workers never hold one partition in this member.
		gen, err := group.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			// The group retries joining by itself, after a backoff; Next reports each failure.
			log.WithError(err).Warn("joining the consumer group failed; retrying")
			continue
		}
		current = r.startGeneration(ctx, work, gen, log)
	}
	if current != nil {
		r.drain(current, cancelWork, log)
	}
	r.leave(group, log)
	log.Info("consumer stopped")
	return nil
}

// drain waits for the workers of the last generation to finish the messages in hand, cutting them
// off at DrainTimeout, and for the commit of what finished.
func (r *Runner) drain(g *generation, cancelWork context.CancelFunc, log *logrus.Entry) {
	timer := time.NewTimer(r.cfg.DrainTimeout)
	defer timer.Stop()
	select {
	case <-g.stopped:
	case <-timer.C:
		log.Warn("drain timeout: cancelling the messages still in hand; they will be redelivered")
		cancelWork()
		// Handlers are expected to return promptly once their context is cancelled; one that
		// does not is abandoned rather than holding shutdown forever.
		select {
		case <-g.stopped:
		case <-time.After(abandonAfter):
			log.Error("a handler ignored cancellation; closing without it")
			return
		}
	}
	select {
	case <-g.flushed:
	case <-time.After(commitTimeout):
		log.Warn("the last commit did not finish; its messages will be redelivered")
	}
}

// leave ends the generation and leaves the group, so that the partitions move to the other
// members at once rather than after SessionTimeout.
func (r *Runner) leave(group *kafka.ConsumerGroup, log *logrus.Entry) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = group.Close() // always nil
	}()
	select {
	case <-done:
	case <-time.After(closeTimeout):
		// Close waits for every worker of the generation, including an abandoned handler.
		log.Error("leaving the consumer group timed out; the broker will expire the member")
	}
}
