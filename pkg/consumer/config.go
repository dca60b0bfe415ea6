package consumer

import (
	"errors"
	"time"
)

// Config of a runner. Zero values take the defaults noted on each field.
type Config struct {
	Brokers         []string
	Topic           string
	GroupID         string
	DeadLetterTopic string
	// HandlerTimeout bounds one handler attempt (default 30s).
	HandlerTimeout time.Duration
	// RetryInitial, RetryMax and RetryMaxElapsed shape the backoff of transient failures
	// (defaults 200ms, 10s, 2m). Output and dead-letter writes retry with the same backoff, without
	// an elapsed limit: they are never dropped.
	RetryInitial    time.Duration
	RetryMax        time.Duration
	RetryMaxElapsed time.Duration
	// DrainTimeout bounds how long shutdown waits for messages in hand (default 20s).
	DrainTimeout time.Duration
	// MaxWait is how long a fetch waits for new records (default 250ms).
	MaxWait time.Duration
	// SessionTimeout is how long the group waits for a member that stopped heartbeating (one
	// that crashed) before giving its partitions to others (default 10s; Kafka brokers accept
	// 6s and up by default). Heartbeats go every tenth of it, so a rebalance reaches a member,
	// and cancels the work of its partitions, within that tenth. RebalanceTimeout bounds a
	// rebalance (default = SessionTimeout).
	SessionTimeout   time.Duration
	RebalanceTimeout time.Duration
	// CommitInterval is the longest a finished record waits for its offset to be committed
	// (default 5ms). Commits run beside the partition workers, never in their way, and carry
	// every partition's progress in one request, so the interval only trades commit requests
	// (at most one per interval per member, against one per record) for how much finished work
	// a crash redelivers (about one interval's worth, each record then answered by the ledger's
	// deduplication). A few milliseconds keep both small.
	CommitInterval time.Duration
	// CommitBatch commits at once, without waiting for CommitInterval, when a partition has
	// this many finished records not yet committed (default 100).
	CommitBatch int
}

const (
	defaultHandlerTimeout  = 30 * time.Second
	defaultRetryInitial    = 200 * time.Millisecond
	defaultRetryMax        = 10 * time.Second
	defaultRetryMaxElapsed = 2 * time.Minute
	defaultDrainTimeout    = 20 * time.Second
	defaultMaxWait         = 250 * time.Millisecond
	defaultSessionTimeout  = 10 * time.Second
	defaultCommitInterval  = 5 * time.Millisecond
	defaultCommitBatch     = 100
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
	set(&c.CommitInterval, defaultCommitInterval)
	if c.CommitBatch <= 0 {
		c.CommitBatch = defaultCommitBatch
	}
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
