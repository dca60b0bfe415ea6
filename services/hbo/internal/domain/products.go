package domain

import (
	"fmt"
	"time"
)

// MaxProducts bounds the products of a subscription.
const MaxProducts = 64

// ChangeProducts removes the products whose codes are in remove, then adds add: removing and
// adding one code replaces that product's data. Removing a code the subscription lacks, adding one
// it keeps, or leaving it without products is refused; the status does not change. A cancelled
// subscription's products no longer change.
func (s Subscription) ChangeProducts(add, remove []Product, reason string, now time.Time) (Subscription, error) {
	if err := ValidReason(reason, false); err != nil {
		return s, err
	}
	if len(add) == 0 && len(remove) == 0 {
		return s, ErrNothingToChange
	}
	if err := validProducts("productsToAdd", add); err != nil {
		return s, err
	}
	if err := validProducts("productsToRemove", remove); err != nil {
		return s, err
	}
	if s.Status == Cancelled {
		return s, transition("update", s.Status, "a cancelled subscription's products no longer change")
	}
	gone := make(map[string]bool, len(remove))
	for _, p := range remove {
		if s.product(p.Code) < 0 {
			return s, fmt.Errorf("%w: %s", ErrProductNotFound, p.Code)
		}
		gone[p.Code] = true
	}
	kept := make([]Product, 0, len(s.Products)+len(add))
	for _, p := range s.Products {
		if !gone[p.Code] {
			kept = append(kept, p)
		}
	}
	for _, p := range add {
		if !gone[p.Code] && s.product(p.Code) >= 0 {
			return s, fmt.Errorf("%w: %s", ErrProductExists, p.Code)
		}
		kept = append(kept, p)
	}
	switch {
	case len(kept) == 0:
		return s, ErrLastProduct
	case len(kept) > MaxProducts:
		return s, invalid("productsToAdd", fmt.Sprintf("a subscription has at most %d products", MaxProducts))
	}
	s.Products, s.Reason, s.UpdatedAt = kept, reason, now
	return s, nil
}

// product is the index of the product with code, -1 when the subscription lacks it.
func (s Subscription) product(code string) int {
	for i, p := range s.Products {
		if p.Code == code {
			return i
		}
	}
	return -1
}

// Codes lists the codes of products, in order.
func Codes(products []Product) []string {
	out := make([]string, len(products))
	for i, p := range products {
		out[i] = p.Code
	}
	return out
}
