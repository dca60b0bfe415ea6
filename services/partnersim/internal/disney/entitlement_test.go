package disney

import (
	"errors"
	"slices"
	"testing"
	"time"

	"provision.local/services/partnersim/internal/sim"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func entitlement(state State, linked bool, products ...string) Entitlement {
	return Entitlement{EntitlementID: "e1", UserID: "u1", Provider: "telco", Products: products,
		State: state, Linked: linked, CreatedAt: t0, UpdatedAt: t0}
}

func TestNewEntitlement(t *testing.T) {
	tests := []struct {
		name         string
		id, user     string
		products     []string
		wantErr      bool
		wantProducts []string
	}{
		{"validActive", "e1", "u1", []string{"disney_plus"}, false, []string{"disney_plus"}},
		{"duplicateProductsDropped", "e1", "u1", []string{"a", "b", "a"}, false, []string{"a", "b"}},
		{"missingEntitlementIdInvalid", "", "u1", []string{"a"}, true, nil},
		{"missingUserIdInvalid", "e1", "", []string{"a"}, true, nil},
		{"emptyProductsInvalid", "e1", "u1", nil, true, nil},
		{"emptyProductNameInvalid", "e1", "u1", []string{""}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := NewEntitlement(tt.id, tt.user, "telco", tt.products, t0)
			if tt.wantErr {
				if _, ok := errors.AsType[*sim.ValidationError](err); !ok {
					t.Fatalf("err = %v, want ValidationError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e.State != StateActive || e.Linked || !slices.Equal(e.Products, tt.wantProducts) {
				t.Fatalf("got %+v, want ACTIVE unlinked with %v", e, tt.wantProducts)
			}
		})
	}
}

func TestTransitions(t *testing.T) {
	later := t0.Add(time.Minute)
	tests := []struct {
		name         string
		from         Entitlement
		change       func(Entitlement) (Entitlement, error)
		wantErr      error
		wantState    State
		wantProducts []string
	}{
		{"suspendActive", entitlement(StateActive, false, "a"),
			func(e Entitlement) (Entitlement, error) { return e.Suspend(nil, later) }, nil, StateSuspended, []string{"a"}},
		{"suspendSuspendedConflict", entitlement(StateSuspended, false, "a"),
			func(e Entitlement) (Entitlement, error) { return e.Suspend(nil, later) }, ErrEntitlementSuspended, "", nil},
		{"suspendCanceledConflict", entitlement(StateCanceled, false, "a"),
			func(e Entitlement) (Entitlement, error) { return e.Suspend(nil, later) }, ErrEntitlementCanceled, "", nil},
		{"suspendUnknownProductNotFound", entitlement(StateActive, false, "a"),
			func(e Entitlement) (Entitlement, error) { return e.Suspend([]string{"b"}, later) }, ErrProductNotFound, "", nil},
		{"reactivateSuspended", entitlement(StateSuspended, false, "a"),
			func(e Entitlement) (Entitlement, error) { return e.Reactivate([]string{"a"}, later) }, nil, StateActive, []string{"a"}},
		{"reactivateActiveConflict", entitlement(StateActive, false, "a"),
			func(e Entitlement) (Entitlement, error) { return e.Reactivate(nil, later) }, ErrEntitlementNotSuspended, "", nil},
		{"reactivateCanceledConflict", entitlement(StateCanceled, false, "a"),
			func(e Entitlement) (Entitlement, error) { return e.Reactivate(nil, later) }, ErrEntitlementCanceled, "", nil},
		{"cancelWholeKeepsProducts", entitlement(StateActive, false, "a", "b"),
			func(e Entitlement) (Entitlement, error) { return e.Cancel("", later) }, nil, StateCanceled, []string{"a", "b"}},
		{"cancelSuspended", entitlement(StateSuspended, false, "a"),
			func(e Entitlement) (Entitlement, error) { return e.Cancel("", later) }, nil, StateCanceled, []string{"a"}},
		{"cancelOneProductStaysActive", entitlement(StateActive, false, "a", "b"),
			func(e Entitlement) (Entitlement, error) { return e.Cancel("a", later) }, nil, StateActive, []string{"b"}},
		{"cancelLastProductCancels", entitlement(StateActive, false, "a"),
			func(e Entitlement) (Entitlement, error) { return e.Cancel("a", later) }, nil, StateCanceled, []string{}},
		{"cancelUnknownProductNotFound", entitlement(StateActive, false, "a"),
			func(e Entitlement) (Entitlement, error) { return e.Cancel("b", later) }, ErrProductNotFound, "", nil},
		{"cancelCanceledConflict", entitlement(StateCanceled, false, "a"),
			func(e Entitlement) (Entitlement, error) { return e.Cancel("", later) }, ErrEntitlementCanceled, "", nil},
		{"replaceProducts", entitlement(StateSuspended, false, "a"),
			func(e Entitlement) (Entitlement, error) { return e.WithProducts([]string{"b", "c"}, later) }, nil, StateSuspended, []string{"b", "c"}},
		{"replaceProductsCanceledConflict", entitlement(StateCanceled, false, "a"),
			func(e Entitlement) (Entitlement, error) { return e.WithProducts([]string{"b"}, later) }, ErrEntitlementCanceled, "", nil},
		{"linkActive", entitlement(StateActive, false, "a"),
			func(e Entitlement) (Entitlement, error) { l, _, err := e.Link(later); return l, err }, nil, StateActive, []string{"a"}},
		{"linkCanceledConflict", entitlement(StateCanceled, false, "a"),
			func(e Entitlement) (Entitlement, error) { l, _, err := e.Link(later); return l, err }, ErrEntitlementCanceled, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.from.Products)
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
			if got.State != tt.wantState || !slices.Equal(got.Products, tt.wantProducts) || !got.UpdatedAt.Equal(later) {
				t.Fatalf("got %s %v updated %v, want %s %v updated %v", got.State, got.Products, got.UpdatedAt, tt.wantState, tt.wantProducts, later)
			}
			if !slices.Equal(tt.from.Products, before) {
				t.Fatalf("change mutated the original products: %v, was %v", tt.from.Products, before)
			}
		})
	}
}

func TestLinkTwiceReportsNoChange(t *testing.T) {
	e, changed, err := entitlement(StateActive, true, "a").Link(t0.Add(time.Minute))
	if err != nil || changed || !e.UpdatedAt.Equal(t0) {
		t.Fatalf("changed=%v err=%v updated=%v, want unchanged", changed, err, e.UpdatedAt)
	}
}
