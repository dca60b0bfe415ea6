// Package domain holds the Disney+ subscription and its lifecycle rules. It knows nothing of
// Kafka, HTTP or MongoDB.
package domain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Entitled says whether the subscriber can watch content (the seed's enumeration).
type Entitled string

const (
	EntitledActive      Entitled = "ACTIVE"
	EntitledBillingHold Entitled = "BILLING_HOLD"
	EntitledCanceled    Entitled = "CANCELED"
	EntitledGracePeriod Entitled = "GRACE_PERIOD"
)

// Cancellation says why a subscription was canceled.
type Cancellation string

const (
	CancellationVoluntary Cancellation = "VOLUNTARY"
)

// Activated says whether the subscriber has linked a Disney+ account.
type Activated string

const (
	ActivatedLinked   Activated = "LINKED"
	ActivatedUnlinked Activated = "UNLINKED"
)

// Limits on products, so one request cannot grow a document without bound.
const (
	MaxProducts      = 32
	MaxProductLength = 128
)

// Subscription is one Disney+ entitlement of a user of an org.
type Subscription struct {
	Org            string       `bson:"org"`
	UserID         string       `bson:"userId"`
	SubscriptionID string       `bson:"subscriptionId"`
	Entitled       Entitled     `bson:"entitled"`
	Cancellation   Cancellation `bson:"cancellation,omitempty"`
	Activated      Activated    `bson:"activated"`
	Products       []string     `bson:"products"`
	CreatedAt      time.Time    `bson:"createdAt"`
	LastUpdated    time.Time    `bson:"lastUpdated"`
}

// Errors of the lifecycle. Each fails the operation with a clear reason; none is retried.
var (
	ErrNotFound        = errors.New("subscription not found")
	ErrAlreadyExists   = errors.New("subscription already exists")
	ErrInvalidProducts = errors.New("invalid products")
	ErrProductNotFound = errors.New("product not on subscription")
)

// TransitionError is an operation the subscription's current state does not allow.
type TransitionError struct {
	Operation string
	From      Entitled
	Reason    string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("cannot %s a subscription that is %s: %s", e.Operation, e.From, e.Reason)
}

// Key is the store id of a subscription: subscription ids are unique within an org.
func Key(org, subscriptionID string) string { return org + "/" + subscriptionID }

// ValidateProducts checks a product list as the API receives it.
func ValidateProducts(products []string) error {
	if len(products) == 0 {
		return fmt.Errorf("%w: at least one product is required", ErrInvalidProducts)
	}
	if len(products) > MaxProducts {
		return fmt.Errorf("%w: at most %d products", ErrInvalidProducts, MaxProducts)
	}
	seen := make(map[string]struct{}, len(products))
	for i, p := range products {
		if strings.TrimSpace(p) == "" {
			return fmt.Errorf("%w: products[%d] is empty", ErrInvalidProducts, i)
		}
		if len(p) > MaxProductLength {
			return fmt.Errorf("%w: products[%d] is longer than %d characters", ErrInvalidProducts, i, MaxProductLength)
		}
		if _, dup := seen[p]; dup {
			return fmt.Errorf("%w: products[%d] %q is repeated", ErrInvalidProducts, i, p)
		}
		seen[p] = struct{}{}
	}
	return nil
}

// New creates an active, not yet linked subscription.
func New(org, userID, subscriptionID string, products []string, now time.Time) (Subscription, error) {
	if err := ValidateProducts(products); err != nil {
		return Subscription{}, err
	}
	return Subscription{
		Org:            org,
		UserID:         userID,
		SubscriptionID: subscriptionID,
		Entitled:       EntitledActive,
		Activated:      ActivatedUnlinked,
		Products:       slices.Clone(products),
		CreatedAt:      now,
		LastUpdated:    now,
	}, nil
}

// BelongsTo reports whether the subscription is the given user's: a path naming another user
// must not see or change it.
func (s Subscription) BelongsTo(userID string) bool { return s.UserID == userID }

// ModifyProducts replaces the products of a subscription that is not canceled.
func (s Subscription) ModifyProducts(products []string, now time.Time) (Subscription, error) {
	if err := ValidateProducts(products); err != nil {
		return s, err
	}
	if s.Entitled == EntitledCanceled {
		return s, &TransitionError{Operation: "modify", From: s.Entitled, Reason: "it is canceled"}
	}
	s.Products = slices.Clone(products)
	s.LastUpdated = now
	return s, nil
}

// Suspend puts an active subscription on billing hold.
func (s Subscription) Suspend(products []string, now time.Time) (Subscription, error) {
	if err := ValidateProducts(products); err != nil {
		return s, err
	}
	switch s.Entitled {
	case EntitledActive, EntitledGracePeriod:
	case EntitledBillingHold:
		return s, &TransitionError{Operation: "suspend", From: s.Entitled, Reason: "it is already suspended"}
	default:
		return s, &TransitionError{Operation: "suspend", From: s.Entitled, Reason: "only an active subscription can be suspended"}
	}
	s.Entitled = EntitledBillingHold
	s.LastUpdated = now
	return s, nil
}

// Reactivate returns a suspended (or grace-period) subscription to active.
func (s Subscription) Reactivate(products []string, now time.Time) (Subscription, error) {
	if err := ValidateProducts(products); err != nil {
		return s, err
	}
	switch s.Entitled {
	case EntitledBillingHold, EntitledGracePeriod:
	case EntitledActive:
		return s, &TransitionError{Operation: "reactivate", From: s.Entitled, Reason: "it is already active"}
	default:
		return s, &TransitionError{Operation: "reactivate", From: s.Entitled, Reason: "a canceled subscription cannot be reactivated"}
	}
	s.Entitled = EntitledActive
	s.LastUpdated = now
	return s, nil
}

// Terminate cancels the whole subscription (product empty) or removes one product; removing the
// last product cancels the subscription.
func (s Subscription) Terminate(product string, now time.Time) (Subscription, error) {
	if s.Entitled == EntitledCanceled {
		return s, &TransitionError{Operation: "terminate", From: s.Entitled, Reason: "it is already canceled"}
	}
	if product != "" {
		i := slices.Index(s.Products, product)
		if i < 0 {
			return s, fmt.Errorf("%w: %q", ErrProductNotFound, product)
		}
		s.Products = slices.Delete(slices.Clone(s.Products), i, i+1)
		if len(s.Products) > 0 {
			s.LastUpdated = now
			return s, nil
		}
	}
	s.Entitled = EntitledCanceled
	s.Cancellation = CancellationVoluntary
	s.LastUpdated = now
	return s, nil
}

// Link records that the subscriber activated (linked) a Disney+ account.
func (s Subscription) Link(now time.Time) (Subscription, error) {
	if s.Entitled == EntitledCanceled {
		return s, &TransitionError{Operation: "link", From: s.Entitled, Reason: "it is canceled"}
	}
	if s.Activated == ActivatedLinked {
		return s, nil
	}
	s.Activated = ActivatedLinked
	s.LastUpdated = now
	return s, nil
}
