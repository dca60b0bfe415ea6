package app

import (
	"context"
)

// TokenRequest is the seed's geturl body, passed on to Netflix.
type TokenRequest struct {
	Channel                   string `json:"channel,omitempty"`
	PartnerChargeCountry      string `json:"partner_charge_country,omitempty"`
	PromotionID               string `json:"promotion_id,omitempty"`
	TokenErrorURL             string `json:"token_error_url"`
	Type                      string `json:"type"`
	ValidityDurationInSeconds *int64 `json:"validity_duration_in_seconds,omitempty"`
}

// Token is Netflix's answer: the securitized URL the customer opens, and until when.
type Token struct {
	ExpiryDate              string `json:"expiry_date"`
	Token                   string `json:"token"`
	RequestedSecuritizedURL string `json:"requested_securitized_url"`
}

// GenerateURL asks Netflix for a securitized URL for the bundle of a PAI. It changes nothing
// here: opening the URL activates the bundle, which Netflix then reports. key is the request's
// idempotency key: a repeated request gets the same token.
func (a *App) GenerateURL(ctx context.Context, key, org, pai string, r TokenRequest) (Token, error) {
	if _, err := a.Subscription(ctx, org, pai); err != nil {
		return Token{}, err
	}
	return a.partner.Token(ctx, key, org, pai, r)
}
