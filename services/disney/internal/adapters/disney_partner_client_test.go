package adapters_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"provision.local/pkg/logging"
	"provision.local/services/disney/internal/adapters"
	"provision.local/services/disney/internal/app"
	"provision.local/services/partnersim/simulator"
)

// partnerSim serves the partner simulator, the same one the local stack runs.
type partnerSim struct {
	t   *testing.T
	url string
}

func startPartner(t *testing.T) *partnerSim {
	t.Helper()
	h, err := simulator.NewHandler(logging.New("partnersim", "error"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &partnerSim{t: t, url: srv.URL}
}

// client is a Disney client for the simulator's Disney API.
func (p *partnerSim) client() *adapters.DisneyPartnerClient {
	return adapters.NewDisneyPartnerClient(p.url+"/disney", 5*time.Second)
}

func (p *partnerSim) admin(method, path string, body any) int {
	p.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		p.t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(p.t.Context(), method, p.url+path, bytes.NewReader(b))
	if err != nil {
		p.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode
}

func (p *partnerSim) fault(spec map[string]any) {
	p.t.Helper()
	if code := p.admin(http.MethodPut, "/admin/faults/disney", spec); code != http.StatusOK {
		p.t.Fatalf("set fault: %d", code)
	}
}

func entitlement(id string) app.Entitlement {
	return app.Entitlement{EntitlementID: id, UserID: "u-" + id, Provider: "masmovil", Products: []string{"disney_plus"}}
}

func TestDisneyPartnerClientLifecycle(t *testing.T) {
	p := startPartner(t)
	c := p.client()
	ctx := t.Context()
	steps := []struct {
		name string
		call func() error
	}{
		{"create", func() error { return c.CreateEntitlement(ctx, "k-create", entitlement("ENT-1")) }},
		{"createRetriedWithItsKey", func() error { return c.CreateEntitlement(ctx, "k-create", entitlement("ENT-1")) }},
		{"modify", func() error { return c.ModifyProducts(ctx, "k-modify", "ENT-1", []string{"disney_plus", "star_plus"}) }},
		{"suspend", func() error { return c.Suspend(ctx, "k-suspend", "ENT-1", nil) }},
		{"reactivate", func() error { return c.Reactivate(ctx, "k-reactivate", "ENT-1", nil) }},
		{"confirmActivation", func() error { return c.ConfirmActivation(ctx, "k-activation", "ENT-1") }},
		{"cancelProduct", func() error { return c.Cancel(ctx, "k-cancel", "ENT-1", "star_plus") }},
	}
	for _, s := range steps {
		if err := s.call(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	link, err := c.ActivationURL(ctx, "k-url", "ENT-1", app.ActivationURLRequest{Products: []string{"disney_plus"}, Country: "ES", ExpireDate: time.Now().Add(time.Hour)})
	if err != nil || link.URL == "" || link.ExpiryDate == "" {
		t.Fatalf("activation url = %+v, %v; want a link with its expiry", link, err)
	}
}

func TestDisneyPartnerClientRefusalsAreRejections(t *testing.T) {
	tests := []struct {
		name       string
		call       func(c *adapters.DisneyPartnerClient, p *partnerSim) error
		wantStatus int
		wantCode   string
	}{
		{"createExisting409", func(c *adapters.DisneyPartnerClient, p *partnerSim) error {
			return c.CreateEntitlement(p.t.Context(), "k-other", entitlement("ENT-1"))
		}, http.StatusConflict, "ENTITLEMENT_EXISTS"},
		{"createInvalid400", func(c *adapters.DisneyPartnerClient, p *partnerSim) error {
			e := entitlement("ENT-2")
			e.Products = nil
			return c.CreateEntitlement(p.t.Context(), "k-invalid", e)
		}, http.StatusBadRequest, "INVALID_REQUEST"},
		{"keyReusedForAnotherCall422", func(c *adapters.DisneyPartnerClient, p *partnerSim) error {
			return c.Suspend(p.t.Context(), "k-create", "ENT-1", nil)
		}, http.StatusUnprocessableEntity, "IDEMPOTENCY_KEY_REUSED"},
		{"modifyMissingEntitlement404", func(c *adapters.DisneyPartnerClient, p *partnerSim) error {
			return c.ModifyProducts(p.t.Context(), "k-modify", "ENT-missing", []string{"disney_plus"})
		}, http.StatusNotFound, "ENTITLEMENT_NOT_FOUND"},
		{"cancelMissingEntitlement404", func(c *adapters.DisneyPartnerClient, p *partnerSim) error {
			return c.Cancel(p.t.Context(), "k-cancel", "ENT-missing", "")
		}, http.StatusNotFound, "ENTITLEMENT_NOT_FOUND"},
		{"suspendUnknownProduct404", func(c *adapters.DisneyPartnerClient, p *partnerSim) error {
			return c.Suspend(p.t.Context(), "k-suspend", "ENT-1", []string{"no_such_product"})
		}, http.StatusNotFound, "PRODUCT_NOT_FOUND"},
		{"reactivateNotSuspended409", func(c *adapters.DisneyPartnerClient, p *partnerSim) error {
			return c.Reactivate(p.t.Context(), "k-reactivate", "ENT-1", nil)
		}, http.StatusConflict, "ENTITLEMENT_NOT_SUSPENDED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startPartner(t)
			c := p.client()
			if err := c.CreateEntitlement(t.Context(), "k-create", entitlement("ENT-1")); err != nil {
				t.Fatal(err)
			}
			err := tt.call(c, p)
			rej, ok := errors.AsType[*app.PartnerRejection](err)
			if !ok {
				t.Fatalf("err = %v, want an *app.PartnerRejection", err)
			}
			if rej.Status != tt.wantStatus || rej.Code != tt.wantCode || rej.Message == "" {
				t.Fatalf("rejection = %+v, want %d %s with the partner's message", rej, tt.wantStatus, tt.wantCode)
			}
		})
	}
}

func TestDisneyPartnerClientOtherFailuresAreRetryable(t *testing.T) {
	tests := []struct {
		name   string
		fault  map[string]any // nil: none
		client func(p *partnerSim) *adapters.DisneyPartnerClient
	}{
		{"unavailable503", map[string]any{"status": 503}, (*partnerSim).client},
		{"tooManyRequests429", map[string]any{"status": 429}, (*partnerSim).client},
		{"unauthorized401", map[string]any{"status": 401}, (*partnerSim).client},
		{"forbidden403", map[string]any{"status": 403}, (*partnerSim).client},
		{"requestTimeout408", map[string]any{"status": 408}, (*partnerSim).client},
		{"unknownRoute404", nil, func(p *partnerSim) *adapters.DisneyPartnerClient {
			return adapters.NewDisneyPartnerClient(p.url+"/disnee", 5*time.Second)
		}},
		{"unreachable", nil, func(*partnerSim) *adapters.DisneyPartnerClient {
			closed := httptest.NewServer(http.NotFoundHandler())
			closed.Close()
			return adapters.NewDisneyPartnerClient(closed.URL+"/disney", 5*time.Second)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startPartner(t)
			if err := p.client().CreateEntitlement(t.Context(), "k-create", entitlement("ENT-1")); err != nil {
				t.Fatal(err)
			}
			if tt.fault != nil {
				p.fault(tt.fault)
			}
			err := tt.client(p).ModifyProducts(t.Context(), "k-modify", "ENT-1", []string{"star_plus"})
			if err == nil {
				t.Fatal("err = nil, want a failure")
			}
			if _, ok := errors.AsType[*app.PartnerRejection](err); ok {
				t.Fatalf("err = %v is a rejection, want it retryable", err)
			}
		})
	}
}
