package netflix

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"provision.local/services/partnersim/internal/sim"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const offerStandard = "2106f808-36e9-402d-bf37-f1f7fa04776b"

func enrolment() Enrolment {
	return Enrolment{PAI: "4567890123456789", OfferID: offerStandard, BundleID: "c2a45099-1cda-4178-83a8-02c02356ea01",
		BillingEventID: "e307f177-091a-4840-9830-dda1c29eea44", PartnerChargeCountry: "ES", Phone: "+525512345678"}
}

func account(state State, activated bool) Account {
	a, err := NewAccount("masmovil", enrolment(), "tx-1", t0)
	if err != nil {
		panic(err)
	}
	a.State = state
	a.Activated = activated
	return a
}

func TestNewAccount(t *testing.T) {
	tests := []struct {
		name   string
		org    string
		change func(*Enrolment)
		valid  bool
	}{
		{"seedExampleValid", "masmovil", func(*Enrolment) {}, true},
		{"onlyRequiredFieldsValid", "masmovil", func(e *Enrolment) { *e = Enrolment{PAI: "1", OfferID: offerStandard, BundleID: "b"} }, true},
		{"nineteenDigitsValid", "masmovil", func(e *Enrolment) { e.PAI = "9999999999999999999" }, true},
		{"twentyDigitsInvalid", "masmovil", func(e *Enrolment) { e.PAI = "99999999999999999999" }, false},
		{"floatPAIInvalid", "masmovil", func(e *Enrolment) { e.PAI = "4.5e15" }, false},
		{"negativePAIInvalid", "masmovil", func(e *Enrolment) { e.PAI = "-1" }, false},
		{"missingPAIInvalid", "masmovil", func(e *Enrolment) { e.PAI = "" }, false},
		{"missingOfferInvalid", "masmovil", func(e *Enrolment) { e.OfferID = "" }, false},
		{"offerNotUUIDInvalid", "masmovil", func(e *Enrolment) { e.OfferID = "plan-standard" }, false},
		{"missingBundleInvalid", "masmovil", func(e *Enrolment) { e.BundleID = "" }, false},
		{"lowercaseCountryInvalid", "masmovil", func(e *Enrolment) { e.PartnerChargeCountry = "es" }, false},
		{"billingEventAt1024BytesValid", "masmovil", func(e *Enrolment) { e.BillingEventID = strings.Repeat("b", 1024) }, true},
		{"billingEventOver1024BytesInvalid", "masmovil", func(e *Enrolment) { e.BillingEventID = strings.Repeat("b", 1025) }, false},
		{"billingEventIsThePAIInvalid", "masmovil", func(e *Enrolment) { e.BillingEventID = string(e.PAI) }, false},
		{"phoneWithoutPlusInvalid", "masmovil", func(e *Enrolment) { e.Phone = "525512345678" }, false},
		{"orgWithSlashInvalid", "mas/movil", func(*Enrolment) {}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := enrolment()
			tt.change(&in)
			a, err := NewAccount(tt.org, in, "tx-1", t0)
			if !tt.valid {
				if _, ok := errors.AsType[*sim.ValidationError](err); !ok {
					t.Fatalf("err = %v, want a ValidationError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.State != StateActive || a.Activated || a.PAI != in.PAI || a.BundleStatus() != BundlePendingActivation {
				t.Fatalf("got %+v, want an ACTIVE account pending activation", a)
			}
		})
	}
}

func TestTransitions(t *testing.T) {
	later := t0.Add(time.Minute)
	offer := "00000000-0000-4000-8000-000000000004"
	bundle := "bundle-2"
	tests := []struct {
		name      string
		from      Account
		change    func(Account) (Account, error)
		wantErr   error
		wantState State
	}{
		{"suspendActive", account(StateActive, true),
			func(a Account) (Account, error) { return a.Suspend("s1", "PAYMENT_INSTRUMENT_FAILURE", later) }, nil, StateSuspended},
		{"suspendSuspendedConflict", account(StateSuspended, true),
			func(a Account) (Account, error) { return a.Suspend("s1", "R", later) }, ErrAccountSuspended, ""},
		{"suspendCanceledConflict", account(StateCanceled, true),
			func(a Account) (Account, error) { return a.Suspend("s1", "R", later) }, ErrAccountCanceled, ""},
		{"reactivateSuspended", account(StateSuspended, true),
			func(a Account) (Account, error) { return a.Reactivate("r1", later) }, nil, StateActive},
		{"reactivateActiveConflict", account(StateActive, true),
			func(a Account) (Account, error) { return a.Reactivate("r1", later) }, ErrAccountNotSuspended, ""},
		{"reactivateCanceledConflict", account(StateCanceled, true),
			func(a Account) (Account, error) { return a.Reactivate("r1", later) }, ErrAccountCanceled, ""},
		{"cancelActive", account(StateActive, false),
			func(a Account) (Account, error) { return a.Cancel("c1", "CUSTOMER_REQUESTED_CANCEL", later) }, nil, StateCanceled},
		{"cancelSuspended", account(StateSuspended, false),
			func(a Account) (Account, error) { return a.Cancel("c1", "CUSTOMER_REQUESTED_CANCEL", later) }, nil, StateCanceled},
		{"cancelCanceledConflict", account(StateCanceled, false),
			func(a Account) (Account, error) { return a.Cancel("c1", "R", later) }, ErrAccountCanceled, ""},
		{"changePlanSuspended", account(StateSuspended, true),
			func(a Account) (Account, error) {
				return a.ChangePlan(PlanChange{OfferID: &offer, BundleID: &bundle}, later)
			}, nil, StateSuspended},
		{"changePlanCanceledConflict", account(StateCanceled, true),
			func(a Account) (Account, error) { return a.ChangePlan(PlanChange{OfferID: &offer}, later) }, ErrAccountCanceled, ""},
		{"activateActive", account(StateActive, false),
			func(a Account) (Account, error) { l, _, err := a.Activate(later); return l, err }, nil, StateActive},
		{"activateSuspendedConflict", account(StateSuspended, false),
			func(a Account) (Account, error) { l, _, err := a.Activate(later); return l, err }, ErrAccountSuspended, ""},
		{"activateCanceledConflict", account(StateCanceled, false),
			func(a Account) (Account, error) { l, _, err := a.Activate(later); return l, err }, ErrAccountCanceled, ""},
		{"enrolPhoneCanceledConflict", account(StateCanceled, false),
			func(a Account) (Account, error) { return a.EnrolPhone("+34600000000", "", later) }, ErrAccountCanceled, ""},
		{"removeUnknownPhoneNotFound", account(StateActive, false),
			func(a Account) (Account, error) { return a.RemovePhone("+34600000000", later) }, ErrPhoneNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.change(tt.from)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.State != tt.wantState || !got.UpdatedAt.Equal(later) {
				t.Fatalf("got %s updated %v, want %s updated %v", got.State, got.UpdatedAt, tt.wantState, later)
			}
		})
	}
}

func TestRequiredEventFields(t *testing.T) {
	a := account(StateActive, false)
	for name, err := range map[string]error{
		"suspendWithoutEventId":    func() error { _, err := a.Suspend("", "R", t0); return err }(),
		"suspendWithoutReason":     func() error { _, err := a.Suspend("s1", "", t0); return err }(),
		"reactivateWithoutEventId": func() error { _, err := a.Reactivate("", t0); return err }(),
		"cancelWithoutEventId":     func() error { _, err := a.Cancel("", "R", t0); return err }(),
		"cancelWithoutReason":      func() error { _, err := a.Cancel("c1", "", t0); return err }(),
		"emptyPlanChange":          func() error { _, err := a.ChangePlan(PlanChange{}, t0); return err }(),
	} {
		if _, ok := errors.AsType[*sim.ValidationError](err); !ok {
			t.Errorf("%s: err = %v, want a ValidationError", name, err)
		}
	}
}

func TestEmailChangesOnlyBeforeActivation(t *testing.T) {
	email := "new@example.com"
	for _, activated := range []bool{false, true} {
		got, err := account(StateActive, activated).ChangePlan(PlanChange{Email: &email}, t0)
		if err != nil {
			t.Fatal(err)
		}
		if changed := got.Email == email; changed == activated {
			t.Errorf("activated=%v: email changed=%v", activated, changed)
		}
	}
}

func TestActivateTwiceReportsNoChange(t *testing.T) {
	a, changed, err := account(StateActive, true).Activate(t0.Add(time.Minute))
	if err != nil || changed || !a.UpdatedAt.Equal(t0) {
		t.Fatalf("changed=%v err=%v updated=%v, want unchanged", changed, err, a.UpdatedAt)
	}
}

func TestPAIJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want PAI
		out  string
	}{
		{"sixteenDigitNumberExact", `4567890123456789`, "4567890123456789", `4567890123456789`},
		{"digitStringAnsweredAsNumber", `"4567890123456789"`, "4567890123456789", `4567890123456789`},
		{"beyondInt64AnsweredAsString", `"9999999999999999999"`, "9999999999999999999", `"9999999999999999999"`},
		{"leadingZeroAnsweredAsString", `"0045"`, "0045", `"0045"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p PAI
			if err := json.Unmarshal([]byte(tt.in), &p); err != nil || p != tt.want || !p.Valid() {
				t.Fatalf("decoded %q (%v), want valid %q", p, err, tt.want)
			}
			out, err := json.Marshal(p)
			if err != nil || string(out) != tt.out {
				t.Fatalf("encoded %s (%v), want %s", out, err, tt.out)
			}
		})
	}
}

func TestPlanOf(t *testing.T) {
	if p := PlanOf(strings.ToUpper(offerStandard)); p.Type != "STANDARD" {
		t.Errorf("seed offer plan %v, want STANDARD", p)
	}
	if p := PlanOf("00000000-0000-4000-8000-000000000004"); p.Type != "PREMIUM" {
		t.Errorf("premium offer plan %v", p)
	}
	if p := PlanOf("11111111-1111-4111-8111-111111111111"); p != defaultPlan {
		t.Errorf("unknown offer plan %v, want the default", p)
	}
}
