package service

import (
	"testing"
	"time"
)

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name        string
		env         map[string]string
		wantPublic  string
		wantBackoff time.Duration
		wantErr     bool
	}{
		{"defaults", nil, "http://127.0.0.1:8090", 30 * time.Second, false},
		{"publicURLFollowsHTTPAddr", map[string]string{"HTTP_ADDR": "127.0.0.1:9000"}, "http://127.0.0.1:9000", 30 * time.Second, false},
		{"wildcardHostIsLoopback", map[string]string{"HTTP_ADDR": ":9000"}, "http://127.0.0.1:9000", 30 * time.Second, false},
		{"unspecifiedIPIsLoopback", map[string]string{"HTTP_ADDR": "0.0.0.0:9000"}, "http://127.0.0.1:9000", 30 * time.Second, false},
		{"publicURLSet", map[string]string{"PUBLIC_URL": "http://sim.test"}, "http://sim.test", 30 * time.Second, false},
		{"backoffSet", map[string]string{"NETFLIX_CALLBACK_BACKOFF_MAX": "2s"}, "http://127.0.0.1:8090", 2 * time.Second, false},
		{"backoffInvalid", map[string]string{"NETFLIX_CALLBACK_BACKOFF_MAX": "soon"}, "", 0, true},
		{"backoffNegative", map[string]string{"NETFLIX_CALLBACK_BACKOFF_MAX": "-1s"}, "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"HTTP_ADDR", "PUBLIC_URL", "NETFLIX_CALLBACK_URL", "NETFLIX_CALLBACK_BACKOFF_MAX"} {
				t.Setenv(k, tt.env[k])
			}
			cfg, err := LoadConfig()
			if tt.wantErr {
				if err == nil {
					t.Fatalf("config %+v, want an error", cfg)
				}
				return
			}
			if err != nil || cfg.PublicURL != tt.wantPublic || cfg.NetflixCallbackBackoffMax != tt.wantBackoff {
				t.Fatalf("config %+v (%v), want public %s backoff %s", cfg, err, tt.wantPublic, tt.wantBackoff)
			}
		})
	}
}
