package app

import (
	"context"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/services/disney/internal/domain"
)

// CreateSubscription creates the entitlement at Disney and the subscription here.
func (a *App) CreateSubscription(ctx context.Context, m Meta, c events.DisneyCreateSubscription) ([]consumer.Output, error) {
	return a.execute(ctx, m, events.OpCreate, c.Org, c.UserID, c.SubscriptionID,
		func(ctx context.Context, current *domain.Subscription) (domain.Subscription, error) {
			if current != nil {
				return domain.Subscription{}, domain.ErrAlreadyExists
			}
			s, err := domain.New(c.Org, c.UserID, c.SubscriptionID, c.Products, a.now())
			if err != nil {
				return s, err
			}
			err = a.partner.CreateEntitlement(ctx, m.CommandID, Entitlement{
				EntitlementID: c.SubscriptionID, UserID: c.UserID, Provider: c.Org, Products: c.Products,
			})
			return s, err
		})
}
