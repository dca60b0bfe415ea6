package adapters

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"provision.local/events"
	"provision.local/pkg/partnerhttp"
	"provision.local/services/disney/internal/app"
)

// DisneyPartnerClient calls the Disney partner API over HTTP.
type DisneyPartnerClient struct {
	http *partnerhttp.Client
}

// notFoundCodes are the codes of Disney's 404s about things that do not exist: the entitlement,
// or a product on it. Any other 404 is a wrong URL and is retried.
var notFoundCodes = []string{"ENTITLEMENT_NOT_FOUND", "PRODUCT_NOT_FOUND"}

// NewDisneyPartnerClient returns a client for the API at baseURL (for example
// http://127.0.0.1:8090/disney). timeout bounds each call.
func NewDisneyPartnerClient(baseURL string, timeout time.Duration) *DisneyPartnerClient {
	return &DisneyPartnerClient{http: partnerhttp.New(partnerhttp.Config{
		Partner: events.ProviderDisney, BaseURL: baseURL, Timeout: timeout, NotFoundCodes: notFoundCodes,
	})}
}

type entitlementBody struct {
	EntitlementID string   `json:"entitlementId"`
	UserID        string   `json:"userId"`
	Provider      string   `json:"provider"`
	Products      []string `json:"products"`
}

type productsBody struct {
	Products []string `json:"products"`
}

type cancelBody struct {
	Product string `json:"product,omitempty"`
	Reason  string `json:"reason"`
}

// CreateEntitlement creates the entitlement.
func (c *DisneyPartnerClient) CreateEntitlement(ctx context.Context, key string, e app.Entitlement) error {
	return c.do(ctx, http.MethodPost, "/v1/entitlements", key,
		entitlementBody{EntitlementID: e.EntitlementID, UserID: e.UserID, Provider: e.Provider, Products: e.Products}, nil)
}

// ModifyProducts replaces the entitlement's products.
func (c *DisneyPartnerClient) ModifyProducts(ctx context.Context, key, id string, products []string) error {
	return c.do(ctx, http.MethodPut, "/v1/entitlements/"+url.PathEscape(id)+"/products", key, productsBody{products}, nil)
}

// Suspend puts the entitlement on hold.
func (c *DisneyPartnerClient) Suspend(ctx context.Context, key, id string, products []string) error {
	return c.do(ctx, http.MethodPost, "/v1/entitlements/"+url.PathEscape(id)+"/suspend", key, productsBody{products}, nil)
}

// Reactivate lifts the hold.
func (c *DisneyPartnerClient) Reactivate(ctx context.Context, key, id string, products []string) error {
	return c.do(ctx, http.MethodPost, "/v1/entitlements/"+url.PathEscape(id)+"/reactivate", key, productsBody{products}, nil)
}

// Cancel cancels the entitlement, or one product of it.
func (c *DisneyPartnerClient) Cancel(ctx context.Context, key, id, product string) error {
	return c.do(ctx, http.MethodPost, "/v1/entitlements/"+url.PathEscape(id)+"/cancel", key, cancelBody{Product: product, Reason: "VOLUNTARY"}, nil)
}

// ConfirmActivation acknowledges Disney's activation callback.
func (c *DisneyPartnerClient) ConfirmActivation(ctx context.Context, key, id string) error {
	return c.do(ctx, http.MethodPost, "/v1/entitlements/"+url.PathEscape(id)+"/activation", key, struct{}{}, nil)
}

// ActivationURL asks for an activation link.
func (c *DisneyPartnerClient) ActivationURL(ctx context.Context, key, id string, req app.ActivationURLRequest) (app.ActivationURL, error) {
	var out app.ActivationURL
	err := c.do(ctx, http.MethodPost, "/v1/entitlements/"+url.PathEscape(id)+"/activation-urls", key, req, &out)
	return out, err
}

// do sends one request. The partner's refusal becomes the app's *app.PartnerRejection, which
// fails the operation; any other error is returned as it is, to be retried.
func (c *DisneyPartnerClient) do(ctx context.Context, method, path, key string, body, out any) error {
	err := c.http.Call(ctx, method, path, key, body, out)
	if r, ok := errors.AsType[*partnerhttp.Rejection](err); ok {
		return &app.PartnerRejection{Status: r.Status, Code: r.Code, Message: r.Message}
	}
	return err
}
