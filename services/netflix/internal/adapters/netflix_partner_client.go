package adapters

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"provision.local/events"
	"provision.local/pkg/partnerhttp"
	"provision.local/services/netflix/internal/app"
)

// NetflixPartnerClient calls the Netflix partner API over HTTP. A refusal is a
// *partnerhttp.Rejection (the app's PartnerRefusal); any other error is worth retrying.
type NetflixPartnerClient struct {
	http *partnerhttp.Client
}

var _ app.Partner = (*NetflixPartnerClient)(nil)

// notFoundCodes are the codes of Netflix's 404s about things that do not exist: the partner
// account, or a phone on it. Any other 404 is a wrong URL and is retried.
var notFoundCodes = []string{"ACCOUNT_NOT_FOUND", "PHONE_NOT_FOUND"}

// NewNetflixPartnerClient returns a client for the API at baseURL (for example
// http://127.0.0.1:8090/netflix). timeout bounds each call.
func NewNetflixPartnerClient(baseURL string, timeout time.Duration) *NetflixPartnerClient {
	return &NetflixPartnerClient{http: partnerhttp.New(partnerhttp.Config{
		Partner: events.ProviderNetflix, BaseURL: baseURL, Timeout: timeout, NotFoundCodes: notFoundCodes,
	})}
}

// enrolment is Netflix's enrolment body; a plan change sends the same fields but the PAI.
type enrolment struct {
	PAI               any    `json:"partner_account_id,omitempty"`
	OfferID           string `json:"netflix_offer_id,omitempty"`
	BundleID          string `json:"bundle_id,omitempty"`
	BillingEventID    string `json:"billing_event_id,omitempty"`
	ExternalID        string `json:"external_id,omitempty"`
	Channel           string `json:"channel,omitempty"`
	Email             string `json:"netflix_email,omitempty"`
	Phone             string `json:"netflix_phone,omitempty"`
	ChargeCountry     string `json:"partner_charge_country,omitempty"`
	PreferredLanguage string `json:"preferred_language,omitempty"`
}

// account is what Netflix answers of an account, as far as the platform reads it.
type account struct {
	TransactionID string `json:"netflix_transaction_id"`
}

// Enrol enrols the partner account in the bundle offer.
func (c *NetflixPartnerClient) Enrol(ctx context.Context, key string, e events.NetflixCreateSubscription) (app.Receipt, error) {
	var acc account
	err := c.http.Call(ctx, http.MethodPost, accountsPath(e.Org), key, enrolment{
		PAI: app.ExactPAI(e.PartnerAccountID), OfferID: e.OfferID, BundleID: e.BundleID, BillingEventID: e.BillingEventID,
		ExternalID: e.ExternalID, Channel: e.Channel, Email: e.Email, Phone: e.Phone,
		ChargeCountry: e.ChargeCountry, PreferredLanguage: e.PreferredLanguage,
	}, &acc)
	return app.Receipt{TransactionID: acc.TransactionID}, err
}

// Update changes the account's plan, bundle or contact data.
func (c *NetflixPartnerClient) Update(ctx context.Context, key string, u events.NetflixUpdateSubscription) (app.Receipt, error) {
	err := c.http.Call(ctx, http.MethodPatch, accountPath(u.Org, u.PartnerAccountID, ""), key, enrolment{
		OfferID: u.OfferID, BundleID: u.BundleID, BillingEventID: u.BillingEventID, ExternalID: u.ExternalID,
		Channel: u.Channel, Email: u.Email, Phone: u.Phone, ChargeCountry: u.ChargeCountry, PreferredLanguage: u.PreferredLanguage,
	}, nil)
	return app.Receipt{}, err
}

// Cancel ends the account's bundle.
func (c *NetflixPartnerClient) Cancel(ctx context.Context, key string, x events.NetflixCancelSubscription) (app.Receipt, error) {
	err := c.http.Call(ctx, http.MethodPost, accountPath(x.Org, x.PartnerAccountID, "/cancel"), key, map[string]string{
		"cancel_event_id": x.CancelEventID, "cancel_reason": x.CancelReason, "external_id": x.ExternalID,
	}, nil)
	return app.Receipt{}, err
}

// Suspend puts the account's bundle on hold.
func (c *NetflixPartnerClient) Suspend(ctx context.Context, key string, s events.NetflixSuspendSubscription) (app.Receipt, error) {
	err := c.http.Call(ctx, http.MethodPost, accountPath(s.Org, s.PartnerAccountID, "/suspend"), key, map[string]string{
		"suspend_event_id": s.SuspendEventID, "reason": s.Reason, "external_id": s.ExternalID,
	}, nil)
	return app.Receipt{}, err
}

// Reactivate lifts the hold.
func (c *NetflixPartnerClient) Reactivate(ctx context.Context, key string, r events.NetflixReactivateSubscription) (app.Receipt, error) {
	err := c.http.Call(ctx, http.MethodPost, accountPath(r.Org, r.PartnerAccountID, "/reactivate"), key, map[string]string{
		"reactivate_event_id": r.ReactivateEventID, "external_id": r.ExternalID,
	}, nil)
	return app.Receipt{}, err
}

// partnerStatus is Netflix's status answer, the seed's shape.
type partnerStatus struct {
	HasPartnerMOP bool   `json:"has_partner_mop"`
	ProductType   string `json:"product_type"`
	Subscription  struct {
		Plan struct {
			Type          string `json:"type"`
			LocalizedType string `json:"localized_type"`
		} `json:"plan"`
	} `json:"subscription"`
}

// Status is Netflix's view of the account's bundle.
func (c *NetflixPartnerClient) Status(ctx context.Context, org, pai string) (app.PartnerStatus, error) {
	var s partnerStatus
	if err := c.http.Call(ctx, http.MethodGet, accountPath(org, pai, "/status"), "", nil, &s); err != nil {
		return app.PartnerStatus{}, err
	}
	return app.PartnerStatus{
		HasPartnerMOP: s.HasPartnerMOP, ProductType: s.ProductType,
		PlanType: s.Subscription.Plan.Type, PlanLocalizedType: s.Subscription.Plan.LocalizedType,
	}, nil
}

// Token asks for a securitized URL.
func (c *NetflixPartnerClient) Token(ctx context.Context, key, org, pai string, r app.TokenRequest) (app.Token, error) {
	var t app.Token
	err := c.http.Call(ctx, http.MethodPost, accountPath(org, pai, "/tokens"), key, r, &t)
	return t, err
}

// EnrolPhone enrols a phone with Digital Virgo.
func (c *NetflixPartnerClient) EnrolPhone(ctx context.Context, key, org, pai string, p app.PhoneEnrolment) error {
	return c.http.Call(ctx, http.MethodPost, accountPath(org, pai, "/digitalvirgo"), key, p, nil)
}

// RemovePhone ends a phone's Digital Virgo enrolment.
func (c *NetflixPartnerClient) RemovePhone(ctx context.Context, key, org, pai, phone string) error {
	return c.http.Call(ctx, http.MethodDelete, accountPath(org, pai, "/digitalvirgo/"+url.PathEscape(phone)), key, nil, nil)
}

func accountsPath(org string) string { return "/v1/orgs/" + url.PathEscape(org) + "/accounts" }

func accountPath(org, pai, suffix string) string {
	return accountsPath(org) + "/" + url.PathEscape(pai) + suffix
}
