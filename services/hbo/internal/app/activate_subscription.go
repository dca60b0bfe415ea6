package app

import (
	"context"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/services/hbo/internal/domain"
)

// ActivateSubscription puts a subscription pending activation in force. HBO answers it even when
// the customer already opened the activation URL, so the command records the activation either
// way. The products the command carries are the seed's; it acts on the whole subscription.
func (a *App) ActivateSubscription(ctx context.Context, m Meta, c events.HBOActivateSubscription) ([]consumer.Output, error) {
	t := target{org: c.Org, serviceID: c.ServiceID, externalID: c.ExternalID, country: c.Country}
	return a.change(ctx, m, events.OpActivate, t, func(ctx context.Context, s domain.Subscription) (domain.Subscription, error) {
		next, err := s.Activate(a.clock())
		if err != nil {
			return s, err
		}
		return next, a.partner.Activate(ctx, m.CommandID, c.Org, c.ServiceID)
	})
}
