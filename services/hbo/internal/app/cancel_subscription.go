package app

import (
	"context"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/services/hbo/internal/domain"
)

// CancelSubscription ends the subscription for good, whatever its status but cancelled.
func (a *App) CancelSubscription(ctx context.Context, m Meta, c events.HBOCancelSubscription) ([]consumer.Output, error) {
	t := target{org: c.Org, serviceID: c.ServiceID, externalID: c.ExternalID, country: c.Country}
	return a.change(ctx, m, events.OpCancel, t, func(ctx context.Context, s domain.Subscription) (domain.Subscription, error) {
		next, err := s.Cancel(c.Reason, a.clock())
		if err != nil {
			return s, err
		}
		return next, a.partner.Cancel(ctx, m.CommandID, c.Org, c.ServiceID, c.Reason)
	})
}
