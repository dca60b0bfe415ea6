// Package service is the simulator's composition root: configuration from the environment and the
// wiring of partners, metrics and router.
package service

import (
	"fmt"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/sirupsen/logrus"

	"provision.local/services/partnersim/internal/disney"
	"provision.local/services/partnersim/internal/ports"
	"provision.local/services/partnersim/internal/sim"
)

// Config is read from the environment.
type Config struct {
	HTTPAddr string // HTTP_ADDR
	LogLevel string // LOG_LEVEL
}

// LoadConfig reads Config, applying defaults to unset variables.
func LoadConfig() Config {
	return Config{
		HTTPAddr: env("HTTP_ADDR", "127.0.0.1:8090"),
		LogLevel: env("LOG_LEVEL", "info"),
	}
}

// NewHandler builds every partner and the router that serves them.
func NewHandler(log *logrus.Logger) (http.Handler, error) {
	gin.SetMode(gin.ReleaseMode)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	router, err := ports.NewRouter(ports.Options{
		Logger:   log,
		Registry: reg,
		Partners: []ports.Partner{disney.New(sim.Config{})},
	})
	if err != nil {
		return nil, fmt.Errorf("router: %w", err)
	}
	return router, nil
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
