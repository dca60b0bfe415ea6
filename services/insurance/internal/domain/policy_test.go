package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"provision.local/services/insurance/internal/domain"
)

var t0 = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func policyIn(s domain.State) domain.Policy {
	p := domain.Policy{Org: "masmovil", PolicyNumber: "DI0000000001", RequestID: "r1", State: s, ReservedAt: t0}
	if s != domain.Reserved {
		at := t0.Add(time.Hour)
		p.ActivatedAt = &at
	}
	return p
}

func TestLifecycle(t *testing.T) {
	now := t0.Add(2 * time.Hour)
	moves := map[string]func(domain.Policy) (domain.Policy, error){
		"suspend":   func(p domain.Policy) (domain.Policy, error) { return p.Suspend(now) },
		"reconnect": func(p domain.Policy) (domain.Policy, error) { return p.Reconnect(now) },
		"terminate": func(p domain.Policy) (domain.Policy, error) { return p.Terminate(now) },
		"cancel":    func(p domain.Policy) (domain.Policy, error) { return p.Cancel(now) },
	}
	tests := []struct {
		name string
		from domain.State
		op   string
		want domain.State // "" when refused
	}{
		{"suspend an active policy", domain.Active, "suspend", domain.Suspended},
		{"suspend a reserved policy", domain.Reserved, "suspend", ""},
		{"suspend a suspended policy", domain.Suspended, "suspend", ""},
		{"reconnect a suspended policy", domain.Suspended, "reconnect", domain.Active},
		{"reconnect an active policy", domain.Active, "reconnect", ""},
		{"terminate an active policy", domain.Active, "terminate", domain.Terminated},
		{"terminate a suspended policy", domain.Suspended, "terminate", domain.Terminated},
		{"terminate a reserved policy", domain.Reserved, "terminate", ""},
		{"terminate a terminated policy", domain.Terminated, "terminate", ""},
		{"cancel a reserved policy", domain.Reserved, "cancel", domain.Cancelled},
		{"cancel an active policy", domain.Active, "cancel", domain.Cancelled},
		{"cancel a suspended policy", domain.Suspended, "cancel", ""},
		{"cancel a cancelled policy", domain.Cancelled, "cancel", ""},
		{"reconnect a terminated policy", domain.Terminated, "reconnect", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := policyIn(tt.from)
			got, err := moves[tt.op](before)
			if tt.want == "" {
				var illegal *domain.IllegalTransition
				if !errors.As(err, &illegal) || got.State != tt.from {
					t.Fatalf("got %v, %v; want an IllegalTransition and the state kept", got.State, err)
				}
				return
			}
			if err != nil || got.State != tt.want || !got.UpdatedAt.Equal(now) {
				t.Fatalf("got %v at %v, %v; want %v", got.State, got.UpdatedAt, err, tt.want)
			}
			ended := tt.want == domain.Terminated || tt.want == domain.Cancelled
			if ended != (got.EndedAt != nil) {
				t.Errorf("endedAt %v for %v", got.EndedAt, tt.want)
			}
		})
	}
}

func TestActivate(t *testing.T) {
	insured := domain.Insured{Document: "12345678Z", IMEI: "356938035643809"}
	noDevice := domain.Insured{Document: "12345678Z"}
	tests := []struct {
		name                      string
		from                      domain.State
		insured                   domain.Insured
		requestID, document, imei string
		want                      error
	}{
		{"the reserved device", domain.Reserved, insured, "r1", "12345678Z", "356938035643809", nil},
		{"a device for a reservation that named none", domain.Reserved, noDevice, "r1", "12345678Z", "490154203237518", nil},
		{"another device", domain.Reserved, insured, "r1", "12345678Z", "356938035643810", domain.ErrDeviceMismatch},
		{"another insured", domain.Reserved, insured, "r1", "X1234567L", "356938035643809", domain.ErrDocumentMismatch},
		{"another request", domain.Reserved, insured, "r2", "12345678Z", "356938035643809", domain.ErrRequestMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, in, err := policyIn(tt.from).Activate(tt.requestID, tt.document, tt.imei, tt.insured, t0)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			if err != nil {
				if got.State != domain.Reserved || got.ActivatedAt != nil {
					t.Errorf("a refused activation changed the policy: %v", got)
				}
				return
			}
			if got.State != domain.Active || got.ActivatedAt == nil || in.IMEI != tt.imei || !got.WasInForce() {
				t.Errorf("got %v, device %q", got, in.IMEI)
			}
		})
	}
	var illegal *domain.IllegalTransition
	if _, _, err := policyIn(domain.Active).Activate("r1", "12345678Z", "356938035643809", insured, t0); !errors.As(err, &illegal) {
		t.Errorf("activating an active policy: %v", err)
	}
}

// Refusals reach failure events and dead-letter headers: none may repeat the value checked.
func TestErrors_NameNoPersonalValue(t *testing.T) {
	insured := domain.Insured{Document: "12345678Z", Phone: "612345678", IMEI: "356938035643809"}
	_, _, e1 := policyIn(domain.Reserved).Activate("r1", "87654321X", "356938035643810", insured, t0)
	e2 := insured.Matches("", "699999999")
	e3 := domain.ValidDocument("12345678A")
	for _, err := range []error{e1, e2, e3} {
		if err == nil {
			t.Fatal("want a refusal")
		}
		for _, v := range []string{"12345678", "87654321", "356938035643", "612345678", "699999999"} {
			if strings.Contains(err.Error(), v) {
				t.Errorf("%q names a personal value", err)
			}
		}
	}
}
