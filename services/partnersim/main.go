// Command partnersim simulates the partners' APIs (Disney+, Netflix, the device insurer) with
// state, idempotency keys and fault injection, so provider services can be run and tested without
// the real partners.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"provision.local/pkg/logging"
	"provision.local/services/partnersim/internal/service"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "partnersim:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := service.LoadConfig()
	if err != nil {
		return err
	}
	log := logging.New("partnersim", cfg.LogLevel)
	partners, err := service.New(cfg, log)
	if err != nil {
		return err
	}
	// Listen before logging so "listening" is only logged when the port is ours.
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: partners.Handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.WithField("addr", ln.Addr().String()).Info("listening")

	// Background work stops after the server: a request served while shutting down may still
	// add a report to push.
	workCtx, stopWork := context.WithCancel(context.Background())
	workDone := make(chan struct{})
	go func() {
		defer close(workDone)
		partners.Run(workCtx)
	}()
	defer func() {
		stopWork()
		<-workDone
	}()

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
