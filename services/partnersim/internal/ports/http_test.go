package ports_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"provision.local/pkg/logging"
	"provision.local/services/partnersim/internal/disney"
	"provision.local/services/partnersim/internal/ports"
	"provision.local/services/partnersim/internal/sim"
	"provision.local/services/partnersim/internal/sim/simtest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

type harness struct {
	t     *testing.T
	clock *simtest.Clock
	api   *disney.API
	logs  *syncBuffer
	h     http.Handler
}

// syncBuffer is a log sink safe for concurrent requests.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	gin.SetMode(gin.TestMode)
	clock := simtest.NewClock(t0)
	api := disney.New(sim.Config{Clock: clock})
	logs := &syncBuffer{}
	r, err := ports.NewRouter(ports.Options{
		Logger:   logging.NewWithOutput("partnersim", "info", logs),
		Registry: prometheus.NewRegistry(),
		Partners: []ports.Partner{api},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, clock: clock, api: api, logs: logs, h: r}
}

func (h *harness) do(method, path, key, body string) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if key != "" {
		req.Header.Set(sim.HeaderIdempotencyKey, key)
	}
	w := httptest.NewRecorder()
	h.h.ServeHTTP(w, req)
	return w
}

func (h *harness) createBody(id string) string {
	return fmt.Sprintf(`{"entitlementId":%q,"userId":"u-%s","provider":"telco","products":["disney_plus"]}`, id, id)
}

func (h *harness) requests() sim.Report {
	h.t.Helper()
	w := h.do(http.MethodGet, "/admin/requests/disney", "", "")
	var r sim.Report
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil || w.Code != http.StatusOK {
		h.t.Fatalf("requests: %d %s", w.Code, w.Body)
	}
	return r
}

func (h *harness) putFault(body string) {
	h.t.Helper()
	if w := h.do(http.MethodPut, "/admin/faults/disney", "", body); w.Code != http.StatusOK {
		h.t.Fatalf("put fault: %d %s", w.Code, w.Body)
	}
}

func TestProbes(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		w := h.do(http.MethodGet, path, "", "")
		if w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != `{"status":"ok"}` {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
	}
}

func TestMetricsCountPartnerRequests(t *testing.T) {
	h := newHarness(t)
	h.do(http.MethodPost, "/disney/v1/entitlements", "k1", h.createBody("e1"))
	w := h.do(http.MethodGet, "/metrics", "", "")
	want := `partnersim_requests_total{operation="create",partner="disney",status="201"} 1`
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), want) {
		t.Fatalf("metrics %d lacks %s:\n%s", w.Code, want, w.Body)
	}
}

func TestAdminFaults(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		path     string
		body     string
		wantCode int
		wantErr  string
		wantBody string
	}{
		{"put200", http.MethodPut, "/admin/faults/disney", `{"status":503,"rate":1.0,"latency_ms":0,"for_seconds":30}`, http.StatusOK, "",
			`{"status":503,"rate":1,"latency_ms":0,"for_seconds":30,"set_at":"2026-01-02T03:04:05Z","expires_at":"2026-01-02T03:04:35Z"}`},
		{"putRateAbsentMeansAlways200", http.MethodPut, "/admin/faults/disney", `{"latency_ms":100}`, http.StatusOK, "",
			`{"status":0,"rate":1,"latency_ms":100,"for_seconds":0,"set_at":"2026-01-02T03:04:05Z"}`},
		{"putRateAboveOne400", http.MethodPut, "/admin/faults/disney", `{"status":503,"rate":1.5}`, http.StatusBadRequest, "INVALID_FAULT", ""},
		{"putNegativeRate400", http.MethodPut, "/admin/faults/disney", `{"status":503,"rate":-1}`, http.StatusBadRequest, "INVALID_FAULT", ""},
		{"putStatus200Invalid400", http.MethodPut, "/admin/faults/disney", `{"status":200}`, http.StatusBadRequest, "INVALID_FAULT", ""},
		{"putNegativeLatency400", http.MethodPut, "/admin/faults/disney", `{"latency_ms":-5}`, http.StatusBadRequest, "INVALID_FAULT", ""},
		{"putNegativeForSeconds400", http.MethodPut, "/admin/faults/disney", `{"status":503,"for_seconds":-1}`, http.StatusBadRequest, "INVALID_FAULT", ""},
		{"putUnknownField400", http.MethodPut, "/admin/faults/disney", `{"status":503,"latencyMs":5}`, http.StatusBadRequest, "INVALID_FAULT", ""},
		{"putNotJSON400", http.MethodPut, "/admin/faults/disney", `503`, http.StatusBadRequest, "INVALID_FAULT", ""},
		{"putScoped200", http.MethodPut, "/admin/faults/disney", `{"status":503,"match":"ENT-1"}`, http.StatusOK, "",
			`{"status":503,"rate":1,"latency_ms":0,"for_seconds":0,"match":"ENT-1","set_at":"2026-01-02T03:04:05Z"}`},
		{"putEmptyMatchIsUnscoped200", http.MethodPut, "/admin/faults/disney", `{"status":503,"match":""}`, http.StatusOK, "",
			`{"status":503,"rate":1,"latency_ms":0,"for_seconds":0,"set_at":"2026-01-02T03:04:05Z"}`},
		{"putMatchTooLong400", http.MethodPut, "/admin/faults/disney", `{"status":503,"match":"` + strings.Repeat("x", sim.MaxMatchLen+1) + `"}`, http.StatusBadRequest, "INVALID_FAULT", ""},
		{"putMatchNotString400", http.MethodPut, "/admin/faults/disney", `{"status":503,"match":42}`, http.StatusBadRequest, "INVALID_FAULT", ""},
		{"putUnknownPartner404", http.MethodPut, "/admin/faults/nope", `{"status":503}`, http.StatusNotFound, "PARTNER_NOT_FOUND", ""},
		{"getNone404", http.MethodGet, "/admin/faults/disney", "", http.StatusNotFound, "FAULT_NOT_FOUND", ""},
		{"getUnknownPartner404", http.MethodGet, "/admin/faults/nope", "", http.StatusNotFound, "PARTNER_NOT_FOUND", ""},
		{"deleteNone204", http.MethodDelete, "/admin/faults/disney", "", http.StatusNoContent, "", ""},
		{"deleteUnknownPartner404", http.MethodDelete, "/admin/faults/nope", "", http.StatusNotFound, "PARTNER_NOT_FOUND", ""},
		{"requestsUnknownPartner404", http.MethodGet, "/admin/requests/nope", "", http.StatusNotFound, "PARTNER_NOT_FOUND", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			w := h.do(tt.method, tt.path, "", tt.body)
			if w.Code != tt.wantCode {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, tt.wantCode)
			}
			if tt.wantErr != "" {
				var b sim.ErrorBody
				if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil || b.Error.Code != tt.wantErr {
					t.Fatalf("body %s, want code %s", w.Body, tt.wantErr)
				}
			}
			if tt.wantBody != "" && strings.TrimSpace(w.Body.String()) != tt.wantBody {
				t.Fatalf("body %s, want %s", w.Body, tt.wantBody)
			}
		})
	}
}

func TestFaultRoundTrip(t *testing.T) {
	h := newHarness(t)
	h.putFault(`{"status":500,"rate":0.25}`)
	w := h.do(http.MethodGet, "/admin/faults/disney", "", "")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"status":500,"rate":0.25`) {
		t.Fatalf("get fault: %d %s", w.Code, w.Body)
	}
	if w := h.do(http.MethodDelete, "/admin/faults/disney", "", ""); w.Code != http.StatusNoContent {
		t.Fatalf("delete: %d", w.Code)
	}
	if w := h.do(http.MethodGet, "/admin/faults/disney", "", ""); w.Code != http.StatusNotFound {
		t.Fatalf("get after delete: %d", w.Code)
	}
}

func TestInjected503HasNoEffectAndIsNotStored(t *testing.T) {
	h := newHarness(t)
	h.putFault(`{"status":503,"rate":1.0}`)

	w := h.do(http.MethodPost, "/disney/v1/entitlements", "k1", h.createBody("e1"))
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("faulted create: %d %s", w.Code, w.Body)
	}
	if got := h.api.Entitlements(); len(got) != 0 {
		t.Fatalf("faulted create stored %v", got)
	}
	// The admin API is not subject to faults.
	r := h.requests()
	if r.Faulted[disney.OpCreate] != 1 || r.Effects[disney.OpCreate] != 0 || !r.Last[0].Faulted {
		t.Fatalf("report %+v, want one faulted create and no effect", r)
	}

	if w := h.do(http.MethodDelete, "/admin/faults/disney", "", ""); w.Code != http.StatusNoContent {
		t.Fatalf("delete fault: %d", w.Code)
	}
	retry := h.do(http.MethodPost, "/disney/v1/entitlements", "k1", h.createBody("e1"))
	if retry.Code != http.StatusCreated || retry.Header().Get(sim.HeaderReplayed) != "" {
		t.Fatalf("retry: %d replayed=%q, want a fresh 201", retry.Code, retry.Header().Get(sim.HeaderReplayed))
	}
	if n := h.requests().Effects[disney.OpCreate]; n != 1 {
		t.Fatalf("effects.create = %d, want 1", n)
	}
}

func TestScopedFaultHitsOnlyTheMatchingEntitlement(t *testing.T) {
	h := newHarness(t)
	h.putFault(`{"status":503,"match":"e-slow"}`)
	if w := h.do(http.MethodGet, "/admin/faults/disney", "", ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"match":"e-slow"`) {
		t.Fatalf("get fault: %d %s, want the match shown", w.Code, w.Body)
	}

	steps := []struct {
		name   string
		method string
		path   string
		key    string
		body   string
		want   int
	}{
		{"createOfTheMatchFaulted", http.MethodPost, "/disney/v1/entitlements", "k1", h.createBody("e-slow"), http.StatusServiceUnavailable},
		{"createOfAnotherServed", http.MethodPost, "/disney/v1/entitlements", "k2", h.createBody("e-fast"), http.StatusCreated},
		{"suspendOfAnotherServed", http.MethodPost, "/disney/v1/entitlements/e-fast/suspend", "k3", `{}`, http.StatusOK},
		{"getOfTheMatchFaulted", http.MethodGet, "/disney/v1/entitlements/e-slow", "", "", http.StatusServiceUnavailable},
	}
	for _, s := range steps {
		if w := h.do(s.method, s.path, s.key, s.body); w.Code != s.want {
			t.Fatalf("%s: %d %s, want %d", s.name, w.Code, w.Body, s.want)
		}
	}
	if r := h.requests(); r.Faulted[disney.OpCreate] != 1 || r.Faulted[disney.OpGet] != 1 || r.Effects[disney.OpCreate] != 1 || r.Effects[disney.OpSuspend] != 1 {
		t.Fatalf("report faulted %v effects %v, want the matching create and get faulted, the others served", r.Faulted, r.Effects)
	}

	// Lifted, the faulted create goes through with its key.
	if w := h.do(http.MethodDelete, "/admin/faults/disney", "", ""); w.Code != http.StatusNoContent {
		t.Fatalf("delete fault: %d", w.Code)
	}
	if w := h.do(http.MethodPost, "/disney/v1/entitlements", "k1", h.createBody("e-slow")); w.Code != http.StatusCreated {
		t.Fatalf("create after the fault: %d %s", w.Code, w.Body)
	}
}

func TestFaultAppliesToPartnerOnly(t *testing.T) {
	h := newHarness(t)
	h.putFault(`{"status":503}`)
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/admin/requests/disney", "/admin/faults/disney", "/admin/entitlements/disney"} {
		if w := h.do(http.MethodGet, path, "", ""); w.Code != http.StatusOK {
			t.Fatalf("%s: %d under a partner fault", path, w.Code)
		}
	}
	if w := h.do(http.MethodGet, "/disney/v1/entitlements/e1", "", ""); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("partner get: %d, want 503", w.Code)
	}
}

func TestLatencyIsInjectedBeforeAnswering(t *testing.T) {
	h := newHarness(t)
	h.putFault(`{"latency_ms":250}`)
	w := h.do(http.MethodPost, "/disney/v1/entitlements", "k1", h.createBody("e1"))
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	if got := h.clock.Slept(); len(got) != 1 || got[0] != 250*time.Millisecond {
		t.Fatalf("slept %v, want [250ms]", got)
	}
	r := h.requests()
	if e := r.Last[0]; e.InjectedLatencyMS != 250 || e.Faulted || r.Effects[disney.OpCreate] != 1 {
		t.Fatalf("entry %+v effects %v, want 250ms latency, not faulted, one effect", e, r.Effects)
	}
}

func TestFaultExpiresAfterForSeconds(t *testing.T) {
	h := newHarness(t)
	h.putFault(`{"status":503,"rate":1,"for_seconds":30}`)
	if w := h.do(http.MethodPost, "/disney/v1/entitlements", "k1", h.createBody("e1")); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("before expiry: %d, want 503", w.Code)
	}
	h.clock.Advance(30 * time.Second)
	if w := h.do(http.MethodGet, "/admin/faults/disney", "", ""); w.Code != http.StatusNotFound {
		t.Fatalf("fault after expiry: %d %s, want 404", w.Code, w.Body)
	}
	if w := h.do(http.MethodPost, "/disney/v1/entitlements", "k1", h.createBody("e1")); w.Code != http.StatusCreated {
		t.Fatalf("after expiry: %d %s, want 201", w.Code, w.Body)
	}
}

func TestRequestsLog(t *testing.T) {
	h := newHarness(t)
	h.do(http.MethodPost, "/disney/v1/entitlements", "k1", h.createBody("e1"))                 // effect
	h.do(http.MethodPost, "/disney/v1/entitlements", "k1", h.createBody("e1"))                 // replay
	h.do(http.MethodPost, "/disney/v1/entitlements", "k2", h.createBody("e1"))                 // 409
	h.do(http.MethodPost, "/disney/v1/entitlements", "", h.createBody("e2"))                   // 400 no key
	h.do(http.MethodGet, "/disney/v1/entitlements/e1", "", "")                                 // read
	h.do(http.MethodPost, "/disney/v1/entitlements/e1/suspend", "s1", `{}`)                    // effect
	h.do(http.MethodPost, "/disney/v1/entitlements/e1/cancel", "c1", `{"reason":"VOLUNTARY"}`) // effect

	r := h.requests()
	wantCounts := map[sim.Operation]int{"create": 4, "get": 1, "suspend": 1, "cancel": 1}
	wantEffects := map[sim.Operation]int{"create": 1, "suspend": 1, "cancel": 1}
	if !maps.Equal(r.Counts, wantCounts) || !maps.Equal(r.Effects, wantEffects) || len(r.Faulted) != 0 {
		t.Fatalf("counts %v effects %v faulted %v, want %v %v {}", r.Counts, r.Effects, r.Faulted, wantCounts, wantEffects)
	}
	if r.Partner != "disney" || len(r.Last) != 7 {
		t.Fatalf("partner %q, %d entries", r.Partner, len(r.Last))
	}
	newest := r.Last[0]
	if newest.Operation != disney.OpCancel || newest.Path != "/disney/v1/entitlements/e1/cancel" ||
		newest.Method != http.MethodPost || newest.IdempotencyKey != "c1" || newest.Status != http.StatusOK {
		t.Fatalf("newest entry %+v", newest)
	}
	if replay := r.Last[5]; !replay.Replayed || replay.Status != http.StatusCreated {
		t.Fatalf("replay entry %+v", replay)
	}

	if w := h.do(http.MethodDelete, "/admin/requests/disney", "", ""); w.Code != http.StatusNoContent {
		t.Fatalf("reset: %d", w.Code)
	}
	if r := h.requests(); len(r.Counts) != 0 || len(r.Last) != 0 {
		t.Fatalf("after reset %+v", r)
	}
	if w := h.do(http.MethodGet, "/disney/v1/entitlements/e1", "", ""); w.Code != http.StatusOK {
		t.Fatalf("state lost by reset: %d", w.Code)
	}
}

func TestRequestsLogJSONShape(t *testing.T) {
	h := newHarness(t)
	w := h.do(http.MethodGet, "/admin/requests/disney", "", "")
	if got := strings.TrimSpace(w.Body.String()); got != `{"partner":"disney","counts":{},"effects":{},"faulted":{},"last":[]}` {
		t.Fatalf("empty report %s", got)
	}
}

func TestConcurrentCreates(t *testing.T) {
	const n = 200
	h := newHarness(t)
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Go(func() {
			w := h.do(http.MethodPost, "/disney/v1/entitlements", fmt.Sprintf("k%d", i), h.createBody(fmt.Sprintf("e%d", i)))
			codes[i] = w.Code
		})
	}
	// The same creation retried concurrently under one key is applied once.
	for range 20 {
		wg.Go(func() { h.do(http.MethodPost, "/disney/v1/entitlements", "same", h.createBody("shared")) })
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusCreated {
			t.Fatalf("create %d: %d", i, c)
		}
	}
	r := h.requests()
	if r.Effects[disney.OpCreate] != n+1 || r.Counts[disney.OpCreate] != n+20 {
		t.Fatalf("effects.create %d counts.create %d, want %d and %d", r.Effects[disney.OpCreate], r.Counts[disney.OpCreate], n+1, n+20)
	}
	if got := len(h.api.Entitlements()); got != n+1 {
		t.Fatalf("%d entitlements, want %d", got, n+1)
	}
}

func TestAccessLogOmitsBodies(t *testing.T) {
	h := newHarness(t)
	h.do(http.MethodPost, "/disney/v1/entitlements", "key-123",
		`{"entitlementId":"e1","userId":"jane.doe@example.com","products":["disney_plus"]}`)
	logs := h.logs.String()
	if strings.Contains(logs, "jane.doe") {
		t.Fatalf("log carries the request body: %s", logs)
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(logs)), &line); err != nil {
		t.Fatalf("log is not one JSON line: %q", logs)
	}
	for k, want := range map[string]any{
		"method": "POST", "path": "/disney/v1/entitlements", "status": float64(201),
		"idempotency_key": "key-123", "operation": "create", "partner": "disney", "service": "partnersim",
	} {
		if line[k] != want {
			t.Errorf("log field %s = %v, want %v", k, line[k], want)
		}
	}
	if _, ok := line["latency_ms"]; !ok {
		t.Error("log lacks latency_ms")
	}
}

func TestUnknownRoute404JSON(t *testing.T) {
	h := newHarness(t)
	w := h.do(http.MethodGet, "/disney/v2/nothing", "", "")
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), `"code":"NOT_FOUND"`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}
