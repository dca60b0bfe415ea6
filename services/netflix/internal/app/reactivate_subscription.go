package app

import (
	"context"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/services/netflix/internal/domain"
)

// ReactivateSubscription returns a suspended bundle to active and records BUNDLE_REACTIVATION.
func (a *App) ReactivateSubscription(ctx context.Context, m Meta, c events.NetflixReactivateSubscription) ([]consumer.Output, error) {
	return a.run(ctx, m, events.OpReactivate, c.Org, c.PartnerAccountID,
		func(ctx context.Context, current *domain.Subscription) (domain.Subscription, error) {
			s, err := existing(current)
			if err != nil {
				return s, err
			}
			if err := domain.ValidReference("reactivateEventId", c.ReactivateEventID); err != nil {
				return s, err
			}
			next, err := s.Reactivate(a.clock())
			if err != nil {
				return s, err
			}
			r, err := a.partner.Reactivate(ctx, m.CommandID, c)
			return a.record(next, domain.EventReactivation, r, m, c.ReactivateEventID), err
		})
}
