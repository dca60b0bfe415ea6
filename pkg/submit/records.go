package submit

import (
	"context"
	"time"
)

// OperationError is why an operation failed.
type OperationError struct {
	Code    string `json:"code"`
	Title   string `json:"title"`
	Details string `json:"details"`
}

// OperationStatus is what the owning service knows of a command.
type OperationStatus struct {
	Status         string
	Operation      string
	SubscriptionID string
	Error          *OperationError
	UpdatedAt      *time.Time
	// Fingerprint is the recorded request's fingerprint ("" when unknown), At when the command
	// was executed (zero while it runs): together they tell a retry from a reused key.
	Fingerprint string
	At          time.Time
}

// OperationView is the wire form of what a provider service's internal operations endpoint
// (GET /internal/v1/orgs/{org}/operations/{id}, served by pkg/provider) says about a command.
type OperationView struct {
	CommandID string `json:"commandId"`
	// Status is RUNNING, COMPLETED or FAILED (a dead-lettered command is FAILED with its reason).
	Status    string          `json:"status"`
	Operation string          `json:"operation,omitempty"`
	Error     *OperationError `json:"error,omitempty"`
	UpdatedAt *time.Time      `json:"updatedAt,omitempty"`
	// SubscriptionID is the command's aggregate id without its "<org>/" prefix.
	SubscriptionID string `json:"subscriptionId,omitempty"`
	// Fingerprint is the digest of the request that issued the command and At when it was
	// executed: the ingress tells a reused Idempotency-Key from a retry by them.
	Fingerprint string     `json:"fingerprint,omitempty"`
	At          *time.Time `json:"at,omitempty"`
}

// AsStatus is the view as the submitter and the workflow query read it.
func (v OperationView) AsStatus() OperationStatus {
	st := OperationStatus{Status: v.Status, Operation: v.Operation, SubscriptionID: v.SubscriptionID, Error: v.Error, UpdatedAt: v.UpdatedAt, Fingerprint: v.Fingerprint}
	if v.At != nil {
		st.At = *v.At
	}
	return st
}

// OperationSource asks a provider service what became of a command; found is false while the
// service has no record of it.
type OperationSource interface {
	Operation(ctx context.Context, org, commandID string) (st OperationStatus, found bool, err error)
}
