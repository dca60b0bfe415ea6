package adapters_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"provision.local/events"
	"provision.local/pkg/logging"
	"provision.local/pkg/partnerhttp"
	"provision.local/services/netflix/internal/adapters"
	"provision.local/services/netflix/internal/app"
	"provision.local/services/partnersim/simulator"
)

const (
	org   = "masmovil"
	offer = "2106f808-36e9-402d-bf37-f1f7fa04776b"
	// bigPAI is beyond int64 and beyond what a float64 keeps: it must reach Netflix digit for digit.
	bigPAI = "9999999999999999999"
	seed   = "4567890123456789"
)

// simulated runs the partner simulator in-process, as the local stack runs it.
func simulated(t *testing.T) string {
	t.Helper()
	h, err := simulator.NewHandler(logging.NewWithOutput("partnersim", "error", io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func client(base string) *adapters.NetflixPartnerClient {
	return adapters.NewNetflixPartnerClient(base+"/netflix", 5*time.Second)
}

func enrolment(pai string) events.NetflixCreateSubscription {
	return events.NetflixCreateSubscription{Org: org, PartnerAccountID: pai, BundleID: "bundle-1", OfferID: offer,
		Email: "test@email.com", Phone: "+525512345678", ChargeCountry: "ES", BillingEventID: "billing-1"}
}

// accounts reads the simulator's accounts, the PAI as the JSON text it holds.
func accounts(t *testing.T, base string) []map[string]json.RawMessage {
	t.Helper()
	res, err := http.Get(base + "/admin/accounts/netflix")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Accounts []map[string]json.RawMessage `json:"accounts"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body.Accounts
}

func TestNetflixPartnerClient_Lifecycle(t *testing.T) {
	base := simulated(t)
	c := client(base)
	ctx := t.Context()
	for _, pai := range []string{seed, bigPAI, "0012"} {
		r, err := c.Enrol(ctx, "enrol-"+pai, enrolment(pai))
		if err != nil || r.TransactionID == "" {
			t.Fatalf("enrol %s: %+v, %v; want a transaction id", pai, r, err)
		}
	}
	var got []string
	for _, a := range accounts(t, base) {
		got = append(got, string(a["partner_account_id"]))
	}
	if want := []string{seed, `"` + bigPAI + `"`, `"0012"`}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("the partner holds PAIs %v, want %v", got, want)
	}

	tok, err := c.Token(ctx, "token-1", org, seed, app.TokenRequest{TokenErrorURL: "https://e.example/err", Type: "BUNDLE"})
	if err != nil || tok.Token == "" || tok.ExpiryDate == "" || !strings.HasPrefix(tok.RequestedSecuritizedURL, "http") {
		t.Fatalf("token = %+v, %v", tok, err)
	}
	res, err := http.Get(tok.RequestedSecuritizedURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("opening the securitized URL: %d", res.StatusCode)
	}
	steps := []struct {
		name string
		call func() error
	}{
		{"update", func() error {
			_, err := c.Update(ctx, "update-1", events.NetflixUpdateSubscription{Org: org, PartnerAccountID: seed, OfferID: "00000000-0000-4000-8000-000000000004"})
			return err
		}},
		{"suspend", func() error {
			_, err := c.Suspend(ctx, "suspend-1", events.NetflixSuspendSubscription{Org: org, PartnerAccountID: seed, SuspendEventID: "s1", Reason: "PAYMENT"})
			return err
		}},
		{"reactivate", func() error {
			_, err := c.Reactivate(ctx, "reactivate-1", events.NetflixReactivateSubscription{Org: org, PartnerAccountID: seed, ReactivateEventID: "r1"})
			return err
		}},
		{"enrolPhone", func() error {
			return c.EnrolPhone(ctx, "dv-1", org, seed, app.PhoneEnrolment{PhoneNumber: "+525512345678", PAI: "123456"})
		}},
		{"removePhone", func() error { return c.RemovePhone(ctx, "dv-2", org, seed, "+525512345678") }},
	}
	for _, s := range steps {
		if err := s.call(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	st, err := c.Status(ctx, org, seed)
	if err != nil || !st.HasPartnerMOP || st.ProductType != "BUNDLE" || st.PlanType != "PREMIUM" {
		t.Fatalf("status = %+v, %v; want a paid BUNDLE on the PREMIUM plan", st, err)
	}
	if _, err := c.Cancel(ctx, "cancel-1", events.NetflixCancelSubscription{Org: org, PartnerAccountID: seed, CancelEventID: "c1", CancelReason: "CUSTOMER"}); err != nil {
		t.Fatal(err)
	}
	if st, err := c.Status(ctx, org, seed); err != nil || st.HasPartnerMOP {
		t.Fatalf("status after cancel = %+v, %v; want no partner MOP", st, err)
	}
}

func TestNetflixPartnerClient_RefusalsAreRejections(t *testing.T) {
	tests := []struct {
		name       string
		call       func(c *adapters.NetflixPartnerClient, t *testing.T) error
		wantStatus int
		wantCode   string
	}{
		{"enrolTwice409", func(c *adapters.NetflixPartnerClient, t *testing.T) error {
			_, err := c.Enrol(t.Context(), "enrol-again", enrolment(seed))
			return err
		}, http.StatusConflict, "ACCOUNT_ALREADY_ENROLLED"},
		{"unknownAccount404", func(c *adapters.NetflixPartnerClient, t *testing.T) error {
			_, err := c.Suspend(t.Context(), "suspend-1", events.NetflixSuspendSubscription{Org: org, PartnerAccountID: "42", SuspendEventID: "s1"})
			return err
		}, http.StatusNotFound, "ACCOUNT_NOT_FOUND"},
		{"unknownPhone404", func(c *adapters.NetflixPartnerClient, t *testing.T) error {
			return c.RemovePhone(t.Context(), "dv-1", org, seed, "+34600000000")
		}, http.StatusNotFound, "PHONE_NOT_FOUND"},
		{"reactivateActive409", func(c *adapters.NetflixPartnerClient, t *testing.T) error {
			_, err := c.Reactivate(t.Context(), "reactivate-1", events.NetflixReactivateSubscription{Org: org, PartnerAccountID: seed, ReactivateEventID: "r1"})
			return err
		}, http.StatusConflict, "ACCOUNT_NOT_SUSPENDED"},
		{"tokenWithoutErrorURL400", func(c *adapters.NetflixPartnerClient, t *testing.T) error {
			_, err := c.Token(t.Context(), "token-1", org, seed, app.TokenRequest{Type: "BUNDLE"})
			return err
		}, http.StatusBadRequest, "INVALID_REQUEST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := client(simulated(t))
			if _, err := c.Enrol(t.Context(), "enrol-1", enrolment(seed)); err != nil {
				t.Fatal(err)
			}
			err := tt.call(c, t)
			rej, ok := errors.AsType[*app.PartnerRefusal](err)
			if !ok || rej.Status != tt.wantStatus || rej.Code != tt.wantCode {
				t.Fatalf("err = %v, want a refusal %d %s", err, tt.wantStatus, tt.wantCode)
			}
		})
	}
}

func TestNetflixPartnerClient_OtherFailuresAreRetryable(t *testing.T) {
	tests := []struct {
		name  string
		fault string // the simulator's fault; "" for none
		base  func(sim string) string
	}{
		{"unavailable503", `{"status":503}`, func(sim string) string { return sim + "/netflix" }},
		{"unauthorized401", `{"status":401}`, func(sim string) string { return sim + "/netflix" }},
		{"unknownRoute404", "", func(sim string) string { return sim + "/netflux" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := simulated(t)
			if tt.fault != "" {
				req, _ := http.NewRequest(http.MethodPut, sim+"/admin/faults/netflix", strings.NewReader(tt.fault))
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
			}
			_, err := adapters.NewNetflixPartnerClient(tt.base(sim), 5*time.Second).Enrol(t.Context(), "enrol-1", enrolment(seed))
			if err == nil {
				t.Fatal("err = nil, want a failure")
			}
			if _, ok := errors.AsType[*partnerhttp.Rejection](err); ok {
				t.Fatalf("err = %v is a refusal, want it retried", err)
			}
		})
	}
}
