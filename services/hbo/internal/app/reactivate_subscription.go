package app

import (
	"context"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/services/hbo/internal/domain"
)

// ReactivateSubscription lifts the suspension of a suspended subscription.
func (a *App) ReactivateSubscription(ctx context.Context, m Meta, c events.HBOReactivateSubscription) ([]consumer.Output, error) {
	t := target{org: c.Org, serviceID: c.ServiceID, externalID: c.ExternalID, country: c.Country}
	return a.change(ctx, m, events.OpReactivate, t, func(ctx context.Context, s domain.Subscription) (domain.Subscription, error) {
		next, err := s.Reactivate(a.clock())
		if err != nil {
			return s, err
		}
		return next, a.partner.Reactivate(ctx, m.CommandID, c.Org, c.ServiceID)
	})
}
