// Package service is the Disney service's composition root.
package service

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/sirupsen/logrus"

	"provision.local/events"
	"provision.local/pkg/config"
	"provision.local/pkg/consumer"
	"provision.local/pkg/provider"
	"provision.local/services/disney/internal/adapters"
	"provision.local/services/disney/internal/app"
	"provision.local/services/disney/internal/ports"
)

// DefaultAddr is the internal HTTP address of the local stack.
const DefaultAddr = "127.0.0.1:8081"

// Config is the Disney service's configuration.
type Config struct {
	provider.Config
	PartnerURL     string        `env:"DISNEY_PARTNER_URL" default:"http://127.0.0.1:8090/disney"`
	PartnerTimeout time.Duration `env:"DISNEY_PARTNER_TIMEOUT" default:"10s"`
}

// LoadConfig reads the configuration from the environment over the Disney defaults.
func LoadConfig() (Config, error) {
	var cfg Config
	cfg.Defaults(events.ProviderDisney, DefaultAddr)
	err := config.Load(&cfg)
	return cfg, err
}

// Run runs the Disney service until ctx is done.
func Run(ctx context.Context, cfg Config, log *logrus.Logger) error {
	spec := provider.Spec{
		Name: events.ProviderDisney,
		Wire: func(ctx context.Context, deps provider.Deps) (provider.Wiring, error) {
			store, err := adapters.NewSubscriptionRepository(ctx, deps.DB, deps.Ledger...)
			if err != nil {
				return provider.Wiring{}, err
			}
			a := app.New(store, adapters.NewDisneyPartnerClient(cfg.PartnerURL, cfg.PartnerTimeout))
			return provider.Wiring{
				Handler:    ports.NewCommandHandler(a),
				Middleware: []consumer.Middleware{store.DeadLetterMarker(ports.CommandOf)},
				Operations: store,
				Routes:     func(r *gin.Engine) { ports.RegisterInternalRoutes(r, a) },
			}, nil
		},
	}
	return provider.Run(ctx, spec, cfg.Config, log)
}
