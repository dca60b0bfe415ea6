// Package adapters connects the insurance service to MongoDB, to the insurer's API and to the
// sealing of personal data.
package adapters

import (
	"context"
	"net/http"
	"time"

	"provision.local/events"
	"provision.local/pkg/partnerhttp"
	"provision.local/services/insurance/internal/app"
	"provision.local/services/insurance/internal/domain"
)

// InsurerClient calls the insurer's API over HTTP. A refusal is a *partnerhttp.Rejection (the
// app's PartnerRefusal); any other error is worth retrying. Paths carry the org and the policy
// number only, never a personal value: they appear in errors and logs.
type InsurerClient struct {
	http *partnerhttp.Client
}

var _ app.Partner = (*InsurerClient)(nil)

// NewInsurerClient returns a client for the insurer at baseURL (for example
// http://127.0.0.1:8090/insurance). timeout bounds each call.
func NewInsurerClient(baseURL string, timeout time.Duration) *InsurerClient {
	return &InsurerClient{http: partnerhttp.New(partnerhttp.Config{
		Partner: events.ProviderInsurance, BaseURL: baseURL, Timeout: timeout, NotFoundCodes: []string{"POLICY_NOT_FOUND"},
	})}
}

// issuedPolicy is what the platform reads of the insurer's reservation answer.
type issuedPolicy struct {
	PolicyNumber string    `json:"policyNumber"`
	RequestID    string    `json:"requestId"`
	ReservedAt   time.Time `json:"reservedAt"`
	domain.Quote
}

// Reserve sends the whole reservation, bank account included: the insurer keeps what it needs.
func (c *InsurerClient) Reserve(ctx context.Context, key, org string, r domain.Reservation) (app.Issued, error) {
	var out issuedPolicy
	if err := c.http.Call(ctx, http.MethodPost, policiesPath(org), key, r, &out); err != nil {
		return app.Issued{}, err
	}
	return app.Issued{PolicyNumber: out.PolicyNumber, RequestID: out.RequestID, Quote: out.Quote, ReservedAt: out.ReservedAt}, nil
}

// Activate puts the policy in force for the device.
func (c *InsurerClient) Activate(ctx context.Context, key, org, policyNumber string, a app.Activation) error {
	return c.http.Call(ctx, http.MethodPost, policyPath(org, policyNumber, "activate"), key, a, nil)
}

// Suspend puts the policy on hold.
func (c *InsurerClient) Suspend(ctx context.Context, key, org, policyNumber, document string) error {
	return c.move(ctx, key, org, policyNumber, "suspend", lifecycleBody{Document: document})
}

// Reconnect puts the policy back in force.
func (c *InsurerClient) Reconnect(ctx context.Context, key, org, policyNumber, document string) error {
	return c.move(ctx, key, org, policyNumber, "reconnect", lifecycleBody{Document: document})
}

// Terminate ends a policy that has been in force.
func (c *InsurerClient) Terminate(ctx context.Context, key, org, policyNumber, document, reason string) error {
	return c.move(ctx, key, org, policyNumber, "terminate", lifecycleBody{Document: document, Reason: reason})
}

// Cancel ends a reserved or active policy.
func (c *InsurerClient) Cancel(ctx context.Context, key, org, policyNumber, document string) error {
	return c.move(ctx, key, org, policyNumber, "cancel", lifecycleBody{Document: document})
}

// lifecycleBody is the body of a lifecycle call: the insured's document, checked when given.
type lifecycleBody struct {
	Document string `json:"document,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

func (c *InsurerClient) move(ctx context.Context, key, org, policyNumber, action string, body lifecycleBody) error {
	return c.http.Call(ctx, http.MethodPost, policyPath(org, policyNumber, action), key, body, nil)
}
