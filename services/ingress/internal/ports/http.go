// Package ports is the ingress's public HTTP API: every operation of the API document, validated
// against it and routed by the table in routes.go, and the document itself.
package ports

import (
	"fmt"
	"regexp"

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

// API holds what the handlers use.
type API struct {
	Spec      *Spec
	Submitter *submit.Submitter
	Workflows *app.Workflows
	Internal  *adapters.Client
}

// Register mounts every operation of the document, the document (/openapi.json) and its reference
// page (/docs). Each operation is authenticated (a token acts only on the orgs it is allowed),
// validated against the document, and then routed by routes; an operation without a route, or
// whose provider has no internal API configured, is answered 501.
func Register(r *gin.Engine, api *API, tokens map[string][]string, routes map[string]Route) error {
	known := map[string]bool{}
	for _, op := range api.Spec.Operations {
		known[op.ID] = true
		h := notImplemented
		if rt, ok := routes[op.ID]; ok && (rt.provider() == "" || api.Internal.Has(rt.provider())) {
			h = rt.handler(api, op)
		}
		r.Handle(op.Method, ginPath(op.Path),
			httpx.ErrorBodyOf(op.Family.Body), httpx.Authenticate(tokens, "org"), validate(op), h)
	}
	for id := range routes {
		if !known[id] {
			return fmt.Errorf("route %s: no such operation in the API document", id)
		}
	}
	return registerDocs(r, api.Spec)
}
