// Package kafkaio writes to Kafka and administers topics. Every write is synchronous with acks=all:
// a caller that gets nil back knows the records are durably on the broker.
package kafkaio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
)

// Config is read from the environment by the config loader.
type Config struct {
	Brokers           []string      `env:"KAFKA_BROKERS" default:"127.0.0.1:9092"`
	Partitions        int           `env:"KAFKA_PARTITIONS" default:"6"`
	ReplicationFactor int           `env:"KAFKA_REPLICATION_FACTOR" default:"1"`
	BatchTimeout      time.Duration `env:"KAFKA_BATCH_TIMEOUT" default:"1ms"`
	WriteTimeout      time.Duration `env:"KAFKA_WRITE_TIMEOUT" default:"10s"`
}

// Defaults used when a Config is built in code and leaves a field zero.
const (
	defaultBroker       = "127.0.0.1:9092"
	defaultPartitions   = 6
	defaultBatchTimeout = time.Millisecond
	defaultWriteTimeout = 10 * time.Second
	writerMaxAttempts   = 5
	// metadataTTL bounds how long a writer keeps a cached cluster layout. kafka-go answers
	// "unknown topic" from that cache without asking the broker, so a topic created after the
	// cache was filled stays invisible for up to this long.
	metadataTTL = time.Second
	// unknownTopicWait is how long a publish keeps retrying an unknown topic: long enough for
	// one metadata refresh, short enough that a real typo fails fast.
	unknownTopicWait = 2*metadataTTL + 500*time.Millisecond
)

func (c Config) withDefaults() Config {
	if len(c.Brokers) == 0 {
		c.Brokers = []string{defaultBroker}
	}
	if c.Partitions <= 0 {
		c.Partitions = defaultPartitions
	}
	if c.ReplicationFactor <= 0 {
		c.ReplicationFactor = 1
	}
	if c.BatchTimeout <= 0 {
		c.BatchTimeout = defaultBatchTimeout
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = defaultWriteTimeout
	}
	return c
}

// NewWriter returns the one writer configuration the platform uses. The topic is set per message.
// The writer has a transport of its own (the shared default one caches metadata for 6s); close it
// with CloseWriter so that transport is released too.
func NewWriter(cfg Config) *kafka.Writer {
	cfg = cfg.withDefaults()
	return &kafka.Writer{
		Addr:      kafka.TCP(cfg.Brokers...),
		Transport: &kafka.Transport{MetadataTTL: metadataTTL, DialTimeout: 5 * time.Second},
		// A command is accepted only once every in-sync replica has it.
		RequiredAcks: kafka.RequireAll,
		// The default round-robin balancer ignores keys; the hash keeps a subscription on one
		// partition, which is what makes per-subscription ordering possible.
		Balancer: &kafka.Hash{},
		// The library default of one second would add a second to every synchronous write.
		BatchTimeout: cfg.BatchTimeout,
		WriteTimeout: cfg.WriteTimeout,
		ReadTimeout:  cfg.WriteTimeout,
		// Async mode drops errors on the floor; writes must report failure to the caller.
		Async: false,
		// Topics are created deliberately (EnsureTopics); a typo must fail, not make a topic.
		AllowAutoTopicCreation: false,
		MaxAttempts:            writerMaxAttempts,
		WriteBackoffMin:        50 * time.Millisecond,
		WriteBackoffMax:        500 * time.Millisecond,
	}
}

// CloseWriter flushes and closes a writer made by NewWriter and releases its transport.
func CloseWriter(w *kafka.Writer) error {
	err := w.Close()
	if t, ok := w.Transport.(*kafka.Transport); ok {
		t.CloseIdleConnections()
	}
	if err != nil {
		return fmt.Errorf("close writer: %w", err)
	}
	return nil
}

// EnsureTopics creates the topics that do not exist yet with cfg.Partitions partitions and
// cfg.ReplicationFactor replicas. Existing topics are left alone. While the broker is not
// reachable yet it retries, until ctx ends.
func EnsureTopics(ctx context.Context, cfg Config, topics ...string) error {
	cfg = cfg.withDefaults()
	if len(topics) == 0 {
		return nil
	}
	backoff := 100 * time.Millisecond
	for {
		err := createTopics(ctx, cfg, topics)
		if err == nil {
			return nil
		}
		if !retriableAdminError(err) {
			return fmt.Errorf("ensure topics: %w", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("ensure topics: %w (last error: %v)", ctx.Err(), err)
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

func createTopics(ctx context.Context, cfg Config, topics []string) error {
	conn, err := dialAny(ctx, cfg.Brokers)
	if err != nil {
		return err
	}
	defer conn.Close()
	// Topic creation must go to the controller; with one broker it is the same node.
	ctrl, err := conn.Controller()
	if err != nil {
		return fmt.Errorf("find controller: %w", err)
	}
	cc, err := (&kafka.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", net.JoinHostPort(ctrl.Host, strconv.Itoa(ctrl.Port)))
	if err != nil {
		return fmt.Errorf("dial controller: %w", err)
	}
	defer cc.Close()
	setDeadline(ctx, cc)
	configs := make([]kafka.TopicConfig, 0, len(topics))
	for _, t := range topics {
		configs = append(configs, kafka.TopicConfig{Topic: t, NumPartitions: cfg.Partitions, ReplicationFactor: cfg.ReplicationFactor})
	}
	// kafka-go already treats TopicAlreadyExists as success; the check below keeps that true if
	// the library ever changes.
	if err := cc.CreateTopics(configs...); err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		return fmt.Errorf("create topics: %w", err)
	}
	return nil
}

// retriableAdminError says whether the broker may simply not be ready yet.
func retriableAdminError(err error) bool {
	var kerr kafka.Error
	if errors.As(err, &kerr) {
		return kerr.Temporary()
	}
	// Network errors (connection refused while the broker starts) and timeouts.
	return true
}

// Ping is a cheap readiness check: it dials a broker and asks for its API versions and metadata.
func Ping(ctx context.Context, brokers []string) error {
	if len(brokers) == 0 {
		return errors.New("ping: no brokers configured")
	}
	conn, err := dialAny(ctx, brokers)
	if err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	defer conn.Close()
	setDeadline(ctx, conn)
	if _, err := conn.ApiVersions(); err != nil {
		return fmt.Errorf("ping: api versions: %w", err)
	}
	if _, err := conn.Brokers(); err != nil {
		return fmt.Errorf("ping: metadata: %w", err)
	}
	return nil
}

// dialAny returns a connection to the first broker that answers.
func dialAny(ctx context.Context, brokers []string) (*kafka.Conn, error) {
	d := &kafka.Dialer{Timeout: 5 * time.Second}
	var errs []error
	for _, b := range brokers {
		conn, err := d.DialContext(ctx, "tcp", b)
		if err == nil {
			return conn, nil
		}
		errs = append(errs, fmt.Errorf("dial %s: %w", b, err))
	}
	return nil, errors.Join(errs...)
}

// setDeadline bounds the requests on conn by ctx (kafka.Conn does not take a context per call).
func setDeadline(ctx context.Context, conn *kafka.Conn) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(10 * time.Second)
	}
	_ = conn.SetDeadline(deadline)
}
