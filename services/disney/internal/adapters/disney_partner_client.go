package adapters

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"provision.local/services/disney/internal/app"
)

// DisneyPartnerClient calls the Disney partner API over HTTP.
type DisneyPartnerClient struct {
	base string
	http *http.Client
}

// NewDisneyPartnerClient returns a client for the API at baseURL (for example
// http://127.0.0.1:8090/disney). timeout bounds each call.
func NewDisneyPartnerClient(baseURL string, timeout time.Duration) *DisneyPartnerClient {
	return &DisneyPartnerClient{base: baseURL, http: &http.Client{Timeout: timeout}}
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

// do sends one request. A 4xx answer is a *app.PartnerRejection (final); anything else that is
// not 2xx (5xx, 429, timeouts, connection errors) is returned as a plain, retryable error.
func (c *DisneyPartnerClient) do(ctx context.Context, method, path, key string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode partner request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("partner request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("disney partner %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		if out != nil {
			if err := json.Unmarshal(raw, out); err != nil {
				return fmt.Errorf("decode partner answer: %w", err)
			}
		}
		return nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusRequestTimeout:
		var e struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.Unmarshal(raw, &e)
		return &app.PartnerRejection{Status: resp.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
	default:
		return fmt.Errorf("disney partner %s %s: status %d", method, path, resp.StatusCode)
	}
}
