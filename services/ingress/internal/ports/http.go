// Package ports is the ingress's public HTTP API: every operation of the API document, validated
// against it and routed by the table in routes.go, and the document itself.
package ports

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"

	"github.com/gin-gonic/gin"

	"provision.local/pkg/httpx"
	"provision.local/pkg/submit"
	"provision.local/services/ingress/internal/adapters"
	"provision.local/services/ingress/internal/app"
)

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

// authorizeOrg runs after httpx.Authenticate has checked the token (401): a path naming an org
// the platform does not serve (no token is tied to it) is answered 400 INVALID_ORG_ID, as the
// seed's HBO examples say; a served org the token may not act for, 403.
func authorizeOrg(tokens map[string][]string) gin.HandlerFunc {
	served := map[string]bool{}
	for _, orgs := range tokens {
		for _, org := range orgs {
			served[org] = true
		}
	}
	return func(c *gin.Context) {
		org := c.Param("org")
		switch {
		case !served[org]:
			httpx.Abort(c, http.StatusBadRequest, invalidOrgID)
		case !slices.Contains(httpx.Orgs(c), org):
			httpx.Fail(c, http.StatusForbidden, httpx.CodeForbidden, "the token may not act for this org")
		default:
			c.Next()
		}
	}
}

// invalidOrgID is the seed's own error item for an org the platform does not serve.
var invalidOrgID = httpx.Error{Code: CodeInvalidOrgID, Title: "Invalid Organization ID", Details: "The provided org_id is not valid."}

// API holds what the handlers use.
type API struct {
	Spec      *Spec
	Submitter *submit.Submitter
	Workflows *app.Workflows
	Internal  *adapters.Client
}

// Register mounts every operation of the document, the document (/openapi.json) and its reference
// page (/docs). Each operation is authenticated (a token acts only on the orgs it is allowed,
// among the orgs the platform serves), validated against the document, and then routed by
// routes; an operation without a route, or whose provider has no internal API configured, is
// answered 501.
func Register(r *gin.Engine, api *API, tokens map[string][]string, routes map[string]Route) error {
	known := map[string]bool{}
	for _, op := range api.Spec.Operations {
		known[op.ID] = true
		h := notImplemented
		if rt, ok := routes[op.ID]; ok && (rt.provider() == "" || api.Internal.Has(rt.provider())) {
			h = rt.handler(api, op)
		}
		r.Handle(op.Method, ginPath(op.Path),
			httpx.ErrorBodyOf(op.Family.Body), httpx.Authenticate(tokens, ""), authorizeOrg(tokens), validate(op), h)
	}
	for id := range routes {
		if !known[id] {
			return fmt.Errorf("route %s: no such operation in the API document", id)
		}
	}
	return registerDocs(r, api.Spec)
}
