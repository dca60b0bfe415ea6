package service

import (
	"errors"
	"fmt"
	"time"

	"provision.local/events"
	"provision.local/pkg/config"
	"provision.local/pkg/provider"
	"provision.local/pkg/sealbox"
)

// DefaultAddr is the internal HTTP address of the local stack.
const DefaultAddr = "127.0.0.1:8084"

// Config is the insurance service's configuration.
type Config struct {
	provider.Config
	PartnerURL string `env:"INSURER_URL" default:"http://127.0.0.1:8090/insurance"`
	// PartnerTimeout stays below the ingress's UPSTREAM_TIMEOUT (10s), so a reservation the
	// insurer answers late is still stored and answered before the ingress gives up on it.
	PartnerTimeout time.Duration `env:"INSURER_TIMEOUT" default:"8s"`
	// DataKey seals the policies' personal data and keys their search tokens: the standard
	// base64 of 32 bytes. The service does not start without a valid one.
	DataKey string `env:"INSURANCE_DATA_KEY" secret:"true"`
	// PreviousDataKeys are keys rotated out (comma-separated, same format): what they sealed
	// still opens and what they tokenized is still found, new data uses DataKey.
	PreviousDataKeys []string `env:"INSURANCE_PREVIOUS_DATA_KEYS" secret:"true"`
}

// LoadConfig reads the configuration from the environment; the database and the consumer group
// default to "insurance".
func LoadConfig() (cfg Config, err error) {
	cfg.Defaults(events.ProviderInsurance, DefaultAddr)
	if err = config.Load(&cfg); err != nil {
		return cfg, fmt.Errorf("insurance configuration: %w", err)
	}
	return cfg, nil
}

// Validate refuses a configuration without a usable data key, before anything connects.
func (cfg Config) Validate() error {
	_, err := cfg.box()
	return err
}

// box is the sealing box of the data keys.
func (cfg Config) box() (*sealbox.Box, error) {
	if cfg.DataKey == "" {
		return nil, errors.New("INSURANCE_DATA_KEY is required: the standard base64 of 32 bytes")
	}
	current, err := sealbox.ParseKey(cfg.DataKey)
	if err != nil {
		return nil, fmt.Errorf("INSURANCE_DATA_KEY: %w", err)
	}
	var previous [][]byte
	for i, k := range cfg.PreviousDataKeys {
		raw, err := sealbox.ParseKey(k)
		if err != nil {
			return nil, fmt.Errorf("INSURANCE_PREVIOUS_DATA_KEYS item %d: %w", i+1, err)
		}
		previous = append(previous, raw)
	}
	return sealbox.New(current, previous...)
}
