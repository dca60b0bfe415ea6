// Package service is the ingress's composition root.
package service

import (
	"context"
	"fmt"
	"time"

	"github.com/sirupsen/logrus"

	"provision.local/api"
	"provision.local/events"
	"provision.local/pkg/command"
	"provision.local/pkg/config"
	"provision.local/pkg/httpx"
	"provision.local/pkg/kafkaio"
	"provision.local/pkg/submit"
	"provision.local/services/ingress/internal/adapters"
	"provision.local/services/ingress/internal/app"
	"provision.local/services/ingress/internal/ports"
)

// DefaultAddr is the public address of the local stack.
const DefaultAddr = "127.0.0.1:8080"

// Config is the ingress's configuration.
type Config struct {
	LogLevel string `env:"LOG_LEVEL" default:"info"`
	HTTP     httpx.HTTPConfig
	Kafka    kafkaio.Config
	// AuthTokens maps bearer tokens to the orgs they may act on: "token=org1|org2,token2=org3".
	AuthTokens string `env:"AUTH_TOKENS" required:"true" secret:"true"`
	// WorkflowKey is the platform's shared secret: it signs workflow ids and keys the command ids
	// and request digests made from requests, so that they reveal nothing of the request. Every
	// replica, and every service that submits commands, holds the same.
	WorkflowKey string `env:"WORKFLOW_KEY" required:"true" secret:"true"`
	// The internal API of each provider service; one field per provider (see providerURLs).
	DisneyURL       string        `env:"DISNEY_URL" default:"http://127.0.0.1:8081"`
	NetflixURL      string        `env:"NETFLIX_URL" default:"http://127.0.0.1:8082"`
	HBOURL          string        `env:"HBO_URL" default:"http://127.0.0.1:8083"`
	InsuranceURL    string        `env:"INSURANCE_URL" default:"http://127.0.0.1:8084"`
	UpstreamTimeout time.Duration `env:"UPSTREAM_TIMEOUT" default:"10s"`
	BodyLimit       int64         `env:"HTTP_BODY_LIMIT" default:"1048576"`
	// IdempotencyWindow is how long an Idempotency-Key or a derived command id dedupes; the
	// providers' ledgers read the same variable.
	IdempotencyWindow time.Duration `env:"IDEMPOTENCY_WINDOW" default:"24h"`
	// IdempotencyCacheSize bounds the keys this process remembers (about 300 bytes each).
	IdempotencyCacheSize int `env:"IDEMPOTENCY_CACHE_SIZE" default:"100000"`
	// IdempotencyLookupTimeout bounds the question to the owning service about a key this
	// process has not accepted itself; past it the command is accepted (its ledger still dedupes).
	IdempotencyLookupTimeout time.Duration `env:"IDEMPOTENCY_LOOKUP_TIMEOUT" default:"2s"`
}

// Source is the CloudEvents source of the commands the ingress submits.
const Source = "/provision/ingress"

// providerURLs are the providers the ingress routes to, by the name of their topics, and their
// internal APIs. An operation of a provider not listed is answered 501.
func (cfg Config) providerURLs() map[string]string {
	urls := map[string]string{}
	if cfg.DisneyURL != "" {
		urls[events.ProviderDisney] = cfg.DisneyURL
	}
	if cfg.NetflixURL != "" {
		urls[events.ProviderNetflix] = cfg.NetflixURL
	}
	if cfg.HBOURL != "" {
		urls[events.ProviderHBO] = cfg.HBOURL
	}
	if cfg.InsuranceURL != "" {
		urls[events.ProviderInsurance] = cfg.InsuranceURL
	}
	return urls
}

// LoadConfig reads the configuration from the environment.
func LoadConfig() (Config, error) {
	var cfg Config
	err := config.Load(&cfg)
	return cfg, err
}

// Run serves the public API until ctx is done.
func Run(ctx context.Context, cfg Config, log *logrus.Logger) error {
	if cfg.HTTP.Addr == "" {
		cfg.HTTP.Addr = DefaultAddr
	}
	tokens, err := httpx.ParseTokens(cfg.AuthTokens)
	if err == nil {
		err = ports.CheckOrgs(tokens)
	}
	if err != nil {
		return fmt.Errorf("AUTH_TOKENS: %w", err)
	}
	spec, err := ports.LoadSpec(api.OpenAPI)
	if err != nil {
		return err
	}
	urls := cfg.providerURLs()
	topics := make([]string, 0, len(urls))
	for p := range urls {
		topics = append(topics, events.CommandsTopic(p))
	}
	if err := kafkaio.EnsureTopics(ctx, cfg.Kafka, topics...); err != nil {
		return fmt.Errorf("create topics: %w", err)
	}
	pub := kafkaio.NewPublisher(cfg.Kafka)
	defer pub.Close()

	ids := command.NewWorkflows(cfg.WorkflowKey)
	internal := adapters.NewClient(urls, cfg.UpstreamTimeout)
	records := map[string]submit.OperationSource{}
	for p := range urls {
		records[p] = internal.Records(p)
	}
	a := &ports.API{
		Spec: spec,
		Submitter: submit.NewSubmitter(Source, pub, ids, records, submit.KeyConfig{
			Window: cfg.IdempotencyWindow, CacheSize: cfg.IdempotencyCacheSize, LookupTimeout: cfg.IdempotencyLookupTimeout,
		}),
		Workflows: app.NewWorkflows(ids, records),
		Internal:  internal,
	}

	engine := httpx.NewEngine(httpx.Options{Service: "ingress", Log: log, BodyLimit: cfg.BodyLimit})
	httpx.RegisterProbes(engine, httpx.Check{Name: "kafka", Run: func(ctx context.Context) error {
		return kafkaio.Ping(ctx, cfg.Kafka.Brokers)
	}})
	if err := ports.Register(engine, a, tokens, ports.Routes); err != nil {
		return err
	}

	log.WithField("addr", cfg.HTTP.Addr).Info("ingress started")
	return httpx.Serve(ctx, log, cfg.HTTP.Addr, engine, cfg.HTTP.ShutdownTimeout)
}
