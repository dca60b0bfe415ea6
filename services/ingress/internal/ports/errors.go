package ports

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"provision.local/pkg/httpx"
	"provision.local/pkg/logging"
	"provision.local/pkg/submit"
	"provision.local/services/ingress/internal/adapters"
	"provision.local/services/ingress/internal/app"
)

// Family is an API family of the document; each answers errors in its own shape.
type Family int

// The families, told apart by the error body their operations document.
const (
	// FamilyProvision answers the seed's array [{code,title,details,ref}].
	FamilyProvision Family = iota + 1
	// FamilySubscriptionsV1 answers {"errors": [{code,title,details,ref}]}.
	FamilySubscriptionsV1
	// FamilySubscriptionsV2 answers {"error": {code,message,reference}}.
	FamilySubscriptionsV2
)

// errorCatalogue is the Subscriptions v2 error's reference, as the seed gives it.
const errorCatalogue = "https://developers.masstack.com/en/guides/subscriptions/errorcatalogue"

// Body renders errs in the family's error shape.
func (f Family) Body(_ int, errs []httpx.Error) any {
	switch f {
	case FamilySubscriptionsV1:
		return gin.H{"errors": errs}
	case FamilySubscriptionsV2:
		// The shape holds one error: the first says what to fix first.
		return gin.H{"error": gin.H{"code": errs[0].Code, "message": errs[0].Details, "reference": errorCatalogue}}
	default:
		return errs
	}
}

// Codes the ingress answers with.
const (
	CodeNotImplemented       = "NOT_IMPLEMENTED"
	CodeWorkflowNotFound     = "WORKFLOW_NOT_FOUND"
	CodeKeyReused            = "IDEMPOTENCY_KEY_REUSED"
	CodeInvalidKey           = "INVALID_IDEMPOTENCY_KEY"
	CodeServiceUnavailable   = "SERVICE_UNAVAILABLE"
	CodeUpstreamUnavailable  = "UPSTREAM_UNAVAILABLE"
	CodeInvalidField         = "INVALID_FIELD"
	CodeInvalidPathParameter = "INVALID_PATH_PARAMETER"
	CodeInvalidQuery         = "INVALID_QUERY_PARAMETER"
	CodeMissingHeader        = "MISSING_HEADER"
	CodeInvalidHeader        = "INVALID_HEADER"
	// CodeInvalidOrgID is the seed's answer to a path naming an org the platform does not serve.
	CodeInvalidOrgID = "INVALID_ORG_ID"
)

// internalCodes are the provider services' error codes the ingress passes on, with the status it
// answers them with. Any other failure of a provider service, a 404 without one of these codes
// (a missing route) included, is the service's fault, not the client's: 503.
var internalCodes = map[string]int{
	httpx.CodeSubscriptionNotFound: http.StatusNotFound,
	"PHONE_NOT_FOUND":              http.StatusNotFound,
	"INVALID_TRANSITION":           http.StatusConflict,
	"PARTNER_REJECTED":             http.StatusUnprocessableEntity,
	// The Netflix events endpoint's rules on its window, types and offset.
	"INVALID_START_TIMESTAMP": http.StatusBadRequest,
	"INVALID_END_TIMESTAMP":   http.StatusBadRequest,
	"INVALID_EVENT_TYPE":      http.StatusBadRequest,
	"INVALID_OFFSET":          http.StatusBadRequest,
	CodeInvalidQuery:          http.StatusBadRequest,
	// The insurance service's: an unknown policy; a reservation refused for a rule the document's
	// patterns cannot state (a document's control letter, a bank account given in part).
	CodePolicyNotFound: http.StatusNotFound,
	"INVALID_DOCUMENT": http.StatusBadRequest,
	CodeInvalidField:   http.StatusBadRequest,

	// The HBO activation URL's: a body naming another customer or country than the subscription's.
	"EXTERNAL_ID_MISMATCH": http.StatusConflict,
	"COUNTRY_MISMATCH":     http.StatusConflict,
}

// writeError is the one place that maps the ingress's errors, and the provider services' answers,
// to HTTP answers. The route's family shapes the body (httpx.ErrorBodyOf).
func writeError(c *gin.Context, err error) {
	var ie *adapters.InternalError
	var bad badRequest
	switch {
	case errors.As(err, &bad):
		httpx.Abort(c, bad.status, bad.errs...)
	case errors.Is(err, app.ErrWorkflowNotFound):
		httpx.Fail(c, http.StatusNotFound, CodeWorkflowNotFound, "no such workflow for this org")
	case errors.Is(err, submit.ErrKeyReused):
		httpx.Fail(c, http.StatusUnprocessableEntity, CodeKeyReused,
			"this "+HeaderIdempotencyKey+" was used for a different request (another body, target or operation) within the idempotency window; send a new key")
	case errors.As(err, &ie) && internalCodes[ie.Code] == ie.Status:
		httpx.Abort(c, ie.Status, ie.Errors[0])
	case errors.Is(err, submit.ErrUnavailable):
		logging.FromContext(c.Request.Context()).WithError(err).Error("command not accepted")
		httpx.Fail(c, http.StatusServiceUnavailable, CodeServiceUnavailable, "the request could not be stored; nothing was changed; retry later")
	default:
		logging.FromContext(c.Request.Context()).WithError(err).Error("request failed")
		httpx.Fail(c, http.StatusServiceUnavailable, CodeUpstreamUnavailable, "a backing service did not answer; retry later")
	}
}

// badRequest is a request the ingress refuses before doing anything: its status (400, or 413 for
// a body that is too large) and what is wrong with it, each error naming the field, parameter
// or header.
type badRequest struct {
	status int
	errs   []httpx.Error
}

func (b badRequest) Error() string { return b.errs[0].Details }

func invalid(code, details string) badRequest {
	return badRequest{status: http.StatusBadRequest, errs: []httpx.Error{httpx.NewError(http.StatusBadRequest, code, details)}}
}
