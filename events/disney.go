package events

import (
	"encoding/json"
	"time"
)

// Disney subscription status enumerations (the seed's SubscriptionStatus). They are untyped
// string constants so they assign to the string fields of DisneySubscriptionStatusV1 directly.
const (
	// entitled: whether the subscriber can watch content.
	EntitledActive      = "ACTIVE"
	EntitledBillingHold = "BILLING_HOLD"
	EntitledCanceled    = "CANCELED" // one L, as the partner spells it
	EntitledGracePeriod = "GRACE_PERIOD"

	// cancellation: why the subscription was canceled.
	CancellationVoluntary       = "VOLUNTARY"
	CancellationInvoluntary     = "INVOLUNTARY"
	CancellationPlanSwitched    = "PLAN_SWITCHED"
	CancellationAbuseRevocation = "ABUSE_REVOCATION"
	CancellationUnknown         = "UNKNOWN"

	// activated: whether the subscriber has linked the subscription to a Disney+ account.
	ActivatedLinked   = "LINKED"
	ActivatedUnlinked = "UNLINKED"
)

// EntitledValues lists every value of the entitled enum.
func EntitledValues() []string {
	return []string{EntitledActive, EntitledBillingHold, EntitledCanceled, EntitledGracePeriod}
}

// CancellationValues lists every value of the cancellation enum.
func CancellationValues() []string {
	return []string{CancellationVoluntary, CancellationInvoluntary, CancellationPlanSwitched,
		CancellationAbuseRevocation, CancellationUnknown}
}

// ActivatedValues lists every value of the activated enum.
func ActivatedValues() []string { return []string{ActivatedLinked, ActivatedUnlinked} }

// DisneyCreateSubscription is the data of TypeDisneyCreateSubscription: create the subscription
// SubscriptionID (the Disney entitlement id) for the user with the given products.
type DisneyCreateSubscription struct {
	Org            string   `json:"org"`
	UserID         string   `json:"userId"`
	SubscriptionID string   `json:"subscriptionId"`
	Products       []string `json:"products"`
}

// DisneyModifySubscription is the data of TypeDisneyModifySubscription: replace the products of
// the subscription with Products.
type DisneyModifySubscription struct {
	Org            string   `json:"org"`
	UserID         string   `json:"userId"`
	SubscriptionID string   `json:"subscriptionId"`
	Products       []string `json:"products"`
}

// DisneySuspendSubscription is the data of TypeDisneySuspendSubscription.
type DisneySuspendSubscription struct {
	Org            string   `json:"org"`
	UserID         string   `json:"userId"`
	SubscriptionID string   `json:"subscriptionId"`
	Products       []string `json:"products"`
}

// DisneyReactivateSubscription is the data of TypeDisneyReactivateSubscription.
type DisneyReactivateSubscription struct {
	Org            string   `json:"org"`
	UserID         string   `json:"userId"`
	SubscriptionID string   `json:"subscriptionId"`
	Products       []string `json:"products"`
}

// DisneyTerminateSubscription is the data of TypeDisneyTerminateSubscription. An empty Product
// terminates the whole subscription; otherwise only that product is removed.
type DisneyTerminateSubscription struct {
	Org            string `json:"org"`
	UserID         string `json:"userId"`
	SubscriptionID string `json:"subscriptionId"`
	Product        string `json:"product,omitempty"`
}

// DisneyActivationCallback is the data of TypeDisneyActivationCallback: Disney notified that the
// user finished activating (linking) their subscription. It names no subscription; its
// partition key is the user id.
type DisneyActivationCallback struct {
	Org    string `json:"org"`
	UserID string `json:"userId"`
}

// DisneyStatusDetails are the details of TypeDisneySubscriptionStatusV2: Disney's own view of the
// subscription after the change (the seed's SubscriptionStatus).
type DisneyStatusDetails struct {
	UserID string `json:"userId"`
	// Entitled is one of EntitledValues().
	Entitled string `json:"entitled"`
	// Cancellation is one of CancellationValues(), set when the subscription was canceled.
	Cancellation string `json:"cancellation,omitempty"`
	// Activated is one of ActivatedValues().
	Activated string `json:"activated"`
	// Products are the products of the subscription after the change. A terminated subscription
	// keeps the products it had (entitled CANCELED says none is active); removing the last
	// product by name leaves it empty. A nil slice is encoded as [].
	Products []string `json:"products"`
}

// MarshalJSON encodes a nil Products as [] (the schema requires an array).
func (d DisneyStatusDetails) MarshalJSON() ([]byte, error) {
	type plain DisneyStatusDetails
	if d.Products == nil {
		d.Products = []string{}
	}
	return json.Marshal(plain(d))
}

// DisneyFailedDetails are the details of TypeDisneyOperationFailedV2.
type DisneyFailedDetails struct {
	// UserID is the user the command was for.
	UserID string `json:"userId"`
}

// DisneySubscriptionStatusV1 is the data of TypeDisneySubscriptionStatusV1: the state of one
// subscription after a command changed it. No longer published (see DisneyStatusDetails); kept
// to read old records.
type DisneySubscriptionStatusV1 struct {
	Org            string `json:"org"`
	UserID         string `json:"userId"`
	SubscriptionID string `json:"subscriptionId"`
	// Operation is the operation that caused the change (OpCreate, ...).
	Operation string `json:"operation"`
	// CommandID is the CloudEvent id of the command that caused the change.
	CommandID     string `json:"commandId"`
	WorkflowID    string `json:"workflowId,omitempty"`
	CorrelationID string `json:"correlationId,omitempty"`
	// Entitled is one of EntitledValues().
	Entitled string `json:"entitled"`
	// Cancellation is one of CancellationValues(), set when the subscription was canceled.
	Cancellation string `json:"cancellation,omitempty"`
	// Activated is one of ActivatedValues().
	Activated string `json:"activated"`
	// Products are the products of the subscription after the change. A terminated subscription
	// keeps the products it had (entitled CANCELED says none is active); removing the last
	// product by name leaves it empty. A nil slice is encoded as [].
	Products    []string  `json:"products"`
	LastUpdated time.Time `json:"lastUpdated"`
	// Version is the subscription's version after the change: 1 after creation, then +1 per
	// change. Within one subscription a higher version is a later state.
	Version int64 `json:"version"`
}

// MarshalJSON encodes a nil Products as [] (the schema requires an array).
func (s DisneySubscriptionStatusV1) MarshalJSON() ([]byte, error) {
	type plain DisneySubscriptionStatusV1
	if s.Products == nil {
		s.Products = []string{}
	}
	return json.Marshal(plain(s))
}

// ErrorDetail says why an operation failed, in the shape of the API's error body.
type ErrorDetail struct {
	Code    string `json:"code"`
	Title   string `json:"title"`
	Details string `json:"details"`
}

// DisneyOperationFailedV1 is the data of TypeDisneyOperationFailedV1: a command failed for good (the
// subscription's state does not allow it, or the partner rejected it). No longer published (see
// StatusEvent); kept to read old records.
type DisneyOperationFailedV1 struct {
	Org    string `json:"org"`
	UserID string `json:"userId"`
	// SubscriptionID is set for every operation except the activation callback.
	SubscriptionID string      `json:"subscriptionId,omitempty"`
	Operation      string      `json:"operation"`
	CommandID      string      `json:"commandId"`
	WorkflowID     string      `json:"workflowId,omitempty"`
	CorrelationID  string      `json:"correlationId,omitempty"`
	Error          ErrorDetail `json:"error"`
	FailedAt       time.Time   `json:"failedAt"`
}
