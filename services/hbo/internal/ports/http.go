package ports

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"provision.local/pkg/httpx"
	"provision.local/pkg/partnerhttp"
	"provision.local/services/hbo/internal/app"
	"provision.local/services/hbo/internal/domain"
)

// Codes of the internal API's errors besides httpx.CodeSubscriptionNotFound; the ingress passes
// them on.
const (
	CodeKeyRequired     = "IDEMPOTENCY_KEY_REQUIRED"
	CodePartnerRejected = "PARTNER_REJECTED"
	CodeUpstreamDown    = "UPSTREAM_UNAVAILABLE"
	CodeCanceled        = "CANCELED"
)

// notFound is the seed's 404 body for an HBO subscription.
var notFound = httpx.Error{Code: httpx.CodeSubscriptionNotFound, Title: "Subscription not found", Details: "Subscription not found."}

// Subscription is the answer of the internal GET: the shape of the HTTP API's HBO subscription
// (its products), with the ids, the country and HBO's status beside them. The ids and trx_id are
// JSON integers, as the seed writes them, written from their digits so that none is rounded.
type Subscription struct {
	ServiceID  any       `json:"service_id"`
	ExternalID any       `json:"external_id"`
	Country    string    `json:"country"`
	Status     string    `json:"status"`
	Products   []Product `json:"products"`
}

// Product is one product as the HTTP API writes it; its status is its subscription's.
type Product struct {
	Code    string `json:"code"`
	Name    string `json:"name,omitempty"`
	Starts  int64  `json:"starts,omitempty"`
	Renews  int64  `json:"renews,omitempty"`
	Expires int64  `json:"expires,omitempty"`
	SubID   string `json:"sub_id,omitempty"`
	Status  string `json:"status"`
	TrxID   any    `json:"trx_id,omitempty"`
}

// History is the answer of the history query: every change of status, oldest first.
type History struct {
	ServiceID any            `json:"service_id"`
	Changes   []StatusChange `json:"changes"`
}

// StatusChange is one change of status; From is absent for the creation.
type StatusChange struct {
	From      string    `json:"from,omitempty"`
	To        string    `json:"to"`
	Operation string    `json:"operation"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
}

// RegisterInternalRoutes mounts the API the ingress calls for queries and the activation URL,
// every route scoped by org; tenant checks are the ingress's.
func RegisterInternalRoutes(r *gin.Engine, a *app.App) {
	sub := r.Group("/internal/v1/orgs/:org/subscriptions/:service_id")
	sub.GET("", func(c *gin.Context) {
		s, err := a.Subscription(c.Request.Context(), c.Param("org"), c.Param("service_id"))
		if err != nil {
			answerError(c, err)
			return
		}
		c.JSON(http.StatusOK, view(s))
	})
	sub.GET("/history", func(c *gin.Context) {
		s, err := a.Subscription(c.Request.Context(), c.Param("org"), c.Param("service_id"))
		if err != nil {
			answerError(c, err)
			return
		}
		h := History{ServiceID: integer(s.ServiceID), Changes: make([]StatusChange, len(s.History))}
		for i, ch := range s.History {
			h.Changes[i] = StatusChange{From: string(ch.From), To: string(ch.To), Operation: ch.Operation, Reason: ch.Reason, At: ch.At}
		}
		c.JSON(http.StatusOK, h)
	})
	// The body is the public request's, which the ingress validated; the link is its customer's.
	sub.POST("/activation_url", func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		if key == "" {
			httpx.Fail(c, http.StatusBadRequest, CodeKeyRequired, "the Idempotency-Key header is required")
			return
		}
		var body activationRequest
		if !httpx.BindJSON(c, &body) {
			return
		}
		externalID, err := body.externalID()
		if err == nil {
			err = body.checkIntegers()
		}
		var url string
		if err == nil {
			url, err = a.ActivationURL(c.Request.Context(), key, c.Param("org"), c.Param("service_id"), externalID, body.Country)
		}
		if err != nil {
			answerError(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"url": url})
	})
}

func view(s domain.Subscription) Subscription {
	out := Subscription{
		ServiceID: integer(s.ServiceID), ExternalID: integer(s.ExternalID), Country: s.Country, Status: string(s.Status),
		Products: make([]Product, len(s.Products)),
	}
	for i, p := range app.EventProducts(s) {
		out.Products[i] = Product{
			Code: p.Code, Name: p.Name, Starts: p.Starts, Renews: p.Renews, Expires: p.Expires, SubID: p.SubID,
			Status: p.Status, TrxID: integer(p.TrxID),
		}
	}
	return out
}

// integer writes a string of digits as a JSON integer from its text, so that no float rounds it;
// digits with a leading zero are no JSON number and stay a string, and so do digits beyond int64,
// as the HTTP API's ExactNumericId allows them only as a string; "" is absent.
func integer(digits string) any {
	switch {
	case digits == "":
		return nil
	case len(digits) > 1 && digits[0] == '0':
		return digits
	}
	if _, err := strconv.ParseInt(digits, 10, 64); err != nil {
		return digits
	}
	return json.Number(digits)
}

// answerError is the one place that maps this service's errors to HTTP answers, in the seed's
// error body.
func answerError(c *gin.Context, err error) {
	var refusal *domain.Refusal
	var rejection *partnerhttp.Rejection
	switch {
	case errors.Is(err, domain.ErrNotFound):
		httpx.Abort(c, http.StatusNotFound, notFound)
	case errors.As(err, &refusal) && refusal.Rule == domain.RuleField:
		httpx.Fail(c, http.StatusBadRequest, string(refusal.Rule), refusal.Why)
	case errors.As(err, &refusal):
		httpx.Fail(c, http.StatusConflict, string(refusal.Rule), refusal.Why)
	case errors.Is(err, domain.ErrOtherCustomer):
		httpx.Fail(c, http.StatusConflict, app.CodeOtherCustomer, err.Error())
	case errors.Is(err, domain.ErrOtherCountry):
		httpx.Fail(c, http.StatusConflict, app.CodeOtherCountry, err.Error())
	case errors.As(err, &rejection):
		httpx.Fail(c, http.StatusUnprocessableEntity, CodePartnerRejected, rejection.Error())
	case errors.Is(err, context.Canceled), c.Request.Context().Err() != nil:
		httpx.Fail(c, http.StatusServiceUnavailable, CodeCanceled, "the request was canceled")
	default:
		httpx.Log(c).WithError(err).Error("internal request failed")
		httpx.Fail(c, http.StatusBadGateway, CodeUpstreamDown, "HBO or the store did not answer; retry later")
	}
}
