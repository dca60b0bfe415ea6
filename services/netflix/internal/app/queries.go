package app

import (
	"context"
	"errors"

	"provision.local/pkg/ledger"
	"provision.local/services/netflix/internal/domain"
)

// historyLimit bounds the operations History returns.
const historyLimit = 500

// Subscription returns the subscription of a PAI in an org; domain.ErrNotFound when there is none.
func (a *App) Subscription(ctx context.Context, org, pai string) (domain.Subscription, error) {
	s, _, err := a.store.Get(ctx, domain.Key(org, pai))
	if IsNotFound(err) {
		return domain.Subscription{}, domain.ErrNotFound
	}
	return s, err
}

// EnrolledPAI reports whether the PAI has a bundle in the org that is not cancelled: the ingress
// answers 409 to a create for it. It is one read by _id.
func (a *App) EnrolledPAI(ctx context.Context, org, pai string) (bool, error) {
	s, err := a.Subscription(ctx, org, pai)
	if errors.Is(err, domain.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return s.IsEnrolled(), nil
}

// History returns the operations on the subscription of a PAI, oldest first.
func (a *App) History(ctx context.Context, org, pai string) ([]ledger.Operation, error) {
	if _, err := a.Subscription(ctx, org, pai); err != nil {
		return nil, err
	}
	return a.store.History(ctx, domain.Key(org, pai), historyLimit)
}

// SubscriptionStatus is the status of a Netflix subscription, as the API's status query answers it.
type SubscriptionStatus struct {
	HasPartnerMOP bool   `json:"has_partner_mop"`
	ProductType   string `json:"product_type,omitempty"`
	Subscription  struct {
		Plan struct {
			LocalizedType string `json:"localized_type,omitempty"`
			Type          string `json:"type,omitempty"`
		} `json:"plan"`
	} `json:"subscription"`
	Bundle struct {
		ID      string `json:"id"`
		OfferID string `json:"offer_id"`
		Status  string `json:"status"`
	} `json:"bundle"`
}

// Status is the status of the subscription of a PAI: its bundle as the platform keeps it, and
// its plan and payer as Netflix tells them.
func (a *App) Status(ctx context.Context, org, pai string) (SubscriptionStatus, error) {
	var st SubscriptionStatus
	s, err := a.Subscription(ctx, org, pai)
	if err != nil {
		return st, err
	}
	p, err := a.partner.Status(ctx, org, pai)
	if err != nil {
		return st, err
	}
	st.HasPartnerMOP, st.ProductType = p.HasPartnerMOP, p.ProductType
	st.Subscription.Plan.Type, st.Subscription.Plan.LocalizedType = p.PlanType, p.PlanLocalizedType
	st.Bundle.ID, st.Bundle.OfferID, st.Bundle.Status = s.BundleID, s.OfferID, string(s.Status)
	return st, nil
}
