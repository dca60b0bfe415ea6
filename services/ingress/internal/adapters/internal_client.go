// Package adapters holds the ingress's client of the provider services' internal APIs.
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
	"provision.local/pkg/submit"
)

// ErrUnknownProvider means no base URL is configured for the provider.
var ErrUnknownProvider = errors.New("no internal API configured for this provider")

// InternalError is a provider service's answer that is not a success: its status and the error
// body every internal API answers with, the seed's array. Code is its first error's code, ""
// when the body is not that array (a proxy's page, an empty body).
type InternalError struct {
	Provider string
	Status   int
	Code     string
	Errors   []httpx.Error
}

func (e *InternalError) Error() string {
	return fmt.Sprintf("%s service answered %d %s", e.Provider, e.Status, e.Code)
}

// Answer is a provider service's success answer, passed on as it is.
type Answer struct {
	Status int
	Body   []byte
}

// Client calls the internal API of every provider service, each at its own base URL.
type Client struct {
	bases map[string]string // provider → base URL
	http  *http.Client
}

// NewClient returns a client of the providers' internal APIs at bases (provider → base URL).
func NewClient(bases map[string]string, timeout time.Duration) *Client {
	return &Client{bases: bases, http: &http.Client{Timeout: timeout}}
}

// Has tells whether provider's internal API is configured.
func (c *Client) Has(provider string) bool {
	_, ok := c.bases[provider]
	return ok
}

// Do sends one request to provider's internal API at path. key, when set, is sent as the
// Idempotency-Key; body, when set, as JSON. A 2xx is an Answer; any other status an
// *InternalError; no answer at all an error.
func (c *Client) Do(ctx context.Context, provider, method, path, key string, body []byte) (Answer, error) {
	base, ok := c.bases[provider]
	if !ok {
		return Answer{}, fmt.Errorf("%w: %s", ErrUnknownProvider, provider)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return Answer{}, fmt.Errorf("%s request: %w", provider, err)
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
		// Named by its path only: a query can hold personal data (the insurance search by phone
		// number or document), and this error is logged.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = fmt.Errorf("%s %s: %w", ue.Op, req.URL.Path, ue.Err)
		}
		return Answer{}, fmt.Errorf("%s service: %w", provider, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Answer{}, fmt.Errorf("%s service: read answer: %w", provider, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return Answer{Status: resp.StatusCode, Body: raw}, nil
	}
	ie := &InternalError{Provider: provider, Status: resp.StatusCode}
	if json.Unmarshal(raw, &ie.Errors) == nil && len(ie.Errors) > 0 {
		ie.Code = ie.Errors[0].Code
	}
	return Answer{}, ie
}

// Records returns provider's operation records, which the submitter and the workflow query ask.
func (c *Client) Records(provider string) submit.OperationSource {
	return records{c: c, provider: provider}
}

type records struct {
	c        *Client
	provider string
}

// Operation implements submit.OperationSource: a command the service has no record of is
// OPERATION_NOT_FOUND; any other failure, a 404 without that code included, is an error.
func (r records) Operation(ctx context.Context, org, commandID string) (submit.OperationStatus, bool, error) {
	a, err := r.c.Do(ctx, r.provider, http.MethodGet, "/internal/v1/orgs/"+url.PathEscape(org)+"/operations/"+url.PathEscape(commandID), "", nil)
	var ie *InternalError
	if errors.As(err, &ie) && ie.Status == http.StatusNotFound && ie.Code == httpx.CodeOperationNotFound {
		return submit.OperationStatus{}, false, nil
	}
	if err != nil {
		return submit.OperationStatus{}, false, err
	}
	var v submit.OperationView
	if err := json.Unmarshal(a.Body, &v); err != nil {
		return submit.OperationStatus{}, false, fmt.Errorf("decode %s operation: %w", r.provider, err)
	}
	return v.AsStatus(), true, nil
}
