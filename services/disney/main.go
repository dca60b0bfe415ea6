// Command disney runs the Disney+ provisioning service: it consumes provision.disney.commands,
// calls the Disney partner API, keeps subscriptions in its own MongoDB database and publishes
// status events on provision.disney.status.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"provision.local/pkg/config"
	"provision.local/pkg/logging"
	"provision.local/services/disney/internal/service"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "disney:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := service.LoadConfig()
	if err != nil {
		return err
	}
	log := logging.New("disney", cfg.LogLevel)
	log.WithFields(config.Fields(cfg)).Info("configuration")
	return service.Run(ctx, cfg, log)
}
