// Package app holds the ingress's use cases beyond accepting commands (pkg/submit does that):
// telling a client what became of an accepted command.
package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"provision.local/pkg/command"
	"provision.local/pkg/submit"
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

// Workflow is the answer of the workflow endpoint.
type Workflow struct {
	WorkflowID     string                 `json:"workflowId"`
	RunID          string                 `json:"runId"`
	Provider       string                 `json:"provider"`
	Status         string                 `json:"status"`
	Operation      string                 `json:"operation,omitempty"`
	SubscriptionID string                 `json:"subscriptionId,omitempty"`
	Error          *submit.OperationError `json:"error,omitempty"`
	UpdatedAt      *time.Time             `json:"updatedAt,omitempty"`
}

// Workflows answers what became of accepted commands.
type Workflows struct {
	ids     command.Workflows
	sources map[string]submit.OperationSource // by provider
}

// NewWorkflows returns the workflow query over the providers' services.
func NewWorkflows(ids command.Workflows, sources map[string]submit.OperationSource) *Workflows {
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
