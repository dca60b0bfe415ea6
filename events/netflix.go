package events

import "time"

// Netflix partner event types: what Netflix reports about a bundle, as the events pull endpoint
// lists them (its event_type field and its events filter). The seed names the first two; the
// others follow their pattern, BUNDLE_ and the noun of the change.
const (
	// NetflixEventBundleActivation: the customer linked a Netflix account to the bundle.
	NetflixEventBundleActivation = "BUNDLE_ACTIVATION"
	// NetflixEventBundlePlanChange: the bundle moved to another offer (plan) or bundle.
	NetflixEventBundlePlanChange = "BUNDLE_PLAN_CHANGE"
	// NetflixEventBundleCancellation: the bundle was cancelled.
	NetflixEventBundleCancellation = "BUNDLE_CANCELLATION"
	// NetflixEventBundleSuspension: the bundle was suspended.
	NetflixEventBundleSuspension = "BUNDLE_SUSPENSION"
	// NetflixEventBundleReactivation: a suspended bundle was reactivated.
	NetflixEventBundleReactivation = "BUNDLE_REACTIVATION"
)

// NetflixEventTypes lists every Netflix partner event type.
func NetflixEventTypes() []string {
	return []string{NetflixEventBundleActivation, NetflixEventBundlePlanChange, NetflixEventBundleCancellation,
		NetflixEventBundleSuspension, NetflixEventBundleReactivation}
}

// Netflix bundle statuses: the service's own view of a bundle, in details.bundleStatus.
const (
	// NetflixBundlePendingActivation: enrolled; the customer has not linked a Netflix account yet.
	NetflixBundlePendingActivation = "PENDING_ACTIVATION"
	NetflixBundleActive            = "ACTIVE"
	NetflixBundleSuspended         = "SUSPENDED"
	NetflixBundleCancelled         = "CANCELLED"
)

// NetflixBundleStatusValues lists every value of details.bundleStatus.
func NetflixBundleStatusValues() []string {
	return []string{NetflixBundlePendingActivation, NetflixBundleActive, NetflixBundleSuspended, NetflixBundleCancelled}
}

// NetflixCreateSubscription is the data of TypeNetflixCreateSubscription: enrol the partner
// account PartnerAccountID (the PAI, a string of digits kept exact) in a bundle offer. Email and
// Phone are personal data.
type NetflixCreateSubscription struct {
	Org               string `json:"org"`
	PartnerAccountID  string `json:"partnerAccountId"`
	BundleID          string `json:"bundleId"`
	OfferID           string `json:"offerId"`
	Channel           string `json:"channel,omitempty"`
	Email             string `json:"email,omitempty"`
	Phone             string `json:"phone,omitempty"`
	ChargeCountry     string `json:"chargeCountry,omitempty"`
	PreferredLanguage string `json:"preferredLanguage,omitempty"`
	ExternalID        string `json:"externalId,omitempty"`
	BillingEventID    string `json:"billingEventId,omitempty"`
}

// NetflixUpdateSubscription is the data of TypeNetflixUpdateSubscription: change the fields that
// are set, at least one. A new OfferID or BundleID is a plan change.
type NetflixUpdateSubscription struct {
	Org               string `json:"org"`
	PartnerAccountID  string `json:"partnerAccountId"`
	BundleID          string `json:"bundleId,omitempty"`
	OfferID           string `json:"offerId,omitempty"`
	Channel           string `json:"channel,omitempty"`
	Email             string `json:"email,omitempty"`
	Phone             string `json:"phone,omitempty"`
	ChargeCountry     string `json:"chargeCountry,omitempty"`
	PreferredLanguage string `json:"preferredLanguage,omitempty"`
	ExternalID        string `json:"externalId,omitempty"`
	BillingEventID    string `json:"billingEventId,omitempty"`
}

// NetflixCancelSubscription is the data of TypeNetflixCancelSubscription.
type NetflixCancelSubscription struct {
	Org              string `json:"org"`
	PartnerAccountID string `json:"partnerAccountId"`
	CancelEventID    string `json:"cancelEventId"`
	CancelReason     string `json:"cancelReason"`
	ExternalID       string `json:"externalId,omitempty"`
}

// NetflixSuspendSubscription is the data of TypeNetflixSuspendSubscription.
type NetflixSuspendSubscription struct {
	Org              string `json:"org"`
	PartnerAccountID string `json:"partnerAccountId"`
	SuspendEventID   string `json:"suspendEventId"`
	Reason           string `json:"reason"`
	ExternalID       string `json:"externalId,omitempty"`
}

// NetflixReactivateSubscription is the data of TypeNetflixReactivateSubscription.
type NetflixReactivateSubscription struct {
	Org               string `json:"org"`
	PartnerAccountID  string `json:"partnerAccountId"`
	ReactivateEventID string `json:"reactivateEventId"`
	ExternalID        string `json:"externalId,omitempty"`
}

// NetflixActivationCallback is the data of TypeNetflixActivationCallback: Netflix reported that
// the customer linked a Netflix account to the bundle of the partner account (the
// BUNDLE_ACTIVATION event, with Netflix's id and time of it).
type NetflixActivationCallback struct {
	Org              string    `json:"org"`
	PartnerAccountID string    `json:"partnerAccountId"`
	NetflixEventID   string    `json:"netflixEventId"`
	ActivatedAt      time.Time `json:"activatedAt"`
}

// NetflixStatusDetails are the details of TypeNetflixSubscriptionStatusV2: Netflix's view of the
// bundle after the change, without personal data, and the partner event the change recorded.
type NetflixStatusDetails struct {
	// PartnerAccountID is the PAI, the subscription id: a string of digits, kept exact.
	PartnerAccountID string `json:"partnerAccountId"`
	BundleID         string `json:"bundleId"`
	OfferID          string `json:"offerId"`
	// BundleStatus is one of NetflixBundleStatusValues().
	BundleStatus  string `json:"bundleStatus"`
	Channel       string `json:"channel,omitempty"`
	ChargeCountry string `json:"chargeCountry,omitempty"`
	ExternalID    string `json:"externalId,omitempty"`
	// Event is the Netflix event the change recorded; absent for a change that records none (a
	// creation, a change of contact data).
	Event *NetflixPartnerEvent `json:"event,omitempty"`
}

// NetflixPartnerEvent is one Netflix event about a bundle: what the events pull endpoint serves.
type NetflixPartnerEvent struct {
	// Type is one of NetflixEventTypes().
	Type string `json:"type"`
	// NetflixEventID is Netflix's id of the event.
	NetflixEventID string `json:"netflixEventId"`
	// OccurredAt is when Netflix recorded the event.
	OccurredAt time.Time `json:"occurredAt"`
	// PartnerReferenceID is the reference the platform gave the change (a billing, cancel, suspend
	// or reactivate event id); an activation carries the enrolment's billing event id.
	PartnerReferenceID string `json:"partnerReferenceId,omitempty"`
	// OriginalTransactionID is Netflix's id of the enrolment the bundle came from.
	OriginalTransactionID string `json:"originalNetflixTransactionId,omitempty"`
}

// NetflixFailedDetails are the details of TypeNetflixOperationFailedV2.
type NetflixFailedDetails struct {
	// PartnerAccountID is the PAI the command was for.
	PartnerAccountID string `json:"partnerAccountId"`
}
