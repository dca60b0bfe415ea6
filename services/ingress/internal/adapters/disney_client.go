// Package adapters holds the ingress's clients of the provider services' internal APIs.
package adapters

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"provision.local/pkg/httpx"
	"provision.local/pkg/logging"
	"provision.local/services/ingress/internal/app"
)

// ErrNotFound is the provider service's 404.
var ErrNotFound = errors.New("not found")

// RemoteError is a 4xx answer of the provider service, with its error body, to pass on.
type RemoteError struct {
	Status int
	Body   []byte
}

func (e *RemoteError) Error() string { return fmt.Sprintf("provider service answered %d", e.Status) }

// DisneyClient calls the Disney service's internal API.
type DisneyClient struct {
	base string
	http *http.Client
}

// NewDisneyClient returns a client for the Disney service at baseURL.
func NewDisneyClient(baseURL string, timeout time.Duration) *DisneyClient {
	return &DisneyClient{base: baseURL, http: &http.Client{Timeout: timeout}}
}

// SubscriptionStatus is the seed's Disney SubscriptionStatus.
type SubscriptionStatus struct {
	Entitled     string   `json:"entitled"`
	Cancellation string   `json:"cancellation,omitempty"`
	Products     []string `json:"products"`
	Activated    string   `json:"activated"`
	LastUpdated  string   `json:"lastUpdated"`
}

// ActivationURLRequest is the seed's activation URL body.
type ActivationURLRequest struct {
	Products   []string  `json:"products"`
	Country    string    `json:"country"`
	ExpireDate time.Time `json:"expireDate"`
}

// ActivationURL is the seed's activation URL answer.
type ActivationURL struct {
	ExpiryDate string `json:"expiryDate,omitempty"`
	URL        string `json:"url"`
}

func subscriptionPath(org, user, sub string) string {
	return "/internal/v1/orgs/" + url.PathEscape(org) + "/users/" + url.PathEscape(user) + "/subscriptions/" + url.PathEscape(sub)
}

// Subscription returns a subscription's status; ErrNotFound when there is none for this user.
func (c *DisneyClient) Subscription(ctx context.Context, org, user, sub string) (SubscriptionStatus, error) {
	var s SubscriptionStatus
	err := c.do(ctx, http.MethodGet, subscriptionPath(org, user, sub), "", nil, &s)
	return s, err
}

// ActivationURL asks for an activation link; key makes a retried request return the same one.
func (c *DisneyClient) ActivationURL(ctx context.Context, key, org, user, sub string, req ActivationURLRequest) (ActivationURL, error) {
	var u ActivationURL
	err := c.do(ctx, http.MethodPost, subscriptionPath(org, user, sub)+"/activation_url", key, req, &u)
	return u, err
}

// Operation implements app.OperationSource.
func (c *DisneyClient) Operation(ctx context.Context, org, commandID string) (app.OperationStatus, bool, error) {
	var v struct {
		Status         string              `json:"status"`
		Operation      string              `json:"operation"`
		SubscriptionID string              `json:"subscriptionId"`
		Error          *app.OperationError `json:"error"`
		UpdatedAt      *time.Time          `json:"updatedAt"`
		Fingerprint    string              `json:"fingerprint"`
		At             *time.Time          `json:"at"`
	}
	err := c.do(ctx, http.MethodGet, "/internal/v1/orgs/"+url.PathEscape(org)+"/operations/"+url.PathEscape(commandID), "", nil, &v)
	if errors.Is(err, ErrNotFound) {
		return app.OperationStatus{}, false, nil
	}
	if err != nil {
		return app.OperationStatus{}, false, err
	}
	st := app.OperationStatus{Status: v.Status, Operation: v.Operation, SubscriptionID: v.SubscriptionID, Error: v.Error, UpdatedAt: v.UpdatedAt, Fingerprint: v.Fingerprint}
	if v.At != nil {
		st.At = *v.At
	}
	return st, true, nil
}

// Ready checks the Disney service's readiness.
func (c *DisneyClient) Ready(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/readyz", "", nil, nil)
}

func (c *DisneyClient) do(ctx context.Context, method, path, key string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("disney request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	// The same correlation id in both services' logs ties the two sides of a request together.
	if id, ok := logging.FromContext(ctx).Data[logging.FieldCorrelationID].(string); ok && id != "" {
		req.Header.Set(httpx.HeaderCorrelationID, id)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("disney service: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return ErrNotFound
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("decode disney answer: %w", err)
		}
		return nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return &RemoteError{Status: resp.StatusCode, Body: raw}
	default:
		return fmt.Errorf("disney service %s %s: status %d", method, path, resp.StatusCode)
	}
}
