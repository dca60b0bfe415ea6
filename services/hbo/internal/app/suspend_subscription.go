package app

import (
	"context"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/services/hbo/internal/domain"
)

// SuspendSubscription puts an active subscription on hold, for the reason given.
func (a *App) SuspendSubscription(ctx context.Context, m Meta, c events.HBOSuspendSubscription) ([]consumer.Output, error) {
	t := target{org: c.Org, serviceID: c.ServiceID, externalID: c.ExternalID, country: c.Country}
	return a.change(ctx, m, events.OpSuspend, t, func(ctx context.Context, s domain.Subscription) (domain.Subscription, error) {
		next, err := s.Suspend(c.Reason, a.clock())
		if err != nil {
			return s, err
		}
		return next, a.partner.Suspend(ctx, m.CommandID, c.Org, c.ServiceID, c.Reason)
	})
}
