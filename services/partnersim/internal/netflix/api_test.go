package netflix_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"provision.local/pkg/logging"
	"provision.local/services/partnersim/internal/netflix"
	"provision.local/services/partnersim/internal/ports"
	"provision.local/services/partnersim/internal/sim"
	"provision.local/services/partnersim/internal/sim/simtest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const (
	pai       = "4567890123456789"
	accounts  = "/netflix/v1/orgs/masmovil/accounts"
	account   = accounts + "/" + pai
	offer     = "2106f808-36e9-402d-bf37-f1f7fa04776b"
	premium   = "00000000-0000-4000-8000-000000000004"
	bundle    = "c2a45099-1cda-4178-83a8-02c02356ea01"
	tokenBody = `{"channel":"WEB","partner_charge_country":"ES","promotion_id":"PROMO_ID",` +
		`"token_error_url":"https://www.example.com/error/token","type":"BUNDLE","validity_duration_in_seconds":43200}`
)

// enrolBody is the seed's create body for a PAI, which it sends as a JSON number.
func enrolBody(pai string) string {
	return `{"external_id":"external_subscription_12345","billing_event_id":"e307f177-091a-4840-9830-dda1c29eea44",` +
		`"bundle_id":"` + bundle + `","channel":"WEB","netflix_email":"test@email.com","netflix_offer_id":"` + offer + `",` +
		`"netflix_phone":"+525512345678","partner_account_id":` + pai + `,"partner_charge_country":"ES","preferred_language":"es-ES"}`
}

type harness struct {
	t     *testing.T
	clock *simtest.Clock
	api   *netflix.API
	h     http.Handler
	// tokens numbers the token requests, so each has its own idempotency key.
	tokens int
}

func newHarness(t *testing.T) *harness {
	return newHarnessWith(t, netflix.Options{})
}

func newHarnessWith(t *testing.T, opts netflix.Options) *harness {
	t.Helper()
	gin.SetMode(gin.TestMode)
	clock := simtest.NewClock(t0)
	api := netflix.New(sim.Config{Clock: clock}, opts)
	r, err := ports.NewRouter(ports.Options{
		Logger:   logging.NewWithOutput("partnersim", "error", io.Discard),
		Registry: prometheus.NewRegistry(),
		Partners: []ports.Partner{api},
	})
	if err != nil {
		t.Fatal(err)
	}
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

// enrol enrols pai in masmovil and fails the test unless it was created.
func (h *harness) enrol(pai string) {
	h.t.Helper()
	if w := h.do(http.MethodPost, accounts, "enrol-"+pai, enrolBody(pai)); w.Code != http.StatusCreated {
		h.t.Fatalf("enrol %s: %d %s", pai, w.Code, w.Body)
	}
}

// token issues a securitized URL for pai and returns its path and query on this host.
func (h *harness) token(pai, body string) string {
	h.t.Helper()
	h.tokens++
	w := h.do(http.MethodPost, accounts+"/"+pai+"/tokens", fmt.Sprintf("token-%d", h.tokens), body)
	var out netflix.TokenAnswer
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || w.Code != http.StatusCreated {
		h.t.Fatalf("token: %d %s", w.Code, w.Body)
	}
	return strings.TrimPrefix(out.RequestedSecuritizedURL, "http://partner.test")
}

func (h *harness) account(pai string) netflix.Account {
	h.t.Helper()
	return decode[netflix.Account](h.t, h.do(http.MethodGet, accounts+"/"+pai, "", ""))
}

func (h *harness) status(pai string) netflix.Status {
	h.t.Helper()
	return decode[netflix.Status](h.t, h.do(http.MethodGet, accounts+"/"+pai+"/status", "", ""))
}

func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %d %s: %v", w.Code, w.Body, err)
	}
	return v
}

func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	return decode[sim.ErrorBody](t, w).Error.Code
}

func TestEnrol(t *testing.T) {
	tests := []struct {
		name     string
		path     string
		key      string
		body     string
		wantCode int
		wantErr  string
	}{
		{"enrolSeedBody201", accounts, "k1", enrolBody(pai), http.StatusCreated, ""},
		{"enrolPAIAsString201", accounts, "k1", enrolBody(`"` + pai + `"`), http.StatusCreated, ""},
		{"enrolRequiredOnly201", accounts, "k1", `{"partner_account_id":1,"netflix_offer_id":"` + offer + `","bundle_id":"b"}`, http.StatusCreated, ""},
		{"enrolMissingKey400", accounts, "", enrolBody(pai), http.StatusBadRequest, sim.CodeIdempotencyKeyRequired},
		{"enrolFloatPAI400", accounts, "k1", enrolBody("4.5e15"), http.StatusBadRequest, "INVALID_REQUEST"},
		{"enrolMissingOffer400", accounts, "k1", `{"partner_account_id":1,"bundle_id":"b"}`, http.StatusBadRequest, "INVALID_REQUEST"},
		{"enrolLowercaseCountry400", accounts, "k1", strings.Replace(enrolBody(pai), `"ES"`, `"es"`, 1), http.StatusBadRequest, "INVALID_REQUEST"},
		{"enrolBadPhone400", accounts, "k1", strings.Replace(enrolBody(pai), "+525512345678", "0525512345678", 1), http.StatusBadRequest, "INVALID_REQUEST"},
		{"enrolLongBillingEvent400", accounts, "k1", strings.Replace(enrolBody(pai), "e307f177-091a-4840-9830-dda1c29eea44", strings.Repeat("x", 1025), 1), http.StatusBadRequest, "INVALID_REQUEST"},
		{"enrolEmptyBody400", accounts, "k1", ``, http.StatusBadRequest, "INVALID_REQUEST"},
		{"enrolNotJSON400", accounts, "k1", `{"partner_account_id":`, http.StatusBadRequest, "INVALID_REQUEST"},
		{"enrolBadOrg400", "/netflix/v1/orgs/mas%20movil/accounts", "k1", enrolBody(pai), http.StatusBadRequest, "INVALID_REQUEST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			w := h.do(http.MethodPost, tt.path, tt.key, tt.body)
			if w.Code != tt.wantCode {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, tt.wantCode)
			}
			if tt.wantErr != "" {
				if got := errorCode(t, w); got != tt.wantErr {
					t.Fatalf("code %q, want %q", got, tt.wantErr)
				}
				return
			}
			a := decode[netflix.Account](t, w)
			if a.State != netflix.StateActive || a.Activated || a.Org != "masmovil" || a.TransactionID == "" || !a.CreatedAt.Equal(t0) {
				t.Fatalf("account %+v", a)
			}
		})
	}
}

func TestPAIIsKeptExact(t *testing.T) {
	h := newHarness(t)
	h.enrol(pai)
	w := h.do(http.MethodGet, account, "", "")
	if !strings.Contains(w.Body.String(), `"partner_account_id":4567890123456789,`) {
		t.Fatalf("account %s, want the PAI as the same 16-digit number", w.Body)
	}
	const big = "9999999999999999999"
	if w := h.do(http.MethodPost, accounts, "big", enrolBody(`"`+big+`"`)); w.Code != http.StatusCreated {
		t.Fatalf("enrol %s: %d %s", big, w.Code, w.Body)
	}
	if got := h.account(big).PAI; got != big {
		t.Fatalf("PAI %s, want %s", got, big)
	}
}

func TestEnrolConflictsAndReplay(t *testing.T) {
	tests := []struct {
		name         string
		path         string
		key          string
		body         string
		wantCode     int
		wantErr      string
		wantReplayed bool
	}{
		{"sameKeyReplays201WithSameBody", accounts, "enrol-" + pai, enrolBody(pai), http.StatusCreated, "", true},
		{"otherKeySamePAI409", accounts, "k2", enrolBody(pai), http.StatusConflict, "ACCOUNT_ALREADY_ENROLLED", false},
		{"samePAIAsString409", accounts, "k2", enrolBody(`"` + pai + `"`), http.StatusConflict, "ACCOUNT_ALREADY_ENROLLED", false},
		{"samePAIOtherOrg201", "/netflix/v1/orgs/yoigo/accounts", "k2", enrolBody(pai), http.StatusCreated, "", false},
		{"sameKeyOtherPath422", account + "/suspend", "enrol-" + pai, `{"suspend_event_id":"s1","reason":"R"}`, http.StatusUnprocessableEntity, sim.CodeIdempotencyKeyReused, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			first := h.do(http.MethodPost, accounts, "enrol-"+pai, enrolBody(pai))
			h.clock.Advance(time.Minute)
			second := h.do(http.MethodPost, tt.path, tt.key, tt.body)
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
			if got := h.account(pai).State; got != netflix.StateActive {
				t.Fatalf("state %s, want ACTIVE", got)
			}
		})
	}
}

func TestCanceledAccountCanBeEnrolledAgain(t *testing.T) {
	h := newHarness(t)
	h.enrol(pai)
	before := h.account(pai)
	if w := h.do(http.MethodPost, account+"/cancel", "c1", `{"cancel_event_id":"c1","cancel_reason":"CUSTOMER_REQUESTED_CANCEL"}`); w.Code != http.StatusOK {
		t.Fatalf("cancel: %d %s", w.Code, w.Body)
	}
	if w := h.do(http.MethodPost, accounts, "again", enrolBody(pai)); w.Code != http.StatusCreated {
		t.Fatalf("enrol again: %d %s", w.Code, w.Body)
	}
	if after := h.account(pai); after.State != netflix.StateActive || after.TransactionID == before.TransactionID {
		t.Fatalf("after re-enrolment %+v, want ACTIVE with a new transaction", after)
	}
}

// TestLifecycle walks one account through legal and illegal transitions; each step runs on the
// state the previous ones left.
func TestLifecycle(t *testing.T) {
	type step struct {
		name         string
		method, path string
		body         string
		wantCode     int
		wantErr      string
		wantState    netflix.State
		wantBundle   string
	}
	steps := []step{
		{"get200", http.MethodGet, account, "", http.StatusOK, "", netflix.StateActive, netflix.BundlePendingActivation},
		{"getUnknown404", http.MethodGet, accounts + "/1", "", http.StatusNotFound, "ACCOUNT_NOT_FOUND", "", ""},
		{"getMalformedPAI400", http.MethodGet, accounts + "/abc", "", http.StatusBadRequest, "INVALID_REQUEST", "", ""},
		{"suspendWithoutReason400", http.MethodPost, account + "/suspend", `{"suspend_event_id":"s1"}`, http.StatusBadRequest, "INVALID_REQUEST", "", ""},
		{"suspend200", http.MethodPost, account + "/suspend", `{"external_id":"x","suspend_event_id":"s1","reason":"PAYMENT_INSTRUMENT_FAILURE"}`, http.StatusOK, "", netflix.StateSuspended, "SUSPENDED"},
		{"suspendSuspended409", http.MethodPost, account + "/suspend", `{"suspend_event_id":"s2","reason":"R"}`, http.StatusConflict, "ACCOUNT_SUSPENDED", "", ""},
		{"tokenSuspended409", http.MethodPost, account + "/tokens", tokenBody, http.StatusConflict, "ACCOUNT_SUSPENDED", "", ""},
		{"reactivate200", http.MethodPost, account + "/reactivate", `{"reactivate_event_id":"r1"}`, http.StatusOK, "", netflix.StateActive, netflix.BundlePendingActivation},
		{"reactivateActive409", http.MethodPost, account + "/reactivate", `{"reactivate_event_id":"r2"}`, http.StatusConflict, "ACCOUNT_NOT_SUSPENDED", "", ""},
		{"reactivateWithoutEventId400", http.MethodPost, account + "/reactivate", `{}`, http.StatusBadRequest, "INVALID_REQUEST", "", ""},
		{"changePlan200", http.MethodPatch, account, `{"netflix_offer_id":"` + premium + `","bundle_id":"bundle-2"}`, http.StatusOK, "", netflix.StateActive, netflix.BundlePendingActivation},
		{"changePlanEmpty400", http.MethodPatch, account, `{}`, http.StatusBadRequest, "INVALID_REQUEST", "", ""},
		{"changePlanBadOffer400", http.MethodPatch, account, `{"netflix_offer_id":"premium"}`, http.StatusBadRequest, "INVALID_REQUEST", "", ""},
		{"changePlanUnknown404", http.MethodPatch, accounts + "/1", `{"bundle_id":"b"}`, http.StatusNotFound, "ACCOUNT_NOT_FOUND", "", ""},
		{"cancelWithoutReason400", http.MethodPost, account + "/cancel", `{"cancel_event_id":"c1"}`, http.StatusBadRequest, "INVALID_REQUEST", "", ""},
		{"cancel200", http.MethodPost, account + "/cancel", `{"cancel_event_id":"c1","cancel_reason":"CUSTOMER_REQUESTED_CANCEL","external_id":"4567890123456789"}`, http.StatusOK, "", netflix.StateCanceled, "CANCELED"},
		{"cancelCanceled409", http.MethodPost, account + "/cancel", `{"cancel_event_id":"c2","cancel_reason":"R"}`, http.StatusConflict, "ACCOUNT_CANCELED", "", ""},
		{"reactivateCanceled409", http.MethodPost, account + "/reactivate", `{"reactivate_event_id":"r3"}`, http.StatusConflict, "ACCOUNT_CANCELED", "", ""},
		{"suspendCanceled409", http.MethodPost, account + "/suspend", `{"suspend_event_id":"s3","reason":"R"}`, http.StatusConflict, "ACCOUNT_CANCELED", "", ""},
		{"changePlanCanceled409", http.MethodPatch, account, `{"bundle_id":"b3"}`, http.StatusConflict, "ACCOUNT_CANCELED", "", ""},
		{"tokenCanceled409", http.MethodPost, account + "/tokens", tokenBody, http.StatusConflict, "ACCOUNT_CANCELED", "", ""},
		{"getCanceled200", http.MethodGet, account, "", http.StatusOK, "", netflix.StateCanceled, "CANCELED"},
	}
	h := newHarness(t)
	h.enrol(pai)
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
			if a := decode[netflix.Account](t, w); a.State != s.wantState || a.BundleStatus() != s.wantBundle {
				t.Fatalf("got %s bundle %s, want %s %s", a.State, a.BundleStatus(), s.wantState, s.wantBundle)
			}
		})
		if !ok {
			t.Fatalf("step %d failed; later steps depend on it", i)
		}
	}
}

func TestStatus(t *testing.T) {
	h := newHarness(t)
	h.enrol(pai)
	w := h.do(http.MethodGet, account+"/status", "", "")
	want := `{"has_partner_mop":true,"product_type":"BUNDLE","subscription":{"plan":{"type":"STANDARD","localized_type":"Standard"}},` +
		`"bundle":{"id":"` + bundle + `","offer_id":"` + offer + `","status":"PENDING_ACTIVATION"}}`
	if w.Code != http.StatusOK || w.Body.String() != want {
		t.Fatalf("status %d %s, want 200 %s", w.Code, w.Body, want)
	}
	h.do(http.MethodPatch, account, "p1", `{"netflix_offer_id":"`+premium+`","bundle_id":"bundle-2"}`)
	if s := h.status(pai); s.Subscription.Plan.Type != "PREMIUM" || s.Bundle.ID != "bundle-2" || s.Bundle.OfferID != premium {
		t.Fatalf("after a plan change %+v, want PREMIUM on bundle-2", s)
	}
	h.do(http.MethodPost, account+"/cancel", "c1", `{"cancel_event_id":"c1","cancel_reason":"R"}`)
	if s := h.status(pai); s.HasPartnerMOP || s.Bundle.Status != "CANCELED" {
		t.Fatalf("after cancel %+v, want no partner MOP and CANCELED", s)
	}
	if w := h.do(http.MethodGet, accounts+"/1/status", "", ""); w.Code != http.StatusNotFound || errorCode(t, w) != "ACCOUNT_NOT_FOUND" {
		t.Fatalf("unknown status: %d %s", w.Code, w.Body)
	}
}

func TestDigitalVirgo(t *testing.T) {
	h := newHarness(t)
	h.enrol(pai)
	dv := account + "/digitalvirgo"
	steps := []struct {
		name         string
		method, path string
		body         string
		wantCode     int
		wantErr      string
	}{
		{"enrol201", http.MethodPost, dv, `{"phone_number":"+525512345678","pai":"123456"}`, http.StatusCreated, ""},
		{"enrolAgain409", http.MethodPost, dv, `{"phone_number":"+525512345678"}`, http.StatusConflict, "PHONE_ALREADY_ENROLLED"},
		{"enrolBadPhone400", http.MethodPost, dv, `{"phone_number":"5512345678"}`, http.StatusBadRequest, "INVALID_REQUEST"},
		{"enrolUnknownAccount404", http.MethodPost, accounts + "/1/digitalvirgo", `{"phone_number":"+34600000000"}`, http.StatusNotFound, "ACCOUNT_NOT_FOUND"},
		{"deleteEncodedPlus204", http.MethodDelete, dv + "/%2B525512345678", "", http.StatusNoContent, ""},
		{"deleteAgain404", http.MethodDelete, dv + "/+525512345678", "", http.StatusNotFound, "PHONE_NOT_FOUND"},
		{"deleteBadPhone400", http.MethodDelete, dv + "/5512345678", "", http.StatusBadRequest, "INVALID_REQUEST"},
		{"deleteUnknownAccount404", http.MethodDelete, accounts + "/1/digitalvirgo/+525512345678", "", http.StatusNotFound, "ACCOUNT_NOT_FOUND"},
	}
	for _, s := range steps {
		w := h.do(s.method, s.path, "step-"+s.name, s.body)
		if w.Code != s.wantCode {
			t.Fatalf("%s: status %d %s, want %d", s.name, w.Code, w.Body, s.wantCode)
		}
		if s.wantErr != "" && errorCode(t, w) != s.wantErr {
			t.Fatalf("%s: code %q, want %q", s.name, errorCode(t, w), s.wantErr)
		}
		if s.name == "enrol201" && w.Body.String() != `{"id":`+pai+`}` {
			t.Fatalf("enrol answer %s, want the PAI as id", w.Body)
		}
	}
	if got := h.account(pai).DigitalVirgo; len(got) != 0 {
		t.Fatalf("phones %v, want none left", got)
	}
}

func TestInjectedFaultScopedToOneAccount(t *testing.T) {
	h := newHarness(t)
	const slow = "1111222233334444"
	if w := h.do(http.MethodPut, "/admin/faults/netflix", "", `{"status":503,"match":"`+slow+`"}`); w.Code != http.StatusOK {
		t.Fatalf("put fault: %d %s", w.Code, w.Body)
	}
	steps := []struct {
		name   string
		method string
		path   string
		key    string
		body   string
		want   int
	}{
		{"enrolOfTheMatchFaulted", http.MethodPost, accounts, "k1", enrolBody(slow), http.StatusServiceUnavailable},
		{"enrolOfAnotherServed", http.MethodPost, accounts, "k2", enrolBody(pai), http.StatusCreated},
		{"suspendOfAnotherServed", http.MethodPost, account + "/suspend", "k3", `{"suspend_event_id":"s1","reason":"R"}`, http.StatusOK},
		{"statusOfTheMatchFaulted", http.MethodGet, accounts + "/" + slow + "/status", "", "", http.StatusServiceUnavailable},
	}
	for _, s := range steps {
		if w := h.do(s.method, s.path, s.key, s.body); w.Code != s.want {
			t.Fatalf("%s: %d %s, want %d", s.name, w.Code, w.Body, s.want)
		}
	}
	r := decode[sim.Report](t, h.do(http.MethodGet, "/admin/requests/netflix", "", ""))
	if r.Faulted[netflix.OpEnrol] != 1 || r.Faulted[netflix.OpStatus] != 1 || r.Effects[netflix.OpEnrol] != 1 || r.Effects[netflix.OpSuspend] != 1 {
		t.Fatalf("report faulted %v effects %v, want the matching enrol and status faulted, the others served", r.Faulted, r.Effects)
	}
	// Lifted, the faulted enrolment goes through with its key: the fault stored nothing.
	if w := h.do(http.MethodDelete, "/admin/faults/netflix", "", ""); w.Code != http.StatusNoContent {
		t.Fatalf("delete fault: %d", w.Code)
	}
	if w := h.do(http.MethodPost, accounts, "k1", enrolBody(slow)); w.Code != http.StatusCreated || w.Header().Get(sim.HeaderReplayed) != "" {
		t.Fatalf("enrol after the fault: %d %s", w.Code, w.Body)
	}
}

func TestAdminAccountsListing(t *testing.T) {
	h := newHarness(t)
	h.enrol(pai)
	h.enrol("1")
	var out struct {
		Partner  string            `json:"partner"`
		Accounts []netflix.Account `json:"accounts"`
	}
	if err := json.Unmarshal(h.do(http.MethodGet, "/admin/accounts/netflix", "", "").Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if out.Partner != "netflix" || len(out.Accounts) != 2 || out.Accounts[0].PAI != pai || out.Accounts[1].PAI != "1" {
		t.Fatalf("listing %+v, want %s then 1", out, pai)
	}
}
