// Package service is the Netflix service's composition root.
package service

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/sirupsen/logrus"

	"provision.local/events"
	"provision.local/pkg/command"
	"provision.local/pkg/config"
	"provision.local/pkg/consumer"
	"provision.local/pkg/eventfeed"
	"provision.local/pkg/provider"
	"provision.local/pkg/submit"
	"provision.local/services/netflix/internal/adapters"
	"provision.local/services/netflix/internal/app"
	"provision.local/services/netflix/internal/ports"
)

// DefaultAddr is the internal HTTP address of the local stack.
const DefaultAddr = "127.0.0.1:8082"

// Config is the Netflix service's configuration.
type Config struct {
	provider.Config
	PartnerURL     string        `env:"NETFLIX_PARTNER_URL" default:"http://127.0.0.1:8090/netflix"`
	PartnerTimeout time.Duration `env:"NETFLIX_PARTNER_TIMEOUT" default:"10s"`
	// WorkflowKey is the platform's shared secret, the ingress's: it signs the workflow ids and
	// keys the request digests of the commands the service submits itself (the partner's
	// reports).
	WorkflowKey string `env:"WORKFLOW_KEY" secret:"true"`
	// ReportKeys bounds the report ids remembered in process to tell a resent report from a
	// reused id; the ledger deduplicates beyond it.
	ReportKeys int `env:"NETFLIX_REPORT_KEYS" default:"10000"`
	// EventsKey signs the events endpoint's offsets (at least 32 bytes, the same on every
	// instance); unset, each process draws its own and its offsets die with it.
	EventsKey string `env:"NETFLIX_EVENTS_KEY" secret:"true"`
	// EventsMinAge is how long before now an events window must end: the delay within which the
	// projection appends a status event's Netflix event, so that paging misses none.
	EventsMinAge time.Duration `env:"NETFLIX_EVENTS_MIN_AGE" default:"15m"`
	// EventsPageSize is the most events a page holds (at most eventfeed.MaxLimit).
	EventsPageSize int `env:"NETFLIX_EVENTS_PAGE_SIZE" default:"100"`
}

// EventsCollection is the collection of the events feed in the service's database.
const EventsCollection = "netflix_events"

// LoadConfig reads the configuration from the environment; the database and the consumer group
// default to "netflix".
func LoadConfig() (cfg Config, err error) {
	cfg.Defaults(events.ProviderNetflix, DefaultAddr)
	if err = config.Load(&cfg); err != nil {
		return cfg, fmt.Errorf("netflix configuration: %w", err)
	}
	return cfg, nil
}

// Run runs the Netflix service until ctx is done.
func Run(ctx context.Context, cfg Config, log *logrus.Logger) error {
	return provider.Run(ctx, provider.Spec{Name: events.ProviderNetflix, Wire: cfg.wire}, cfg.Config, log)
}

// wire connects the use cases to the ledger store, the partner and the runtime's publisher.
func (cfg Config) wire(ctx context.Context, deps provider.Deps) (provider.Wiring, error) {
	store, err := adapters.NewSubscriptionRepository(ctx, deps.DB, deps.Ledger...)
	if err != nil {
		return provider.Wiring{}, fmt.Errorf("netflix store: %w", err)
	}
	a := app.New(store, adapters.NewNetflixPartnerClient(cfg.PartnerURL, cfg.PartnerTimeout))
	reports := submit.NewSubmitter(app.Source, deps.Publisher, command.NewWorkflows(cfg.WorkflowKey), nil, submit.KeyConfig{
		Window: cfg.IdempotencyWindow, CacheSize: cfg.ReportKeys,
	})
	key, err := cfg.eventsKey(deps.Log)
	if err != nil {
		return provider.Wiring{}, err
	}
	feed, err := eventfeed.New(deps.DB.Collection(EventsCollection), key, eventfeed.Options{})
	if err != nil {
		return provider.Wiring{}, fmt.Errorf("netflix events feed: %w", err)
	}
	eventsQuery := app.NewEventsQuery(feed, cfg.EventsMinAge, cfg.EventsPageSize, nil)
	routes := func(r *gin.Engine) {
		ports.RegisterInternalRoutes(r, a)
		ports.RegisterReports(r, reports)
		ports.RegisterEvents(r, eventsQuery)
	}
	return provider.Wiring{
		Handler:    ports.NewCommandHandler(a),
		Middleware: []consumer.Middleware{store.DeadLetterMarker(ports.CommandOf)},
		Operations: store,
		Routes:     routes,
		Outboxes:   []provider.Outbox{store},
		// The events projection, in a group of its own beside the command consumer's.
		Consumers: []provider.Consumer{{
			Topic: events.StatusTopic(events.ProviderNetflix), GroupID: cfg.Consumer.GroupID + "-events", Handler: ports.NewEventsProjection(eventsQuery),
		}},
	}, nil
}

// eventsKey is the key of the events offsets: NETFLIX_EVENTS_KEY, or a random one for this
// process when it is unset (a local run), with a warning.
func (cfg Config) eventsKey(log *logrus.Logger) ([]byte, error) {
	if cfg.EventsKey != "" {
		if len(cfg.EventsKey) < 32 {
			return nil, errors.New("NETFLIX_EVENTS_KEY must be at least 32 bytes")
		}
		return []byte(cfg.EventsKey), nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("draw an events key: %w", err)
	}
	log.Warn("NETFLIX_EVENTS_KEY is unset: the events offsets are signed with a key of this process only, and fail after a restart or on another instance")
	return key, nil
}
