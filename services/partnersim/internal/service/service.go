// Package service is the simulator's composition root: configuration from the environment and the
// wiring of partners, metrics and router.
package service

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/sirupsen/logrus"

	"provision.local/services/partnersim/internal/disney"
	"provision.local/services/partnersim/internal/insurance"
	"provision.local/services/partnersim/internal/netflix"
	"provision.local/services/partnersim/internal/ports"
	"provision.local/services/partnersim/internal/sim"
)

// Config is read from the environment.
type Config struct {
	HTTPAddr string // HTTP_ADDR
	LogLevel string // LOG_LEVEL
	// PublicURL is the base of the URLs the simulator hands out for a customer's browser, such as
	// Netflix's securitized URL (PUBLIC_URL, default http:// and HTTP_ADDR). Empty means the host
	// each request came in on.
	PublicURL string
	// NetflixCallbackURL receives the Netflix partner's reports (NETFLIX_CALLBACK_URL); empty
	// means they are only listed for pulling.
	NetflixCallbackURL string
	// NetflixCallbackBackoffMax caps the wait between delivery attempts
	// (NETFLIX_CALLBACK_BACKOFF_MAX, default 30s).
	NetflixCallbackBackoffMax time.Duration
}

// LoadConfig reads Config, applying defaults to unset variables.
func LoadConfig() (Config, error) {
	cfg := Config{
		HTTPAddr:           env("HTTP_ADDR", "127.0.0.1:8090"),
		LogLevel:           env("LOG_LEVEL", "info"),
		NetflixCallbackURL: os.Getenv("NETFLIX_CALLBACK_URL"),
	}
	cfg.PublicURL = env("PUBLIC_URL", publicURLOf(cfg.HTTPAddr))
	backoff, err := time.ParseDuration(env("NETFLIX_CALLBACK_BACKOFF_MAX", netflix.DefaultCallbackBackoffMax.String()))
	if err != nil || backoff <= 0 {
		return Config{}, fmt.Errorf("NETFLIX_CALLBACK_BACKOFF_MAX: want a positive duration such as 30s")
	}
	cfg.NetflixCallbackBackoffMax = backoff
	return cfg, nil
}

// publicURLOf is the URL a browser on this machine reaches addr at: a wildcard host becomes
// the loopback address.
func publicURLOf(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Simulator is the wired simulator: its HTTP API and the partners' background work.
type Simulator struct {
	Handler http.Handler
	netflix *netflix.API
}

// New builds every partner and the router that serves them.
func New(cfg Config, log *logrus.Logger) (*Simulator, error) {
	gin.SetMode(gin.ReleaseMode)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	nf := netflix.New(sim.Config{}, netflix.Options{
		PublicURL: cfg.PublicURL,
		Callback:  netflix.CallbackConfig{URL: cfg.NetflixCallbackURL, BackoffMax: cfg.NetflixCallbackBackoffMax},
		Logger:    log,
	})
	router, err := ports.NewRouter(ports.Options{
		Logger:   log,
		Registry: reg,
		Partners: []ports.Partner{disney.New(sim.Config{}), nf, insurance.New(sim.Config{})},
	})
	if err != nil {
		return nil, fmt.Errorf("router: %w", err)
	}
	return &Simulator{Handler: router, netflix: nf}, nil
}

// Run does the partners' background work, pushing the Netflix reports to their callback, until
// ctx is done.
func (s *Simulator) Run(ctx context.Context) { s.netflix.Run(ctx) }

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
