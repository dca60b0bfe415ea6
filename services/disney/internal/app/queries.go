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
