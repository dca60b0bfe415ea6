// Package service is the Netflix service's composition root.
package service

import (
	"context"
	"fmt"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/sirupsen/logrus"

	"provision.local/events"
	"provision.local/pkg/command"
	"provision.local/pkg/config"
	"provision.local/pkg/consumer"
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
	// WorkflowKey signs the workflow ids of the commands the service submits itself (the
	// partner's reports); the ingress signs with the same key.
	WorkflowKey string `env:"WORKFLOW_KEY" secret:"true"`
	// ReportKeys bounds the report ids remembered in process to tell a resent report from a
	// reused id; the ledger deduplicates beyond it.
	ReportKeys int `env:"NETFLIX_REPORT_KEYS" default:"10000"`
}

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
	routes := func(r *gin.Engine) {
		ports.RegisterInternalRoutes(r, a)
		ports.RegisterReports(r, reports)
	}
	return provider.Wiring{
		Handler:    ports.NewCommandHandler(a),
		Middleware: []consumer.Middleware{store.DeadLetterMarker(ports.CommandOf)},
		Operations: store,
		Routes:     routes,
		Outboxes:   []provider.Outbox{store},
	}, nil
}
