package httpx_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"provision.local/pkg/httpx"
)

func TestProbes(t *testing.T) {
	ok := httpx.Check{Name: "mongo", Run: func(context.Context) error { return nil }}
	down := httpx.Check{Name: "kafka", Run: func(context.Context) error { return errors.New("broker unreachable") }}
	hang := httpx.Check{Name: "partner", Run: func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}}
	tests := []struct {
		name   string
		path   string
		checks []httpx.Check
		status int
		want   map[string]any
	}{
		{name: "healthz200", path: "/healthz", checks: []httpx.Check{down}, status: http.StatusOK,
			want: map[string]any{"status": "ok"}},
		{name: "readyz200AllPass", path: "/readyz", checks: []httpx.Check{ok}, status: http.StatusOK,
			want: map[string]any{"status": "ready", "checks": map[string]any{"mongo": "ok"}}},
		{name: "readyz200NoChecks", path: "/readyz", status: http.StatusOK,
			want: map[string]any{"status": "ready", "checks": map[string]any{}}},
		{name: "readyz503FailingCheck", path: "/readyz", checks: []httpx.Check{ok, down}, status: http.StatusServiceUnavailable,
			want: map[string]any{"status": "unavailable", "checks": map[string]any{"mongo": "ok", "kafka": "broker unreachable"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := newEngine(t, 0)
			httpx.RegisterProbes(e, tc.checks...)
			w := do(e, http.MethodGet, tc.path, "", nil)
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d (body %s)", w.Code, tc.status, w.Body)
			}
			var got map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if g, _ := json.Marshal(got); string(g) != mustJSON(t, tc.want) {
				t.Errorf("body %s, want %s", g, mustJSON(t, tc.want))
			}
		})
	}

	t.Run("readyz503SlowCheckWithinTimeout", func(t *testing.T) {
		e, _ := newEngine(t, 0)
		httpx.RegisterProbes(e, ok, hang)
		start := time.Now()
		w := do(e, http.MethodGet, "/readyz", "", nil)
		if w.Code != http.StatusServiceUnavailable {
			t.Fatalf("status = %d, want 503", w.Code)
		}
		if el := time.Since(start); el > httpx.ReadyTimeout+time.Second {
			t.Errorf("took %s, want about %s", el, httpx.ReadyTimeout)
		}
		if !strings.Contains(w.Body.String(), `"mongo":"ok"`) || strings.Contains(w.Body.String(), `"partner":"ok"`) {
			t.Errorf("body %s", w.Body)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMetricsUseRouteTemplate(t *testing.T) {
	e, _ := newEngine(t, 0)
	e.GET("/v2/orgs/:org/users/:user", func(c *gin.Context) { c.Status(http.StatusOK) })
	httpx.RegisterProbes(e)
	// A second engine in the same process must not panic on duplicate registration.
	httpx.NewEngine(httpx.Options{Service: "other", Log: nil})

	do(e, http.MethodGet, "/v2/orgs/yoigo/users/MOO1664367665504", "", nil)
	do(e, http.MethodGet, "/random/probe/path", "", nil)
	w := do(e, http.MethodGet, "/metrics", "", nil)
	body := w.Body.String()
	svc := `service="test-` + t.Name() + `"`
	for _, want := range []string{
		`provision_http_requests_total{method="GET",route="/v2/orgs/:org/users/:user",` + svc + `,status="200"} 1`,
		`provision_http_requests_total{method="GET",route="unmatched",` + svc + `,status="404"} 1`,
		`provision_http_request_seconds_count{route="/v2/orgs/:org/users/:user",` + svc + `} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "MOO1664367665504") || strings.Contains(body, "/random/probe") {
		t.Error("raw paths leaked into metric labels")
	}
}
