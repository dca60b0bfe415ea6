package domain_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"provision.local/services/netflix/internal/domain"
)

const (
	pai   = "4567890123456789"
	offer = "2106f808-36e9-402d-bf37-f1f7fa04776b"
	other = "5b1f4a43-7c8f-4f43-9f4e-1b6f0c2d9e77"
	email = "test@email.com"
	phone = "+525512345678"
)

var (
	t0 = time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)
	t1 = t0.Add(time.Hour)
)

func enrolment() domain.Enrolment {
	return domain.Enrolment{
		Org: "masmovil", PAI: pai, BundleID: "bundle-1", OfferID: offer, Channel: "WEB", ChargeCountry: "ES",
		PreferredLanguage: "es-ES", Email: email, Phone: phone, BillingEventID: "billing-1",
	}
}

// in is a subscription in the given status, activated unless pending (or cancelled before
// activation, with activated false).
func in(status domain.BundleStatus, activated bool) domain.Subscription {
	s, err := domain.New(enrolment(), t0)
	if err != nil {
		panic(err)
	}
	s.Status = status
	if activated {
		s.ActivatedAt = t0
	}
	return s
}

func TestNew_IsPendingActivationWithTheEnrolment(t *testing.T) {
	s, err := domain.New(enrolment(), t0)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != domain.PendingActivation || s.PAI != pai || s.OfferID != offer || s.Email != email ||
		!s.ActivatedAt.IsZero() || s.LastEvent != nil || !s.CreatedAt.Equal(t0) || !s.IsEnrolled() {
		t.Errorf("new subscription %+v", s)
	}
}

func TestNew_RefusesWhatTheRulesRefuse(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*domain.Enrolment)
		field string
	}{
		{"PAI with a letter", func(e *domain.Enrolment) { e.PAI = "45678x" }, "partnerAccountId"},
		{"PAI of 20 digits", func(e *domain.Enrolment) { e.PAI = "12345678901234567890" }, "partnerAccountId"},
		{"no PAI", func(e *domain.Enrolment) { e.PAI = "" }, "partnerAccountId"},
		{"no bundle", func(e *domain.Enrolment) { e.BundleID = "" }, "bundleId"},
		{"no offer", func(e *domain.Enrolment) { e.OfferID = "" }, "offerId"},
		{"offer not a UUID", func(e *domain.Enrolment) { e.OfferID = "basic" }, "offerId"},
		{"phone without +", func(e *domain.Enrolment) { e.Phone = "525512345678" }, "phone"},
		{"lower-case country", func(e *domain.Enrolment) { e.ChargeCountry = "es" }, "chargeCountry"},
		{"email without @", func(e *domain.Enrolment) { e.Email = "nobody" }, "email"},
		{"billing event of 1025 bytes", func(e *domain.Enrolment) { e.BillingEventID = strings.Repeat("é", 512) + "x" }, "billingEventId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := enrolment()
			tc.edit(&e)
			_, err := domain.New(e, t0)
			var inv *domain.InvalidField
			if !errors.As(err, &inv) || inv.Field != tc.field {
				t.Fatalf("got %v, want an invalid %s", err, tc.field)
			}
			if strings.Contains(err.Error(), email) || strings.Contains(err.Error(), "525512345678") {
				t.Errorf("the error repeats personal data: %v", err)
			}
		})
	}
	e := enrolment()
	e.BillingEventID = strings.Repeat("é", 512) // 1024 bytes
	if _, err := domain.New(e, t0); err != nil {
		t.Errorf("a billing event of 1024 bytes is refused: %v", err)
	}
}

func TestLifecycle_Transitions(t *testing.T) {
	type step func(domain.Subscription) (domain.Subscription, error)
	activate := func(s domain.Subscription) (domain.Subscription, error) { return s.Activate(t1, t1) }
	suspend := func(s domain.Subscription) (domain.Subscription, error) { return s.Suspend(t1) }
	reactivate := func(s domain.Subscription) (domain.Subscription, error) { return s.Reactivate(t1) }
	cancel := func(s domain.Subscription) (domain.Subscription, error) { return s.Cancel(t1) }
	for _, tc := range []struct {
		name      string
		from      domain.Subscription
		do        step
		want      domain.BundleStatus
		refused   bool
		sentinel  error
		activated bool
	}{
		{"activate pending", in(domain.PendingActivation, false), activate, domain.Active, false, nil, true},
		{"activate active again", in(domain.Active, true), activate, "", false, domain.ErrAlreadyActivated, false},
		{"activate suspended", in(domain.Suspended, true), activate, "", false, domain.ErrAlreadyActivated, false},
		{"activate cancelled", in(domain.Cancelled, false), activate, "", true, nil, false},
		{"suspend active", in(domain.Active, true), suspend, domain.Suspended, false, nil, true},
		{"suspend pending", in(domain.PendingActivation, false), suspend, "", true, nil, false},
		{"suspend suspended", in(domain.Suspended, true), suspend, "", true, nil, false},
		{"suspend cancelled", in(domain.Cancelled, true), suspend, "", true, nil, false},
		{"reactivate suspended", in(domain.Suspended, true), reactivate, domain.Active, false, nil, true},
		{"reactivate active", in(domain.Active, true), reactivate, "", true, nil, false},
		{"reactivate pending", in(domain.PendingActivation, false), reactivate, "", true, nil, false},
		{"reactivate cancelled", in(domain.Cancelled, true), reactivate, "", true, nil, false},
		{"cancel pending", in(domain.PendingActivation, false), cancel, domain.Cancelled, false, nil, false},
		{"cancel active", in(domain.Active, true), cancel, domain.Cancelled, false, nil, true},
		{"cancel suspended", in(domain.Suspended, true), cancel, domain.Cancelled, false, nil, true},
		{"cancel cancelled", in(domain.Cancelled, false), cancel, "", true, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from := tc.from.Record(domain.Event{Type: domain.EventPlanChange, NetflixEventID: "earlier", At: t0})
			got, err := tc.do(from)
			var illegal *domain.IllegalTransition
			switch {
			case tc.refused:
				if !errors.As(err, &illegal) || illegal.Status != tc.from.Status {
					t.Fatalf("got %v, want an illegal transition from %s", err, tc.from.Status)
				}
				return
			case tc.sentinel != nil:
				if !errors.Is(err, tc.sentinel) {
					t.Fatalf("got %v, want %v", err, tc.sentinel)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if got.Status != tc.want || !got.UpdatedAt.Equal(t1) || got.LastEvent != nil {
				t.Errorf("got %s updated %v event %v; want %s at t1 with no event recorded yet", got.Status, got.UpdatedAt, got.LastEvent, tc.want)
			}
			if activated := !got.ActivatedAt.IsZero(); activated != tc.activated {
				t.Errorf("activated %v, want %v", activated, tc.activated)
			}
			if tc.want == domain.Cancelled && got.Deactivated() != tc.activated {
				t.Errorf("Deactivated() = %v, want %v (cancelled after an activation)", got.Deactivated(), tc.activated)
			}
			if got.IsEnrolled() != (tc.want != domain.Cancelled) {
				t.Errorf("IsEnrolled() = %v in %s", got.IsEnrolled(), got.Status)
			}
		})
	}
}

func TestActivate_KeepsTheCustomersTime(t *testing.T) {
	s, err := in(domain.PendingActivation, false).Activate(t0.Add(time.Minute), t1)
	if err != nil || !s.ActivatedAt.Equal(t0.Add(time.Minute)) || !s.UpdatedAt.Equal(t1) {
		t.Errorf("got %+v, %v", s, err)
	}
}

func TestUpdate_PlanChangeRules(t *testing.T) {
	for _, tc := range []struct {
		name      string
		from      domain.Subscription
		changes   domain.Changes
		event     domain.EventType
		err       error
		refused   bool
		invalid   string
		wantEmail string
	}{
		{"a new offer is a plan change", in(domain.Active, true), domain.Changes{OfferID: other}, domain.EventPlanChange, nil, false, "", email},
		{"a new bundle is a plan change", in(domain.PendingActivation, false), domain.Changes{BundleID: "bundle-2"}, domain.EventPlanChange, nil, false, "", email},
		{"a suspended bundle changes plan too", in(domain.Suspended, true), domain.Changes{OfferID: other}, domain.EventPlanChange, nil, false, "", email},
		{"contact data only records no event", in(domain.Active, true), domain.Changes{Phone: "+34600000000", Channel: "STB"}, "", nil, false, "", email},
		{"the same offer is not a plan change", in(domain.Active, true), domain.Changes{OfferID: offer, Channel: "STB"}, "", nil, false, "", email},
		{"the email changes before the activation", in(domain.PendingActivation, false), domain.Changes{Email: "new@email.com"}, "", nil, false, "", "new@email.com"},
		{"the email stays after the activation", in(domain.Active, true), domain.Changes{Email: "new@email.com", Channel: "STB"}, "", nil, false, "", email},
		{"only an email after the activation changes nothing", in(domain.Active, true), domain.Changes{Email: "new@email.com"}, "", domain.ErrNothingToChange, false, "", ""},
		{"the values it has change nothing", in(domain.Active, true), domain.Changes{OfferID: offer, BundleID: "bundle-1"}, "", domain.ErrNothingToChange, false, "", ""},
		{"a cancelled bundle is not updated", in(domain.Cancelled, true), domain.Changes{OfferID: other}, "", nil, true, "", ""},
		{"an offer that is not a UUID", in(domain.Active, true), domain.Changes{OfferID: "premium"}, "", nil, false, "offerId", ""},
		{"a phone not in E.164", in(domain.Active, true), domain.Changes{Phone: "600000000"}, "", nil, false, "phone", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, event, err := tc.from.Update(tc.changes, t1)
			var illegal *domain.IllegalTransition
			var inv *domain.InvalidField
			switch {
			case tc.refused:
				if !errors.As(err, &illegal) {
					t.Fatalf("got %v, want an illegal transition", err)
				}
				return
			case tc.invalid != "":
				if !errors.As(err, &inv) || inv.Field != tc.invalid {
					t.Fatalf("got %v, want an invalid %s", err, tc.invalid)
				}
				return
			case tc.err != nil:
				if !errors.Is(err, tc.err) {
					t.Fatalf("got %v, want %v", err, tc.err)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if event != tc.event || got.Email != tc.wantEmail || !got.UpdatedAt.Equal(t1) || got.Status != tc.from.Status {
				t.Errorf("got event %q email %q updated %v status %s", event, got.Email, got.UpdatedAt, got.Status)
			}
			if tc.changes.OfferID != "" && got.OfferID != tc.changes.OfferID {
				t.Errorf("offer %s, want %s", got.OfferID, tc.changes.OfferID)
			}
		})
	}
}

func TestSubscription_PrintsNoPersonalData(t *testing.T) {
	s := in(domain.Active, true)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, s)
		if strings.Contains(out, email) || strings.Contains(out, phone) || !strings.Contains(out, pai) {
			t.Errorf("%s prints %q", verb, out)
		}
	}
}

func TestValidReference(t *testing.T) {
	if err := domain.ValidReference("cancelEventId", "c02a6e17"); err != nil {
		t.Error(err)
	}
	for _, ref := range []string{"", strings.Repeat("x", domain.MaxReferenceBytes+1)} {
		var inv *domain.InvalidField
		if err := domain.ValidReference("cancelEventId", ref); !errors.As(err, &inv) || inv.Field != "cancelEventId" {
			t.Errorf("reference of %d bytes: got %v", len(ref), err)
		}
	}
}
