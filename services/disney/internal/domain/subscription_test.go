package domain_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"provision.local/services/disney/internal/domain"
)

var (
	t0       = time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	t1       = t0.Add(time.Minute)
	products = []string{"com.disney.yoigo.es.bundle.basic", "com.disney.yoigo.es.bundle.premium"}
)

func subscription(t *testing.T, entitled domain.Entitled) domain.Subscription {
	t.Helper()
	s, err := domain.New("masmovil", "MOO1", "ENT1", products, t0)
	if err != nil {
		t.Fatal(err)
	}
	s.Entitled = entitled
	if entitled == domain.EntitledCanceled {
		s.Cancellation = domain.CancellationVoluntary
	}
	return s
}

func TestNew(t *testing.T) {
	tests := []struct {
		name     string
		products []string
		wantErr  error
	}{
		{"createdActiveUnlinked", products, nil},
		{"rejectedNoProducts", nil, domain.ErrInvalidProducts},
		{"rejectedEmptyProduct", []string{"a", " "}, domain.ErrInvalidProducts},
		{"rejectedDuplicateProduct", []string{"a", "a"}, domain.ErrInvalidProducts},
		{"rejectedTooManyProducts", make([]string, domain.MaxProducts+1), domain.ErrInvalidProducts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := domain.New("masmovil", "MOO1", "ENT1", tc.products, t0)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if s.Entitled != domain.EntitledActive || s.Activated != domain.ActivatedUnlinked {
				t.Fatalf("got %s/%s, want ACTIVE/UNLINKED", s.Entitled, s.Activated)
			}
			if !slices.Equal(s.Products, tc.products) || !s.LastUpdated.Equal(t0) {
				t.Fatalf("got %+v", s)
			}
		})
	}
}

func TestTransitions(t *testing.T) {
	type op func(domain.Subscription) (domain.Subscription, error)
	suspend := func(s domain.Subscription) (domain.Subscription, error) { return s.Suspend(products, t1) }
	reactivate := func(s domain.Subscription) (domain.Subscription, error) { return s.Reactivate(products, t1) }
	modify := func(s domain.Subscription) (domain.Subscription, error) {
		return s.ModifyProducts([]string{"com.disney.yoigo.es.bundle.standard"}, t1)
	}
	terminate := func(s domain.Subscription) (domain.Subscription, error) { return s.Terminate("", t1) }
	terminateBasic := func(s domain.Subscription) (domain.Subscription, error) { return s.Terminate(products[0], t1) }
	terminateUnknown := func(s domain.Subscription) (domain.Subscription, error) {
		return s.Terminate("disney.bundle.basic", t1)
	}
	link := func(s domain.Subscription) (domain.Subscription, error) { return s.Link(t1) }

	tests := []struct {
		name         string
		from         domain.Entitled
		op           op
		wantEntitled domain.Entitled
		wantProducts []string
		wantErr      error
		wantBlocked  bool // a TransitionError
	}{
		{"suspendActiveGoesToBillingHold", domain.EntitledActive, suspend, domain.EntitledBillingHold, products, nil, false},
		{"suspendGracePeriodGoesToBillingHold", domain.EntitledGracePeriod, suspend, domain.EntitledBillingHold, products, nil, false},
		{"suspendSuspendedBlocked", domain.EntitledBillingHold, suspend, "", nil, nil, true},
		{"suspendCanceledBlocked", domain.EntitledCanceled, suspend, "", nil, nil, true},
		{"reactivateSuspendedGoesActive", domain.EntitledBillingHold, reactivate, domain.EntitledActive, products, nil, false},
		{"reactivateActiveBlocked", domain.EntitledActive, reactivate, "", nil, nil, true},
		{"reactivateCanceledBlocked", domain.EntitledCanceled, reactivate, "", nil, nil, true},
		{"modifyActiveReplacesProducts", domain.EntitledActive, modify, domain.EntitledActive, []string{"com.disney.yoigo.es.bundle.standard"}, nil, false},
		{"modifySuspendedKeepsHold", domain.EntitledBillingHold, modify, domain.EntitledBillingHold, []string{"com.disney.yoigo.es.bundle.standard"}, nil, false},
		{"modifyCanceledBlocked", domain.EntitledCanceled, modify, "", nil, nil, true},
		{"terminateActiveCancels", domain.EntitledActive, terminate, domain.EntitledCanceled, products, nil, false},
		{"terminateSuspendedCancels", domain.EntitledBillingHold, terminate, domain.EntitledCanceled, products, nil, false},
		{"terminateCanceledBlocked", domain.EntitledCanceled, terminate, "", nil, nil, true},
		{"terminateOneProductKeepsActive", domain.EntitledActive, terminateBasic, domain.EntitledActive, products[1:], nil, false},
		{"terminateUnknownProductFails", domain.EntitledActive, terminateUnknown, "", nil, domain.ErrProductNotFound, false},
		{"linkActiveLinks", domain.EntitledActive, link, domain.EntitledActive, products, nil, false},
		{"linkCanceledBlocked", domain.EntitledCanceled, link, "", nil, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := subscription(t, tc.from)
			after, err := tc.op(before)
			var te *domain.TransitionError
			switch {
			case tc.wantBlocked:
				if !errors.As(err, &te) {
					t.Fatalf("err = %v, want a TransitionError", err)
				}
				return
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			case err != nil:
				t.Fatalf("unexpected error: %v", err)
			}
			if after.Entitled != tc.wantEntitled {
				t.Fatalf("entitled = %s, want %s", after.Entitled, tc.wantEntitled)
			}
			if !slices.Equal(after.Products, tc.wantProducts) {
				t.Fatalf("products = %v, want %v", after.Products, tc.wantProducts)
			}
			if !after.LastUpdated.Equal(t1) {
				t.Fatalf("lastUpdated = %v, want %v", after.LastUpdated, t1)
			}
			if !slices.Equal(before.Products, products) {
				t.Fatalf("the original was changed: %v", before.Products)
			}
		})
	}
}

func TestTerminateLastProductCancels(t *testing.T) {
	s, err := domain.New("masmovil", "MOO1", "ENT1", products[:1], t0)
	if err != nil {
		t.Fatal(err)
	}
	s, err = s.Terminate(products[0], t1)
	if err != nil {
		t.Fatal(err)
	}
	if s.Entitled != domain.EntitledCanceled || s.Cancellation != domain.CancellationVoluntary {
		t.Fatalf("got %s/%s, want CANCELED/VOLUNTARY", s.Entitled, s.Cancellation)
	}
}

func TestLinkIsIdempotent(t *testing.T) {
	s := subscription(t, domain.EntitledActive)
	s, _ = s.Link(t1)
	again, err := s.Link(t1.Add(time.Hour))
	if err != nil || again.Activated != domain.ActivatedLinked || !again.LastUpdated.Equal(t1) {
		t.Fatalf("second link changed the subscription: %+v, %v", again, err)
	}
}
