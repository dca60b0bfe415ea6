package app

import (
	"context"
	"errors"

	"provision.local/pkg/ledger"
	"provision.local/pkg/mongox"
	"provision.local/services/disney/internal/domain"
)

// Subscription returns a user's subscription; domain.ErrNotFound when it does not exist or
// belongs to another user.
func (a *App) Subscription(ctx context.Context, org, userID, subscriptionID string) (domain.Subscription, error) {
	s, _, err := a.store.Get(ctx, domain.Key(org, subscriptionID))
	if errors.Is(err, mongox.ErrNotFound) || (err == nil && !s.BelongsTo(userID)) {
		return domain.Subscription{}, domain.ErrNotFound
	}
	return s, err
}

// History returns the operations on a user's subscription, oldest first.
func (a *App) History(ctx context.Context, org, userID, subscriptionID string) ([]ledger.Operation, error) {
	if _, err := a.Subscription(ctx, org, userID, subscriptionID); err != nil {
		return nil, err
	}
	return a.store.History(ctx, domain.Key(org, subscriptionID), 500)
}

// OperationState is what became of a command.
type OperationState struct {
	Status    string            // RUNNING, COMPLETED or FAILED
	Operation *ledger.Operation // nil while RUNNING
}

// Operation tells what became of a command of org; domain.ErrNotFound when this service has no
// record of it (not consumed yet).
func (a *App) Operation(ctx context.Context, org, commandID string) (OperationState, error) {
	op, err := a.store.Operation(ctx, commandID)
	switch {
	case err == nil && op.Org == org:
		status := op.Outcome
		if status == ledger.DeadLettered {
			status = ledger.Failed // with the reason: the command went to the dead-letter topic
		}
		return OperationState{Status: status, Operation: &op}, nil
	case err == nil:
		return OperationState{}, domain.ErrNotFound // another org's command
	case errors.Is(err, mongox.ErrNotFound):
		if a.inflight != nil && a.inflight.Running(commandID) {
			return OperationState{Status: "RUNNING"}, nil
		}
		return OperationState{}, domain.ErrNotFound
	default:
		return OperationState{}, err
	}
}

// ActivationURL asks the partner for an activation link for a subscription that is not canceled.
// key makes a retried request return the same link.
func (a *App) ActivationURL(ctx context.Context, key, org, userID, subscriptionID string, req ActivationURLRequest) (ActivationURL, error) {
	s, err := a.Subscription(ctx, org, userID, subscriptionID)
	if err != nil {
		return ActivationURL{}, err
	}
	if s.Entitled == domain.EntitledCanceled {
		return ActivationURL{}, &domain.TransitionError{Operation: "activate", From: s.Entitled, Reason: "it is canceled"}
	}
	return a.partner.ActivationURL(ctx, key, subscriptionID, req)
}
