package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"provision.local/pkg/command"
)

// Workflow states.
const (
	WorkflowAccepted  = "ACCEPTED"
	WorkflowRunning   = "RUNNING"
	WorkflowCompleted = "COMPLETED"
	WorkflowFailed    = "FAILED"
)

// ErrWorkflowNotFound means the id was not issued by this ingress for this org.
var ErrWorkflowNotFound = errors.New("workflow not found")

// ErrSourceUnavailable means the provider service could not say what became of a command. It is
// not ErrUnavailable: a query stores nothing, so "the request could not be stored" would be wrong.
var ErrSourceUnavailable = errors.New("provider service unavailable")

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

// Workflow is the answer of the workflow endpoint.
type Workflow struct {
	WorkflowID     string          `json:"workflowId"`
	RunID          string          `json:"runId"`
	Provider       string          `json:"provider"`
	Status         string          `json:"status"`
	Operation      string          `json:"operation,omitempty"`
	SubscriptionID string          `json:"subscriptionId,omitempty"`
	Error          *OperationError `json:"error,omitempty"`
	UpdatedAt      *time.Time      `json:"updatedAt,omitempty"`
}

// Workflows answers what became of accepted commands.
type Workflows struct {
	ids     command.Workflows
	sources map[string]OperationSource // by provider
}

// NewWorkflows returns the workflow query over the providers' services.
func NewWorkflows(ids command.Workflows, sources map[string]OperationSource) *Workflows {
	return &Workflows{ids: ids, sources: sources}
}

// Get returns the state of a workflow of org. An id this ingress did not issue for org is
// ErrWorkflowNotFound; one it issued but the provider has not seen yet is ACCEPTED.
func (w *Workflows) Get(ctx context.Context, org, workflowID string) (Workflow, error) {
	provider, commandID, err := w.ids.Parse(org, workflowID)
	if err != nil {
		return Workflow{}, ErrWorkflowNotFound
	}
	src, ok := w.sources[provider]
	if !ok {
		return Workflow{}, ErrWorkflowNotFound
	}
	wf := Workflow{WorkflowID: workflowID, RunID: commandID, Provider: provider, Status: WorkflowAccepted}
	st, found, err := src.Operation(ctx, org, commandID)
	if err != nil {
		return Workflow{}, fmt.Errorf("%w: %s: %v", ErrSourceUnavailable, provider, err)
	}
	if found {
		wf.Status, wf.Operation, wf.SubscriptionID, wf.Error, wf.UpdatedAt = st.Status, st.Operation, st.SubscriptionID, st.Error, st.UpdatedAt
	}
	return wf, nil
}
