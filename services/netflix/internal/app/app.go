// Package app holds the Netflix use cases, one file per command, and the queries. Every command
// runs through pkg/outcome: at most once, with its status event stored and returned for the
// runner to publish. What is Netflix's here: how each command changes a bundle and what it asks
// the partner, which Netflix event it records, how a bundle reads as a status, and which errors
// fail a command for good.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/pkg/mongox"
	"provision.local/pkg/outcome"
	"provision.local/pkg/partnerhttp"
	"provision.local/services/netflix/internal/domain"
)

// Source is the CloudEvents source of the service's status events.
const Source = "/provision/netflix"

// Partner is the Netflix partner API. Each change carries an idempotency key derived from its
// command: the partner answers a repeated key as it answered the first call, so a redelivered
// command changes nothing twice at Netflix. A refusal is a *PartnerRefusal; any other error is
// worth retrying.
type Partner interface {
	Enrol(ctx context.Context, key string, c events.NetflixCreateSubscription) (Receipt, error)
	Update(ctx context.Context, key string, c events.NetflixUpdateSubscription) (Receipt, error)
	Cancel(ctx context.Context, key string, c events.NetflixCancelSubscription) (Receipt, error)
	Suspend(ctx context.Context, key string, c events.NetflixSuspendSubscription) (Receipt, error)
	Reactivate(ctx context.Context, key string, c events.NetflixReactivateSubscription) (Receipt, error)
	// Status is Netflix's view of the partner account's bundle.
	Status(ctx context.Context, org, pai string) (PartnerStatus, error)
	// Token asks for a securitized URL the customer opens to activate the bundle.
	Token(ctx context.Context, key, org, pai string, r TokenRequest) (Token, error)
	// EnrolPhone and RemovePhone enrol a phone with Digital Virgo and end its enrolment.
	EnrolPhone(ctx context.Context, key, org, pai string, p PhoneEnrolment) error
	RemovePhone(ctx context.Context, key, org, pai, phone string) error
}

// Receipt is Netflix's acknowledgement of a change.
type Receipt struct {
	// EventID is Netflix's id of the event the change makes (a plan change, a cancellation...).
	// When Netflix names none, the event gets an id derived from the command.
	EventID string
	// TransactionID is Netflix's id of an enrolment.
	TransactionID string
}

// PartnerStatus is what Netflix says of a bundle that the platform does not keep: its plan and
// who pays for it.
type PartnerStatus struct {
	HasPartnerMOP     bool
	ProductType       string
	PlanType          string
	PlanLocalizedType string
}

// PartnerRefusal is Netflix's business refusal of a call (an unknown offer, a conflicting
// state): retrying cannot change it, so the command fails. The partner client returns it.
type PartnerRefusal = partnerhttp.Rejection

// Meta is what a command carries besides its payload.
type Meta = outcome.Meta

// Store keeps the subscriptions and runs each command at most once (a *ledger.Store).
type Store interface {
	outcome.Store[domain.Subscription]
	Get(ctx context.Context, id string) (domain.Subscription, int64, error)
	History(ctx context.Context, aggregateID string, limit int64) ([]ledger.Operation, error)
	// ExecuteRelayed runs a command outside the consumer; the runtime's relay publishes its events.
	ExecuteRelayed(ctx context.Context, cmd ledger.Command, decide ledger.Decide[domain.Subscription]) ([]consumer.Output, error)
}

// App is the Netflix application service.
type App struct {
	store   Store
	partner Partner
	clock   func() time.Time
	runner  *outcome.Executor[domain.Subscription]
	// relayed runs the synchronous changes (digitalvirgo) through the store's outbox.
	relayed *outcome.Executor[domain.Subscription]
}

// New returns the application service over its store and the Netflix partner.
func New(store Store, partner Partner) *App {
	a := &App{store: store, partner: partner, clock: func() time.Time { return time.Now().UTC() }}
	cfg := outcome.Config[domain.Subscription]{
		Provider:    events.ProviderNetflix,
		Source:      Source,
		Store:       store,
		AggregateID: domain.Key,
		Status:      envelopeStatus,
		Details:     statusDetails,
		Classify:    classify,
		Now:         a.clock,
	}
	a.runner = outcome.New(cfg)
	cfg.Store = relayedStore{store}
	a.relayed = outcome.New(cfg)
	return a
}

// run executes one command on the bundle of a PAI; change decides.
func (a *App) run(ctx context.Context, m Meta, op, org, pai string, change outcome.Change[domain.Subscription]) ([]consumer.Output, error) {
	return a.runner.Execute(ctx, outcome.Command{
		Meta: m, Operation: op, Org: org, SubscriptionID: pai,
		FailureDetails: events.NetflixFailedDetails{PartnerAccountID: pai},
	}, change)
}

// existing is the precondition of every command but the enrolment.
func existing(current *domain.Subscription) (domain.Subscription, error) {
	if current == nil {
		return domain.Subscription{}, domain.ErrNotFound
	}
	return *current, nil
}

// record keeps, on the bundle after a change, the Netflix event the change made; reference is
// the partner's reference of the change.
func (a *App) record(next domain.Subscription, kind domain.EventType, r Receipt, m Meta, reference string) domain.Subscription {
	id := r.EventID
	if id == "" {
		// Derived from the command, so a redelivery records the same id.
		id = ledger.EventID(m.CommandID, 1)
	}
	return next.Record(domain.Event{Type: kind, NetflixEventID: id, At: next.UpdatedAt, PartnerReferenceID: reference})
}

// envelopeStatus reads a bundle in the statuses every provider's events share. A cancelled
// bundle the customer had activated is deactivated; one never activated is cancelled.
func envelopeStatus(s domain.Subscription) string {
	switch {
	case s.Status == domain.PendingActivation:
		return events.StatusPending
	case s.Status == domain.Suspended:
		return events.StatusSuspended
	case s.Deactivated():
		return events.StatusDeactivated
	case s.Status == domain.Cancelled:
		return events.StatusCancelled
	}
	return events.StatusActive
}

// statusDetails are Netflix's fields of a status event: the bundle without personal data, and the
// Netflix event the change recorded.
func statusDetails(s domain.Subscription) any {
	d := events.NetflixStatusDetails{
		PartnerAccountID: s.PAI, BundleID: s.BundleID, OfferID: s.OfferID, BundleStatus: string(s.Status),
		Channel: s.Channel, ChargeCountry: s.ChargeCountry, ExternalID: s.ExternalID,
	}
	if e := s.LastEvent; e != nil {
		d.Event = &events.NetflixPartnerEvent{
			Type: string(e.Type), NetflixEventID: e.NetflixEventID, OccurredAt: e.At,
			PartnerReferenceID: e.PartnerReferenceID, OriginalTransactionID: s.OriginalTransactionID,
		}
	}
	return d
}

// classify tells the errors that fail a command for good (a refusal of the domain or of Netflix)
// from those worth retrying (the store, Netflix unreachable or overloaded).
var classify = outcome.Classifier(
	outcome.Is(domain.ErrNotFound, "SUBSCRIPTION_NOT_FOUND", "NOT_FOUND"),
	outcome.Is(domain.ErrPhoneNotFound, "PHONE_NOT_FOUND", "NOT_FOUND"),
	outcome.Is(domain.ErrAlreadyEnrolled, "PARTNER_ACCOUNT_ALREADY_ENROLLED", "CONFLICT"),
	outcome.As[*domain.IllegalTransition]("INVALID_TRANSITION", "OPERATION_NOT_ALLOWED"),
	outcome.As[*domain.InvalidField]("INVALID_FIELD", "BAD_REQUEST"),
	outcome.As[*PartnerRefusal]("PARTNER_REJECTED", "PARTNER_ERROR"),
)

// ExactPAI is a PAI as JSON: an integer of its digits, as the seed writes it, from the text so
// that no float rounds it; digits with a leading zero are no JSON number and are a string.
func ExactPAI(pai string) any {
	if len(pai) > 1 && pai[0] == '0' {
		return pai
	}
	return json.Number(pai)
}

// IsNotFound reports whether a query's error means there is no such subscription.
func IsNotFound(err error) bool {
	return errors.Is(err, domain.ErrNotFound) || errors.Is(err, mongox.ErrNotFound)
}
