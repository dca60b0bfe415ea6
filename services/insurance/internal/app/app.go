// Package app holds the device insurance use cases: the synchronous reservation, one file per
// command, and the queries. Commands run through pkg/outcome (at most once, their status event
// stored with the change); the reservation runs through the store's outbox, whose relay publishes
// its event. Personal data is sealed before it is stored and opened only to check a command
// against it or to answer a search.
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
	"provision.local/services/insurance/internal/domain"
)

// Source is the CloudEvents source of the service's status events.
const Source = "/provision/insurance"

// Partner is the insurer. Each call with an effect carries an idempotency key (the command's
// id, or the reservation request's key): the insurer answers a repeated key as it answered the
// first call. A refusal is a *PartnerRefusal; any other error is worth retrying.
type Partner interface {
	Reserve(ctx context.Context, key, org string, r domain.Reservation) (Issued, error)
	Activate(ctx context.Context, key, org, policyNumber string, a Activation) error
	Suspend(ctx context.Context, key, org, policyNumber, document string) error
	Reconnect(ctx context.Context, key, org, policyNumber, document string) error
	Terminate(ctx context.Context, key, org, policyNumber, document, reason string) error
	Cancel(ctx context.Context, key, org, policyNumber, document string) error
}

// Issued is the insurer's answer to a reservation.
type Issued struct {
	PolicyNumber string
	RequestID    string
	Quote        domain.Quote
	ReservedAt   time.Time
}

// Activation is what the insurer checks to put a policy in force.
type Activation struct {
	RequestID string `json:"requestId"`
	Document  string `json:"document"`
	IMEI      string `json:"imei"`
}

// PartnerRefusal is the insurer's business refusal of a call; the partner client returns it.
type PartnerRefusal = partnerhttp.Rejection

// Vault seals a policy's personal data and makes its search tokens (an adapter on pkg/sealbox).
type Vault interface {
	// Seal encrypts the insured of the policy org/policyNumber, bound to that policy.
	Seal(org, policyNumber string, in domain.Insured) (string, error)
	// Open decrypts what Seal sealed for the policy.
	Open(p domain.Policy) (domain.Insured, error)
	// Token is the keyed hash under which a value is stored for search; Tokens are the hashes a
	// search matches (under every key the vault holds).
	Token(purpose, value string) string
	Tokens(purpose, value string) []string
}

// Token purposes.
const (
	TokenPhone    = "phone"
	TokenDocument = "document"
)

// Store keeps the policies and runs each command at most once (an adapter over *ledger.Store).
type Store interface {
	outcome.Store[domain.Policy]
	ExecuteRelayed(ctx context.Context, cmd ledger.Command, decide ledger.Decide[domain.Policy]) ([]consumer.Output, error)
	Get(ctx context.Context, id string) (domain.Policy, int64, error)
	// FindByPhone and FindByDocument return the org's policies stored under one of the tokens.
	FindByPhone(ctx context.Context, org string, tokens []string) ([]domain.Policy, error)
	FindByDocument(ctx context.Context, org string, tokens []string) ([]domain.Policy, error)
}

// Meta is what a command carries besides its payload.
type Meta = outcome.Meta

// App is the insurance application service.
type App struct {
	store   Store
	partner Partner
	vault   Vault
	clock   func() time.Time
	runner  *outcome.Executor[domain.Policy]
	// reserver runs the reservation, a synchronous call, through the store's outbox.
	reserver *outcome.Executor[domain.Policy]
}

// New returns the application service.
func New(store Store, partner Partner, vault Vault) *App {
	a := &App{store: store, partner: partner, vault: vault, clock: func() time.Time { return time.Now().UTC() }}
	cfg := outcome.Config[domain.Policy]{
		Provider: events.ProviderInsurance, Source: Source, Store: store, AggregateID: domain.Key,
		Classify: classify, Status: envelopeStatus, Details: statusDetails,
		Now: func() time.Time { return a.clock() },
	}
	a.runner = outcome.New(cfg)
	cfg.Store = outboxOf{store}
	a.reserver = outcome.New(cfg)
	return a
}

// outboxOf hands the executor the store's relayed execution: no consumer publishes the event of
// a synchronous call, the runtime's relay does.
type outboxOf struct{ s Store }

func (o outboxOf) Execute(ctx context.Context, cmd ledger.Command, decide ledger.Decide[domain.Policy]) ([]consumer.Output, error) {
	return o.s.ExecuteRelayed(ctx, cmd, decide)
}

// change runs one command on the policy org/policyNumber: change decides from the policy and its
// opened insured.
func (a *App) change(ctx context.Context, m Meta, op, org, policyNumber string,
	decide func(context.Context, domain.Policy, domain.Insured) (domain.Policy, error)) ([]consumer.Output, error) {
	return a.runner.Execute(ctx, outcome.Command{
		Meta: m, Operation: op, Org: org, SubscriptionID: policyNumber,
		FailureDetails: events.InsuranceFailedDetails{PolicyNumber: policyNumber},
	}, func(ctx context.Context, current *domain.Policy) (domain.Policy, error) {
		if current == nil {
			return domain.Policy{}, domain.ErrNotFound
		}
		in, err := a.vault.Open(*current)
		if err != nil {
			return *current, err
		}
		next, err := decide(ctx, *current, in)
		if err != nil || next.Sealed != current.Sealed {
			return next, err
		}
		// A policy that changes is sealed again under the current key, which moves it off a key
		// rotated out (decide re-sealed it already when its insured changed).
		return a.seal(next, in)
	})
}

// seal stores in under p sealed and its search tokens with it, all under the vault's current
// key: a policy sealed again under a new key keeps no token of the old one, so a key rotated out
// can be retired once no policy is sealed under it.
func (a *App) seal(p domain.Policy, in domain.Insured) (domain.Policy, error) {
	sealed, err := a.vault.Seal(p.Org, p.PolicyNumber, in)
	if err != nil {
		return p, err
	}
	p.Sealed, p.DocumentToken, p.PhoneToken = sealed, a.vault.Token(TokenDocument, in.Document), ""
	if in.Phone != "" {
		p.PhoneToken = a.vault.Token(TokenPhone, in.Phone)
	}
	return p, nil
}

// envelopeStatus reads a policy in the statuses every provider's events share. A cancelled
// policy that was in force is deactivated; one never in force is cancelled.
func envelopeStatus(p domain.Policy) string {
	switch p.State {
	case domain.Reserved:
		return events.StatusPending
	case domain.Suspended:
		return events.StatusSuspended
	case domain.Terminated:
		return events.StatusDeactivated
	case domain.Cancelled:
		if p.WasInForce() {
			return events.StatusDeactivated
		}
		return events.StatusCancelled
	}
	return events.StatusActive
}

// statusDetails are the policy's number, state and dates: nothing personal.
func statusDetails(p domain.Policy) any {
	return events.InsuranceStatusDetails{
		PolicyNumber: p.PolicyNumber, PolicyState: string(p.State),
		ReservedAt: p.ReservedAt, ActivatedAt: p.ActivatedAt, EndedAt: p.EndedAt,
	}
}

// classify tells the errors that fail a command for good from those worth retrying (the store,
// the insurer unreachable or overloaded). Every reason names the check, never the value.
var classify = outcome.Classifier(
	outcome.Is(domain.ErrNotFound, CodePolicyNotFound, "NOT_FOUND"),
	outcome.Is(domain.ErrRequestMismatch, "REQUEST_MISMATCH", "OPERATION_NOT_ALLOWED"),
	outcome.Is(domain.ErrDocumentMismatch, "DOCUMENT_MISMATCH", "OPERATION_NOT_ALLOWED"),
	outcome.Is(domain.ErrDeviceMismatch, "DEVICE_MISMATCH", "OPERATION_NOT_ALLOWED"),
	outcome.Is(domain.ErrPhoneMismatch, "PHONE_MISMATCH", "OPERATION_NOT_ALLOWED"),
	outcome.As[*domain.IllegalTransition]("INVALID_TRANSITION", "OPERATION_NOT_ALLOWED"),
	insurerRefusal,
)

// CodePolicyNotFound is the code of a policy that does not exist in the org.
const CodePolicyNotFound = "POLICY_NOT_FOUND"

// insurerRefusal fails a command the insurer refused. The details keep the insurer's code but
// not its message: an insurer may echo the request's values, and the details reach events.
func insurerRefusal(err error) *ledger.Failure {
	var r *PartnerRefusal
	if !errors.As(err, &r) {
		return nil
	}
	return &ledger.Failure{Code: "PARTNER_REJECTED", Title: "PARTNER_ERROR", Details: "the insurer refused the request: " + r.Code}
}
