package app

import (
	"context"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/services/disney/internal/domain"
)

// ModifySubscription replaces the products of a subscription.
func (a *App) ModifySubscription(ctx context.Context, m Meta, c events.DisneyModifySubscription) ([]consumer.Output, error) {
	return a.execute(ctx, m, events.OpModify, c.Org, c.UserID, c.SubscriptionID,
		func(ctx context.Context, current *domain.Subscription) (domain.Subscription, error) {
			s, err := requireOwned(current, c.UserID)
			if err != nil {
				return s, err
			}
			if s, err = s.ModifyProducts(c.Products, a.now()); err != nil {
				return s, err
			}
			return s, a.partner.ModifyProducts(ctx, m.CommandID, c.SubscriptionID, c.Products)
		})
}
