package hbo_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"provision.local/services/partnersim/internal/hbo"
	"provision.local/services/partnersim/internal/sim"
	"provision.local/services/partnersim/internal/sim/simtest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const (
	base       = "/hbo/v1/orgs/masmovil/subscriptions"
	sub        = base + "/4567890123456789"
	createBody = `{"serviceId":"4567890123456789","externalId":"1234567890123456","country":"ES","products":[{"sku":"MAX_AVOD","title":"MAX Ad VOD","period":{"start":1616425200},"transactionId":"1234567890"}]}`
)

type harness struct {
	t     *testing.T
	clock *simtest.Clock
	api   *hbo.API
	h     http.Handler
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	gin.SetMode(gin.TestMode)
	clock := simtest.NewClock(t0)
	api := hbo.New(sim.Config{Clock: clock})
	r := gin.New()
	api.Register(r.Group("/hbo"))
	return &harness{t: t, clock: clock, api: api, h: r}
}

func (h *harness) do(method, path, key, body string) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Host = "partner.test"
	if key != "" {
		req.Header.Set(sim.HeaderIdempotencyKey, key)
	}
	w := httptest.NewRecorder()
	h.h.ServeHTTP(w, req)
	return w
}

// must answers want or fails the test; it returns the subscription the answer carries.
func (h *harness) must(want int, method, path, key, body string) hbo.Subscription {
	h.t.Helper()
	w := h.do(method, path, key, body)
	if w.Code != want {
		h.t.Fatalf("%s %s: %d %s, want %d", method, path, w.Code, w.Body, want)
	}
	var s hbo.Subscription
	_ = json.Unmarshal(w.Body.Bytes(), &s)
	return s
}

func codeOf(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var b sim.ErrorBody
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		t.Fatalf("error body %s: %v", w.Body, err)
	}
	return b.Error.Code
}

func TestLifecycle_CreateChangeProductsActivateSuspendReactivateCancel(t *testing.T) {
	h := newHarness(t)
	s := h.must(http.StatusCreated, http.MethodPost, base, "k1", createBody)
	if s.State != hbo.StatePendingActivation || len(s.Products) != 1 || s.Products[0].TransactionID != "1234567890" || s.Products[0].Period.Start != 1616425200 {
		t.Fatalf("created %+v", s)
	}
	s = h.must(http.StatusOK, http.MethodPatch, sub+"/products", "k2", `{"add":[{"sku":"MAX_SVOD"}],"remove":["MAX_AVOD"]}`)
	if len(s.Products) != 1 || s.Products[0].SKU != "MAX_SVOD" {
		t.Fatalf("products %+v", s.Products)
	}
	if s = h.must(http.StatusOK, http.MethodPost, sub+"/activate", "k3", ``); s.State != hbo.StateActive || s.ActivatedAt == nil {
		t.Fatalf("activated %+v", s)
	}
	if s = h.must(http.StatusOK, http.MethodPost, sub+"/suspend", "k4", `{"reason":"OFFER_EXPIRED"}`); s.State != hbo.StateSuspended || s.Reason != "OFFER_EXPIRED" {
		t.Fatalf("suspended %+v", s)
	}
	if s = h.must(http.StatusOK, http.MethodPost, sub+"/reactivate", "k5", ``); s.State != hbo.StateActive {
		t.Fatalf("reactivated %+v", s)
	}
	if s = h.must(http.StatusOK, http.MethodPost, sub+"/cancel", "k6", `{"reason":"PRODUCT_CANCELED"}`); s.State != hbo.StateCancelled {
		t.Fatalf("cancelled %+v", s)
	}
	if s = h.must(http.StatusOK, http.MethodGet, sub, "", ""); s.State != hbo.StateCancelled {
		t.Fatalf("get %+v", s)
	}
}

func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"unknownSubscription404", http.MethodPost, base + "/1/suspend", `{}`, http.StatusNotFound, "SUBSCRIPTION_NOT_FOUND"},
		{"createTwice409", http.MethodPost, base, createBody, http.StatusConflict, "SUBSCRIPTION_EXISTS"},
		{"suspendPending409", http.MethodPost, sub + "/suspend", `{}`, http.StatusConflict, "SUBSCRIPTION_NOT_ACTIVE"},
		{"reactivatePending409", http.MethodPost, sub + "/reactivate", `{}`, http.StatusConflict, "SUBSCRIPTION_NOT_SUSPENDED"},
		{"removeUnknownProduct404", http.MethodPatch, sub + "/products", `{"remove":["NOPE"]}`, http.StatusNotFound, "PRODUCT_NOT_FOUND"},
		{"addPresentProduct409", http.MethodPatch, sub + "/products", `{"add":[{"sku":"MAX_AVOD"}]}`, http.StatusConflict, "PRODUCT_EXISTS"},
		{"removeLastProduct409", http.MethodPatch, sub + "/products", `{"remove":["MAX_AVOD"]}`, http.StatusConflict, "LAST_PRODUCT"},
		{"emptyProductsChange400", http.MethodPatch, sub + "/products", `{}`, http.StatusBadRequest, "INVALID_REQUEST"},
		{"createWithoutProducts400", http.MethodPost, base, `{"serviceId":"1","externalId":"2","country":"ES","products":[]}`, http.StatusBadRequest, "INVALID_REQUEST"},
		{"createLowerCaseCountry400", http.MethodPost, base, `{"serviceId":"1","externalId":"2","country":"es","products":[{"sku":"A"}]}`, http.StatusBadRequest, "INVALID_REQUEST"},
		{"transactionIDNotDigits400", http.MethodPatch, sub + "/products", `{"add":[{"sku":"X","transactionId":"t-1"}]}`, http.StatusBadRequest, "INVALID_REQUEST"},
		{"createServiceIDNotDigits400", http.MethodPost, base, `{"serviceId":"x1","externalId":"2","country":"ES","products":[{"sku":"A"}]}`, http.StatusBadRequest, "INVALID_REQUEST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.must(http.StatusCreated, http.MethodPost, base, "create", createBody)
			w := h.do(tc.method, tc.path, "k-"+tc.name, tc.body)
			if w.Code != tc.status || codeOf(t, w) != tc.code {
				t.Fatalf("%d %s, want %d %s", w.Code, w.Body, tc.status, tc.code)
			}
		})
	}
}

func TestCancelled_RefusesEveryChange(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, http.MethodPost, base, "k1", createBody)
	h.must(http.StatusOK, http.MethodPost, sub+"/cancel", "k2", `{}`)
	for i, path := range []string{"/cancel", "/activate", "/activation-urls"} {
		if w := h.do(http.MethodPost, sub+path, "again"+string(rune('a'+i)), `{}`); w.Code != http.StatusConflict {
			t.Errorf("%s: %d %s, want 409", path, w.Code, w.Body)
		}
	}
}

// The activation flow: the link activates a pending subscription once; the platform's activate
// call afterwards finds it active and changes nothing.
func TestActivationLink_ActivatesOnceAndExpires(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, http.MethodPost, base, "k1", createBody)
	w := h.do(http.MethodPost, sub+"/activation-urls", "k2", ``)
	var link struct{ URL string }
	if w.Code != http.StatusCreated || json.Unmarshal(w.Body.Bytes(), &link) != nil || !strings.HasPrefix(link.URL, "http://partner.test/hbo/activate/") {
		t.Fatalf("activation url: %d %s", w.Code, w.Body)
	}
	path := strings.TrimPrefix(link.URL, "http://partner.test")
	if w := h.do(http.MethodGet, path, "", ""); w.Code != http.StatusOK {
		t.Fatalf("open link: %d %s", w.Code, w.Body)
	}
	if s := h.must(http.StatusOK, http.MethodPost, sub+"/activate", "k3", ``); s.State != hbo.StateActive {
		t.Fatalf("activate after the link: %+v", s)
	}
	if rep := h.api.Partner().Requests(); rep.Effects[hbo.OpActivate] != 0 || rep.Effects[hbo.OpActivateLink] != 1 {
		t.Errorf("effects %+v: the link activates, the later call changes nothing", rep.Effects)
	}
	h.clock.Advance(hbo.ActivationTTL)
	if w := h.do(http.MethodGet, path, "", ""); w.Code != http.StatusGone || codeOf(t, w) != "ACTIVATION_EXPIRED" {
		t.Fatalf("expired link: %d %s", w.Code, w.Body)
	}
}

func TestIdempotencyKey_ReplaysTheFirstAnswer(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, http.MethodPost, base, "k1", createBody)
	if w := h.do(http.MethodPost, base, "k1", createBody); w.Code != http.StatusCreated || w.Header().Get(sim.HeaderReplayed) != "true" {
		t.Fatalf("replay: %d %s", w.Code, w.Body)
	}
	if w := h.do(http.MethodPost, sub+"/suspend", "", `{}`); w.Code != http.StatusBadRequest {
		t.Fatalf("no key: %d, want 400", w.Code)
	}
}
