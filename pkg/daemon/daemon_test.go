package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/sirupsen/logrus"
)

type testConfig struct {
	Level  string `env:"LOG_LEVEL" default:"info"`
	Secret string `env:"API_SECRET" secret:"true"`
}

func TestStartLoadsLogsAndRuns(t *testing.T) {
	var out bytes.Buffer
	var ran testConfig
	cfg := testConfig{Level: "debug", Secret: "s3cr3t"}
	err := start(context.Background(), "svc", &out,
		func() (testConfig, error) { return cfg, nil },
		func(c testConfig) string { return c.Level },
		func(_ context.Context, c testConfig, log *logrus.Logger) error {
			ran = c
			if log.GetLevel() != logrus.DebugLevel {
				t.Errorf("logger level %s, want debug", log.GetLevel())
			}
			return nil
		})
	if err != nil || ran != cfg {
		t.Fatalf("run got %+v (%v), want %+v", ran, err, cfg)
	}
	var line map[string]any
	if err := json.Unmarshal(out.Bytes(), &line); err != nil {
		t.Fatalf("configuration line %q: %v", out.String(), err)
	}
	if line["message"] != "configuration" || line["service"] != "svc" {
		t.Fatalf("configuration line %v", line)
	}
	if bytes.Contains(out.Bytes(), []byte("s3cr3t")) {
		t.Fatalf("a secret was logged: %s", out.String())
	}
}

func TestStartStopsAtAConfigurationError(t *testing.T) {
	bad := errors.New("KAFKA_BROKERS: required")
	err := start(context.Background(), "svc", &bytes.Buffer{},
		func() (testConfig, error) { return testConfig{}, bad },
		func(c testConfig) string { return c.Level },
		func(context.Context, testConfig, *logrus.Logger) error {
			t.Fatal("ran with a configuration that did not load")
			return nil
		})
	if !errors.Is(err, bad) {
		t.Fatalf("err = %v, want %v", err, bad)
	}
}
