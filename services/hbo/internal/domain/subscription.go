// Package domain holds the HBO Max subscription and its lifecycle: creation pending activation,
// activation, product changes, suspension, reactivation and cancellation, with a history of its
// statuses. It knows nothing of Kafka, HTTP or MongoDB.
package domain

import (
	"fmt"
	"time"
)

// Status is where a subscription is in its lifecycle:
//
//	create --> PENDING_ACTIVATION --activate--> ACTIVE --suspend--> SUSPENDED --reactivate--> ACTIVE
//	any but CANCELLED --cancel--> CANCELLED (for good)
//
// A subscription starts pending because HBO's activation flow (the activation URL the customer
// opens, then the activate command) is what puts it in force.
type Status string

const (
	PendingActivation Status = "PENDING_ACTIVATION"
	Active            Status = "ACTIVE"
	Suspended         Status = "SUSPENDED"
	Cancelled         Status = "CANCELLED"
)

// Product is one HBO product of a subscription; Code identifies it within the subscription.
// Starts, Renews and Expires are UNIX epoch seconds (0: not given); TrxID is a string of digits.
type Product struct {
	Code    string `bson:"code"`
	Name    string `bson:"name,omitempty"`
	Starts  int64  `bson:"starts,omitempty"`
	Renews  int64  `bson:"renews,omitempty"`
	Expires int64  `bson:"expires,omitempty"`
	SubID   string `bson:"subId,omitempty"`
	TrxID   string `bson:"trxId,omitempty"`
}

// StatusChange is one entry of a subscription's status history.
type StatusChange struct {
	// From is empty for the creation.
	From      Status    `bson:"from,omitempty"`
	To        Status    `bson:"to"`
	Operation string    `bson:"operation"`
	Reason    string    `bson:"reason,omitempty"`
	At        time.Time `bson:"at"`
}

// Subscription is the HBO subscription ServiceID of an org, for the CRM customer ExternalID.
// Both ids are strings of digits kept exactly as given.
type Subscription struct {
	Org        string    `bson:"org"`
	ServiceID  string    `bson:"serviceId"`
	ExternalID string    `bson:"externalId"`
	Country    string    `bson:"country"`
	Status     Status    `bson:"status"`
	Products   []Product `bson:"products"`
	// Reason is the reason the last change gave (update, suspend, cancel); "" when it gave none.
	Reason string `bson:"reason,omitempty"`
	// ActivatedAt is when the subscription was first activated; zero until then.
	ActivatedAt time.Time `bson:"activatedAt,omitempty"`
	// History lists every change of status, oldest first.
	History   []StatusChange `bson:"history"`
	CreatedAt time.Time      `bson:"createdAt"`
	UpdatedAt time.Time      `bson:"updatedAt"`
}

// Key is the store id of a subscription: a service id is unique within an org.
func Key(org, serviceID string) string { return org + "/" + serviceID }

// String describes the subscription for logs and errors.
func (s Subscription) String() string {
	return fmt.Sprintf("hbo subscription %s/%s (%s, %d products)", s.Org, s.ServiceID, s.Status, len(s.Products))
}

// Deactivated reports whether the subscription ended after having been active.
func (s Subscription) Deactivated() bool { return s.Status == Cancelled && !s.ActivatedAt.IsZero() }

// New is a subscription created with its products, pending activation.
func New(org, serviceID, externalID, country string, products []Product, now time.Time) (Subscription, error) {
	if err := validID("serviceId", serviceID); err != nil {
		return Subscription{}, err
	}
	if err := validID("externalId", externalID); err != nil {
		return Subscription{}, err
	}
	if err := ValidCountry(country); err != nil {
		return Subscription{}, err
	}
	if len(products) == 0 {
		return Subscription{}, ErrNoProducts
	}
	if err := validProducts("products", products); err != nil {
		return Subscription{}, err
	}
	s := Subscription{
		Org: org, ServiceID: serviceID, ExternalID: externalID, Country: country,
		Products: products, CreatedAt: now,
	}
	return s.moveTo(PendingActivation, "create", "", now), nil
}

// For checks that a command names the subscription's customer: a command with another
// externalId is about someone else's subscription.
func (s Subscription) For(externalID string) error {
	if externalID != s.ExternalID {
		return ErrOtherCustomer
	}
	return nil
}

// Of checks that a command names this subscription's customer and, when it gives one, its
// country.
func (s Subscription) Of(externalID, country string) error {
	if err := s.For(externalID); err != nil {
		return err
	}
	return s.In(country)
}

// In checks that a command's country, when it gives one, is the subscription's. HBO keeps the
// country a subscription was created in (its partner API takes one on create only), so a later
// command cannot move it: a country there is a check, not a change.
func (s Subscription) In(country string) error {
	if country == "" {
		return nil
	}
	if err := ValidCountry(country); err != nil {
		return err
	}
	if country != s.Country {
		return ErrOtherCountry
	}
	return nil
}

// Activate puts a subscription pending activation in force.
func (s Subscription) Activate(now time.Time) (Subscription, error) {
	if s.Status != PendingActivation {
		return s, transition("activate", s.Status, "only a subscription pending activation can be activated")
	}
	next := s.moveTo(Active, "activate", "", now)
	next.ActivatedAt = now
	return next, nil
}

// Suspend puts an active subscription on hold.
func (s Subscription) Suspend(reason string, now time.Time) (Subscription, error) {
	if err := ValidReason(reason, true); err != nil {
		return s, err
	}
	if s.Status != Active {
		return s, transition("suspend", s.Status, "only an active subscription can be suspended")
	}
	return s.moveTo(Suspended, "suspend", reason, now), nil
}

// Reactivate lifts the suspension of a suspended subscription.
func (s Subscription) Reactivate(now time.Time) (Subscription, error) {
	if s.Status != Suspended {
		return s, transition("reactivate", s.Status, "only a suspended subscription can be reactivated")
	}
	return s.moveTo(Active, "reactivate", "", now), nil
}

// Cancel ends the subscription for good; it keeps its products, for the record.
func (s Subscription) Cancel(reason string, now time.Time) (Subscription, error) {
	if err := ValidReason(reason, true); err != nil {
		return s, err
	}
	if s.Status == Cancelled {
		return s, transition("cancel", s.Status, "it is already cancelled")
	}
	return s.moveTo(Cancelled, "cancel", reason, now), nil
}

// moveTo changes the status and records the change in the history.
func (s Subscription) moveTo(to Status, operation, reason string, now time.Time) Subscription {
	s.History = append(append([]StatusChange(nil), s.History...), StatusChange{
		From: s.Status, To: to, Operation: operation, Reason: reason, At: now,
	})
	s.Status, s.Reason, s.UpdatedAt = to, reason, now
	return s
}
