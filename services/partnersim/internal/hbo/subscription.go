// Package hbo simulates the HBO Max partner API on top of the sim core: subscriptions with
// products, their lifecycle and the activation flow.
package hbo

import (
	"fmt"
	"regexp"
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

// Product is one HBO product of a subscription; Code identifies it.
type Product struct {
	Code    string `json:"code"`
	Name    string `json:"name,omitempty"`
	Starts  int64  `json:"starts,omitempty"`
	Renews  int64  `json:"renews,omitempty"`
	Expires int64  `json:"expires,omitempty"`
	SubID   string `json:"subId,omitempty"`
	TrxID   string `json:"trxId,omitempty"`
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

// ChangeProducts removes the codes in remove, then adds add. A removed code the subscription
// lacks, an added code it has, or no product left is refused.
func (s Subscription) ChangeProducts(add []Product, remove []string, now time.Time) (Subscription, error) {
	if s.State == StateCancelled {
		return s, ErrCancelled
	}
	kept := make([]Product, 0, len(s.Products)+len(add))
	gone := map[string]bool{}
	for _, code := range remove {
		if !s.has(code) || gone[code] {
			return s, fmt.Errorf("%w: %q", ErrProductNotFound, code)
		}
		gone[code] = true
	}
	for _, p := range s.Products {
		if !gone[p.Code] {
			kept = append(kept, p)
		}
	}
	for _, p := range add {
		if p.Code == "" {
			return s, sim.Invalid("every product needs a code")
		}
		for _, k := range kept {
			if k.Code == p.Code {
				return s, fmt.Errorf("%w: %q", ErrProductExists, p.Code)
			}
		}
		kept = append(kept, p)
	}
	switch {
	case len(kept) > maxProducts:
		return s, sim.Invalid(fmt.Sprintf("at most %d products", maxProducts))
	case len(kept) == 0 && len(s.Products) > 0:
		return s, ErrLastProduct
	}
	s.Products, s.UpdatedAt = kept, now
	return s, nil
}

func (s Subscription) has(code string) bool {
	for _, p := range s.Products {
		if p.Code == code {
			return true
		}
	}
	return false
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
