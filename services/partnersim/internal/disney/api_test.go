package disney_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"provision.local/services/partnersim/internal/disney"
	"provision.local/services/partnersim/internal/sim"
	"provision.local/services/partnersim/internal/sim/simtest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const createBody = `{"entitlementId":"e1","userId":"u1","provider":"telco","products":["disney_plus","star"]}`

type harness struct {
	t     *testing.T
	clock *simtest.Clock
	api   *disney.API
	h     http.Handler
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	gin.SetMode(gin.TestMode)
	clock := simtest.NewClock(t0)
	api := disney.New(sim.Config{Clock: clock})
	r := gin.New()
	api.Register(r.Group("/disney"))
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

// create makes entitlement e1 and fails the test unless it was created.
func (h *harness) create() {
	h.t.Helper()
	if w := h.do(http.MethodPost, "/disney/v1/entitlements", "create-e1", createBody); w.Code != http.StatusCreated {
		h.t.Fatalf("create: %d %s", w.Code, w.Body)
	}
}

func decodeEntitlement(t *testing.T, w *httptest.ResponseRecorder) disney.Entitlement {
	t.Helper()
	var e disney.Entitlement
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
	return e
}

func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var b sim.ErrorBody
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		t.Fatalf("decode error body %s: %v", w.Body, err)
	}
	return b.Error.Code
}

func TestCreate(t *testing.T) {
	tests := []struct {
		name     string
		key      string
		body     string
		wantCode int
		wantErr  string
	}{
		{"create201", "k1", createBody, http.StatusCreated, ""},
		{"createMissingKey400", "", createBody, http.StatusBadRequest, sim.CodeIdempotencyKeyRequired},
		{"createMissingEntitlementId400", "k1", `{"userId":"u1","products":["a"]}`, http.StatusBadRequest, "INVALID_REQUEST"},
		{"createMissingUserId400", "k1", `{"entitlementId":"e1","products":["a"]}`, http.StatusBadRequest, "INVALID_REQUEST"},
		{"createEmptyProducts400", "k1", `{"entitlementId":"e1","userId":"u1","products":[]}`, http.StatusBadRequest, "INVALID_REQUEST"},
		{"createInvalidJSON400", "k1", `{"entitlementId":`, http.StatusBadRequest, "INVALID_REQUEST"},
		{"createEmptyBody400", "k1", ``, http.StatusBadRequest, "INVALID_REQUEST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			w := h.do(http.MethodPost, "/disney/v1/entitlements", tt.key, tt.body)
			if w.Code != tt.wantCode {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, tt.wantCode)
			}
			if tt.wantErr != "" {
				if got := errorCode(t, w); got != tt.wantErr {
					t.Fatalf("code %q, want %q", got, tt.wantErr)
				}
				return
			}
			var fields map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &fields); err != nil {
				t.Fatal(err)
			}
			want := []string{"createdAt", "entitlementId", "linked", "products", "provider", "state", "updatedAt", "userId"}
			got := make([]string, 0, len(fields))
			for k := range fields {
				got = append(got, k)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("fields %v, want %v", got, want)
			}
			e := decodeEntitlement(t, w)
			if e.State != disney.StateActive || e.Linked || !e.CreatedAt.Equal(t0) || !slices.Equal(e.Products, []string{"disney_plus", "star"}) {
				t.Fatalf("entitlement %+v", e)
			}
		})
	}
}

func TestCreateIdempotency(t *testing.T) {
	tests := []struct {
		name         string
		secondKey    string
		wantCode     int
		wantErr      string
		wantReplayed bool
	}{
		{"sameKeyReplays201WithSameBody", "k1", http.StatusCreated, "", true},
		{"otherKeySameId409", "k2", http.StatusConflict, "ENTITLEMENT_EXISTS", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			first := h.do(http.MethodPost, "/disney/v1/entitlements", "k1", createBody)
			h.clock.Advance(time.Minute)
			second := h.do(http.MethodPost, "/disney/v1/entitlements", tt.secondKey, createBody)
			if second.Code != tt.wantCode {
				t.Fatalf("second status %d %s, want %d", second.Code, second.Body, tt.wantCode)
			}
			if got := second.Header().Get(sim.HeaderReplayed) == "true"; got != tt.wantReplayed {
				t.Fatalf("replayed header %v, want %v", got, tt.wantReplayed)
			}
			if tt.wantReplayed && second.Body.String() != first.Body.String() {
				t.Fatalf("replayed body %s, want %s", second.Body, first.Body)
			}
			if tt.wantErr != "" && errorCode(t, second) != tt.wantErr {
				t.Fatalf("code %q, want %q", errorCode(t, second), tt.wantErr)
			}
			if n := h.api.Partner().Requests().Effects[disney.OpCreate]; n != 1 {
				t.Fatalf("effects.create = %d, want 1", n)
			}
		})
	}
}

func TestErrorAnswerIsReplayed(t *testing.T) {
	h := newHarness(t)
	h.create()
	first := h.do(http.MethodPost, "/disney/v1/entitlements", "k2", createBody)
	second := h.do(http.MethodPost, "/disney/v1/entitlements", "k2", createBody)
	if first.Code != http.StatusConflict || second.Code != http.StatusConflict ||
		second.Header().Get(sim.HeaderReplayed) != "true" || second.Body.String() != first.Body.String() {
		t.Fatalf("first %d, second %d replayed=%q; want both 409, second replayed", first.Code, second.Code, second.Header().Get(sim.HeaderReplayed))
	}
}

func TestKeyReusedOnOtherPath422(t *testing.T) {
	h := newHarness(t)
	h.create()
	w := h.do(http.MethodPost, "/disney/v1/entitlements/e1/suspend", "create-e1", `{}`)
	if w.Code != http.StatusUnprocessableEntity || errorCode(t, w) != sim.CodeIdempotencyKeyReused {
		t.Fatalf("status %d %s, want 422 %s", w.Code, w.Body, sim.CodeIdempotencyKeyReused)
	}
	if got := decodeEntitlement(t, h.do(http.MethodGet, "/disney/v1/entitlements/e1", "", "")); got.State != disney.StateActive {
		t.Fatalf("state %s after a reused key, want ACTIVE", got.State)
	}
}

// TestLifecycle walks one entitlement through legal and illegal transitions; each step runs on
// the state the previous ones left.
func TestLifecycle(t *testing.T) {
	type step struct {
		name         string
		method, path string
		body         string
		wantCode     int
		wantErr      string
		wantState    disney.State
		wantProducts []string
	}
	base := "/disney/v1/entitlements/e1"
	steps := []step{
		{"get200", http.MethodGet, base, "", http.StatusOK, "", disney.StateActive, []string{"disney_plus", "star"}},
		{"getUnknown404", http.MethodGet, "/disney/v1/entitlements/nope", "", http.StatusNotFound, "ENTITLEMENT_NOT_FOUND", "", nil},
		{"suspend200", http.MethodPost, base + "/suspend", `{"products":["disney_plus"]}`, http.StatusOK, "", disney.StateSuspended, []string{"disney_plus", "star"}},
		{"suspendSuspended409", http.MethodPost, base + "/suspend", `{}`, http.StatusConflict, "ENTITLEMENT_SUSPENDED", "", nil},
		{"reactivate200", http.MethodPost, base + "/reactivate", `{"products":["disney_plus"]}`, http.StatusOK, "", disney.StateActive, []string{"disney_plus", "star"}},
		{"reactivateActive409", http.MethodPost, base + "/reactivate", `{}`, http.StatusConflict, "ENTITLEMENT_NOT_SUSPENDED", "", nil},
		{"suspendUnknownProduct404", http.MethodPost, base + "/suspend", `{"products":["hulu"]}`, http.StatusNotFound, "PRODUCT_NOT_FOUND", "", nil},
		{"modifyProducts200", http.MethodPut, base + "/products", `{"products":["disney_plus","star","espn"]}`, http.StatusOK, "", disney.StateActive, []string{"disney_plus", "star", "espn"}},
		{"modifyProductsEmpty400", http.MethodPut, base + "/products", `{"products":[]}`, http.StatusBadRequest, "INVALID_REQUEST", "", nil},
		{"modifyUnknown404", http.MethodPut, "/disney/v1/entitlements/nope/products", `{"products":["a"]}`, http.StatusNotFound, "ENTITLEMENT_NOT_FOUND", "", nil},
		{"cancelOneProduct200StaysActive", http.MethodPost, base + "/cancel", `{"product":"espn","reason":"VOLUNTARY"}`, http.StatusOK, "", disney.StateActive, []string{"disney_plus", "star"}},
		{"cancelProductNotOn404", http.MethodPost, base + "/cancel", `{"product":"espn"}`, http.StatusNotFound, "PRODUCT_NOT_FOUND", "", nil},
		{"cancelWhole200", http.MethodPost, base + "/cancel", `{"reason":"VOLUNTARY"}`, http.StatusOK, "", disney.StateCanceled, []string{"disney_plus", "star"}},
		{"cancelCanceled409", http.MethodPost, base + "/cancel", ``, http.StatusConflict, "ENTITLEMENT_CANCELED", "", nil},
		{"suspendCanceled409", http.MethodPost, base + "/suspend", `{}`, http.StatusConflict, "ENTITLEMENT_CANCELED", "", nil},
		{"reactivateCanceled409", http.MethodPost, base + "/reactivate", `{}`, http.StatusConflict, "ENTITLEMENT_CANCELED", "", nil},
		{"modifyProductsCanceled409", http.MethodPut, base + "/products", `{"products":["a"]}`, http.StatusConflict, "ENTITLEMENT_CANCELED", "", nil},
		{"activationCanceled409", http.MethodPost, base + "/activation", `{}`, http.StatusConflict, "ENTITLEMENT_CANCELED", "", nil},
		{"getCanceled200", http.MethodGet, base, "", http.StatusOK, "", disney.StateCanceled, []string{"disney_plus", "star"}},
	}
	h := newHarness(t)
	h.create()
	for i, s := range steps {
		ok := t.Run(s.name, func(t *testing.T) {
			key := ""
			if s.method != http.MethodGet {
				key = "step-" + s.name
			}
			h.clock.Advance(time.Second)
			w := h.do(s.method, s.path, key, s.body)
			if w.Code != s.wantCode {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, s.wantCode)
			}
			if s.wantErr != "" {
				if got := errorCode(t, w); got != s.wantErr {
					t.Fatalf("code %q, want %q", got, s.wantErr)
				}
				return
			}
			e := decodeEntitlement(t, w)
			if e.State != s.wantState || !slices.Equal(e.Products, s.wantProducts) {
				t.Fatalf("got %s %v, want %s %v", e.State, e.Products, s.wantState, s.wantProducts)
			}
		})
		if !ok {
			t.Fatalf("step %d failed; later steps depend on it", i)
		}
	}
}

func TestCancelLastProductCancelsEntitlement(t *testing.T) {
	h := newHarness(t)
	h.create()
	h.do(http.MethodPost, "/disney/v1/entitlements/e1/cancel", "c1", `{"product":"star"}`)
	w := h.do(http.MethodPost, "/disney/v1/entitlements/e1/cancel", "c2", `{"product":"disney_plus"}`)
	e := decodeEntitlement(t, w)
	if w.Code != http.StatusOK || e.State != disney.StateCanceled || len(e.Products) != 0 {
		t.Fatalf("status %d entitlement %+v, want 200 CANCELED with no products", w.Code, e)
	}
}

type activationURL struct {
	URL        string `json:"url"`
	ExpiryDate string `json:"expiryDate"`
}

func TestActivationURLs(t *testing.T) {
	expire := t0.Add(48 * time.Hour).Format(time.RFC3339)
	tests := []struct {
		name     string
		suspend  bool
		body     string
		wantCode int
		wantErr  string
	}{
		{"activationURL201", false, `{"products":["disney_plus"],"country":"ES","expireDate":"` + expire + `"}`, http.StatusCreated, ""},
		{"activationURLDefaultExpiry201", false, `{"products":["disney_plus"],"country":"ES"}`, http.StatusCreated, ""},
		{"activationURLSuspended409", true, `{"products":["disney_plus"],"country":"ES"}`, http.StatusConflict, "ENTITLEMENT_SUSPENDED"},
		{"activationURLUnknownProduct404", false, `{"products":["hulu"],"country":"ES"}`, http.StatusNotFound, "PRODUCT_NOT_FOUND"},
		{"activationURLNoProducts400", false, `{"country":"ES"}`, http.StatusBadRequest, "INVALID_REQUEST"},
		{"activationURLBadCountry400", false, `{"products":["disney_plus"],"country":"spain"}`, http.StatusBadRequest, "INVALID_REQUEST"},
		{"activationURLPastExpiry201", false, `{"products":["disney_plus"],"country":"ES","expireDate":"2020-01-01T00:00:00Z"}`, http.StatusCreated, ""},
		{"activationURLBadExpiry400", false, `{"products":["disney_plus"],"country":"ES","expireDate":"tomorrow"}`, http.StatusBadRequest, "INVALID_REQUEST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.create()
			if tt.suspend {
				h.do(http.MethodPost, "/disney/v1/entitlements/e1/suspend", "s1", `{}`)
			}
			w := h.do(http.MethodPost, "/disney/v1/entitlements/e1/activation-urls", "a1", tt.body)
			if w.Code != tt.wantCode {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, tt.wantCode)
			}
			if tt.wantErr != "" {
				if got := errorCode(t, w); got != tt.wantErr {
					t.Fatalf("code %q, want %q", got, tt.wantErr)
				}
				return
			}
			var out activationURL
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(out.URL, "http://partner.test/disney/activate/") {
				t.Fatalf("url %q", out.URL)
			}
			if _, err := time.Parse(time.RFC3339, out.ExpiryDate); err != nil {
				t.Fatalf("expiryDate %q: %v", out.ExpiryDate, err)
			}
			replay := h.do(http.MethodPost, "/disney/v1/entitlements/e1/activation-urls", "a1", tt.body)
			if replay.Body.String() != w.Body.String() {
				t.Fatalf("replay %s, want the same URL %s", replay.Body, w.Body)
			}
		})
	}
}

func issueLink(t *testing.T, h *harness) string {
	t.Helper()
	w := h.do(http.MethodPost, "/disney/v1/entitlements/e1/activation-urls", "a1",
		`{"products":["disney_plus"],"country":"ES","expireDate":"`+t0.Add(time.Hour).Format(time.RFC3339)+`"}`)
	var out activationURL
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || w.Code != http.StatusCreated {
		t.Fatalf("activation-urls: %d %s", w.Code, w.Body)
	}
	return strings.TrimPrefix(out.URL, "http://partner.test")
}

func TestActivateLink(t *testing.T) {
	tests := []struct {
		name        string
		advance     time.Duration
		path        func(link string) string
		wantCode    int
		wantErr     string
		wantLinked  bool
		wantEffects int
	}{
		{"openLink200Links", 0, func(l string) string { return l }, http.StatusOK, "", true, 1},
		{"openExpiredLink410", time.Hour, func(l string) string { return l }, http.StatusGone, "ACTIVATION_EXPIRED", false, 0},
		{"openUnknownLink404", 0, func(string) string { return "/disney/activate/nope" }, http.StatusNotFound, "ACTIVATION_NOT_FOUND", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.create()
			link := issueLink(t, h)
			h.clock.Advance(tt.advance)
			w := h.do(http.MethodGet, tt.path(link), "", "")
			if w.Code != tt.wantCode {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, tt.wantCode)
			}
			if tt.wantErr != "" && errorCode(t, w) != tt.wantErr {
				t.Fatalf("code %q, want %q", errorCode(t, w), tt.wantErr)
			}
			if tt.wantErr == "" && !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
				t.Fatalf("content type %q, want text/html", w.Header().Get("Content-Type"))
			}
			e := decodeEntitlement(t, h.do(http.MethodGet, "/disney/v1/entitlements/e1", "", ""))
			if e.Linked != tt.wantLinked {
				t.Fatalf("linked %v, want %v", e.Linked, tt.wantLinked)
			}
			if n := h.api.Partner().Requests().Effects[disney.OpActivateLink]; n != tt.wantEffects {
				t.Fatalf("effects.activate_link = %d, want %d", n, tt.wantEffects)
			}
		})
	}
}

func TestOpenLinkTwiceHasOneEffect(t *testing.T) {
	h := newHarness(t)
	h.create()
	link := issueLink(t, h)
	for range 2 {
		if w := h.do(http.MethodGet, link, "", ""); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
	}
	r := h.api.Partner().Requests()
	if r.Counts[disney.OpActivateLink] != 2 || r.Effects[disney.OpActivateLink] != 1 {
		t.Fatalf("counts %v effects %v, want 2 opens and 1 effect", r.Counts, r.Effects)
	}
}

func TestActivationCallbackLinks(t *testing.T) {
	h := newHarness(t)
	h.create()
	w := h.do(http.MethodPost, "/disney/v1/entitlements/e1/activation", "act1", `{}`)
	if e := decodeEntitlement(t, w); w.Code != http.StatusOK || !e.Linked {
		t.Fatalf("status %d linked %v, want 200 linked", w.Code, e.Linked)
	}
	if n := h.api.Partner().Requests().Effects[disney.OpActivation]; n != 1 {
		t.Fatalf("effects.activation = %d, want 1", n)
	}
}

func TestEntitlementsListing(t *testing.T) {
	h := newHarness(t)
	h.create()
	h.do(http.MethodPost, "/disney/v1/entitlements", "k2", `{"entitlementId":"e2","userId":"u2","products":["a"]}`)
	got := h.api.Entitlements()
	if len(got) != 2 || got[0].EntitlementID != "e1" || got[1].EntitlementID != "e2" {
		t.Fatalf("entitlements %+v, want e1 then e2", got)
	}
}
