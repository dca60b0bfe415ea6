package adapters_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"provision.local/pkg/logging"
	"provision.local/pkg/partnerhttp"
	"provision.local/services/insurance/internal/adapters"
	"provision.local/services/insurance/internal/app"
	"provision.local/services/insurance/internal/domain"
	"provision.local/services/partnersim/simulator"
)

// The client against the partner simulator in process: the insurer the local stack runs.
func newInsurer(t *testing.T) (*adapters.InsurerClient, string) {
	t.Helper()
	h, err := simulator.NewHandler(logging.NewWithOutput("partnersim", "error", io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return adapters.NewInsurerClient(srv.URL+"/insurance", 5*time.Second), srv.URL
}

var reservation = domain.Reservation{
	DocumentID: "12345678Z", FirstName: "Juan", Email: "j@example.com", Language: "es", Brand: "Acme", Model: "A1",
	Price: 200, ClientType: "Autónomo", IMEI: "356938035643809", Entity: "2100", OfficeCode: "0418", DC: "45", AccountNumber: "0200051332",
}

func TestInsurerClient_LifecycleAgainstTheSimulator(t *testing.T) {
	c, _ := newInsurer(t)
	ctx := context.Background()
	issued, err := c.Reserve(ctx, "k1", "masmovil", reservation)
	if err != nil {
		t.Fatal(err)
	}
	if !domain.PolicyNumberFormat.MatchString(issued.PolicyNumber) || issued.RequestID == "" || issued.Quote.AnnualFee != 19.49 || issued.ReservedAt.IsZero() {
		t.Fatalf("issued %+v", issued)
	}
	if again, _ := c.Reserve(ctx, "k1", "masmovil", reservation); again != issued {
		t.Errorf("a repeated key issued %+v, want %+v", again, issued)
	}
	pn := issued.PolicyNumber
	act := app.Activation{RequestID: issued.RequestID, Document: "12345678Z", IMEI: "356938035643810"}
	var refused *partnerhttp.Rejection
	if err := c.Activate(ctx, "a1", "masmovil", pn, act); !errors.As(err, &refused) || refused.Code != "DEVICE_MISMATCH" {
		t.Fatalf("activation with another IMEI: %v", err)
	}
	act.IMEI = "356938035643809"
	steps := []struct {
		name string
		call func() error
	}{
		{"activate", func() error { return c.Activate(ctx, "a2", "masmovil", pn, act) }},
		{"suspend", func() error { return c.Suspend(ctx, "s1", "masmovil", pn, "12345678Z") }},
		{"reconnect", func() error { return c.Reconnect(ctx, "r1", "masmovil", pn, "") }},
		{"terminate", func() error { return c.Terminate(ctx, "t1", "masmovil", pn, "", "sold") }},
	}
	for _, s := range steps {
		if err := s.call(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	if err := c.Cancel(ctx, "c1", "masmovil", pn, ""); !errors.As(err, &refused) || refused.Code != "INVALID_TRANSITION" {
		t.Errorf("cancel a terminated policy: %v", err)
	}
	if err := c.Cancel(ctx, "c2", "yoigo", pn, ""); !errors.As(err, &refused) || refused.Status != http.StatusNotFound {
		t.Errorf("another org's policy: %v", err)
	}
}

func TestInsurerClient_AnInsurerDownIsRetried(t *testing.T) {
	c, base := newInsurer(t)
	req, _ := http.NewRequest(http.MethodPut, base+"/admin/faults/insurance", strings.NewReader(`{"status":503}`))
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("set the fault: %v %v", res, err)
	}
	_ = res.Body.Close()
	_, err = c.Reserve(context.Background(), "k1", "masmovil", reservation)
	var refused *partnerhttp.Rejection
	if err == nil || errors.As(err, &refused) {
		t.Fatalf("got %v, want an error to retry", err)
	}
	for _, v := range []string{"12345678Z", "0200051332"} {
		if strings.Contains(err.Error(), v) {
			t.Errorf("the error names %q: %v", v, err)
		}
	}
}
