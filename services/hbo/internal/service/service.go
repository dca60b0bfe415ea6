// Package service is the HBO service's composition root.
package service

import (
	"context"
	"fmt"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/sirupsen/logrus"

	"provision.local/events"
	"provision.local/pkg/config"
	"provision.local/pkg/consumer"
	"provision.local/pkg/provider"
	"provision.local/services/hbo/internal/adapters"
	"provision.local/services/hbo/internal/app"
	"provision.local/services/hbo/internal/ports"
)

// DefaultAddr is the internal HTTP address of the local stack.
const DefaultAddr = "127.0.0.1:8083"

// Config is the HBO service's configuration: the provider runtime's, and where HBO answers.
type Config struct {
	provider.Config
	Partner Partner
}

// Partner is where the HBO partner API answers, and how long a call to it may take.
type Partner struct {
	URL     string        `env:"HBO_PARTNER_URL" default:"http://127.0.0.1:8090/hbo"`
	Timeout time.Duration `env:"HBO_PARTNER_TIMEOUT" default:"10s"`
}

// LoadConfig reads the configuration from the environment; the database and the consumer group
// default to "hbo".
func LoadConfig() (cfg Config, err error) {
	cfg.Defaults(events.ProviderHBO, DefaultAddr)
	if err = config.Load(&cfg); err != nil {
		return cfg, fmt.Errorf("hbo configuration: %w", err)
	}
	return cfg, nil
}

// Run runs the HBO service until ctx is done.
func Run(ctx context.Context, cfg Config, log *logrus.Logger) error {
	return provider.Run(ctx, provider.Spec{Name: events.ProviderHBO, Wire: cfg.wire}, cfg.Config, log)
}

// wire connects the use cases to the ledger store and the partner.
func (cfg Config) wire(ctx context.Context, deps provider.Deps) (provider.Wiring, error) {
	store, err := adapters.NewSubscriptionRepository(ctx, deps.DB, deps.Ledger...)
	if err != nil {
		return provider.Wiring{}, fmt.Errorf("hbo store: %w", err)
	}
	a := app.New(store, adapters.NewHBOPartnerClient(cfg.Partner.URL, cfg.Partner.Timeout))
	return provider.Wiring{
		Handler:    ports.NewCommandHandler(a),
		Middleware: []consumer.Middleware{store.DeadLetterMarker(ports.CommandOf)},
		Operations: store,
		Routes:     func(r *gin.Engine) { ports.RegisterInternalRoutes(r, a) },
	}, nil
}
