// Package provider is the runtime every provider service (disney, netflix, hbo, insurance) runs
// on: it connects MongoDB and Kafka, creates the topics, runs the command consumer and the
// internal HTTP API with probes and metrics, and shuts them down in order. A provider supplies
// only its wiring: a command handler and its internal routes.
package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/sirupsen/logrus"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"golang.org/x/sync/errgroup"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/httpx"
	"provision.local/pkg/kafkaio"
	"provision.local/pkg/ledger"
	"provision.local/pkg/mongox"
)

// Config is what every provider service reads from the environment.
type Config struct {
	LogLevel string `env:"LOG_LEVEL" default:"info"`
	HTTP     httpx.HTTPConfig
	Kafka    kafkaio.Config
	Mongo    mongox.Config
	Consumer ConsumerConfig
	// IdempotencyWindow is how long a command id dedupes: a command issued later than this after
	// the record of an earlier one with its id runs afresh. The ingress reads the same variable.
	IdempotencyWindow time.Duration `env:"IDEMPOTENCY_WINDOW" default:"24h"`
}

// ConsumerConfig tunes the command consumer.
type ConsumerConfig struct {
	GroupID         string        `env:"KAFKA_GROUP_ID"`
	HandlerTimeout  time.Duration `env:"CONSUMER_HANDLER_TIMEOUT" default:"30s"`
	RetryInitial    time.Duration `env:"CONSUMER_RETRY_INITIAL" default:"200ms"`
	RetryMax        time.Duration `env:"CONSUMER_RETRY_MAX" default:"10s"`
	RetryMaxElapsed time.Duration `env:"CONSUMER_RETRY_MAX_ELAPSED" default:"2m"`
	DrainTimeout    time.Duration `env:"CONSUMER_DRAIN_TIMEOUT" default:"20s"`
	// SessionTimeout is how soon a crashed member's partitions move to another member.
	SessionTimeout time.Duration `env:"CONSUMER_SESSION_TIMEOUT" default:"10s"`
	// CommitInterval and CommitBatch batch offset commits: a partition's finished records are
	// committed this long after the first of them, or at once when this many are waiting.
	CommitInterval time.Duration `env:"CONSUMER_COMMIT_INTERVAL" default:"5ms"`
	CommitBatch    int           `env:"CONSUMER_COMMIT_BATCH" default:"100"`
}

// Deps are what the runtime hands a provider's wiring.
type Deps struct {
	Log *logrus.Logger
	DB  *mongo.Database
	// Ledger are the options every provider's ledger store takes from the runtime's settings: the
	// consumer's handler timeout (which its version claims must outlive) and the idempotency
	// window.
	Ledger []ledger.Option
}

// Wiring is what a provider adds to the runtime.
type Wiring struct {
	// Handler runs one command from the provider's commands topic.
	Handler consumer.Handler
	// Middleware wraps Handler inside the runtime's standard chain.
	Middleware []consumer.Middleware
	// Routes mounts the provider's internal HTTP API.
	Routes func(*gin.Engine)
	// Checks are extra readiness checks (the broker and the store are always checked).
	Checks []httpx.Check
}

// Spec describes a provider service.
type Spec struct {
	// Name is the provider, as in its topics: provision.<Name>.commands.
	Name string
	// Wire builds the provider's wiring once the store is connected.
	Wire func(ctx context.Context, deps Deps) (Wiring, error)
}

// Defaults presets the settings whose defaults differ per provider; call it before config.Load,
// which keeps a preset value when its variable is unset.
func (c *Config) Defaults(name, addr string) {
	if c.HTTP.Addr == "" {
		c.HTTP.Addr = addr
	}
	if c.Mongo.Database == "" {
		c.Mongo.Database = name
	}
	if c.Consumer.GroupID == "" {
		c.Consumer.GroupID = name
	}
}

// Run runs the provider service until ctx is done, then stops it in order: the consumer drains
// and commits, the HTTP server finishes its requests, the clients close.
func Run(ctx context.Context, spec Spec, cfg Config, log *logrus.Logger) error {
	client, db, err := mongox.Connect(ctx, cfg.Mongo)
	if err != nil {
		return fmt.Errorf("connect mongodb: %w", err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = client.Disconnect(dctx)
	}()

	commands, status := events.CommandsTopic(spec.Name), events.StatusTopic(spec.Name)
	if err := kafkaio.EnsureTopics(ctx, cfg.Kafka, commands, status, events.TopicDeadLetter); err != nil {
		return fmt.Errorf("create topics: %w", err)
	}
	pub := kafkaio.NewPublisher(cfg.Kafka)
	defer pub.Close()

	w, err := spec.Wire(ctx, Deps{Log: log, DB: db, Ledger: []ledger.Option{
		ledger.WithHandlerTimeout(cfg.Consumer.HandlerTimeout),
		ledger.WithIdempotencyWindow(cfg.IdempotencyWindow),
	}})
	if err != nil {
		return fmt.Errorf("wire %s: %w", spec.Name, err)
	}

	runner := consumer.New(consumer.Config{
		Brokers:         cfg.Kafka.Brokers,
		Topic:           commands,
		GroupID:         cfg.Consumer.GroupID,
		DeadLetterTopic: events.TopicDeadLetter,
		HandlerTimeout:  cfg.Consumer.HandlerTimeout,
		RetryInitial:    cfg.Consumer.RetryInitial,
		RetryMax:        cfg.Consumer.RetryMax,
		RetryMaxElapsed: cfg.Consumer.RetryMaxElapsed,
		DrainTimeout:    cfg.Consumer.DrainTimeout,
		SessionTimeout:  cfg.Consumer.SessionTimeout,
		CommitInterval:  cfg.Consumer.CommitInterval,
		CommitBatch:     cfg.Consumer.CommitBatch,
	}, w.Handler, pub, log, w.Middleware...)

	engine := httpx.NewEngine(httpx.Options{Service: spec.Name, Log: log})
	checks := append([]httpx.Check{
		{Name: "kafka", Run: func(ctx context.Context) error { return kafkaio.Ping(ctx, cfg.Kafka.Brokers) }},
		{Name: "mongodb", Run: func(ctx context.Context) error { return mongox.Ping(ctx, client) }},
	}, w.Checks...)
	httpx.RegisterProbes(engine, checks...)
	if w.Routes != nil {
		w.Routes(engine)
	}

	// The HTTP server outlives the consumer so probes and queries answer during the drain.
	httpCtx, stopHTTP := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHTTP()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		err := httpx.Serve(httpCtx, log, cfg.HTTP.Addr, engine, cfg.HTTP.ShutdownTimeout)
		if err != nil {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		defer stopHTTP()
		if err := runner.Run(gctx); err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("consumer: %w", err)
		}
		return nil
	})
	log.WithField("addr", cfg.HTTP.Addr).WithField("topic", commands).Info("service started")
	err = g.Wait()
	log.Info("service stopped")
	return err
}
