package events

// HBO cancellation and suspension reasons: the seed's Reason enumeration.
const (
	HBOReasonProductCanceled = "PRODUCT_CANCELED"
	HBOReasonProductChanged  = "PRODUCT_CHANGED"
	HBOReasonOfferExpired    = "OFFER_EXPIRED"
)

// HBOReasonValues lists every value of the reason fields.
func HBOReasonValues() []string {
	return []string{HBOReasonProductCanceled, HBOReasonProductChanged, HBOReasonOfferExpired}
}

// HBO subscription statuses: the service's own view of a subscription, in
// details.subscriptionStatus and in the status of every product it lists.
const (
	// HBOPendingActivation: created; the customer has not completed HBO's activation flow yet.
	HBOPendingActivation = "PENDING_ACTIVATION"
	HBOActive            = "ACTIVE"
	HBOSuspended         = "SUSPENDED"
	HBOCancelled         = "CANCELLED"
)

// HBOSubscriptionStatusValues lists every value of details.subscriptionStatus.
func HBOSubscriptionStatusValues() []string {
	return []string{HBOPendingActivation, HBOActive, HBOSuspended, HBOCancelled}
}

// HBOProduct is one product of an HBO subscription, as the HTTP API's products carry it. Only
// Code is required; it identifies the product within the subscription. Starts, Renews and Expires
// are UNIX epoch seconds, 0 when not given. TrxID is a string of digits (the HTTP API's JSON
// integer), kept exact.
type HBOProduct struct {
	Code    string `json:"code"`
	Name    string `json:"name,omitempty"`
	Starts  int64  `json:"starts,omitempty"`
	Renews  int64  `json:"renews,omitempty"`
	Expires int64  `json:"expires,omitempty"`
	SubID   string `json:"subId,omitempty"`
	Status  string `json:"status,omitempty"`
	TrxID   string `json:"trxId,omitempty"`
}

// HBOCreateSubscription is the data of TypeHBOCreateSubscription: create the HBO subscription
// ServiceID for the CRM customer ExternalID with Products. Both ids are strings of digits (the
// HTTP API accepts JSON numbers and strings; the ingress forwards the digits), kept exact.
type HBOCreateSubscription struct {
	Org        string       `json:"org"`
	ServiceID  string       `json:"serviceId"`
	ExternalID string       `json:"externalId"`
	Country    string       `json:"country"`
	Products   []HBOProduct `json:"products"`
}

// HBOUpdateSubscription is the data of TypeHBOUpdateSubscription: remove ProductsToRemove, then
// add ProductsToAdd (so removing and adding the same code replaces that product's data). At least
// one of the two is given.
type HBOUpdateSubscription struct {
	Org              string       `json:"org"`
	ServiceID        string       `json:"serviceId"`
	ExternalID       string       `json:"externalId"`
	Country          string       `json:"country,omitempty"`
	Reason           string       `json:"reason,omitempty"`
	ProductsToAdd    []HBOProduct `json:"productsToAdd,omitempty"`
	ProductsToRemove []HBOProduct `json:"productsToRemove,omitempty"`
}

// HBOCancelSubscription is the data of TypeHBOCancelSubscription: end the subscription for good.
type HBOCancelSubscription struct {
	Org        string       `json:"org"`
	ServiceID  string       `json:"serviceId"`
	ExternalID string       `json:"externalId"`
	Reason     string       `json:"reason"`
	Country    string       `json:"country,omitempty"`
	Products   []HBOProduct `json:"products"`
}

// HBOSuspendSubscription is the data of TypeHBOSuspendSubscription: put an active subscription on
// hold.
type HBOSuspendSubscription struct {
	Org        string       `json:"org"`
	ServiceID  string       `json:"serviceId"`
	ExternalID string       `json:"externalId"`
	Reason     string       `json:"reason"`
	Country    string       `json:"country,omitempty"`
	Products   []HBOProduct `json:"products"`
}

// HBOActivateSubscription is the data of TypeHBOActivateSubscription: activate a subscription
// that waits for its activation (the platform's side of HBO's activation flow).
type HBOActivateSubscription struct {
	Org        string       `json:"org"`
	ServiceID  string       `json:"serviceId"`
	ExternalID string       `json:"externalId"`
	Country    string       `json:"country,omitempty"`
	Products   []HBOProduct `json:"products"`
}

// HBOReactivateSubscription is the data of TypeHBOReactivateSubscription: lift a suspension.
type HBOReactivateSubscription struct {
	Org        string       `json:"org"`
	ServiceID  string       `json:"serviceId"`
	ExternalID string       `json:"externalId"`
	Country    string       `json:"country,omitempty"`
	Products   []HBOProduct `json:"products"`
}

// HBOStatusDetails are the details of TypeHBOSubscriptionStatusV2: the subscription after the
// change.
type HBOStatusDetails struct {
	ServiceID  string `json:"serviceId"`
	ExternalID string `json:"externalId"`
	// SubscriptionStatus is one of HBOSubscriptionStatusValues().
	SubscriptionStatus string       `json:"subscriptionStatus"`
	Country            string       `json:"country"`
	Products           []HBOProduct `json:"products"`
	// Reason is the reason the command gave (cancel, suspend, update), if any.
	Reason string `json:"reason,omitempty"`
}

// HBOFailedDetails are the details of TypeHBOOperationFailedV2.
type HBOFailedDetails struct {
	// ServiceID is the subscription the command was for.
	ServiceID string `json:"serviceId"`
}
