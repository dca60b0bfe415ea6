package app

import (
	"context"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/services/disney/internal/domain"
)

// ReactivateSubscription lifts a billing hold.
func (a *App) ReactivateSubscription(ctx context.Context, m Meta, c events.DisneyReactivateSubscription) ([]consumer.Output, error) {
	return a.execute(ctx, m, events.OpReactivate, c.Org, c.UserID, c.SubscriptionID,
		func(ctx context.Context, current *domain.Subscription) (domain.Subscription, error) {
			s, err := requireOwned(current, c.UserID)
			if err != nil {
				return s, err
			}
			if s, err = s.Reactivate(c.Products, a.now()); err != nil {
				return s, err
			}
			return s, a.partner.Reactivate(ctx, m.CommandID, c.SubscriptionID, c.Products)
		})
}
