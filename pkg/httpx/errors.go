// Package httpx is the gin plumbing every service shares: the seed's error body, correlation ids,
// authentication, body limits, access logs, probes, metrics and a graceful server.
package httpx

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// Error is one element of the seed's error body, a JSON array: [{"code","title","details","ref"}].
type Error struct {
	Code    string `json:"code"`
	Title   string `json:"title"`
	Details string `json:"details"`
	Ref     string `json:"ref,omitempty"`
}

// Codes of the errors the HTTP layer itself produces.
const (
	CodeInvalidBody          = "INVALID_BODY"
	CodeBodyTooLarge         = "BODY_TOO_LARGE"
	CodeMissingCorrelationID = "MISSING_CORRELATION_ID"
	CodeInvalidCorrelationID = "INVALID_CORRELATION_ID"
	CodeUnauthorized         = "UNAUTHORIZED"
	CodeForbidden            = "FORBIDDEN"
	CodeNotFound             = "NOT_FOUND"
	CodeMethodNotAllowed     = "METHOD_NOT_ALLOWED"
	CodeInternal             = "INTERNAL_ERROR"
)

// Codes the services' internal APIs answer with, which the ingress maps to its public answers.
// A caller tells "no such thing" from a missing route (NOT_FOUND, a fault) by them.
const (
	CodeSubscriptionNotFound = "SUBSCRIPTION_NOT_FOUND"
	CodeOperationNotFound    = "OPERATION_NOT_FOUND"
)

// NewError builds an Error whose title is the status name in the seed's style (BAD_REQUEST).
func NewError(status int, code, details string) Error {
	return Error{Code: code, Title: Title(status), Details: details}
}

// Title turns a status into the upper-case title the seed's examples use, e.g. 404 → NOT_FOUND.
func Title(status int) string {
	t := http.StatusText(status)
	if t == "" {
		t = "Error"
	}
	return strings.ToUpper(strings.NewReplacer(" ", "_", "-", "_", "'", "").Replace(t))
}

// ErrorBody turns a failed request's errors into the body its API family answers with.
type ErrorBody func(status int, errs []Error) any

const ctxErrorBody = "httpx.error_body"

// ErrorBodyOf makes every error answered on the route it is installed on, including those of the
// middleware after it (authentication), use body instead of the seed's array. APIs whose error
// shape differs (the subscriptions APIs) install it first.
func ErrorBodyOf(body ErrorBody) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(ctxErrorBody, body)
		c.Next()
	}
}

// Abort writes errs as the seed's error body (or the route's, see ErrorBodyOf) with status and
// stops the handler chain. With no errs it writes one generic error for the status, so the body
// is never null.
func Abort(c *gin.Context, status int, errs ...Error) {
	if len(errs) == 0 {
		errs = []Error{NewError(status, Title(status), http.StatusText(status))}
	}
	if c.Writer.Written() {
		// Headers are gone already; all that is left is to stop the chain.
		c.Abort()
		return
	}
	var body any = errs
	if f, ok := c.Get(ctxErrorBody); ok {
		body = f.(ErrorBody)(status, errs)
	}
	c.AbortWithStatusJSON(status, body)
}

// Fail is Abort with a single error built by NewError.
func Fail(c *gin.Context, status int, code, details string) {
	Abort(c, status, NewError(status, code, details))
}
