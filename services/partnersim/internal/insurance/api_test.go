package insurance_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"provision.local/services/partnersim/internal/insurance"
	"provision.local/services/partnersim/internal/sim"
	"provision.local/services/partnersim/internal/sim/simtest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const (
	reserveBody = `{"documentId":"12345678Z","firstName":"juan","email":"j@example.com","language":"es","brand":"Acme","model":"A1","price":200,"clientType":"Autónomo","imei":"356938035643809"}`
	policies    = "/insurance/v1/orgs/masmovil/policies"
)

type harness struct {
	t     *testing.T
	clock *simtest.Clock
	h     http.Handler
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	gin.SetMode(gin.TestMode)
	clock := simtest.NewClock(t0)
	api := insurance.New(sim.Config{Clock: clock})
	r := gin.New()
	api.Register(r.Group("/insurance"))
	return &harness{t: t, clock: clock, h: r}
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

type reserved struct {
	PolicyNumber string  `json:"policyNumber"`
	RequestID    string  `json:"requestId"`
	State        string  `json:"state"`
	AnnualFee    float64 `json:"annualFee"`
	Theft        bool    `json:"theft"`
}

func (h *harness) reserve(key string) reserved {
	h.t.Helper()
	w := h.do(http.MethodPost, policies, key, reserveBody)
	if w.Code != http.StatusCreated {
		h.t.Fatalf("reserve: %d %s", w.Code, w.Body)
	}
	var r reserved
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		h.t.Fatal(err)
	}
	return r
}

func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var b sim.ErrorBody
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		t.Fatalf("decode error body %s: %v", w.Body, err)
	}
	return b.Error.Code
}

func state(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var v insurance.View
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
	return string(v.State)
}

func TestReserve_IssuesAPricedPolicyOncePerKey(t *testing.T) {
	h := newHarness(t)
	r := h.reserve("k1")
	if !regexp.MustCompile(`^DI[0-9]{10}$`).MatchString(r.PolicyNumber) || uuid.Validate(r.RequestID) != nil {
		t.Errorf("policy %q request %q, want DI and ten digits, and a UUID", r.PolicyNumber, r.RequestID)
	}
	if r.State != "RESERVED" || r.AnnualFee != 19.49 || !r.Theft {
		t.Errorf("reserved %+v, want RESERVED at 19.49 a year with theft cover", r)
	}
	if again := h.reserve("k1"); again != r {
		t.Errorf("a retry with the same key issued %+v, want the first policy %+v", again, r)
	}
	if other := h.reserve("k2"); other.PolicyNumber == r.PolicyNumber {
		t.Error("a new key got the same policy number")
	}
}

// A restarted insurer forgets its policies, the platform does not: the first number issued after
// a restart must not be one issued before it.
func TestReserve_NumbersDoNotRepeatAfterARestart(t *testing.T) {
	before := map[string]bool{}
	first := newHarness(t)
	for _, key := range []string{"k1", "k2", "k3"} {
		before[first.reserve(key).PolicyNumber] = true
	}
	restarted := newHarness(t)
	for _, key := range []string{"k1", "k2", "k3"} {
		if n := restarted.reserve(key).PolicyNumber; before[n] {
			t.Fatalf("the restarted insurer issued %s again", n)
		}
	}
}

func TestReserve_Refuses(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ name, body string }{
		{"the seed's placeholder document", strings.Replace(reserveBody, "12345678Z", "string", 1)},
		{"a negative price", strings.Replace(reserveBody, `"price":200`, `"price":-1`, 1)},
		{"an IMEI that is not 15 digits", strings.Replace(reserveBody, "356938035643809", "string", 1)},
		{"an unknown client type", strings.Replace(reserveBody, "Autónomo", "Gobierno", 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := h.do(http.MethodPost, policies, tc.name, tc.body)
			if w.Code != http.StatusBadRequest || errorCode(t, w) != "INVALID_REQUEST" {
				t.Errorf("got %d %s, want 400 INVALID_REQUEST", w.Code, w.Body)
			}
		})
	}
}

func TestLifecycle(t *testing.T) {
	h := newHarness(t)
	r := h.reserve("k1")
	path := policies + "/" + r.PolicyNumber
	activate := `{"requestId":"` + r.RequestID + `","document":"12345678Z","imei":"356938035643809"}`
	steps := []struct {
		name, path, body string
		status           int
		want             string // the state, or the error code
	}{
		{"suspend before activation", "/suspend", `{}`, http.StatusConflict, "INVALID_TRANSITION"},
		{"activate with another IMEI", "/activate", strings.Replace(activate, "356938035643809", "356938035643810", 1), http.StatusUnprocessableEntity, "DEVICE_MISMATCH"},
		{"activate with another document", "/activate", strings.Replace(activate, "12345678Z", "X1234567L", 1), http.StatusUnprocessableEntity, "DOCUMENT_MISMATCH"},
		{"activate with another request id", "/activate", strings.Replace(activate, r.RequestID, uuid.NewString(), 1), http.StatusUnprocessableEntity, "REQUEST_MISMATCH"},
		{"activate", "/activate", activate, http.StatusOK, "ACTIVE"},
		{"suspend", "/suspend", `{"document":"12345678Z"}`, http.StatusOK, "SUSPENDED"},
		{"cancel a suspended policy", "/cancel", `{}`, http.StatusConflict, "INVALID_TRANSITION"},
		{"reconnect with another document", "/reconnect", `{"document":"X1234567L"}`, http.StatusUnprocessableEntity, "DOCUMENT_MISMATCH"},
		{"reconnect", "/reconnect", `{}`, http.StatusOK, "ACTIVE"},
		{"terminate", "/terminate", `{"reason":"sold"}`, http.StatusOK, "TERMINATED"},
		{"reconnect a terminated policy", "/reconnect", `{}`, http.StatusConflict, "INVALID_TRANSITION"},
	}
	for i, s := range steps {
		h.clock.Advance(time.Minute)
		w := h.do(http.MethodPost, path+s.path, "step-"+string(rune('a'+i)), s.body)
		got := ""
		if w.Code < 300 {
			got = state(t, w)
		} else {
			got = errorCode(t, w)
		}
		if w.Code != s.status || got != s.want {
			t.Fatalf("%s: %d %s, want %d %s", s.name, w.Code, w.Body, s.status, s.want)
		}
		if strings.Contains(w.Body.String(), "12345678Z") || strings.Contains(w.Body.String(), "356938035643") {
			t.Fatalf("%s: the answer names a personal value: %s", s.name, w.Body)
		}
	}
	var v insurance.View
	_ = json.Unmarshal(h.do(http.MethodGet, path, "", "").Body.Bytes(), &v)
	if v.ActivatedAt == nil || !v.ActivatedAt.Equal(t0.Add(5*time.Minute)) || v.EndedAt == nil || !v.EndedAt.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("view %+v, want activated at the fifth step and ended at the tenth", v)
	}
}

func TestCancel_AReservedPolicy(t *testing.T) {
	h := newHarness(t)
	r := h.reserve("k1")
	if w := h.do(http.MethodPost, policies+"/"+r.PolicyNumber+"/cancel", "c1", `{"document":"12345678Z"}`); w.Code != http.StatusOK || state(t, w) != "CANCELLED" {
		t.Fatalf("cancel: %d %s", w.Code, w.Body)
	}
}

func TestAnotherOrgsPolicy_DoesNotExist(t *testing.T) {
	h := newHarness(t)
	r := h.reserve("k1")
	for _, w := range []*httptest.ResponseRecorder{
		h.do(http.MethodGet, "/insurance/v1/orgs/yoigo/policies/"+r.PolicyNumber, "", ""),
		h.do(http.MethodPost, "/insurance/v1/orgs/yoigo/policies/"+r.PolicyNumber+"/cancel", "c1", `{}`),
	} {
		if w.Code != http.StatusNotFound || errorCode(t, w) != "POLICY_NOT_FOUND" {
			t.Errorf("got %d %s, want 404 POLICY_NOT_FOUND", w.Code, w.Body)
		}
	}
}
