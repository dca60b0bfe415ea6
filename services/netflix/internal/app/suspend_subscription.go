package app

import (
	"context"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/services/netflix/internal/domain"
)

// SuspendSubscription puts an active bundle on hold and records BUNDLE_SUSPENSION.
func (a *App) SuspendSubscription(ctx context.Context, m Meta, c events.NetflixSuspendSubscription) ([]consumer.Output, error) {
	return a.run(ctx, m, events.OpSuspend, c.Org, c.PartnerAccountID,
		func(ctx context.Context, current *domain.Subscription) (domain.Subscription, error) {
			s, err := existing(current)
			if err != nil {
				return s, err
			}
			if err := domain.ValidReference("suspendEventId", c.SuspendEventID); err != nil {
				return s, err
			}
			next, err := s.Suspend(a.clock())
			if err != nil {
				return s, err
			}
			r, err := a.partner.Suspend(ctx, m.CommandID, c)
			return a.record(next, domain.EventSuspension, r, m, c.SuspendEventID), err
		})
}
