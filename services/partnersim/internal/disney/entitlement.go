// Package disney simulates the Disney+ partner API on top of the sim core: entitlements, their
// lifecycle and account activation links.
package disney

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"provision.local/services/partnersim/internal/sim"
)

// State is the lifecycle state of an entitlement.
type State string

// Entitlement states.
const (
	StateActive    State = "ACTIVE"
	StateSuspended State = "SUSPENDED"
	StateCanceled  State = "CANCELED"
)

// Limits on what a caller may send.
const (
	maxIDLen    = 256
	maxProducts = 50
)

// Entitlement is a user's right to Disney+ products, as the partner keeps it.
type Entitlement struct {
	EntitlementID string    `json:"entitlementId"`
	UserID        string    `json:"userId"`
	Provider      string    `json:"provider"`
	Products      []string  `json:"products"`
	State         State     `json:"state"`
	Linked        bool      `json:"linked"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
}

// NewEntitlement validates a creation request and returns the ACTIVE entitlement.
func NewEntitlement(id, userID, provider string, products []string, now time.Time) (Entitlement, error) {
	if err := validateID("entitlementId", id); err != nil {
		return Entitlement{}, err
	}
	if err := validateID("userId", userID); err != nil {
		return Entitlement{}, err
	}
	ps, err := normalizeProducts(products)
	if err != nil {
		return Entitlement{}, err
	}
	return Entitlement{
		EntitlementID: id,
		UserID:        userID,
		Provider:      provider,
		Products:      ps,
		State:         StateActive,
		CreatedAt:     now,
		UpdatedAt:     now,
	}, nil
}

// WithProducts replaces the products of an entitlement that is not canceled.
func (e Entitlement) WithProducts(products []string, now time.Time) (Entitlement, error) {
	if e.State == StateCanceled {
		return e, ErrEntitlementCanceled
	}
	ps, err := normalizeProducts(products)
	if err != nil {
		return e, err
	}
	e.Products = ps
	e.UpdatedAt = now
	return e, nil
}

// Suspend moves an ACTIVE entitlement to SUSPENDED. products, when given, must be on it.
func (e Entitlement) Suspend(products []string, now time.Time) (Entitlement, error) {
	switch e.State {
	case StateCanceled:
		return e, ErrEntitlementCanceled
	case StateSuspended:
		return e, ErrEntitlementSuspended
	}
	if err := e.hasProducts(products); err != nil {
		return e, err
	}
	e.State = StateSuspended
	e.UpdatedAt = now
	return e, nil
}

// Reactivate moves a SUSPENDED entitlement back to ACTIVE. products, when given, must be on it.
func (e Entitlement) Reactivate(products []string, now time.Time) (Entitlement, error) {
	switch e.State {
	case StateCanceled:
		return e, ErrEntitlementCanceled
	case StateActive:
		return e, ErrEntitlementNotSuspended
	}
	if err := e.hasProducts(products); err != nil {
		return e, err
	}
	e.State = StateActive
	e.UpdatedAt = now
	return e, nil
}

// Cancel cancels the whole entitlement when product is empty; otherwise it removes product and
// cancels the entitlement when no product is left.
func (e Entitlement) Cancel(product string, now time.Time) (Entitlement, error) {
	if e.State == StateCanceled {
		return e, ErrEntitlementCanceled
	}
	if product != "" {
		if !slices.Contains(e.Products, product) {
			return e, fmt.Errorf("%w: %q", ErrProductNotFound, product)
		}
		e.Products = slices.DeleteFunc(slices.Clone(e.Products), func(p string) bool { return p == product })
		if len(e.Products) > 0 {
			e.UpdatedAt = now
			return e, nil
		}
	}
	e.State = StateCanceled
	e.UpdatedAt = now
	return e, nil
}

// Link marks the user's Disney+ account as linked to the entitlement. It reports whether the
// entitlement changed, because linking twice is harmless.
func (e Entitlement) Link(now time.Time) (Entitlement, bool, error) {
	if e.State == StateCanceled {
		return e, false, ErrEntitlementCanceled
	}
	if e.Linked {
		return e, false, nil
	}
	e.Linked = true
	e.UpdatedAt = now
	return e, true, nil
}

// CanIssueActivation checks that an activation link may be issued for products.
func (e Entitlement) CanIssueActivation(products []string) error {
	switch e.State {
	case StateCanceled:
		return ErrEntitlementCanceled
	case StateSuspended:
		return ErrEntitlementSuspended
	}
	if len(products) == 0 {
		return sim.Invalid("products must not be empty")
	}
	return e.hasProducts(products)
}

func (e Entitlement) hasProducts(products []string) error {
	for _, p := range products {
		if !slices.Contains(e.Products, p) {
			return fmt.Errorf("%w: %q", ErrProductNotFound, p)
		}
	}
	return nil
}

func validateID(field, v string) error {
	switch {
	case v == "":
		return sim.Invalid(field + " is required")
	case len(v) > maxIDLen:
		return sim.Invalid(fmt.Sprintf("%s must be at most %d characters", field, maxIDLen))
	}
	return nil
}

// normalizeProducts rejects an empty list or empty names and drops duplicates, keeping order.
func normalizeProducts(products []string) ([]string, error) {
	if len(products) == 0 {
		return nil, sim.Invalid("products must not be empty")
	}
	if len(products) > maxProducts {
		return nil, sim.Invalid(fmt.Sprintf("at most %d products", maxProducts))
	}
	out := make([]string, 0, len(products))
	for _, p := range products {
		if p == "" {
			return nil, sim.Invalid("product names must not be empty")
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

func validateCountry(c string) error {
	if !countryCode.MatchString(c) {
		return sim.Invalid("country must be an ISO 3166-1 alpha-2 code such as ES")
	}
	return nil
}
