package app

import (
	"context"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/services/disney/internal/domain"
)

// SuspendSubscription puts a subscription on billing hold.
func (a *App) SuspendSubscription(ctx context.Context, m Meta, c events.DisneySuspendSubscription) ([]consumer.Output, error) {
	return a.execute(ctx, m, events.OpSuspend, c.Org, c.UserID, c.SubscriptionID,
		func(ctx context.Context, current *domain.Subscription) (domain.Subscription, error) {
			s, err := requireOwned(current, c.UserID)
			if err != nil {
				return s, err
			}
			if s, err = s.Suspend(c.Products, a.now()); err != nil {
				return s, err
			}
			return s, a.partner.Suspend(ctx, m.CommandID, c.SubscriptionID, c.Products)
		})
}
