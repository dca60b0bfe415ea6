// Package outcome runs a provider's commands through its ledger and publishes what became of each
// as the status events every provider shares (events.StatusEvent): a subscription.status event
// when the subscription changed, an operation.failed event when the command failed for good.
//
// A provider supplies only its decisions: how a command changes its subscription (a Change), how
// its state reads in the shared vocabulary (Config.Status, Config.Details) and which of its errors
// fail a command for good (Config.Classify, usually built with Classifier). The envelope, the
// event ids, the CloudEvent extensions and the ledger plumbing are written here once.
package outcome

import (
	"context"
	"errors"
	"fmt"
	"time"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
)

// Meta is what a command carries besides its payload.
type Meta struct {
	CommandID     string
	Type          string
	CorrelationID string
	WorkflowID    string
	// Fingerprint is the digest of the request that issued the command ("" when the publisher
	// sent none), IssuedAt its CloudEvent time: the ledger tells a retry from a reused id, and a
	// retry from a new command issued after the idempotency window, by them.
	Fingerprint string
	IssuedAt    time.Time
}

// Command is one command on one subscription of a provider.
type Command struct {
	Meta
	Operation string
	Org       string
	// SubscriptionID is the subscription the command is about; "" for a command that names none
	// (it then targets no aggregate).
	SubscriptionID string
	// Key is the record key of a failure event when SubscriptionID is empty (Disney: the user).
	Key string
	// FailureDetails are the details of the command's failure event (the provider's failed
	// details type, e.g. events.DisneyFailedDetails).
	FailureDetails any
}

// Change computes the subscription's next state from the current one (nil when none exists),
// calling the partner as needed; it must not write the store. ErrUnchanged says the command is
// done and changes nothing. An error that Config.Classify turns into a failure fails the command
// for good; any other error aborts it, to be retried.
type Change[S any] func(ctx context.Context, current *S) (S, error)

// ErrUnchanged tells Execute that a command is done and changes nothing: no write, no event.
var ErrUnchanged = errors.New("nothing to change")

// Store is a provider's ledger store (a *ledger.Store[S]).
type Store[S any] interface {
	Execute(ctx context.Context, cmd ledger.Command, decide ledger.Decide[S]) ([]consumer.Output, error)
}

// Config is what a provider tells the Executor.
type Config[S any] struct {
	// Provider names the provider as in its topics; its events are events.SubscriptionStatusType
	// and events.OperationFailedType of it, on events.StatusTopic of it.
	Provider string
	// Source is the CloudEvents source of the events.
	Source string
	Store  Store[S]
	// AggregateID is the store id of a subscription.
	AggregateID func(org, subscriptionID string) string
	// Status maps a state onto events.StatusValues().
	Status func(S) string
	// Details are the provider's own fields of a state-change event.
	Details func(S) any
	// Classify returns the failure an error means, or nil for an error worth retrying.
	Classify func(error) *ledger.Failure
	// Now is the clock of occurredAt; UTC wall time when nil.
	Now func() time.Time
}

// Executor runs one provider's commands.
type Executor[S any] struct {
	cfg Config[S]
}

// New returns the Executor of a provider.
func New[S any](cfg Config[S]) *Executor[S] {
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().UTC() }
	}
	return &Executor[S]{cfg: cfg}
}

// Execute runs a command through the ledger, at most once: change decides, and its outcome is
// stored with its status event, which is returned for the runner to publish. A redelivered
// command answers with the event stored the first time.
func (x *Executor[S]) Execute(ctx context.Context, c Command, change Change[S]) ([]consumer.Output, error) {
	return x.Run(ctx, c, func(ctx context.Context, current *S, version int64) (ledger.Decision[S], error) {
		next, err := change(ctx, current)
		if errors.Is(err, ErrUnchanged) {
			return ledger.Decision[S]{}, nil
		}
		if err != nil {
			f := x.cfg.Classify(err)
			if f == nil {
				return ledger.Decision[S]{}, err
			}
			return x.Fail(c, f, current, version)
		}
		out, err := x.changed(c, current, next, version+1)
		if err != nil {
			return ledger.Decision[S]{}, err
		}
		return ledger.Decision[S]{New: &next, Outputs: []consumer.Output{out}}, nil
	})
}

// Run runs a command that makes its own decision through the ledger (a command that runs child
// commands, each with Execute, and keeps their events).
func (x *Executor[S]) Run(ctx context.Context, c Command, decide ledger.Decide[S]) ([]consumer.Output, error) {
	cmd := ledger.Command{
		ID: c.CommandID, Type: c.Type, Org: c.Org, Operation: c.Operation,
		CorrelationID: c.CorrelationID, WorkflowID: c.WorkflowID, Fingerprint: c.Fingerprint, IssuedAt: c.IssuedAt,
	}
	if c.SubscriptionID != "" {
		cmd.AggregateID = x.cfg.AggregateID(c.Org, c.SubscriptionID)
	}
	return x.cfg.Store.Execute(ctx, cmd, decide)
}

// Fail is the decision that a command failed for good with f: nothing changes, and its failure
// event reports the subscription's state (current, at version; nil and 0 when none exists).
func (x *Executor[S]) Fail(c Command, f *ledger.Failure, current *S, version int64) (ledger.Decision[S], error) {
	p := x.envelope(c, version, c.FailureDetails)
	p.Error = &events.ErrorDetail{Code: f.Code, Title: f.Title, Details: f.Details}
	if current != nil {
		p.Status = x.cfg.Status(*current)
		p.PreviousStatus = p.Status
	}
	key := c.SubscriptionID
	if key == "" {
		key = c.Key
	}
	out, err := x.output(c, events.OperationFailedType(x.cfg.Provider), key, p)
	if err != nil {
		return ledger.Decision[S]{}, err
	}
	return ledger.Decision[S]{Failure: f, Outputs: []consumer.Output{out}}, nil
}

// changed is the state-change event of a command that moved the subscription to next at version.
func (x *Executor[S]) changed(c Command, current *S, next S, version int64) (consumer.Output, error) {
	p := x.envelope(c, version, x.cfg.Details(next))
	p.Status = x.cfg.Status(next)
	if current != nil {
		p.PreviousStatus = x.cfg.Status(*current)
	}
	return x.output(c, events.SubscriptionStatusType(x.cfg.Provider), c.SubscriptionID, p)
}

func (x *Executor[S]) envelope(c Command, version int64, details any) events.StatusEvent[any] {
	return events.StatusEvent[any]{
		Org: c.Org, Provider: x.cfg.Provider, SubscriptionID: c.SubscriptionID,
		Operation: c.Operation, CommandID: c.CommandID, WorkflowID: c.WorkflowID, CorrelationID: c.CorrelationID,
		OccurredAt: x.cfg.Now(), Version: version, Details: details,
	}
}

// output builds a status event: its id derives from the command's, so a redelivered command that
// runs again republishes the same id; it is validated against the catalog's schema.
func (x *Executor[S]) output(c Command, ceType, key string, payload events.StatusEvent[any]) (consumer.Output, error) {
	e, err := events.New(ledger.EventID(c.CommandID, 0), ceType, x.cfg.Source, key, payload)
	if err != nil {
		return consumer.Output{}, fmt.Errorf("build %s: %w", ceType, err)
	}
	events.SetExtensions(&e, c.CorrelationID, c.WorkflowID, c.Org)
	return consumer.Output{Topic: events.StatusTopic(x.cfg.Provider), Event: e}, nil
}
