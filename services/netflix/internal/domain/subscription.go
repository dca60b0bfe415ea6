// Package domain holds the Netflix bundle subscription and its lifecycle: enrolment, activation
// by the customer, plan changes, suspension, reactivation and cancellation. It knows nothing of
// Kafka, HTTP or MongoDB.
package domain

import (
	"fmt"
	"time"
)

// BundleStatus is where a bundle is in its lifecycle:
//
//	PENDING_ACTIVATION --activate--> ACTIVE --suspend--> SUSPENDED --reactivate--> ACTIVE
//	any but CANCELLED --cancel--> CANCELLED
type BundleStatus string

const (
	// PendingActivation: enrolled at Netflix; the customer has not linked a Netflix account yet.
	PendingActivation BundleStatus = "PENDING_ACTIVATION"
	Active            BundleStatus = "ACTIVE"
	Suspended         BundleStatus = "SUSPENDED"
	Cancelled         BundleStatus = "CANCELLED"
)

// EventType is the kind of a Netflix event about a bundle.
type EventType string

const (
	EventActivation   EventType = "BUNDLE_ACTIVATION"
	EventPlanChange   EventType = "BUNDLE_PLAN_CHANGE"
	EventCancellation EventType = "BUNDLE_CANCELLATION"
	EventSuspension   EventType = "BUNDLE_SUSPENSION"
	EventReactivation EventType = "BUNDLE_REACTIVATION"
)

// Event is a Netflix event a change of the bundle recorded.
type Event struct {
	Type EventType `bson:"type"`
	// NetflixEventID is Netflix's id of the event.
	NetflixEventID string    `bson:"netflixEventId"`
	At             time.Time `bson:"at"`
	// PartnerReferenceID is the reference the partner gave the change.
	PartnerReferenceID string `bson:"partnerReferenceId,omitempty"`
}

// Subscription is the Netflix bundle of one partner account of an org. Its id is the Partner
// Account Identifier (PAI), a string of digits kept exactly as given.
//
// Email and Phone are personal data: String leaves them out, so a logged subscription never shows
// them.
type Subscription struct {
	Org               string       `bson:"org"`
	PAI               string       `bson:"pai"`
	BundleID          string       `bson:"bundleId"`
	OfferID           string       `bson:"offerId"`
	Status            BundleStatus `bson:"status"`
	Channel           string       `bson:"channel,omitempty"`
	ChargeCountry     string       `bson:"chargeCountry,omitempty"`
	PreferredLanguage string       `bson:"preferredLanguage,omitempty"`
	ExternalID        string       `bson:"externalId,omitempty"`
	Email             string       `bson:"email,omitempty"`
	Phone             string       `bson:"phone,omitempty"`
	// BillingEventID is the partner's reference of the enrolment or of the last update that gave one.
	BillingEventID string `bson:"billingEventId,omitempty"`
	// OriginalTransactionID is Netflix's id of the enrolment.
	OriginalTransactionID string `bson:"originalTransactionId,omitempty"`
	// EnrolledBy is the id of the command that enrolled the bundle: a retry of that command is
	// not a second enrolment.
	EnrolledBy string `bson:"enrolledBy,omitempty"`
	// ActivatedAt is when the customer activated the bundle; zero until then.
	ActivatedAt time.Time `bson:"activatedAt,omitempty"`
	// DigitalVirgo are the phones enrolled with Digital Virgo on the bundle (personal data).
	DigitalVirgo []string `bson:"digitalVirgo,omitempty"`
	// LastEvent is the Netflix event the last change recorded; nil when it recorded none.
	LastEvent *Event    `bson:"lastEvent,omitempty"`
	CreatedAt time.Time `bson:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

// Key is the store id of a subscription: a PAI is unique within an org.
func Key(org, pai string) string { return org + "/" + pai }

// String describes the subscription without its personal data.
func (s Subscription) String() string {
	return fmt.Sprintf("netflix subscription %s/%s (%s, bundle %s, offer %s)", s.Org, s.PAI, s.Status, s.BundleID, s.OfferID)
}

// GoString keeps personal data out of %#v too.
func (s Subscription) GoString() string { return s.String() }

// Enrolment is what a partner account is enrolled with.
type Enrolment struct {
	Org, PAI, BundleID, OfferID               string
	Channel, ChargeCountry, PreferredLanguage string
	ExternalID, BillingEventID, Email, Phone  string
}

// New is the subscription of an enrolment, pending activation: the customer links a Netflix
// account later.
func New(e Enrolment, now time.Time) (Subscription, error) {
	if err := e.validate(); err != nil {
		return Subscription{}, err
	}
	return Subscription{
		Org: e.Org, PAI: e.PAI, BundleID: e.BundleID, OfferID: e.OfferID, Status: PendingActivation,
		Channel: e.Channel, ChargeCountry: e.ChargeCountry, PreferredLanguage: e.PreferredLanguage,
		ExternalID: e.ExternalID, Email: e.Email, Phone: e.Phone, BillingEventID: e.BillingEventID,
		CreatedAt: now, UpdatedAt: now,
	}, nil
}

// IsEnrolled reports whether the partner account has a bundle that is not cancelled: a new
// enrolment of its PAI is refused until it is cancelled.
func (s Subscription) IsEnrolled() bool { return s.Status != Cancelled }

// Enrolled records Netflix's id of the enrolment and the command that made it.
func (s Subscription) Enrolled(transactionID, commandID string) Subscription {
	s.OriginalTransactionID, s.EnrolledBy = transactionID, commandID
	return s
}

// Record keeps the Netflix event the change recorded.
func (s Subscription) Record(e Event) Subscription {
	s.LastEvent = &e
	return s
}

// everActivated reports whether the customer activated the bundle at some point.
func (s Subscription) everActivated() bool { return !s.ActivatedAt.IsZero() }

// Deactivated reports whether the bundle ended after having been activated (as opposed to one
// cancelled before the customer ever activated it).
func (s Subscription) Deactivated() bool { return s.Status == Cancelled && s.everActivated() }

// Activate records that the customer linked a Netflix account at the given time.
// ErrAlreadyActivated says the bundle was activated before (a repeated report).
func (s Subscription) Activate(at, now time.Time) (Subscription, error) {
	switch s.Status {
	case PendingActivation:
	case Active, Suspended:
		return s, ErrAlreadyActivated
	default:
		return s, refuse("activate", s.Status, "it is cancelled")
	}
	s.Status, s.ActivatedAt = Active, at
	return s.touched(now), nil
}

// Suspend puts an active bundle on hold.
func (s Subscription) Suspend(now time.Time) (Subscription, error) {
	switch s.Status {
	case Active:
	case Suspended:
		return s, refuse("suspend", s.Status, "it is already suspended")
	default:
		return s, refuse("suspend", s.Status, "only an active bundle can be suspended")
	}
	s.Status = Suspended
	return s.touched(now), nil
}

// Reactivate returns a suspended bundle to active.
func (s Subscription) Reactivate(now time.Time) (Subscription, error) {
	switch s.Status {
	case Suspended:
	case Active:
		return s, refuse("reactivate", s.Status, "it is already active")
	default:
		return s, refuse("reactivate", s.Status, "only a suspended bundle can be reactivated")
	}
	s.Status = Active
	return s.touched(now), nil
}

// Cancel ends the bundle, whether the customer activated it or not.
func (s Subscription) Cancel(now time.Time) (Subscription, error) {
	if s.Status == Cancelled {
		return s, refuse("cancel", s.Status, "it is already cancelled")
	}
	s.Status = Cancelled
	return s.touched(now), nil
}

// touched is the subscription after a change at now; the change recorded no Netflix event until
// Record says otherwise.
func (s Subscription) touched(now time.Time) Subscription {
	s.UpdatedAt, s.LastEvent = now, nil
	return s
}
