// Package app holds the Disney use cases: one file per command, plus the queries. Each command
// runs through the ledger, so it takes effect at most once, and returns the status events it
// produced for the runner to publish.
package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/pkg/mongox"
	"provision.local/services/disney/internal/domain"
)

// Source is the CloudEvents source of the events this service publishes.
const Source = "/provision/disney"

// Partner is the Disney partner API. Every mutating call carries an idempotency key, derived
// from the command, so a retried or redelivered call has no second effect at the partner.
type Partner interface {
	CreateEntitlement(ctx context.Context, key string, e Entitlement) error
	ModifyProducts(ctx context.Context, key, entitlementID string, products []string) error
	Suspend(ctx context.Context, key, entitlementID string, products []string) error
	Reactivate(ctx context.Context, key, entitlementID string, products []string) error
	Cancel(ctx context.Context, key, entitlementID, product string) error
	ConfirmActivation(ctx context.Context, key, entitlementID string) error
	ActivationURL(ctx context.Context, key, entitlementID string, req ActivationURLRequest) (ActivationURL, error)
}

// Entitlement is what the partner is told at creation.
type Entitlement struct {
	EntitlementID string
	UserID        string
	Provider      string // the org
	Products      []string
}

// ActivationURLRequest asks the partner for an activation link.
type ActivationURLRequest struct {
	Products   []string  `json:"products"`
	Country    string    `json:"country"`
	ExpireDate time.Time `json:"expireDate"`
}

// ActivationURL is the partner's answer.
type ActivationURL struct {
	URL        string `json:"url"`
	ExpiryDate string `json:"expiryDate,omitempty"`
}

// PartnerRejection is the partner's business refusal of a call: the request is invalid, conflicts
// with the partner's state, or names an entitlement or product the partner does not have. The
// operation fails and is not retried. Any other partner error (no answer, a broken credential or
// URL, an overloaded partner) is transient.
type PartnerRejection struct {
	Status  int
	Code    string
	Message string
}

func (e *PartnerRejection) Error() string {
	return fmt.Sprintf("partner rejected the request (%d %s): %s", e.Status, e.Code, e.Message)
}

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

// Store is the subscription store, with at-most-once execution.
type Store interface {
	Execute(ctx context.Context, cmd ledger.Command, decide ledger.Decide[domain.Subscription]) ([]consumer.Output, error)
	Get(ctx context.Context, id string) (domain.Subscription, int64, error)
	FindIDs(ctx context.Context, filter bson.D) ([]string, error)
	Operation(ctx context.Context, commandID string) (ledger.Operation, error)
	History(ctx context.Context, aggregateID string, limit int64) ([]ledger.Operation, error)
}

// App is the Disney application service.
type App struct {
	store    Store
	partner  Partner
	inflight *ledger.InFlight
	now      func() time.Time
}

// New wires the application service.
func New(store Store, partner Partner, inflight *ledger.InFlight) *App {
	return &App{store: store, partner: partner, inflight: inflight, now: func() time.Time { return time.Now().UTC() }}
}

// change is a use case's decision on an existing (or, for create, absent) subscription: it calls
// the partner and returns the new state, or an error that failureOf turns into a FAILED outcome.
type change func(ctx context.Context, current *domain.Subscription) (domain.Subscription, error)

// execute runs one subscription command through the ledger.
func (a *App) execute(ctx context.Context, m Meta, operation, org, userID, subscriptionID string, ch change) ([]consumer.Output, error) {
	cmd := ledger.Command{
		ID: m.CommandID, Type: m.Type, Org: org, Operation: operation,
		AggregateID: domain.Key(org, subscriptionID), CorrelationID: m.CorrelationID, WorkflowID: m.WorkflowID,
		Fingerprint: m.Fingerprint, IssuedAt: m.IssuedAt,
	}
	return a.store.Execute(ctx, cmd, func(ctx context.Context, current *domain.Subscription, version int64) (ledger.Decision[domain.Subscription], error) {
		next, err := ch(ctx, current)
		if errors.Is(err, errUnchanged) {
			return ledger.Decision[domain.Subscription]{}, nil
		}
		if err != nil {
			f := failureOf(err)
			if f == nil {
				return ledger.Decision[domain.Subscription]{}, err
			}
			out, err := a.failedEvent(m, operation, org, userID, subscriptionID, f)
			if err != nil {
				return ledger.Decision[domain.Subscription]{}, err
			}
			return ledger.Decision[domain.Subscription]{Failure: f, Outputs: []consumer.Output{out}}, nil
		}
		out, err := a.statusEvent(m, operation, next, version+1)
		if err != nil {
			return ledger.Decision[domain.Subscription]{}, err
		}
		return ledger.Decision[domain.Subscription]{New: &next, Outputs: []consumer.Output{out}}, nil
	})
}

// errUnchanged tells execute that the command is done and changes nothing: no write, no event.
var errUnchanged = errors.New("nothing to change")

// existing is the precondition of every command but create: the subscription exists and is the
// user's. Another user's subscription is, for this user, one that does not exist.
func existing(current *domain.Subscription, userID string) (domain.Subscription, error) {
	if current == nil || !current.BelongsTo(userID) {
		return domain.Subscription{}, domain.ErrNotFound
	}
	return *current, nil
}

func (a *App) statusEvent(m Meta, operation string, s domain.Subscription, version int64) (consumer.Output, error) {
	payload := events.DisneySubscriptionStatus{
		Org: s.Org, UserID: s.UserID, SubscriptionID: s.SubscriptionID,
		Operation: operation, CommandID: m.CommandID, WorkflowID: m.WorkflowID, CorrelationID: m.CorrelationID,
		Entitled: string(s.Entitled), Cancellation: string(s.Cancellation), Activated: string(s.Activated),
		Products: s.Products, LastUpdated: s.LastUpdated, Version: version,
	}
	return a.output(m, events.TypeDisneySubscriptionStatus, s.Org, s.SubscriptionID, payload)
}

func (a *App) failedEvent(m Meta, operation, org, userID, subscriptionID string, f *ledger.Failure) (consumer.Output, error) {
	payload := events.DisneyOperationFailed{
		Org: org, UserID: userID, SubscriptionID: subscriptionID,
		Operation: operation, CommandID: m.CommandID, WorkflowID: m.WorkflowID, CorrelationID: m.CorrelationID,
		Error:    events.ErrorDetail{Code: f.Code, Title: f.Title, Details: f.Details},
		FailedAt: a.now(),
	}
	key := subscriptionID
	if key == "" {
		key = userID
	}
	return a.output(m, events.TypeDisneyOperationFailed, org, key, payload)
}

func (a *App) output(m Meta, ceType, org, key string, payload any) (consumer.Output, error) {
	e, err := events.New(ledger.EventID(m.CommandID, 0), ceType, Source, key, payload)
	if err != nil {
		return consumer.Output{}, fmt.Errorf("build %s: %w", ceType, err)
	}
	events.SetExtensions(&e, m.CorrelationID, m.WorkflowID, org)
	return consumer.Output{Topic: events.TopicDisneyStatus, Event: e}, nil
}

// failureOf classifies an error: a *ledger.Failure for one that fails the operation for good (a
// domain refusal, a partner's refusal), nil for one worth retrying (the store, a partner that is
// unreachable, overloaded or misconfigured).
func failureOf(err error) *ledger.Failure {
	var te *domain.TransitionError
	var pr *PartnerRejection
	switch {
	case errors.As(err, &te):
		return &ledger.Failure{Code: "INVALID_TRANSITION", Title: "OPERATION_NOT_ALLOWED", Details: te.Error()}
	case errors.Is(err, domain.ErrNotFound):
		return &ledger.Failure{Code: "SUBSCRIPTION_NOT_FOUND", Title: "NOT_FOUND", Details: err.Error()}
	case errors.Is(err, domain.ErrAlreadyExists):
		return &ledger.Failure{Code: "SUBSCRIPTION_ALREADY_EXISTS", Title: "CONFLICT", Details: err.Error()}
	case errors.Is(err, domain.ErrProductNotFound):
		return &ledger.Failure{Code: "PRODUCT_NOT_FOUND", Title: "NOT_FOUND", Details: err.Error()}
	case errors.Is(err, domain.ErrInvalidProducts):
		return &ledger.Failure{Code: "INVALID_PRODUCTS", Title: "BAD_REQUEST", Details: err.Error()}
	case errors.As(err, &pr):
		return &ledger.Failure{Code: "PARTNER_REJECTED", Title: "PARTNER_ERROR", Details: pr.Error()}
	}
	return nil
}

// IsNotFound reports whether a query error means "no such thing" for this caller.
func IsNotFound(err error) bool {
	return errors.Is(err, domain.ErrNotFound) || errors.Is(err, mongox.ErrNotFound)
}
