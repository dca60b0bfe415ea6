// Package provider is the runtime every provider service (disney, netflix, hbo, insurance) runs
// on: it connects MongoDB and Kafka, creates the topics, runs the command consumer, the extra
// consumers and background jobs a provider declares, the internal HTTP API with probes, metrics
// and the operations endpoint, and shuts them down in order. A provider supplies only its
// wiring: a command handler, its store and its internal routes.
package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	// RelayInterval is how often the outbox relay looks for events other processes left
	// unpublished; this process's own writes are relayed at once.
	RelayInterval time.Duration `env:"OUTBOX_RELAY_INTERVAL" default:"1s"`
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
	// InFlight knows the commands this process is handling: the operations endpoint answers
	// RUNNING for them. The runtime registers them; a provider's queries may read it.
	InFlight *ledger.InFlight
	// Publisher is the runtime's Kafka publisher (acks=all), for a provider's internal API that
	// turns its input into commands (a partner's report); the runtime closes it.
	Publisher consumer.Publisher
}

// Wiring is what a provider adds to the runtime.
type Wiring struct {
	// Handler runs one command from the provider's commands topic.
	Handler consumer.Handler
	// Middleware wraps Handler inside the runtime's standard chain, inside the in-flight registry.
	Middleware []consumer.Middleware
	// Operations answers the operations endpoint (required): the provider's ledger store.
	Operations Operations
	// Routes mounts the provider's internal HTTP API.
	Routes func(*gin.Engine)
	// Checks are extra readiness checks (the broker and the store are always checked).
	Checks []httpx.Check
	// Consumers are consumers run beside the command consumer (a projection of status events).
	Consumers []Consumer
	// Jobs are background jobs run until shutdown (a scheduler).
	Jobs []Job
	// Outboxes are the stores whose relayed commands' events the runtime publishes: those a
	// synchronous internal call changes through ExecuteRelayed.
	Outboxes []Outbox
}

// Consumer is a consumer the runtime runs beside the command consumer, with the same guarantees
// (pkg/consumer: retries, dead letters, outputs published before the commit, ordered drain) and
// the same settings. The runtime creates its topic.
type Consumer struct {
	Topic string
	// GroupID is the consumer group; each consumer of a service has its own.
	GroupID    string
	Handler    consumer.Handler
	Middleware []consumer.Middleware
}

func (w Wiring) validate(commandGroup string) error {
	var errs []error
	if w.Handler == nil {
		errs = append(errs, errors.New("no command handler"))
	}
	if w.Operations == nil {
		errs = append(errs, errors.New("no operations source"))
	}
	groups := map[string]bool{commandGroup: true}
	for i, c := range w.Consumers {
		switch {
		case c.Topic == "" || c.GroupID == "" || c.Handler == nil:
			errs = append(errs, fmt.Errorf("consumer %d: topic, group and handler are required", i))
		case groups[c.GroupID]:
			errs = append(errs, fmt.Errorf("consumer %d: group %q is taken: each consumer needs its own", i, c.GroupID))
		}
		groups[c.GroupID] = true
	}
	names := map[string]bool{}
	for i, j := range w.Jobs {
		switch {
		case j.Name == "" || j.Run == nil:
			errs = append(errs, fmt.Errorf("job %d: name and run are required", i))
		case names[j.Name]:
			errs = append(errs, fmt.Errorf("job %q declared twice", j.Name))
		}
		names[j.Name] = true
	}
	return errors.Join(errs...)
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

// Run runs the provider service until ctx is done, then stops it in order: the consumers drain
// and commit and the jobs return, then the HTTP server finishes its requests, then the outbox
// relays make a last pass, then the clients close.
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

	pub := kafkaio.NewPublisher(cfg.Kafka)
	defer pub.Close()

	inflight := ledger.NewInFlight()
	w, err := spec.Wire(ctx, Deps{Log: log, DB: db, InFlight: inflight, Publisher: pub, Ledger: []ledger.Option{
		ledger.WithHandlerTimeout(cfg.Consumer.HandlerTimeout),
		ledger.WithIdempotencyWindow(cfg.IdempotencyWindow),
	}})
	if err != nil {
		return fmt.Errorf("wire %s: %w", spec.Name, err)
	}
	if err := w.validate(cfg.Consumer.GroupID); err != nil {
		return fmt.Errorf("wire %s: %w", spec.Name, err)
	}

	commands := events.CommandsTopic(spec.Name)
	topics := []string{commands, events.StatusTopic(spec.Name), events.TopicDeadLetter}
	for _, c := range w.Consumers {
		if !slices.Contains(topics, c.Topic) { // a topic is created once: the broker refuses a repeat
			topics = append(topics, c.Topic)
		}
	}
	if err := kafkaio.EnsureTopics(ctx, cfg.Kafka, topics...); err != nil {
		return fmt.Errorf("create topics: %w", err)
	}
	runners := []*consumer.Runner{consumer.New(cfg.consumerConfig(commands, cfg.Consumer.GroupID),
		w.Handler, pub, log, append([]consumer.Middleware{inflight.Middleware()}, w.Middleware...)...)}
	for _, c := range w.Consumers {
		runners = append(runners, consumer.New(cfg.consumerConfig(c.Topic, c.GroupID), c.Handler, pub, log, c.Middleware...))
	}

	engine := httpx.NewEngine(httpx.Options{Service: spec.Name, Log: log})
	checks := append([]httpx.Check{
		{Name: "kafka", Run: func(ctx context.Context) error { return kafkaio.Ping(ctx, cfg.Kafka.Brokers) }},
		{Name: "mongodb", Run: func(ctx context.Context) error { return mongox.Ping(ctx, client) }},
	}, w.Checks...)
	httpx.RegisterProbes(engine, checks...)
	registerOperations(engine, w.Operations, inflight)
	if w.Routes != nil {
		w.Routes(engine)
	}

	// The HTTP server outlives the consumers and jobs so probes and queries answer during the
	// drain.
	httpCtx, stopHTTP := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHTTP()
	// The relays outlive the HTTP server: a state change it answered is published before exit.
	relayCtx, stopRelays := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRelays()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer stopRelays()
		err := httpx.Serve(httpCtx, log, cfg.HTTP.Addr, engine, cfg.HTTP.ShutdownTimeout)
		if err != nil {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	for _, o := range w.Outboxes {
		g.Go(func() error {
			runRelay(relayCtx, o, pub, cfg.RelayInterval, log)
			return nil
		})
	}
	work, wctx := errgroup.WithContext(gctx)
	for _, r := range runners {
		work.Go(func() error {
			if err := r.Run(wctx); err != nil && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("consumer: %w", err)
			}
			return nil
		})
	}
	for _, j := range w.Jobs {
		work.Go(func() error {
			runJob(wctx, j, log, jobBackoff{initial: cfg.Consumer.RetryInitial, max: cfg.Consumer.RetryMax, abandon: cfg.Consumer.DrainTimeout})
			return nil
		})
	}
	g.Go(func() error {
		defer stopHTTP()
		return work.Wait()
	})
	log.WithField("addr", cfg.HTTP.Addr).WithField("topic", commands).Info("service started")
	err = g.Wait()
	log.Info("service stopped")
	return err
}

// consumerConfig is the runner configuration of one consumer of the service.
func (c Config) consumerConfig(topic, group string) consumer.Config {
	return consumer.Config{
		Brokers:         c.Kafka.Brokers,
		Topic:           topic,
		GroupID:         group,
		DeadLetterTopic: events.TopicDeadLetter,
		HandlerTimeout:  c.Consumer.HandlerTimeout,
		RetryInitial:    c.Consumer.RetryInitial,
		RetryMax:        c.Consumer.RetryMax,
		RetryMaxElapsed: c.Consumer.RetryMaxElapsed,
		DrainTimeout:    c.Consumer.DrainTimeout,
		SessionTimeout:  c.Consumer.SessionTimeout,
		CommitInterval:  c.Consumer.CommitInterval,
		CommitBatch:     c.Consumer.CommitBatch,
	}
}
