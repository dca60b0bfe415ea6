package app

import (
	"context"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/services/netflix/internal/domain"
)

// CreateSubscription enrols the partner account in a bundle offer at Netflix; the bundle waits
// for the customer's activation. A PAI whose bundle is not cancelled is refused
// (domain.ErrAlreadyEnrolled): the ingress answers 409 for it beforehand (EnrolledPAI), and this
// check catches two enrolments that raced past it. A cancelled bundle's PAI may enrol again.
func (a *App) CreateSubscription(ctx context.Context, m Meta, c events.NetflixCreateSubscription) ([]consumer.Output, error) {
	return a.run(ctx, m, events.OpCreate, c.Org, c.PartnerAccountID,
		func(ctx context.Context, current *domain.Subscription) (domain.Subscription, error) {
			if current != nil && current.IsEnrolled() {
				return domain.Subscription{}, domain.ErrAlreadyEnrolled
			}
			s, err := domain.New(domain.Enrolment{
				Org: c.Org, PAI: c.PartnerAccountID, BundleID: c.BundleID, OfferID: c.OfferID,
				Channel: c.Channel, ChargeCountry: c.ChargeCountry, PreferredLanguage: c.PreferredLanguage,
				ExternalID: c.ExternalID, BillingEventID: c.BillingEventID, Email: c.Email, Phone: c.Phone,
			}, a.clock())
			if err != nil {
				return s, err
			}
			r, err := a.partner.Enrol(ctx, m.CommandID, c)
			return s.Enrolled(r.TransactionID, m.CommandID), err
		})
}
