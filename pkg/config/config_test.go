package config_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"provision.local/pkg/config"
)

type kafkaCfg struct {
	Brokers []string `env:"T_KAFKA_BROKERS" default:"127.0.0.1:9092"`
	Topic   string   `env:"T_KAFKA_TOPIC" required:"true"`
}

func (k kafkaCfg) Validate() error {
	if k.Topic == "forbidden" {
		return errors.New("topic forbidden is reserved")
	}
	return nil
}

type Embedded struct {
	Level string `env:"T_LOG_LEVEL" default:"info"`
}

type serviceCfg struct {
	Embedded
	Name    string        `env:"T_NAME" default:"svc"`
	Port    int           `env:"T_PORT" default:"8080"`
	Big     int64         `env:"T_BIG" default:"1"`
	Debug   bool          `env:"T_DEBUG" default:"false"`
	Ratio   float64       `env:"T_RATIO" default:"0.5"`
	Timeout time.Duration `env:"T_TIMEOUT" default:"15s"`
	Token   string        `env:"T_TOKEN" secret:"true"`
	Preset  string        `env:"T_PRESET"`
	Kafka   kafkaCfg
	//lint:ignore U1000 present to check that Load skips unexported fields
	untagged string
}

// Validate on the outer struct, pointer receiver, to check both receiver kinds are found.
func (s *serviceCfg) Validate() error {
	if s.Port == 1 {
		return errors.New("port 1 is not allowed")
	}
	return nil
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    func(t *testing.T, c serviceCfg)
		wantErr []string // substrings that must all appear in the error
	}{
		{
			name: "defaultsAppliedWhenUnset",
			env:  map[string]string{"T_KAFKA_TOPIC": "t"},
			want: func(t *testing.T, c serviceCfg) {
				got := []any{c.Name, c.Port, c.Big, c.Debug, c.Ratio, c.Timeout, c.Level, c.Kafka.Brokers, c.Token}
				want := []any{"svc", 8080, int64(1), false, 0.5, 15 * time.Second, "info", []string{"127.0.0.1:9092"}, ""}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
			},
		},
		{
			name: "everyKindReadFromEnv",
			env: map[string]string{
				"T_NAME": "ingress", "T_PORT": "9000", "T_BIG": "9000000000", "T_DEBUG": "true",
				"T_RATIO": "1.25", "T_TIMEOUT": "250ms", "T_TOKEN": "s3cret", "T_LOG_LEVEL": "debug",
				"T_KAFKA_BROKERS": "a:1,b:2", "T_KAFKA_TOPIC": "cmds",
			},
			want: func(t *testing.T, c serviceCfg) {
				got := []any{c.Name, c.Port, c.Big, c.Debug, c.Ratio, c.Timeout, c.Token, c.Level, c.Kafka.Brokers, c.Kafka.Topic}
				want := []any{"ingress", 9000, int64(9000000000), true, 1.25, 250 * time.Millisecond, "s3cret", "debug", []string{"a:1", "b:2"}, "cmds"}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
			},
		},
		{
			name: "listItemsTrimmedAndEmptiesDropped",
			env:  map[string]string{"T_KAFKA_TOPIC": "t", "T_KAFKA_BROKERS": " a:1 , ,b:2,, "},
			want: func(t *testing.T, c serviceCfg) {
				if want := []string{"a:1", "b:2"}; !reflect.DeepEqual(c.Kafka.Brokers, want) {
					t.Errorf("brokers = %q, want %q", c.Kafka.Brokers, want)
				}
			},
		},
		{
			name: "blankValueFallsBackToDefault",
			env:  map[string]string{"T_KAFKA_TOPIC": "t", "T_PORT": "  "},
			want: func(t *testing.T, c serviceCfg) {
				if c.Port != 8080 {
					t.Errorf("port = %d, want 8080", c.Port)
				}
			},
		},
		{
			name: "presetKeptWhenUnsetWithoutDefault",
			env:  map[string]string{"T_KAFKA_TOPIC": "t"},
			want: func(t *testing.T, c serviceCfg) {
				if c.Preset != "from-service" {
					t.Errorf("preset = %q, want from-service", c.Preset)
				}
			},
		},
		{
			name: "presetOverriddenBySetVariable",
			env:  map[string]string{"T_KAFKA_TOPIC": "t", "T_PRESET": "from-env"},
			want: func(t *testing.T, c serviceCfg) {
				if c.Preset != "from-env" {
					t.Errorf("preset = %q, want from-env", c.Preset)
				}
			},
		},
		{
			name:    "errRequiredMissingNamesVariable",
			env:     map[string]string{},
			wantErr: []string{"T_KAFKA_TOPIC", "required"},
		},
		{
			name:    "errAllProblemsReportedTogether",
			env:     map[string]string{"T_PORT": "eighty", "T_TIMEOUT": "soon", "T_DEBUG": "maybe"},
			wantErr: []string{"T_PORT", "eighty", "T_TIMEOUT", "T_DEBUG", "T_KAFKA_TOPIC"},
		},
		{
			name:    "errIntOutOfRange",
			env:     map[string]string{"T_KAFKA_TOPIC": "t", "T_PORT": "99999999999999999999"},
			wantErr: []string{"T_PORT", "out of range"},
		},
		{
			name:    "errNestedValidateReported",
			env:     map[string]string{"T_KAFKA_TOPIC": "forbidden"},
			wantErr: []string{"kafkaCfg", "reserved"},
		},
		{
			name:    "errOuterValidateReported",
			env:     map[string]string{"T_KAFKA_TOPIC": "t", "T_PORT": "1"},
			wantErr: []string{"serviceCfg", "port 1"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			c := serviceCfg{Preset: "from-service"}
			err := config.Load(&c)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if tc.want != nil {
					tc.want(t, c)
				}
				return
			}
			if err == nil {
				t.Fatalf("Load succeeded, want error containing %q", tc.wantErr)
			}
			for _, s := range tc.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestLoadSecretInvalidValueNotEchoed(t *testing.T) {
	type cfg struct {
		Key int `env:"T_SECRET_INT" secret:"true"`
	}
	t.Setenv("T_SECRET_INT", "hunter2")
	err := config.Load(&cfg{})
	if err == nil {
		t.Fatal("Load succeeded, want error")
	}
	if !strings.Contains(err.Error(), "T_SECRET_INT") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %q: want the variable named and the value hidden", err)
	}
}

func TestLoadRejectsBadDestination(t *testing.T) {
	type unsupported struct {
		M map[string]string `env:"T_MAP" default:"a=b"`
	}
	var nilPtr *serviceCfg
	for name, dst := range map[string]any{
		"errNotPointer":         serviceCfg{},
		"errNilPointer":         nilPtr,
		"errPointerToNonStruct": new(int),
		"errUnsupportedType":    &unsupported{},
	} {
		t.Run(name, func(t *testing.T) {
			if err := config.Load(dst); err == nil {
				t.Fatal("Load succeeded, want error")
			}
		})
	}
}

func TestFields(t *testing.T) {
	c := serviceCfg{
		Embedded: Embedded{Level: "debug"},
		Name:     "ingress",
		Port:     8080,
		Timeout:  15 * time.Second,
		Token:    "s3cret",
		Kafka:    kafkaCfg{Brokers: []string{"a:1"}, Topic: "cmds"},
	}
	f := config.Fields(&c)
	want := map[string]any{
		"T_NAME":          "ingress",
		"T_PORT":          8080,
		"T_TIMEOUT":       "15s",
		"T_TOKEN":         "****",
		"T_LOG_LEVEL":     "debug",
		"T_KAFKA_BROKERS": []string{"a:1"},
		"T_KAFKA_TOPIC":   "cmds",
	}
	for k, v := range want {
		if !reflect.DeepEqual(f[k], v) {
			t.Errorf("%s = %#v, want %#v", k, f[k], v)
		}
	}
	if len(f) != 11 {
		t.Errorf("got %d fields, want the 11 tagged ones: %v", len(f), f)
	}
	c.Token = ""
	if got := config.Fields(c)["T_TOKEN"]; got != "" {
		t.Errorf("empty secret shown as %q, want empty", got)
	}
}
