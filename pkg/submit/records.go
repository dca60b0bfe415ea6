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

// OperationSource asks a provider service what became of a command; found is false while the
// service has no record of it.
type OperationSource interface {
	Operation(ctx context.Context, org, commandID string) (st OperationStatus, found bool, err error)
}
