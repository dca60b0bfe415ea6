package app

import (
	"context"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/services/netflix/internal/domain"
)

// CancelSubscription ends the bundle and records BUNDLE_CANCELLATION.
func (a *App) CancelSubscription(ctx context.Context, m Meta, c events.NetflixCancelSubscription) ([]consumer.Output, error) {
	return a.run(ctx, m, events.OpCancel, c.Org, c.PartnerAccountID,
		func(ctx context.Context, current *domain.Subscription) (domain.Subscription, error) {
			s, err := existing(current)
			if err != nil {
				return s, err
			}
			if err := domain.ValidReference("cancelEventId", c.CancelEventID); err != nil {
				return s, err
			}
			next, err := s.Cancel(a.clock())
			if err != nil {
				return s, err
			}
			r, err := a.partner.Cancel(ctx, m.CommandID, c)
			return a.record(next, domain.EventCancellation, r, m, c.CancelEventID), err
		})
}
