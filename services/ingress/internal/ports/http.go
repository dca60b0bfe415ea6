// Package ports is the ingress's public HTTP API: the routes of the seed documents.
package ports

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/gin-gonic/gin"

	"provision.local/pkg/command"
	"provision.local/pkg/httpx"
	"provision.local/pkg/logging"
	"provision.local/services/ingress/internal/adapters"
	"provision.local/services/ingress/internal/app"
)

// Headers that tell a client which workflow an accepted command started; 204 answers have no
// body, so these are how a client of those endpoints follows its command.
const (
	HeaderWorkflowID = "Workflow-Id"
	HeaderRunID      = "Run-Id"
)

// HeaderIdempotencyKey is the client's idempotency key of a command (IETF httpapi draft).
const HeaderIdempotencyKey = "Idempotency-Key"

// orgPattern is the event catalog's pattern of an org. Every route is under an org the token
// allows, so checking the configured orgs once at start covers every request.
var orgPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// CheckOrgs refuses org names that no event could carry.
func CheckOrgs(tokens map[string][]string) error {
	for _, orgs := range tokens {
		for _, org := range orgs {
			if !orgPattern.MatchString(org) {
				return fmt.Errorf("org %q: want 1-63 lower-case letters, digits or '-', starting with a letter or digit", org)
			}
		}
	}
	return nil
}

// API holds what the handlers use.
type API struct {
	Submitter *app.Submitter
	Workflows *app.Workflows
	Disney    *adapters.DisneyClient
}

// Register mounts the public routes. Every route under /v2/orgs/:org is authenticated, and a
// token only acts on the orgs it is allowed.
func Register(r *gin.Engine, api API, tokens map[string][]string) {
	org := r.Group("/v2/orgs/:org", httpx.Authenticate(tokens, "org"))
	registerDisney(org, api)
	org.GET("/workflows/:workflowId", api.getWorkflow)
}

func (api API) getWorkflow(c *gin.Context) {
	wf, err := api.Workflows.Get(c.Request.Context(), c.Param("org"), c.Param("workflowId"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, wf)
}

// submit accepts a command of the request's org, with its correlation id and idempotency key. It
// answers the request itself and returns false when the command was not accepted.
func (api API) submit(c *gin.Context, cmd app.Command) (app.Accepted, bool) {
	key, ok := idempotencyKey(c)
	if !ok {
		return app.Accepted{}, false
	}
	cmd.Org, cmd.CorrelationID, cmd.IdempotencyKey = c.Param("org"), httpx.CorrelationID(c), key
	a, err := api.Submitter.Submit(c.Request.Context(), cmd)
	if err != nil {
		writeError(c, err)
		return a, false
	}
	return a, true
}

// idempotencyKey returns the request's Idempotency-Key, "" when it has none. It answers 400 and
// returns false for a value that is not a key, or for more than one (the draft forbids it).
func idempotencyKey(c *gin.Context) (string, bool) {
	values := c.Request.Header.Values(HeaderIdempotencyKey)
	if len(values) == 0 {
		return "", true
	}
	if len(values) > 1 {
		badRequest(c, "INVALID_IDEMPOTENCY_KEY", "send one "+HeaderIdempotencyKey+" header")
		return "", false
	}
	key, err := command.ParseKey(values[0])
	if err != nil {
		badRequest(c, "INVALID_IDEMPOTENCY_KEY", fmt.Sprintf("%s must be 1-%d printable ASCII characters, bare or as a quoted string: %v",
			HeaderIdempotencyKey, command.MaxKeyLen, err))
		return "", false
	}
	return key, true
}

// workflowResponse is the seed's WorkflowResponse.
type workflowResponse struct {
	Message    string `json:"message"`
	WorkflowID string `json:"workflowId"`
	RunID      string `json:"runId"`
}

// accepted answers a command the seed answers with 202 and a WorkflowResponse.
func accepted(c *gin.Context, a app.Accepted, message string) {
	c.Header(HeaderWorkflowID, a.WorkflowID)
	c.Header(HeaderRunID, a.RunID)
	c.JSON(http.StatusAccepted, workflowResponse{Message: message, WorkflowID: a.WorkflowID, RunID: a.RunID})
}

// noContent answers a command the seed answers with 204.
func noContent(c *gin.Context, a app.Accepted) {
	c.Header(HeaderWorkflowID, a.WorkflowID)
	c.Header(HeaderRunID, a.RunID)
	c.Status(http.StatusNoContent)
}

// badRequest answers a validation failure.
func badRequest(c *gin.Context, code, details string) {
	httpx.Abort(c, http.StatusBadRequest, httpx.Error{Code: code, Title: "BAD_REQUEST", Details: details})
}

// writeError is the one place that maps the ingress's errors to HTTP answers.
func writeError(c *gin.Context, err error) {
	var remote *adapters.RemoteError
	switch {
	case errors.Is(err, app.ErrWorkflowNotFound):
		httpx.Abort(c, http.StatusNotFound, httpx.Error{Code: "WORKFLOW_NOT_FOUND", Title: "NOT_FOUND", Details: "no such workflow for this org"})
	case errors.Is(err, adapters.ErrNotFound):
		httpx.Abort(c, http.StatusNotFound, httpx.Error{Code: "SUBSCRIPTION_NOT_FOUND", Title: "NOT_FOUND", Details: "no such subscription for this user"})
	case errors.Is(err, app.ErrKeyReused):
		httpx.Fail(c, http.StatusUnprocessableEntity, "IDEMPOTENCY_KEY_REUSED",
			"this "+HeaderIdempotencyKey+" was used for a different request (another body, target or operation) within the idempotency window; send a new key")
	case errors.As(err, &remote):
		c.Data(remote.Status, "application/json; charset=utf-8", remote.Body)
		c.Abort()
	case errors.Is(err, app.ErrSourceUnavailable):
		logging.FromContext(c.Request.Context()).WithError(err).Error("workflow query failed")
		httpx.Abort(c, http.StatusServiceUnavailable, httpx.Error{Code: "UPSTREAM_UNAVAILABLE", Title: "SERVICE_UNAVAILABLE", Details: "a backing service did not answer; retry later"})
	case errors.Is(err, app.ErrUnavailable):
		logging.FromContext(c.Request.Context()).WithError(err).Error("command not accepted")
		httpx.Abort(c, http.StatusServiceUnavailable, httpx.Error{Code: "SERVICE_UNAVAILABLE", Title: "SERVICE_UNAVAILABLE", Details: "the request could not be stored; nothing was changed; retry later"})
	default:
		logging.FromContext(c.Request.Context()).WithError(err).Error("request failed")
		httpx.Abort(c, http.StatusServiceUnavailable, httpx.Error{Code: "UPSTREAM_UNAVAILABLE", Title: "SERVICE_UNAVAILABLE", Details: "a backing service did not answer; retry later"})
	}
}
