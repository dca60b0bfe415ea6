package ports

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"provision.local/pkg/httpx"
	"provision.local/pkg/ledger"
	"provision.local/pkg/submit"
	"provision.local/services/netflix/internal/app"
	"provision.local/services/netflix/internal/domain"
)

// Codes of the internal API's errors, besides httpx.CodeSubscriptionNotFound. The ingress passes
// on the ones a client can act on.
const (
	CodeInvalidTransition   = "INVALID_TRANSITION"
	CodePartnerRejected     = "PARTNER_REJECTED"
	CodePhoneNotFound       = "PHONE_NOT_FOUND"
	CodeKeyRequired         = "IDEMPOTENCY_KEY_REQUIRED"
	CodeInvalidReport       = "INVALID_REPORT"
	CodeUpstreamUnavailable = "UPSTREAM_UNAVAILABLE"
	CodeCanceled            = "CANCELED"
	CodeServiceUnavailable  = "SERVICE_UNAVAILABLE"
)

// Enrolment is the answer of the enrolment check: whether the PAI has a bundle in the org that
// is not cancelled, and which command enrolled it (the ingress answers a create 409 unless it
// is a retry of that command).
type Enrolment struct {
	PartnerAccountID string `json:"partnerAccountId"`
	BundleStatus     string `json:"bundleStatus"`
	Enrolled         bool   `json:"enrolled"`
	EnrolledBy       string `json:"enrolledBy,omitempty"`
}

// RegisterInternalRoutes mounts the API the ingress calls for queries and synchronous operations,
// every route scoped by org; tenant checks are the ingress's. The partner's reports come in
// through RegisterReports.
func RegisterInternalRoutes(r *gin.Engine, a *app.App) {
	sub := r.Group("/internal/v1/orgs/:org/subscriptions/:pai")
	sub.GET("", func(c *gin.Context) {
		s, err := a.Subscription(c.Request.Context(), c.Param("org"), c.Param("pai"))
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, Enrolment{
			PartnerAccountID: s.PAI, BundleStatus: string(s.Status), Enrolled: s.IsEnrolled(), EnrolledBy: s.EnrolledBy,
		})
	})
	sub.GET("/status", func(c *gin.Context) {
		st, err := a.Status(c.Request.Context(), c.Param("org"), c.Param("pai"))
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, st)
	})
	sub.POST("/geturl", func(c *gin.Context) {
		var req app.TokenRequest
		key, ok := requireKey(c)
		if !ok || !httpx.BindJSON(c, &req) {
			return
		}
		t, err := a.GenerateURL(c.Request.Context(), key, c.Param("org"), c.Param("pai"), req)
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusCreated, t)
	})
	sub.POST("/digitalvirgo", func(c *gin.Context) {
		var req app.PhoneEnrolment
		m, ok := syncMeta(c)
		if !ok || !httpx.BindJSON(c, &req) {
			return
		}
		if err := a.EnrolPhone(c.Request.Context(), m, c.Param("org"), c.Param("pai"), req); err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusCreated, gin.H{"id": app.ExactPAI(c.Param("pai"))})
	})
	sub.DELETE("/digitalvirgo/:phone", func(c *gin.Context) {
		m, ok := syncMeta(c)
		if !ok {
			return
		}
		if err := a.RemovePhone(c.Request.Context(), m, c.Param("org"), c.Param("pai"), c.Param("phone")); err != nil {
			writeError(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	})
}

// requireKey returns the request's Idempotency-Key, which a call with an effect at Netflix must
// carry (the ingress derives it from the request), or answers 400.
func requireKey(c *gin.Context) (string, bool) {
	key := c.GetHeader("Idempotency-Key")
	if key == "" {
		httpx.Fail(c, http.StatusBadRequest, CodeKeyRequired, "the Idempotency-Key header is required")
	}
	return key, key != ""
}

// syncMeta is the command a synchronous change is: its id is the request's idempotency key, so
// a repeated request is the same command and changes nothing twice.
func syncMeta(c *gin.Context) (app.Meta, bool) {
	key, ok := requireKey(c)
	return app.Meta{CommandID: key, CorrelationID: httpx.CorrelationID(c), IssuedAt: time.Now().UTC()}, ok
}

// failureStatus is the answer to a synchronous command's failure, by its code.
var failureStatus = map[string]int{
	httpx.CodeSubscriptionNotFound: http.StatusNotFound,
	CodePhoneNotFound:              http.StatusNotFound,
	CodeInvalidTransition:          http.StatusConflict,
	CodePartnerRejected:            http.StatusUnprocessableEntity,
	"INVALID_FIELD":                http.StatusBadRequest,
}

// writeError is the one place that maps this service's errors to HTTP answers.
func writeError(c *gin.Context, err error) {
	var failure *ledger.Failure
	var illegal *domain.IllegalTransition
	var refusal *app.PartnerRefusal
	var badQuery *app.InvalidEventsQuery
	switch {
	case errors.As(err, &badQuery):
		httpx.Fail(c, http.StatusBadRequest, badQuery.Code, badQuery.Details)
	case app.IsNotFound(err):
		httpx.Fail(c, http.StatusNotFound, httpx.CodeSubscriptionNotFound, "no such Netflix subscription for this org")
	case errors.As(err, &failure):
		status, ok := failureStatus[failure.Code]
		if !ok {
			status = http.StatusUnprocessableEntity
		}
		httpx.Abort(c, status, httpx.Error{Code: failure.Code, Title: failure.Title, Details: failure.Details})
	case errors.As(err, &illegal):
		httpx.Fail(c, http.StatusConflict, CodeInvalidTransition, illegal.Error())
	case errors.As(err, &refusal):
		httpx.Fail(c, http.StatusUnprocessableEntity, CodePartnerRejected, refusal.Error())
	case errors.Is(err, submit.ErrKeyReused):
		httpx.Fail(c, http.StatusUnprocessableEntity, CodeInvalidReport, "this netflix_event_id came with another report")
	case errors.Is(err, submit.ErrUnavailable):
		httpx.Log(c).WithError(err).Error("command not written")
		httpx.Fail(c, http.StatusServiceUnavailable, CodeServiceUnavailable, "the broker did not take the report; nothing was recorded; retry later")
	case errors.Is(err, context.Canceled) || c.Request.Context().Err() != nil:
		httpx.Fail(c, http.StatusServiceUnavailable, CodeCanceled, "the request was canceled")
	default:
		httpx.Log(c).WithError(err).Error("internal request failed")
		httpx.Fail(c, http.StatusBadGateway, CodeUpstreamUnavailable, "the partner, the store or the broker did not answer; retry later")
	}
}
