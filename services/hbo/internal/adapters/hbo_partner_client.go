package adapters

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"provision.local/events"
	"provision.local/pkg/partnerhttp"
	"provision.local/services/hbo/internal/app"
	"provision.local/services/hbo/internal/domain"
)

// HBOPartnerClient calls the HBO partner API over HTTP. A refusal is a *partnerhttp.Rejection;
// any other error is worth retrying.
type HBOPartnerClient struct {
	http *partnerhttp.Client
}

var _ app.Partner = (*HBOPartnerClient)(nil)

// NewHBOPartnerClient returns a client for the API at baseURL (for example
// http://127.0.0.1:8090/hbo). timeout bounds each call. HBO's 404s about a subscription or a
// product that does not exist are refusals; any other 404 is a wrong URL and is retried.
func NewHBOPartnerClient(baseURL string, timeout time.Duration) *HBOPartnerClient {
	return &HBOPartnerClient{http: partnerhttp.New(partnerhttp.Config{
		Partner: events.ProviderHBO, BaseURL: baseURL, Timeout: timeout,
		NotFoundCodes: []string{"SUBSCRIPTION_NOT_FOUND", "PRODUCT_NOT_FOUND"},
	})}
}

// wireProducts are products in HBO's terms: a SKU with its billing period.
func wireProducts(in []domain.Product) []map[string]any {
	out := make([]map[string]any, len(in))
	for i, p := range in {
		out[i] = map[string]any{
			"sku": p.Code, "title": p.Name, "reference": p.SubID, "transactionId": p.TrxID,
			"period": map[string]int64{"start": p.Starts, "renewal": p.Renews, "end": p.Expires},
		}
	}
	return out
}

// Create creates the subscription at HBO.
func (c *HBOPartnerClient) Create(ctx context.Context, key string, s domain.Subscription) error {
	return c.http.Call(ctx, http.MethodPost, "/v1/orgs/"+url.PathEscape(s.Org)+"/subscriptions", key, map[string]any{
		"serviceId": s.ServiceID, "externalId": s.ExternalID, "country": s.Country, "products": wireProducts(s.Products),
	}, nil)
}

// ChangeProducts removes and adds products in one call.
func (c *HBOPartnerClient) ChangeProducts(ctx context.Context, key, org, serviceID string, add []domain.Product, remove []string) error {
	return c.http.Call(ctx, http.MethodPatch, path(org, serviceID, "/products"), key, map[string]any{
		"add": wireProducts(add), "remove": remove,
	}, nil)
}

// Activate puts a pending subscription in force; HBO answers it for an active one too.
func (c *HBOPartnerClient) Activate(ctx context.Context, key, org, serviceID string) error {
	return c.http.Call(ctx, http.MethodPost, path(org, serviceID, "/activate"), key, struct{}{}, nil)
}

// Suspend puts the subscription on hold.
func (c *HBOPartnerClient) Suspend(ctx context.Context, key, org, serviceID, reason string) error {
	return c.http.Call(ctx, http.MethodPost, path(org, serviceID, "/suspend"), key, map[string]string{"reason": reason}, nil)
}

// Reactivate lifts the hold.
func (c *HBOPartnerClient) Reactivate(ctx context.Context, key, org, serviceID string) error {
	return c.http.Call(ctx, http.MethodPost, path(org, serviceID, "/reactivate"), key, struct{}{}, nil)
}

// Cancel ends the subscription.
func (c *HBOPartnerClient) Cancel(ctx context.Context, key, org, serviceID, reason string) error {
	return c.http.Call(ctx, http.MethodPost, path(org, serviceID, "/cancel"), key, map[string]string{"reason": reason}, nil)
}

// ActivationURL asks HBO for an activation link.
func (c *HBOPartnerClient) ActivationURL(ctx context.Context, key, org, serviceID string) (string, error) {
	var out struct {
		URL string `json:"url"`
	}
	err := c.http.Call(ctx, http.MethodPost, path(org, serviceID, "/activation-urls"), key, struct{}{}, &out)
	return out.URL, err
}

func path(org, serviceID, suffix string) string {
	return "/v1/orgs/" + url.PathEscape(org) + "/subscriptions/" + url.PathEscape(serviceID) + suffix
}
