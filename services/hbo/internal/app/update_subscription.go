package app

import (
	"context"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/services/hbo/internal/domain"
)

// UpdateSubscription removes and adds products (domain.Subscription.ChangeProducts); removing the
// last one fails the command (LAST_PRODUCT): cancel ends a subscription.
func (a *App) UpdateSubscription(ctx context.Context, m Meta, c events.HBOUpdateSubscription) ([]consumer.Output, error) {
	t := target{org: c.Org, serviceID: c.ServiceID, externalID: c.ExternalID, country: c.Country}
	return a.change(ctx, m, events.OpUpdate, t, func(ctx context.Context, s domain.Subscription) (domain.Subscription, error) {
		add, remove := products(c.ProductsToAdd), products(c.ProductsToRemove)
		next, err := s.ChangeProducts(add, remove, c.Reason, a.clock())
		if err != nil {
			return s, err
		}
		return next, a.partner.ChangeProducts(ctx, m.CommandID, c.Org, c.ServiceID, add, domain.Codes(remove))
	})
}
