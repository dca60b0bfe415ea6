// Package app holds the Disney use cases: one file per command, plus the queries. Each command
// runs through the ledger (pkg/outcome), so it takes effect at most once, and returns the status
// events it produced for the runner to publish. What is Disney's here: how each command changes
// a subscription, how a subscription reads as a status, and which errors fail a command.
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
	"provision.local/pkg/outcome"
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
type Meta = outcome.Meta

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
	store   Store
	partner Partner
	now     func() time.Time
	exec    *outcome.Executor[domain.Subscription]
}

// New wires the application service.
func New(store Store, partner Partner) *App {
	now := func() time.Time { return time.Now().UTC() }
	exec := outcome.New(outcome.Config[domain.Subscription]{
		Provider: events.ProviderDisney, Source: Source, Store: store, AggregateID: domain.Key,
		Status: statusOf, Details: detailsOf, Classify: failureOf, Now: now,
	})
	return &App{store: store, partner: partner, now: now, exec: exec}
}

// execute runs one subscription command through the ledger; ch decides the change.
func (a *App) execute(ctx context.Context, m Meta, operation, org, userID, subscriptionID string, ch outcome.Change[domain.Subscription]) ([]consumer.Output, error) {
	return a.exec.Execute(ctx, commandOf(m, operation, org, userID, subscriptionID), ch)
}

// commandOf is a Disney command for the executor: a failure names the user in its details, and is
// keyed by the user when the command names no subscription.
func commandOf(m Meta, operation, org, userID, subscriptionID string) outcome.Command {
	return outcome.Command{
		Meta: m, Operation: operation, Org: org, SubscriptionID: subscriptionID,
		Key: userID, FailureDetails: events.DisneyFailedDetails{UserID: userID},
	}
}

// requireOwned is the precondition of every command but create: the subscription exists and is
// the user's. Another user's subscription is, for this user, one that does not exist.
func requireOwned(current *domain.Subscription, userID string) (domain.Subscription, error) {
	if current == nil || !current.BelongsTo(userID) {
		return domain.Subscription{}, domain.ErrNotFound
	}
	return *current, nil
}

// statusOf maps Disney's entitlement onto the statuses every provider's events share: a grace
// period is still in force, a billing hold is a suspension, and a Disney subscription is active
// from its creation, so its cancellation is a deactivation.
func statusOf(s domain.Subscription) string {
	switch s.Entitled {
	case domain.EntitledBillingHold:
		return events.StatusSuspended
	case domain.EntitledCanceled:
		return events.StatusDeactivated
	default: // ACTIVE, GRACE_PERIOD
		return events.StatusActive
	}
}

// detailsOf is Disney's own view of a subscription in its status events.
func detailsOf(s domain.Subscription) any {
	return events.DisneyStatusDetails{
		UserID: s.UserID, Entitled: string(s.Entitled), Cancellation: string(s.Cancellation),
		Activated: string(s.Activated), Products: s.Products,
	}
}

// failureOf classifies an error: a failure for one that fails the operation for good (a domain
// refusal, a partner's refusal), nil for one worth retrying (the store, a partner that is
// unreachable, overloaded or misconfigured).
var failureOf = outcome.Classifier(
	outcome.As[*domain.TransitionError]("INVALID_TRANSITION", "OPERATION_NOT_ALLOWED"),
	outcome.Is(domain.ErrNotFound, "SUBSCRIPTION_NOT_FOUND", "NOT_FOUND"),
	outcome.Is(domain.ErrAlreadyExists, "SUBSCRIPTION_ALREADY_EXISTS", "CONFLICT"),
	outcome.Is(domain.ErrProductNotFound, "PRODUCT_NOT_FOUND", "NOT_FOUND"),
	outcome.Is(domain.ErrInvalidProducts, "INVALID_PRODUCTS", "BAD_REQUEST"),
	outcome.As[*PartnerRejection]("PARTNER_REJECTED", "PARTNER_ERROR"),
)

// IsNotFound reports whether a query error means "no such thing" for this caller.
func IsNotFound(err error) bool {
	return errors.Is(err, domain.ErrNotFound) || errors.Is(err, mongox.ErrNotFound)
}
