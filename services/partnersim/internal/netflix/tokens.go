package netflix

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"provision.local/services/partnersim/internal/sim"
)

// Token validity bounds, in seconds.
const (
	DefaultTokenValidity = 24 * 60 * 60
	MaxTokenValidity     = 24 * 60 * 60
)

// token is what a securitized URL token is issued for.
type token struct {
	org      string
	pai      PAI
	errorURL string
	// transactionID is the enrolment's: a token does not outlive a cancel and a new enrolment.
	transactionID string
}

type tokenRequest struct {
	Channel                   string `json:"channel"`
	PartnerChargeCountry      string `json:"partner_charge_country"`
	PromotionID               string `json:"promotion_id"`
	TokenErrorURL             string `json:"token_error_url"`
	Type                      string `json:"type"`
	ValidityDurationInSeconds *int64 `json:"validity_duration_in_seconds"`
}

// TokenAnswer is the answer of a token request, in the seed's shape.
type TokenAnswer struct {
	ExpiryDate              string `json:"expiry_date"`
	Token                   string `json:"token"`
	RequestedSecuritizedURL string `json:"requested_securitized_url"`
}

func (in tokenRequest) validate() (time.Duration, error) {
	switch {
	case in.Type == "" || len(in.Type) > 64:
		return 0, sim.Invalid("type is required, at most 64 characters")
	case in.TokenErrorURL == "" || len(in.TokenErrorURL) > 2048:
		return 0, sim.Invalid("token_error_url is required, at most 2048 characters")
	}
	if err := optional(validateCountry)(in.PartnerChargeCountry); err != nil {
		return 0, err
	}
	if u, err := url.Parse(in.TokenErrorURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return 0, sim.Invalid("token_error_url must be an absolute http or https URL")
	}
	secs := int64(DefaultTokenValidity)
	if in.ValidityDurationInSeconds != nil {
		secs = *in.ValidityDurationInSeconds
		if secs < 1 || secs > MaxTokenValidity {
			return 0, sim.Invalid(fmt.Sprintf("validity_duration_in_seconds must be within 1..%d", MaxTokenValidity))
		}
	}
	return time.Duration(secs) * time.Second, nil
}

func (a *API) issueToken(c *gin.Context, body []byte) sim.Response {
	var in tokenRequest
	if err := sim.Decode(body, &in, true); err != nil {
		return a.fail(err)
	}
	validity, err := in.validate()
	if err != nil {
		return a.fail(err)
	}
	acc, err := a.find(c.Param("org"), c.Param("pai"))
	if err != nil {
		return a.fail(err)
	}
	if err := acc.CanIssueToken(); err != nil {
		return a.fail(err)
	}
	expires := a.partner.Now().Add(validity)
	value := a.tokens.Issue(token{org: acc.Org, pai: acc.PAI, errorURL: in.TokenErrorURL,
		transactionID: acc.TransactionID}, expires)
	return sim.Effect(sim.JSON(http.StatusCreated, TokenAnswer{
		ExpiryDate:              expires.Format(time.RFC3339),
		Token:                   value,
		RequestedSecuritizedURL: a.base(c) + "/" + Name + "/activate?token=" + url.QueryEscape(value),
	}))
}

// base is the scheme and host the securitized URLs point at.
func (a *API) base(c *gin.Context) string {
	if a.publicURL != "" {
		return strings.TrimSuffix(a.publicURL, "/")
	}
	return "http://" + c.Request.Host
}

const activatedPage = `<!doctype html>
<html><head><title>Netflix</title></head>
<body><p>Your Netflix account is linked to your bundle. You can close this page.</p></body></html>
`

// activateLink is what the customer's browser opens. Linking the account for the first time is
// the effect, and is reported; opening a second URL changes nothing.
func (a *API) activateLink(c *gin.Context, _ []byte) sim.Response {
	value := c.Query("token")
	now := a.partner.Now()
	t, err := a.tokens.Open(value, now)
	if expired, ok := errors.AsType[*sim.LinkExpiredError](err); ok {
		return a.fail(fmt.Errorf("%w at %s; the customer is sent to %s", ErrTokenExpired, expired.ExpiresAt.Format(time.RFC3339), t.errorURL))
	}
	if err != nil { // never issued
		return a.fail(fmt.Errorf("%w: %q", ErrTokenInvalid, value))
	}
	acc, ok := a.accounts.Get(accountKey(t.org, t.pai))
	if !ok || acc.TransactionID != t.transactionID {
		return a.fail(fmt.Errorf("%w: the enrolment it was issued for has ended", ErrTokenInvalid))
	}
	activated, changed, err := acc.Activate(now)
	if err != nil {
		return a.fail(err)
	}
	if changed {
		a.accounts.Put(accountKey(acc.Org, acc.PAI), activated)
		a.feed.add(Report{
			NetflixEventID:               uuid.NewString(),
			EventType:                    EventBundleActivation,
			Org:                          acc.Org,
			PAI:                          acc.PAI,
			BundleID:                     acc.BundleID,
			OfferID:                      acc.OfferID,
			OriginalNetflixTransactionID: acc.TransactionID,
			PartnerReferenceID:           acc.BillingEventID,
			Timestamp:                    now.Unix(),
			OccurredAt:                   now,
		})
	}
	return sim.Response{
		Status:      http.StatusOK,
		ContentType: "text/html; charset=utf-8",
		Body:        []byte(activatedPage),
		Effect:      changed,
	}
}
