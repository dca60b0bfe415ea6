package app

import (
	"context"
	"errors"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/outcome"
	"provision.local/services/netflix/internal/domain"
)

// RecordActivation records Netflix's report that the customer linked a Netflix account: the
// bundle becomes active and records BUNDLE_ACTIVATION with Netflix's id and time of it, and the
// enrolment's billing event id as its reference. Netflix is not called: it is the one reporting.
// A report for a bundle activated before changes nothing and publishes nothing.
func (a *App) RecordActivation(ctx context.Context, m Meta, c events.NetflixActivationCallback) ([]consumer.Output, error) {
	return a.run(ctx, m, events.OpActivationCallback, c.Org, c.PartnerAccountID,
		func(_ context.Context, current *domain.Subscription) (domain.Subscription, error) {
			s, err := existing(current)
			if err != nil {
				return s, err
			}
			next, err := s.Activate(c.ActivatedAt.UTC(), a.clock())
			if errors.Is(err, domain.ErrAlreadyActivated) {
				return s, outcome.ErrUnchanged
			}
			if err != nil {
				return s, err
			}
			return next.Record(domain.Event{
				Type: domain.EventActivation, NetflixEventID: c.NetflixEventID, At: next.ActivatedAt,
				PartnerReferenceID: next.BillingEventID,
			}), nil
		})
}
