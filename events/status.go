package events

import "time"

// Statuses of a subscription in the StatusEvent envelope: one vocabulary for every provider, the
// subscriptions inventory's (ACTIVE, DEACTIVATED, CANCELLED, with two Ls) plus PENDING and
// SUSPENDED. Each provider maps its own states onto them and keeps its own values in details.
const (
	// StatusPending: the partner accepted the subscription, which is not in force yet (it waits
	// for an activation or a confirmation).
	StatusPending = "PENDING"
	// StatusActive: in force; the customer has the service.
	StatusActive = "ACTIVE"
	// StatusSuspended: in force but on hold (billing hold, a suspension); it can be reactivated.
	StatusSuspended = "SUSPENDED"
	// StatusDeactivated: ended after having been active.
	StatusDeactivated = "DEACTIVATED"
	// StatusCancelled: ended before it was ever active.
	StatusCancelled = "CANCELLED"
)

// StatusValues lists every value of the status and previousStatus fields.
func StatusValues() []string {
	return []string{StatusPending, StatusActive, StatusSuspended, StatusDeactivated, StatusCancelled}
}

// SubscriptionStatusType returns the type of a provider's state-change events:
// "com.provision.<provider>.subscription.status.v2".
func SubscriptionStatusType(provider string) string {
	return "com.provision." + provider + ".subscription.status.v2"
}

// OperationFailedType returns the type of a provider's failure events:
// "com.provision.<provider>.operation.failed.v2".
func OperationFailedType(provider string) string {
	return "com.provision." + provider + ".operation.failed.v2"
}

// StatusEvent is the payload of every provider's status events (the types for which HasEnvelope
// is true): the same envelope for all, the provider's own fields under Details. Producers fill D
// with their details type (DisneyStatusDetails, ...); a consumer that reads every provider the
// same way decodes into StatusEvent[json.RawMessage].
//
// A SubscriptionStatusType event says a subscription changed; an OperationFailedType event says
// a command failed for good and changed nothing, and carries Error.
type StatusEvent[D any] struct {
	Org      string `json:"org"`
	Provider string `json:"provider"`
	// SubscriptionID is the subscription the event is about. A failure event leaves it empty
	// when the command named no subscription (Disney's activation callback).
	SubscriptionID string `json:"subscriptionId,omitempty"`
	// Status is one of StatusValues(): the subscription's status after the command. A failure
	// event repeats the status the subscription kept, and leaves it empty when none exists.
	Status string `json:"status,omitempty"`
	// PreviousStatus is the status before the command; empty when the subscription did not exist.
	PreviousStatus string `json:"previousStatus,omitempty"`
	// Operation is the operation of the command (OpCreate, ...).
	Operation string `json:"operation"`
	// CommandID is the CloudEvent id of the command.
	CommandID     string `json:"commandId"`
	WorkflowID    string `json:"workflowId,omitempty"`
	CorrelationID string `json:"correlationId,omitempty"`
	// OccurredAt is when the provider recorded the outcome.
	OccurredAt time.Time `json:"occurredAt"`
	// Version is the subscription's version after the command: 1 after creation, +1 per change;
	// a failure leaves it unchanged (0 when no subscription exists). Within one subscription a
	// higher version is a later state.
	Version int64 `json:"version"`
	// Error says why the command failed; set on failure events only.
	Error *ErrorDetail `json:"error,omitempty"`
	// Details are the provider's own fields.
	Details D `json:"details"`
}
