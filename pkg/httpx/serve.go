package httpx

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/sirupsen/logrus"
)

// HTTPConfig is the listening part of a service's configuration. Services preset Addr to their
// own default before config.Load.
type HTTPConfig struct {
	Addr            string        `env:"HTTP_ADDR"`
	ShutdownTimeout time.Duration `env:"HTTP_SHUTDOWN_TIMEOUT" default:"15s"`
}

// readHeaderTimeout stops clients that open connections and never finish their headers.
const readHeaderTimeout = 10 * time.Second

// Serve listens on addr and serves h until ctx is done, then shuts down gracefully, letting
// in-flight requests finish within shutdownTimeout. A listen failure (port taken) is returned at
// once; a clean shutdown returns nil.
func Serve(ctx context.Context, lg *logrus.Logger, addr string, h http.Handler, shutdownTimeout time.Duration) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	errLog := lg.WriterLevel(logrus.WarnLevel)
	defer errLog.Close()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ErrorLog:          log.New(errLog, "", 0),
		// Requests see ctx's values but not its cancellation: shutdown, not the signal, ends them.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	lg.WithField("addr", ln.Addr().String()).Info("http server listening")

	select {
	case err := <-served:
		return fmt.Errorf("serve %s: %w", addr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// Requests still running past the deadline are cut off.
		_ = srv.Close()
		return fmt.Errorf("shutdown %s: %w", addr, err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", addr, err)
	}
	lg.WithField("addr", ln.Addr().String()).Info("http server stopped")
	return nil
}
