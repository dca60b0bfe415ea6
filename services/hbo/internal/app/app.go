// Package app holds the HBO use cases, one file per command, and the queries. Every command runs
// through pkg/outcome: at most once, with its status event stored and returned for the runner to
// publish. What is HBO's here: how each command changes a subscription and what it asks the
// partner, how a subscription reads as a status, and which errors fail a command for good.
package app

import (
	"context"
	"errors"
	"time"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/pkg/outcome"
	"provision.local/pkg/partnerhttp"
	"provision.local/services/hbo/internal/domain"
)

// Source is the CloudEvents source of the service's status events.
const Source = "/provision/hbo"

// Partner is the HBO partner API. Each change carries an idempotency key (the command's id, or
// the synchronous request's key): HBO answers a repeated key as it answered the first call, so a
// redelivered command changes nothing twice there. HBO's business refusal of a call is a
// *partnerhttp.Rejection, which fails the command; any other error is worth retrying.
type Partner interface {
	Create(ctx context.Context, key string, s domain.Subscription) error
	// ChangeProducts removes the codes in remove, then adds add, in one call.
	ChangeProducts(ctx context.Context, key, org, serviceID string, add []domain.Product, remove []string) error
	Activate(ctx context.Context, key, org, serviceID string) error
	Suspend(ctx context.Context, key, org, serviceID, reason string) error
	Reactivate(ctx context.Context, key, org, serviceID string) error
	Cancel(ctx context.Context, key, org, serviceID, reason string) error
	// ActivationURL issues the link the customer opens to activate the subscription.
	ActivationURL(ctx context.Context, key, org, serviceID string) (string, error)
}

// Store keeps the subscriptions and runs each command at most once (a *ledger.Store): Get reads
// one by its key.
type Store interface {
	Get(ctx context.Context, id string) (domain.Subscription, int64, error)
	outcome.Store[domain.Subscription]
}

// Codes of a command naming another customer or country than its subscription's, in failed
// commands and in the activation URL's refusal.
const (
	CodeOtherCustomer = "EXTERNAL_ID_MISMATCH"
	CodeOtherCountry  = "COUNTRY_MISMATCH"
)

// Meta is what a command carries besides its payload.
type Meta = outcome.Meta

// App is the HBO application service.
type App struct {
	store   Store
	partner Partner
	clock   func() time.Time
	runner  *outcome.Executor[domain.Subscription]
}

// New returns the application service over its store and the HBO partner.
func New(store Store, partner Partner) *App {
	a := &App{store: store, partner: partner, clock: func() time.Time { return time.Now().UTC() }}
	a.runner = outcome.New(outcome.Config[domain.Subscription]{
		Provider: events.ProviderHBO, Source: Source, Store: store, AggregateID: domain.Key,
		Status: commonStatus, Details: details, Classify: classify, Now: a.clock,
	})
	return a
}

// target names the subscription a command is about and the customer it gives.
type target struct {
	org, serviceID, externalID, country string
}

// change runs a command on an existing subscription of the target's customer and country (the
// command's country, if it gives one, must be the subscription's), then step decides and calls
// the partner.
func (a *App) change(ctx context.Context, m Meta, op string, t target,
	step func(ctx context.Context, s domain.Subscription) (domain.Subscription, error)) ([]consumer.Output, error) {
	return a.execute(ctx, m, op, t.org, t.serviceID, func(ctx context.Context, current *domain.Subscription) (domain.Subscription, error) {
		if current == nil {
			return domain.Subscription{}, domain.ErrNotFound
		}
		if err := current.Of(t.externalID, t.country); err != nil {
			return *current, err
		}
		return step(ctx, *current)
	})
}

// execute runs one command on the subscription of a service id through the ledger.
func (a *App) execute(ctx context.Context, m Meta, op, org, serviceID string, decide outcome.Change[domain.Subscription]) ([]consumer.Output, error) {
	return a.runner.Execute(ctx, outcome.Command{
		Meta: m, Operation: op, Org: org, SubscriptionID: serviceID,
		FailureDetails: events.HBOFailedDetails{ServiceID: serviceID},
	}, decide)
}

// statusOf reads HBO's statuses in the vocabulary every provider's events share; a cancelled
// subscription that had been active reads DEACTIVATED instead (commonStatus).
var statusOf = map[domain.Status]string{
	domain.PendingActivation: events.StatusPending,
	domain.Active:            events.StatusActive,
	domain.Suspended:         events.StatusSuspended,
	domain.Cancelled:         events.StatusCancelled,
}

func commonStatus(s domain.Subscription) string {
	if s.Deactivated() {
		return events.StatusDeactivated
	}
	return statusOf[s.Status]
}

// details are HBO's fields of a status event: the subscription after the change.
func details(s domain.Subscription) any {
	return events.HBOStatusDetails{
		ServiceID: s.ServiceID, ExternalID: s.ExternalID, SubscriptionStatus: string(s.Status),
		Country: s.Country, Products: EventProducts(s), Reason: s.Reason,
	}
}

// refused fails a command that breaks a rule of the domain, with the rule as its code.
func refused(err error) *ledger.Failure {
	var r *domain.Refusal
	if !errors.As(err, &r) {
		return nil
	}
	title := map[domain.Rule]string{domain.RuleTransition: "OPERATION_NOT_ALLOWED", domain.RuleField: "BAD_REQUEST"}[r.Rule]
	return &ledger.Failure{Code: string(r.Rule), Title: title, Details: r.Why}
}

// classify tells the errors that fail a command for good (a refusal of the domain or of HBO)
// from those worth retrying (the store, HBO unreachable or overloaded).
var classify = outcome.Classifier(
	refused,
	outcome.Is(domain.ErrNotFound, "SUBSCRIPTION_NOT_FOUND", "Subscription not found"),
	outcome.Is(domain.ErrAlreadyExists, "SUBSCRIPTION_ALREADY_EXISTS", "CONFLICT"),
	outcome.Is(domain.ErrOtherCustomer, CodeOtherCustomer, "CONFLICT"),
	outcome.Is(domain.ErrOtherCountry, CodeOtherCountry, "CONFLICT"),
	outcome.Is(domain.ErrNoProducts, "PRODUCTS_REQUIRED", "BAD_REQUEST"),
	outcome.Is(domain.ErrNothingToChange, "NOTHING_TO_CHANGE", "BAD_REQUEST"),
	outcome.Is(domain.ErrLastProduct, "LAST_PRODUCT", "OPERATION_NOT_ALLOWED"),
	outcome.Is(domain.ErrProductNotFound, "PRODUCT_NOT_FOUND", "NOT_FOUND"),
	outcome.Is(domain.ErrProductExists, "PRODUCT_ALREADY_PRESENT", "CONFLICT"),
	outcome.As[*partnerhttp.Rejection]("PARTNER_REJECTED", "PARTNER_ERROR"),
)
