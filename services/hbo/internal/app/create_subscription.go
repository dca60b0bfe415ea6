package app

import (
	"context"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/services/hbo/internal/domain"
)

// CreateSubscription creates the subscription at HBO, pending activation. A service id that has
// a subscription in the org, even a cancelled one, is refused (domain.ErrAlreadyExists): HBO keeps
// one subscription per service id.
func (a *App) CreateSubscription(ctx context.Context, m Meta, c events.HBOCreateSubscription) ([]consumer.Output, error) {
	return a.execute(ctx, m, events.OpCreate, c.Org, c.ServiceID, func(ctx context.Context, current *domain.Subscription) (domain.Subscription, error) {
		if current != nil {
			return *current, domain.ErrAlreadyExists
		}
		s, err := domain.New(c.Org, c.ServiceID, c.ExternalID, c.Country, products(c.Products), a.clock())
		if err != nil {
			return s, err
		}
		return s, a.partner.Create(ctx, m.CommandID, s)
	})
}
