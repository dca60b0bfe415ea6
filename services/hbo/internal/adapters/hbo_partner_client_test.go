package adapters_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"provision.local/pkg/logging"
	"provision.local/pkg/partnerhttp"
	"provision.local/services/hbo/internal/adapters"
	"provision.local/services/hbo/internal/domain"
	"provision.local/services/partnersim/simulator"
)

const (
	org = "masmovil"
	// bigID is beyond what a float64 keeps: it must reach HBO digit for digit.
	bigID = "9999999999999999999"
	// bigTrx is the largest transaction id the API takes (int64), also beyond a float64.
	bigTrx = "9223372036854775807"
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

type simSubscription struct {
	ServiceID, ExternalID, State string
	Products                     []struct{ SKU, TransactionID string }
}

// partnerView reads the simulator's subscription of serviceID.
func partnerView(t *testing.T, base, serviceID string) simSubscription {
	t.Helper()
	res, err := http.Get(base + "/hbo/v1/orgs/" + org + "/subscriptions/" + serviceID)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var s simSubscription
	if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&s) != nil {
		t.Fatalf("partner view: %d", res.StatusCode)
	}
	return s
}

func TestClient_AgainstTheSimulator_Lifecycle(t *testing.T) {
	ctx := context.Background()
	base := simulated(t)
	c := adapters.NewHBOPartnerClient(base+"/hbo", 5*time.Second)
	s, err := domain.New(org, bigID, bigID, "ES", []domain.Product{{Code: "MAX_AVOD", TrxID: bigTrx}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name  string
		call  func(key string) error
		state string
	}{
		{"create", func(k string) error {
			if err := c.Create(ctx, k, s); err != nil {
				return err
			}
			if got := partnerView(t, base, bigID).Products; len(got) != 1 || got[0].TransactionID != bigTrx {
				t.Errorf("created products %+v, want the transaction id digit for digit", got)
			}
			return nil
		}, "PENDING_ACTIVATION"},
		{"products", func(k string) error {
			return c.ChangeProducts(ctx, k, org, bigID, []domain.Product{{Code: "MAX_SVOD", TrxID: "7"}}, []string{"MAX_AVOD"})
		}, "PENDING_ACTIVATION"},
		{"activate", func(k string) error { return c.Activate(ctx, k, org, bigID) }, "ACTIVE"},
		{"suspend", func(k string) error { return c.Suspend(ctx, k, org, bigID, "OFFER_EXPIRED") }, "SUSPENDED"},
		{"reactivate", func(k string) error { return c.Reactivate(ctx, k, org, bigID) }, "ACTIVE"},
		{"cancel", func(k string) error { return c.Cancel(ctx, k, org, bigID, "PRODUCT_CANCELED") }, "CANCELLED"},
	}
	for _, st := range steps {
		if err := st.call("key-" + st.name); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		// A redelivered command sends the same key: the partner replays its answer.
		if err := st.call("key-" + st.name); err != nil {
			t.Fatalf("%s again: %v", st.name, err)
		}
		if got := partnerView(t, base, bigID); got.State != st.state || got.ServiceID != bigID || got.ExternalID != bigID {
			t.Fatalf("after %s: %+v, want %s", st.name, got, st.state)
		}
	}
	if got := partnerView(t, base, bigID).Products; len(got) != 1 || got[0].SKU != "MAX_SVOD" || got[0].TransactionID != "7" {
		t.Errorf("products %+v", got)
	}
}

func TestClient_AgainstTheSimulator_RefusalsAndFaults(t *testing.T) {
	ctx := context.Background()
	base := simulated(t)
	c := adapters.NewHBOPartnerClient(base+"/hbo", 5*time.Second)
	var r *partnerhttp.Rejection
	if err := c.Suspend(ctx, "k1", org, "1", "OFFER_EXPIRED"); !errors.As(err, &r) || r.Code != "SUBSCRIPTION_NOT_FOUND" {
		t.Fatalf("unknown subscription: %v", err)
	}
	s, _ := domain.New(org, "7", "8", "ES", []domain.Product{{Code: "MAX_AVOD"}}, time.Now())
	if err := c.Create(ctx, "k2", s); err != nil {
		t.Fatal(err)
	}
	if err := c.Suspend(ctx, "k3", org, "7", "OFFER_EXPIRED"); !errors.As(err, &r) || r.Code != "SUBSCRIPTION_NOT_ACTIVE" {
		t.Fatalf("suspend pending: %v", err)
	}
	url, err := c.ActivationURL(ctx, "k4", org, "7")
	if err != nil || !strings.Contains(url, "/hbo/activate/") {
		t.Fatalf("activation url %q: %v", url, err)
	}
	req, _ := http.NewRequest(http.MethodPut, base+"/admin/faults/hbo", strings.NewReader(`{"status":503}`))
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("set fault: %v", err)
	}
	res.Body.Close()
	if err := c.Activate(ctx, "k5", org, "7"); err == nil || errors.As(err, &r) {
		t.Fatalf("a 503 must be retried, not refused: %v", err)
	}
}
