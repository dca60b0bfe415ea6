// Package ledger makes each command take effect at most once on a provider's own data, on a store
// without multi-document transactions.
//
// The unit of atomicity is one aggregate document (a subscription): its state, its version
// (guarded by compare-and-set) and the record of the command that wrote that version, with the
// status events it produced. One write therefore changes the state, marks the command as applied
// and keeps its events for publishing. An operation record (one small document per command,
// `_id` = the command's event id) is inserted afterwards: it is the history, the workflow lookup,
// and the deduplication record for commands that did not change an aggregate (failures).
//
// A redelivered command is recognised by the aggregate's last command or by its operation record,
// within the idempotency window, and answers with the events stored the first time, so status
// events keep their ids.
//
// A state change made outside the consumer (a synchronous internal call) runs through
// ExecuteRelayed, and RelayPending publishes its events (outbox.go).
package ledger

import (
	"context"
	"errors"
	"time"

	"provision.local/pkg/consumer"
)

// Outcomes of an operation.
const (
	Completed = "COMPLETED"
	Failed    = "FAILED"
	// DeadLettered marks a command the runner gave up on (retries exhausted, or poison); it is
	// executed afresh if it is replayed from the dead-letter topic.
	DeadLettered = "DEAD_LETTERED"
)

// Command identifies one command being executed.
type Command struct {
	ID            string // the command's CloudEvent id
	Type          string // the command's CloudEvent type
	Org           string
	Operation     string
	AggregateID   string // the document the command targets; empty when it targets none
	CorrelationID string
	WorkflowID    string
	// Fingerprint is a digest of the request that issued the command (operation, target, body),
	// so an id reused for a different request can be told from a retry; empty when unknown.
	Fingerprint string
	// IssuedAt is when the command was issued (its CloudEvent time); zero when unknown.
	IssuedAt time.Time
}

// Failure says why an operation failed; it is shown to clients by the workflow endpoint.
type Failure struct {
	Code    string `bson:"code" json:"code"`
	Title   string `bson:"title" json:"title"`
	Details string `bson:"details" json:"details"`
}

func (f *Failure) Error() string { return f.Code + ": " + f.Details }

// Decision is what a provider's decide function concluded for a command.
type Decision[S any] struct {
	// New is the aggregate state after the command, or nil when nothing changes.
	New *S
	// Failure marks the operation FAILED; New must then be nil.
	Failure *Failure
	// Outputs are the status events the command produces.
	Outputs []consumer.Output
}

// Decide computes a command's decision from the current aggregate state (nil if none exists)
// and its version (0 if none). It may call the partner; it must not write the aggregate. An
// error aborts the command (the runner retries transient errors and dead-letters permanent ones).
type Decide[S any] func(ctx context.Context, current *S, version int64) (Decision[S], error)

// StoredOutput is an output event kept for republishing.
type StoredOutput struct {
	Topic string `bson:"topic"`
	Event string `bson:"event"` // the CloudEvent in JSON (structured) form
}

// Operation is the record of one executed command.
type Operation struct {
	ID            string         `bson:"_id" json:"commandId"`
	Type          string         `bson:"type" json:"type"`
	Org           string         `bson:"org" json:"org"`
	Operation     string         `bson:"operation" json:"operation"`
	AggregateID   string         `bson:"aggregateId,omitempty" json:"aggregateId,omitempty"`
	Outcome       string         `bson:"outcome" json:"outcome"`
	Failure       *Failure       `bson:"failure,omitempty" json:"error,omitempty"`
	Version       int64          `bson:"version,omitempty" json:"version,omitempty"`
	CorrelationID string         `bson:"correlationId,omitempty" json:"correlationId,omitempty"`
	WorkflowID    string         `bson:"workflowId,omitempty" json:"workflowId,omitempty"`
	Fingerprint   string         `bson:"fingerprint,omitempty" json:"fingerprint,omitempty"`
	At            time.Time      `bson:"at" json:"at"`
	Outputs       []StoredOutput `bson:"outputs,omitempty" json:"-"`
	// ArchivedFrom is set on the record of an earlier use of a command id, kept in the history
	// under another _id when the id came back after the idempotency window: the command's id.
	ArchivedFrom string `bson:"archivedFrom,omitempty" json:"-"`
}

// ErrConflict means another writer changed the aggregate between read and write; retry.
var ErrConflict = errors.New("aggregate changed concurrently")

// ErrIdempotencyKeyReused means a command id was reused, within the idempotency window, by a
// different request (another body, operation, target or org). The command is refused for good.
var ErrIdempotencyKeyReused = errors.New("idempotency key reused for a different request")
