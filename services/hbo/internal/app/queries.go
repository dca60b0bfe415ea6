package app

import (
	"context"
	"errors"

	"provision.local/pkg/mongox"
	"provision.local/services/hbo/internal/domain"
)

// Subscription returns the subscription of a service id in an org, status history included;
// domain.ErrNotFound when there is none. It is one read by _id.
func (a *App) Subscription(ctx context.Context, org, serviceID string) (domain.Subscription, error) {
	s, _, err := a.store.Get(ctx, domain.Key(org, serviceID))
	if errors.Is(err, mongox.ErrNotFound) {
		return domain.Subscription{}, domain.ErrNotFound
	}
	return s, err
}

// ActivationURL asks HBO for the link the customer opens to activate the subscription. It
// changes nothing here: the activate command records the activation. key is the request's
// idempotency key: a repeated request gets the same link. The request must name the
// subscription's customer (externalID) and, if it gives one, its country, as commands must; a
// cancelled subscription gets no link.
func (a *App) ActivationURL(ctx context.Context, key, org, serviceID, externalID, country string) (string, error) {
	s, err := a.Subscription(ctx, org, serviceID)
	if err != nil {
		return "", err
	}
	if err := s.Of(externalID, country); err != nil {
		return "", err
	}
	if s.Status == domain.Cancelled {
		return "", &domain.Refusal{Rule: domain.RuleTransition, Why: "a cancelled subscription has no activation URL"}
	}
	return a.partner.ActivationURL(ctx, key, org, serviceID)
}
