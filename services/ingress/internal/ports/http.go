// Package ports is the ingress's public HTTP API: the routes of the seed documents.
package ports

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

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

// accepted answers a command the seed answers with 202 and a WorkflowResponse.
func accepted(c *gin.Context, a app.Accepted, message string) {
	c.Header(HeaderWorkflowID, a.WorkflowID)
	c.Header(HeaderRunID, a.RunID)
	c.JSON(http.StatusAccepted, gin.H{"message": message, "workflowId": a.WorkflowID, "runId": a.RunID})
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
	case errors.Is(err, app.ErrInvalidPayload):
		badRequest(c, "INVALID_BODY", err.Error())
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
