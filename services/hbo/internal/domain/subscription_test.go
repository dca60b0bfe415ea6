package domain_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"provision.local/services/hbo/internal/domain"
)

var (
	t0   = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	avod = domain.Product{Code: "MAX_AVOD", Name: "MAX Ad VOD", Starts: 1616425200, TrxID: "1234567890"}
	svod = domain.Product{Code: "MAX_SVOD"}
)

func newSub(t *testing.T) domain.Subscription {
	t.Helper()
	s, err := domain.New("masmovil", "4567890123456789", "1234567890123456", "ES", []domain.Product{avod}, t0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// in returns the subscription moved to status through the lifecycle.
func in(t *testing.T, status domain.Status) domain.Subscription {
	t.Helper()
	s := newSub(t)
	var err error
	switch status {
	case domain.Active:
		s, err = s.Activate(t0)
	case domain.Suspended:
		if s, err = s.Activate(t0); err == nil {
			s, err = s.Suspend("OFFER_EXPIRED", t0)
		}
	case domain.Cancelled:
		s, err = s.Cancel("PRODUCT_CANCELED", t0)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// 0 is an id; 0123 is not (the HTTP API's HboId): it would be another subscription than 123.
func TestNew_IDZero(t *testing.T) {
	if _, err := domain.New("masmovil", "0", "0", "ES", []domain.Product{avod}, t0); err != nil {
		t.Fatal(err)
	}
}

func TestNew_IsPendingActivationWithItsCreationInTheHistory(t *testing.T) {
	s := newSub(t)
	if s.Status != domain.PendingActivation || len(s.History) != 1 || s.History[0].To != domain.PendingActivation || s.History[0].From != "" {
		t.Fatalf("new subscription %+v", s)
	}
}

func TestNew_Refusals(t *testing.T) {
	for _, tc := range []struct {
		name, serviceID, externalID, country string
		products                             []domain.Product
		want                                 error
	}{
		{"lowerCaseCountry", "1", "2", "es", []domain.Product{avod}, nil},
		{"unassignedCountry", "1", "2", "ZZ", []domain.Product{avod}, nil},
		{"aliasCountry", "1", "2", "UK", []domain.Product{avod}, nil},
		{"serviceIDNotDigits", "1a", "2", "ES", []domain.Product{avod}, nil},
		{"externalIDTooLong", "1", "12345678901234567890", "ES", []domain.Product{avod}, nil},
		{"serviceIDLeadingZero", "0123", "2", "ES", []domain.Product{avod}, nil},
		{"externalIDLeadingZero", "1", "02", "ES", []domain.Product{avod}, nil},
		{"noProducts", "1", "2", "ES", nil, domain.ErrNoProducts},
		{"productWithoutCode", "1", "2", "ES", []domain.Product{{Name: "x"}}, nil},
		{"sameCodeTwice", "1", "2", "ES", []domain.Product{avod, avod}, nil},
		{"trxIDNotDigits", "1", "2", "ES", []domain.Product{{Code: "A", TrxID: "x"}}, nil},
		{"trxIDBeyondInt64", "1", "2", "ES", []domain.Product{{Code: "A", TrxID: "9223372036854775808"}}, nil},
		{"negativeEpoch", "1", "2", "ES", []domain.Product{{Code: "A", Expires: -1}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := domain.New("masmovil", tc.serviceID, tc.externalID, tc.country, tc.products, t0)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("got %v, want %v", err, tc.want)
				}
				return
			}
			var r *domain.Refusal
			if !errors.As(err, &r) || r.Rule != domain.RuleField {
				t.Fatalf("got %v, want an invalid field", err)
			}
		})
	}
}

func TestTransitions(t *testing.T) {
	activate := func(s domain.Subscription) (domain.Subscription, error) { return s.Activate(t0) }
	suspend := func(s domain.Subscription) (domain.Subscription, error) { return s.Suspend("OFFER_EXPIRED", t0) }
	reactivate := func(s domain.Subscription) (domain.Subscription, error) { return s.Reactivate(t0) }
	cancel := func(s domain.Subscription) (domain.Subscription, error) { return s.Cancel("PRODUCT_CANCELED", t0) }
	for _, tc := range []struct {
		name string
		from domain.Status
		op   func(domain.Subscription) (domain.Subscription, error)
		to   domain.Status // "" when refused
	}{
		{"activatePending", domain.PendingActivation, activate, domain.Active},
		{"activateActive", domain.Active, activate, ""},
		{"activateSuspended", domain.Suspended, activate, ""},
		{"activateCancelled", domain.Cancelled, activate, ""},
		{"suspendActive", domain.Active, suspend, domain.Suspended},
		{"suspendPending", domain.PendingActivation, suspend, ""},
		{"suspendSuspended", domain.Suspended, suspend, ""},
		{"suspendCancelled", domain.Cancelled, suspend, ""},
		{"reactivateSuspended", domain.Suspended, reactivate, domain.Active},
		{"reactivateActive", domain.Active, reactivate, ""},
		{"reactivatePending", domain.PendingActivation, reactivate, ""},
		{"reactivateCancelled", domain.Cancelled, reactivate, ""},
		{"cancelPending", domain.PendingActivation, cancel, domain.Cancelled},
		{"cancelActive", domain.Active, cancel, domain.Cancelled},
		{"cancelSuspended", domain.Suspended, cancel, domain.Cancelled},
		{"cancelCancelled", domain.Cancelled, cancel, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := in(t, tc.from)
			next, err := tc.op(s)
			if tc.to == "" {
				var r *domain.Refusal
				if !errors.As(err, &r) || r.Rule != domain.RuleTransition {
					t.Fatalf("got %v, want an illegal transition", err)
				}
				return
			}
			if err != nil || next.Status != tc.to {
				t.Fatalf("got %s, %v; want %s", next.Status, err, tc.to)
			}
			last := next.History[len(next.History)-1]
			if last.From != tc.from || last.To != tc.to || len(next.History) != len(s.History)+1 {
				t.Errorf("history %+v", next.History)
			}
		})
	}
}

func TestReasons_AreTheSeedsEnumeration(t *testing.T) {
	s := in(t, domain.Active)
	if _, err := s.Suspend("", t0); err == nil {
		t.Error("suspend without a reason accepted")
	}
	if _, err := s.Cancel("BORED", t0); err == nil {
		t.Error("cancel with an unknown reason accepted")
	}
	if _, err := s.ChangeProducts([]domain.Product{svod}, nil, "BORED", t0); err == nil {
		t.Error("update with an unknown reason accepted")
	}
}

func TestDeactivated_OnlyAfterHavingBeenActive(t *testing.T) {
	if in(t, domain.Cancelled).Deactivated() {
		t.Error("a subscription cancelled before activation reads as deactivated")
	}
	s, err := in(t, domain.Suspended).Cancel("OFFER_EXPIRED", t0)
	if err != nil || !s.Deactivated() {
		t.Errorf("cancelled after activation: %v %v", s.Deactivated(), err)
	}
}

func TestChangeProducts(t *testing.T) {
	for _, tc := range []struct {
		name        string
		from        domain.Status
		add, remove []domain.Product
		want        []string // the codes after; nil when refused with wantErr
		wantErr     error
	}{
		{"addOne", domain.Active, []domain.Product{svod}, nil, []string{"MAX_AVOD", "MAX_SVOD"}, nil},
		{"addOneRemoveAnother", domain.PendingActivation, []domain.Product{svod}, []domain.Product{{Code: "MAX_AVOD"}}, []string{"MAX_SVOD"}, nil},
		{"removeAndAddTheSameCodeReplacesIt", domain.Suspended, []domain.Product{{Code: "MAX_AVOD", Name: "new"}}, []domain.Product{{Code: "MAX_AVOD"}}, []string{"MAX_AVOD"}, nil},
		{"removeTheLastProduct", domain.Active, nil, []domain.Product{{Code: "MAX_AVOD"}}, nil, domain.ErrLastProduct},
		{"removeAnUnknownProduct", domain.Active, nil, []domain.Product{svod}, nil, domain.ErrProductNotFound},
		{"addAProductItHas", domain.Active, []domain.Product{avod}, nil, nil, domain.ErrProductExists},
		{"nothing", domain.Active, nil, nil, nil, domain.ErrNothingToChange},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := in(t, tc.from)
			next, err := s.ChangeProducts(tc.add, tc.remove, "PRODUCT_CHANGED", t0)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("got %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(domain.Codes(next.Products), tc.want) || next.Status != tc.from {
				t.Fatalf("got %v %s, %v; want %v", domain.Codes(next.Products), next.Status, err, tc.want)
			}
		})
	}
	var r *domain.Refusal
	if _, err := in(t, domain.Cancelled).ChangeProducts([]domain.Product{svod}, nil, "", t0); !errors.As(err, &r) || r.Rule != domain.RuleTransition {
		t.Errorf("update of a cancelled subscription: %v", err)
	}
}

func TestFor_RefusesAnotherCustomer(t *testing.T) {
	s := newSub(t)
	if err := s.For("1234567890123456"); err != nil {
		t.Error(err)
	}
	if err := s.For("999"); !errors.Is(err, domain.ErrOtherCustomer) {
		t.Errorf("got %v", err)
	}
}

// A command's country is a check: the subscription keeps the country it was created in.
func TestOf_RefusesAnotherCustomerOrCountry(t *testing.T) {
	s := newSub(t)
	for _, tc := range []struct {
		name, externalID, country string
		want                      error
	}{
		{"sameCustomerNoCountry", "1234567890123456", "", nil},
		{"sameCustomerSameCountry", "1234567890123456", "ES", nil},
		{"anotherCustomer", "999", "ES", domain.ErrOtherCustomer},
		{"anotherCountry", "1234567890123456", "FR", domain.ErrOtherCountry},
	} {
		if err := s.Of(tc.externalID, tc.country); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	var r *domain.Refusal
	if err := s.Of("1234567890123456", "QO"); !errors.As(err, &r) || r.Rule != domain.RuleField {
		t.Errorf("an unassigned country: %v, want an invalid field", err)
	}
}
