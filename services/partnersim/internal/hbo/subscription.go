// Package hbo simulates the HBO Max partner API on top of the sim core: subscriptions with
// products, their lifecycle and the activation flow.
package hbo

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"provision.local/services/partnersim/internal/sim"
)

// State is the lifecycle state of a subscription at HBO:
//
//	PENDING_ACTIVATION --activate (call or link)--> ACTIVE --suspend--> SUSPENDED --reactivate--> ACTIVE
//	any but CANCELLED --cancel--> CANCELLED
type State string

// Subscription states.
const (
	StatePendingActivation State = "PENDING_ACTIVATION"
	StateActive            State = "ACTIVE"
	StateSuspended         State = "SUSPENDED"
	StateCancelled         State = "CANCELLED"
)

// maxProducts bounds the products of one subscription.
const maxProducts = 64

var (
	digits      = regexp.MustCompile(`^[0-9]{1,19}$`)
	countryCode = regexp.MustCompile(`^[A-Z]{2}$`)
)

// Product is an HBO product on a subscription, in HBO's own terms: a SKU with its billing
// period. The SKU identifies it within the subscription.
type Product struct {
	SKU    string `json:"sku"`
	Title  string `json:"title,omitempty"`
	Period Period `json:"period"`
	// Reference is the operator's id of the product subscription; TransactionID the operator's
	// transaction, 1-19 digits.
	Reference     string `json:"reference,omitempty"`
	TransactionID string `json:"transactionId,omitempty"`
}

// Period is a product's billing period, in UNIX epoch seconds; 0 is not given.
type Period struct {
	Start   int64 `json:"start,omitempty"`
	Renewal int64 `json:"renewal,omitempty"`
	End     int64 `json:"end,omitempty"`
}

// Subscription is an HBO subscription as the partner keeps it.
type Subscription struct {
	Org         string     `json:"org"`
	ServiceID   string     `json:"serviceId"`
	ExternalID  string     `json:"externalId"`
	Country     string     `json:"country"`
	Products    []Product  `json:"products"`
	State       State      `json:"state"`
	Reason      string     `json:"reason,omitempty"`
	ActivatedAt *time.Time `json:"activatedAt,omitempty"`
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
}

// NewSubscription validates a creation request and returns the subscription, pending activation.
func NewSubscription(org, serviceID, externalID, country string, products []Product, now time.Time) (Subscription, error) {
	switch {
	case !digits.MatchString(serviceID):
		return Subscription{}, sim.Invalid("serviceId must be 1-19 digits")
	case !digits.MatchString(externalID):
		return Subscription{}, sim.Invalid("externalId must be 1-19 digits")
	case !countryCode.MatchString(country):
		return Subscription{}, sim.Invalid("country must be two upper-case letters")
	}
	s := Subscription{
		Org: org, ServiceID: serviceID, ExternalID: externalID, Country: country,
		State: StatePendingActivation, CreatedAt: now, UpdatedAt: now,
	}
	next, err := s.ChangeProducts(products, nil, now)
	if err != nil {
		return Subscription{}, err
	}
	if len(next.Products) == 0 {
		return Subscription{}, sim.Invalid("at least one product is required")
	}
	return next, nil
}

// ChangeProducts removes the SKUs in remove, then adds add. A removed SKU the subscription lacks,
// an added SKU it has, or no product left is refused.
func (s Subscription) ChangeProducts(add []Product, remove []string, now time.Time) (Subscription, error) {
	if s.State == StateCancelled {
		return s, ErrCancelled
	}
	next := slices.Clone(s.Products)
	for _, sku := range remove {
		i := slices.IndexFunc(next, func(p Product) bool { return p.SKU == sku })
		if i < 0 {
			return s, fmt.Errorf("%w: %q", ErrProductNotFound, sku)
		}
		next = slices.Delete(next, i, i+1)
	}
	for _, p := range add {
		switch {
		case p.SKU == "":
			return s, sim.Invalid("every product needs a sku")
		case p.TransactionID != "" && !digits.MatchString(p.TransactionID):
			return s, sim.Invalid("a transactionId is 1-19 digits")
		case slices.ContainsFunc(next, func(q Product) bool { return q.SKU == p.SKU }):
			return s, fmt.Errorf("%w: %q", ErrProductExists, p.SKU)
		}
		next = append(next, p)
	}
	if len(next) > maxProducts {
		return s, sim.Invalid(fmt.Sprintf("at most %d products", maxProducts))
	}
	if len(next) == 0 && len(s.Products) > 0 {
		return s, ErrLastProduct
	}
	s.Products, s.UpdatedAt = next, now
	return s, nil
}

// Activate moves a pending subscription to ACTIVE; an active one stays so (changed is false),
// so that the activation call and the customer's link may both arrive.
func (s Subscription) Activate(now time.Time) (next Subscription, changed bool, err error) {
	switch s.State {
	case StateActive:
		return s, false, nil
	case StatePendingActivation:
		s.State, s.ActivatedAt, s.UpdatedAt = StateActive, &now, now
		return s, true, nil
	}
	return s, false, fmt.Errorf("%w: it is %s", ErrNotPending, s.State)
}

// Suspend puts an ACTIVE subscription on hold.
func (s Subscription) Suspend(reason string, now time.Time) (Subscription, error) {
	if s.State != StateActive {
		return s, fmt.Errorf("%w: it is %s", ErrNotActive, s.State)
	}
	s.State, s.Reason, s.UpdatedAt = StateSuspended, reason, now
	return s, nil
}

// Reactivate lifts the hold of a SUSPENDED subscription.
func (s Subscription) Reactivate(now time.Time) (Subscription, error) {
	if s.State != StateSuspended {
		return s, fmt.Errorf("%w: it is %s", ErrNotSuspended, s.State)
	}
	s.State, s.Reason, s.UpdatedAt = StateActive, "", now
	return s, nil
}

// Cancel ends a subscription that is not cancelled yet.
func (s Subscription) Cancel(reason string, now time.Time) (Subscription, error) {
	if s.State == StateCancelled {
		return s, ErrCancelled
	}
	s.State, s.Reason, s.UpdatedAt = StateCancelled, reason, now
	return s, nil
}
