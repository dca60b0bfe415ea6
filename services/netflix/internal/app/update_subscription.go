package app

import (
	"context"
	"errors"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/outcome"
	"provision.local/services/netflix/internal/domain"
)

// UpdateSubscription changes the bundle, its offer (plan) or the contact data. A new offer or
// bundle records BUNDLE_PLAN_CHANGE; an update that changes nothing is done without calling
// Netflix and publishes nothing.
func (a *App) UpdateSubscription(ctx context.Context, m Meta, c events.NetflixUpdateSubscription) ([]consumer.Output, error) {
	return a.run(ctx, m, events.OpUpdate, c.Org, c.PartnerAccountID,
		func(ctx context.Context, current *domain.Subscription) (domain.Subscription, error) {
			s, err := existing(current)
			if err != nil {
				return s, err
			}
			next, kind, err := s.Update(domain.Changes{
				BundleID: c.BundleID, OfferID: c.OfferID, Channel: c.Channel, ChargeCountry: c.ChargeCountry,
				PreferredLanguage: c.PreferredLanguage, ExternalID: c.ExternalID, BillingEventID: c.BillingEventID,
				Email: c.Email, Phone: c.Phone,
			}, a.clock())
			if errors.Is(err, domain.ErrNothingToChange) {
				return s, outcome.ErrUnchanged
			}
			if err != nil {
				return s, err
			}
			r, err := a.partner.Update(ctx, m.CommandID, c)
			if err != nil || kind == "" {
				return next, err
			}
			return a.record(next, kind, r, m, c.BillingEventID), nil
		})
}
