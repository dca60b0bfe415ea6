// Package service is the insurance service's composition root: configuration (config.go) and
// wiring (service.go).
package service

import (
	"context"
	"fmt"

	"github.com/gin-gonic/gin"
	"github.com/sirupsen/logrus"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/provider"
	"provision.local/pkg/sealbox"
	"provision.local/services/insurance/internal/adapters"
	"provision.local/services/insurance/internal/app"
	"provision.local/services/insurance/internal/ports"
)

// Run runs the insurance service until ctx is done.
func Run(ctx context.Context, cfg Config, log *logrus.Logger) error {
	box, err := cfg.box()
	if err != nil {
		return err
	}
	log.WithField("data_key_id", box.KeyID()).Info("personal data sealed under the current data key")
	return provider.Run(ctx, provider.Spec{Name: events.ProviderInsurance, Wire: func(ctx context.Context, deps provider.Deps) (provider.Wiring, error) {
		return cfg.wire(ctx, deps, box)
	}}, cfg.Config, log)
}

// wire connects the use cases to the ledger store, the insurer, the vault and the runtime.
func (cfg Config) wire(ctx context.Context, deps provider.Deps, box *sealbox.Box) (provider.Wiring, error) {
	store, err := adapters.NewPolicyStore(ctx, deps.DB, deps.Ledger...)
	if err != nil {
		return provider.Wiring{}, fmt.Errorf("insurance store: %w", err)
	}
	a := app.New(adapters.PolicyRepository{Ledger: store}, adapters.NewInsurerClient(cfg.PartnerURL, cfg.PartnerTimeout),
		adapters.NewSealboxVault(box))
	return provider.Wiring{
		Handler:    ports.NewCommandHandler(a),
		Middleware: []consumer.Middleware{store.DeadLetterMarker(ports.CommandOf)},
		Operations: store,
		Routes:     func(r *gin.Engine) { ports.RegisterInternalRoutes(r, a) },
		Outboxes:   []provider.Outbox{store},
	}, nil
}
