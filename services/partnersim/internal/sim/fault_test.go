package sim_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"provision.local/services/partnersim/internal/sim"
	"provision.local/services/partnersim/internal/sim/simtest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestFaultSpecValidate(t *testing.T) {
	tests := []struct {
		name  string
		spec  sim.FaultSpec
		valid bool
	}{
		{"status503Valid", sim.FaultSpec{Status: 503, Rate: 1}, true},
		{"latencyOnlyValid", sim.FaultSpec{Rate: 0.5, LatencyMS: 200}, true},
		{"rateZeroValid", sim.FaultSpec{Status: 500}, true},
		{"status429Valid", sim.FaultSpec{Status: 429, Rate: 1, ForSeconds: 30}, true},
		{"status200Invalid", sim.FaultSpec{Status: 200, Rate: 1}, false},
		{"status600Invalid", sim.FaultSpec{Status: 600, Rate: 1}, false},
		{"rateAboveOneInvalid", sim.FaultSpec{Status: 503, Rate: 1.1}, false},
		{"rateNegativeInvalid", sim.FaultSpec{Status: 503, Rate: -0.1}, false},
		{"latencyNegativeInvalid", sim.FaultSpec{Rate: 1, LatencyMS: -1}, false},
		{"latencyTooLongInvalid", sim.FaultSpec{Rate: 1, LatencyMS: sim.MaxLatencyMS + 1}, false},
		{"forSecondsNegativeInvalid", sim.FaultSpec{Status: 503, Rate: 1, ForSeconds: -1}, false},
		{"forSecondsTooLongInvalid", sim.FaultSpec{Status: 503, Rate: 1, ForSeconds: sim.MaxForSeconds + 1}, false},
		{"matchValid", sim.FaultSpec{Status: 503, Rate: 1, Match: "ENT-1"}, true},
		{"matchAtLimitValid", sim.FaultSpec{Status: 503, Rate: 1, Match: strings.Repeat("a", sim.MaxMatchLen)}, true},
		{"matchTooLongInvalid", sim.FaultSpec{Status: 503, Rate: 1, Match: strings.Repeat("a", sim.MaxMatchLen+1)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.spec.Validate()
			if tt.valid && err != nil {
				t.Fatalf("Validate() = %v, want nil", err)
			}
			if !tt.valid && !errors.Is(err, sim.ErrInvalidFault) {
				t.Fatalf("Validate() = %v, want ErrInvalidFault", err)
			}
		})
	}
}

func TestFaultExpiresAfterForSeconds(t *testing.T) {
	clock := simtest.NewClock(t0)
	p := sim.NewPartner(sim.Config{Name: "p", Clock: clock})
	f, err := p.SetFault(sim.FaultSpec{Status: 503, Rate: 1, ForSeconds: 30})
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(30 * time.Second); f.ExpiresAt == nil || !f.ExpiresAt.Equal(want) {
		t.Fatalf("ExpiresAt = %v, want %v", f.ExpiresAt, want)
	}

	clock.Advance(29 * time.Second)
	if _, ok := p.Fault(); !ok {
		t.Fatal("fault gone before for_seconds elapsed")
	}
	if res := p.Handle(t.Context(), get(), okApply(nil)); res.Status != 503 {
		t.Fatalf("status before expiry = %d, want 503", res.Status)
	}

	clock.Advance(time.Second)
	if _, ok := p.Fault(); ok {
		t.Fatal("fault still set after for_seconds elapsed")
	}
	if res := p.Handle(t.Context(), get(), okApply(nil)); res.Status != 200 {
		t.Fatalf("status after expiry = %d, want 200", res.Status)
	}
}

func TestFaultWithoutForSecondsLastsUntilCleared(t *testing.T) {
	clock := simtest.NewClock(t0)
	p := sim.NewPartner(sim.Config{Name: "p", Clock: clock})
	if _, err := p.SetFault(sim.FaultSpec{Status: 503, Rate: 1}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(365 * 24 * time.Hour)
	if _, ok := p.Fault(); !ok {
		t.Fatal("fault without for_seconds expired")
	}
	p.ClearFault()
	if _, ok := p.Fault(); ok {
		t.Fatal("fault still set after ClearFault")
	}
}

func TestScopedFaultHitsMatchingRequestsOnly(t *testing.T) {
	onEntitlement := func(path, body string) sim.Request {
		return sim.Request{Method: http.MethodPost, Path: path, Operation: "op", IdempotencyKey: "k-" + path + body, Mutating: true, Body: []byte(body)}
	}
	tests := []struct {
		name        string
		match       string
		req         sim.Request
		wantFaulted bool
	}{
		{"pathContainsMatchFaulted", "ENT-1", onEntitlement("/p/v1/entitlements/ENT-1/suspend", `{}`), true},
		{"bodyContainsMatchFaulted", "ENT-1", onEntitlement("/p/v1/entitlements", `{"entitlementId":"ENT-1"}`), true},
		{"otherPathNotFaulted", "ENT-1", onEntitlement("/p/v1/entitlements/ENT-2/suspend", `{}`), false},
		{"otherBodyNotFaulted", "ENT-1", onEntitlement("/p/v1/entitlements", `{"entitlementId":"ENT-2"}`), false},
		{"readWithMatchingPathFaulted", "ENT-1", sim.Request{Method: http.MethodGet, Path: "/p/v1/entitlements/ENT-1", Operation: "get"}, true},
		{"noMatchFaultsEveryRequest", "", onEntitlement("/p/v1/entitlements/ENT-2/suspend", `{}`), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := sim.NewPartner(sim.Config{Name: "p", Clock: simtest.NewClock(t0)})
			if _, err := p.SetFault(sim.FaultSpec{Status: 503, Rate: 1, Match: tt.match}); err != nil {
				t.Fatal(err)
			}
			res := p.Handle(t.Context(), tt.req, okApply(nil))
			if res.Faulted != tt.wantFaulted {
				t.Fatalf("faulted = %v (status %d), want %v", res.Faulted, res.Status, tt.wantFaulted)
			}
			wantStatus := http.StatusOK
			if tt.wantFaulted {
				wantStatus = http.StatusServiceUnavailable
			}
			if res.Status != wantStatus || res.Effect == tt.wantFaulted {
				t.Fatalf("status %d effect %v, want %d and an effect only when not faulted", res.Status, res.Effect, wantStatus)
			}
		})
	}
}
