// Command ingress serves the public HTTP API of the provisioning platform. Commands become
// CloudEvents on Kafka; queries are answered by the service that owns the data.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"provision.local/pkg/config"
	"provision.local/pkg/logging"
	"provision.local/services/ingress/internal/service"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "ingress:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	var cfg service.Config
	if err := config.Load(&cfg); err != nil {
		return err
	}
	log := logging.New("ingress", cfg.LogLevel)
	log.WithFields(config.Fields(cfg)).Info("configuration")
	return service.Run(ctx, cfg, log)
}
