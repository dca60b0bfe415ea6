package app

import (
	"context"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/services/disney/internal/domain"
)

// TerminateSubscription cancels a subscription, or removes one product from it.
func (a *App) TerminateSubscription(ctx context.Context, m Meta, c events.DisneyTerminateSubscription) ([]consumer.Output, error) {
	return a.execute(ctx, m, events.OpTerminate, c.Org, c.UserID, c.SubscriptionID,
		func(ctx context.Context, current *domain.Subscription) (domain.Subscription, error) {
			s, err := requireOwned(current, c.UserID)
			if err != nil {
				return s, err
			}
			if s, err = s.Terminate(c.Product, a.now()); err != nil {
				return s, err
			}
			return s, a.partner.Cancel(ctx, m.CommandID, c.SubscriptionID, c.Product)
		})
}
