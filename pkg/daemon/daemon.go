// Package daemon is every service's main: configuration from the environment, the logger, and a
// run until SIGINT or SIGTERM.
package daemon

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/sirupsen/logrus"

	"provision.local/pkg/config"
	"provision.local/pkg/logging"
)

// Main loads the service's configuration with load, builds its logger at the level level reads,
// logs the configuration (secrets masked) and runs run until SIGINT or SIGTERM. A failure is
// printed as "<name>: <error>" and the process exits 1.
func Main[C any](name string, load func() (C, error), level func(C) string, run func(context.Context, C, *logrus.Logger) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := start(ctx, name, os.Stdout, load, level, run)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

func start[C any](ctx context.Context, name string, out io.Writer, load func() (C, error), level func(C) string, run func(context.Context, C, *logrus.Logger) error) error {
	cfg, err := load()
	if err != nil {
		return err
	}
	log := logging.NewWithOutput(name, level(cfg), out)
	log.WithFields(config.Fields(cfg)).Info("configuration")
	return run(ctx, cfg, log)
}
