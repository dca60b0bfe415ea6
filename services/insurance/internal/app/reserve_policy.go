package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"provision.local/events"
	"provision.local/pkg/outcome"
	"provision.local/services/insurance/internal/domain"
)

// ErrPolicyNumberInUse is an insurer answer naming a policy this platform already holds for
// another reservation (an insurer that issued a number twice): the stored policy is kept as it is.
var ErrPolicyNumberInUse = errors.New("the insurer issued a policy number already in use")

// errStoredPolicyMissing is a reservation not found right after it was stored: the store failing,
// not an unknown policy, which reserve never answers.
var errStoredPolicyMissing = errors.New("read the reservation back: the stored policy is missing")

// storeTimeout bounds the store and read-back of a reservation the insurer has answered.
const storeTimeout = 5 * time.Second

// Reserved is the seed's reserve answer.
type Reserved struct {
	RequestID    string `json:"requestId"`
	PolicyNumber string `json:"policyNumber"`
	domain.Quote
}

// ReservePolicy reserves a policy with the insurer and stores it, its personal data sealed and
// its bank account not kept. It is synchronous: m.CommandID is the request's idempotency key,
// so a retried request gets the same policy from the insurer and changes nothing twice here;
// its status event is published by the runtime's outbox relay. A refused field is a
// *domain.FieldError (several joined). An m without IssuedAt is issued now.
func (a *App) ReservePolicy(ctx context.Context, m Meta, org string, r domain.Reservation) (Reserved, error) {
	if m.IssuedAt.IsZero() {
		m.IssuedAt = a.clock()
	}
	if err := r.Validate(); err != nil {
		return Reserved{}, err
	}
	issued, err := a.partner.Reserve(ctx, m.CommandID, org, r)
	if err != nil {
		return Reserved{}, err
	}
	if !domain.PolicyNumberFormat.MatchString(issued.PolicyNumber) {
		return Reserved{}, fmt.Errorf("the insurer issued a policy number outside the contract's format")
	}
	// The insurer holds the policy from here on: a caller gone meanwhile (the ingress's timeout)
	// must not leave it unstored, so the store runs to its own deadline.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	now := a.clock()
	reservedAt := issued.ReservedAt.UTC()
	if reservedAt.IsZero() {
		reservedAt = now
	}
	p := domain.Policy{
		Org: org, PolicyNumber: issued.PolicyNumber, RequestID: issued.RequestID, State: domain.Reserved,
		Quote: issued.Quote, ReservedAt: reservedAt, UpdatedAt: now,
	}
	if p, err = a.seal(p, r.Insured()); err != nil {
		return Reserved{}, err
	}
	_, err = a.reserver.Execute(ctx, outcome.Command{
		Meta: m, Operation: events.OpReserve, Org: org, SubscriptionID: p.PolicyNumber,
		FailureDetails: events.InsuranceFailedDetails{PolicyNumber: p.PolicyNumber},
	}, func(_ context.Context, current *domain.Policy) (domain.Policy, error) {
		if current != nil {
			// Only the insurer's own request id tells a repeated key, answered with the policy
			// stored by its first call, from another reservation given the same number.
			if current.RequestID != issued.RequestID {
				return *current, ErrPolicyNumberInUse
			}
			return *current, outcome.ErrUnchanged
		}
		return p, nil
	})
	if err != nil {
		return Reserved{}, fmt.Errorf("store the reservation: %w", err)
	}
	stored, _, err := a.store.Get(ctx, domain.Key(org, p.PolicyNumber))
	if IsNotFound(err) {
		return Reserved{}, errStoredPolicyMissing
	}
	if err != nil {
		return Reserved{}, fmt.Errorf("read the reservation back: %w", err)
	}
	return Reserved{RequestID: stored.RequestID, PolicyNumber: stored.PolicyNumber, Quote: stored.Quote}, nil
}
