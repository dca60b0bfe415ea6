package ports

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"provision.local/pkg/httpx"
	"provision.local/services/insurance/internal/app"
	"provision.local/services/insurance/internal/domain"
)

// Codes of the internal API's errors. The ingress passes them on.
const (
	CodePolicyNotFound      = app.CodePolicyNotFound
	CodeInvalidDocument     = "INVALID_DOCUMENT"
	CodeInvalidField        = "INVALID_FIELD"
	CodeMissingCriterion    = "MISSING_CRITERION"
	CodeKeyRequired         = "IDEMPOTENCY_KEY_REQUIRED"
	CodePartnerRejected     = "PARTNER_REJECTED"
	CodeUpstreamUnavailable = "UPSTREAM_UNAVAILABLE"
	CodeCanceled            = "CANCELED"
)

// PolicyState answers the ingress's existence check before it publishes a command.
type PolicyState struct {
	PolicyNumber string `json:"policyNumber"`
	State        string `json:"state"`
}

// RegisterInternalRoutes mounts the API the ingress calls, every route scoped by org; tenant
// checks are the ingress's. Query strings (phone, document) are never logged: the access log
// writes the route only.
func RegisterInternalRoutes(r *gin.Engine, a *app.App) {
	g := r.Group("/internal/v1/orgs/:org/policies")
	g.POST("/reserve", func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		if key == "" {
			httpx.Fail(c, http.StatusBadRequest, CodeKeyRequired, "the Idempotency-Key header is required")
			return
		}
		var body domain.Reservation
		if !httpx.BindJSON(c, &body) {
			return
		}
		m := app.Meta{CommandID: key, CorrelationID: httpx.CorrelationID(c)}
		res, err := a.ReservePolicy(c.Request.Context(), m, c.Param("org"), body)
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, res)
	})
	g.GET("", func(c *gin.Context) {
		list, err := a.Search(c.Request.Context(), c.Param("org"), app.Criteria{
			Phone: c.Query("phoneNumber"), Document: c.Query("document"), PolicyNumber: c.Query("policyNumber"),
		})
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, list)
	})
	g.GET("/:policyNumber", func(c *gin.Context) {
		p, err := a.Policy(c.Request.Context(), c.Param("org"), c.Param("policyNumber"))
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, PolicyState{PolicyNumber: p.PolicyNumber, State: string(p.State)})
	})
}

// writeError is the one place that maps this service's errors to HTTP answers. No answer and no
// log line repeats a personal value: the errors name fields and checks only.
func writeError(c *gin.Context, err error) {
	var refusal *app.PartnerRefusal
	switch {
	case errors.Is(err, app.ErrNoCriterion):
		httpx.Fail(c, http.StatusBadRequest, CodeMissingCriterion, err.Error())
	case app.IsNotFound(err):
		httpx.Fail(c, http.StatusNotFound, CodePolicyNotFound, "no such insurance policy for this org")
	case fieldErrors(err) != nil:
		httpx.Abort(c, http.StatusBadRequest, fieldErrors(err)...)
	case errors.As(err, &refusal):
		httpx.Fail(c, http.StatusUnprocessableEntity, CodePartnerRejected, "the insurer refused the reservation: "+refusal.Code)
	case errors.Is(err, app.ErrPolicyNumberInUse):
		_ = c.Error(err)
		httpx.Fail(c, http.StatusBadGateway, CodeUpstreamUnavailable, err.Error())
	case errors.Is(err, context.Canceled) || c.Request.Context().Err() != nil:
		httpx.Fail(c, http.StatusServiceUnavailable, CodeCanceled, "the request was canceled")
	default:
		_ = c.Error(err) // the access log writes it once
		httpx.Fail(c, http.StatusBadGateway, CodeUpstreamUnavailable, "the insurer or the store did not answer; retry later")
	}
}

// fieldErrors are the seed's error array of a refused reservation, one element per field; nil
// when err refuses no field.
func fieldErrors(err error) []httpx.Error {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	var out []httpx.Error
	for _, e := range errs {
		var fe *domain.FieldError
		if !errors.As(e, &fe) {
			return nil
		}
		code := CodeInvalidField
		if fe.Field == "documentId" {
			code = CodeInvalidDocument
		}
		out = append(out, httpx.Error{Code: code, Title: httpx.Title(http.StatusBadRequest), Details: fe.Error(), Ref: fe.Field})
	}
	return out
}
