package ports

import (
	"context"
	"maps"
	"net/http"

	"github.com/gin-gonic/gin"

	"provision.local/services/ingress/internal/adapters"
)

// Routes is the routing table: what the ingress does with each operation of the document, by
// operationId. An operation without an entry is answered 501 NOT_IMPLEMENTED; adding a provider
// is adding a file of its entries, listing them here, and its internal API's URL in the
// configuration.
var Routes = merge(platformRoutes, disneyRoutes, netflixRoutes, hboRoutes, insuranceRoutes)

// platformRoutes are the operations of no single provider.
var platformRoutes = map[string]Route{
	"getWorkflow": Query{Handle: func(api *API, c *gin.Context) {
		wf, err := api.Workflows.Get(c.Request.Context(), c.Param("org"), c.Param("workflowId"))
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, wf)
	}},
}

// subscriptionExists is the Check of a change the document answers 404 for a subscription the
// owning service does not have: it asks the service's internal GET of the subscription at path.
func subscriptionExists(provider string, path func(r Request) string) func(context.Context, *adapters.Client, Request, string) error {
	return func(ctx context.Context, internal *adapters.Client, r Request, _ string) error {
		_, err := internal.Do(ctx, provider, http.MethodGet, path(r), "", nil)
		return err
	}
}

// merge joins the providers' tables; an operationId in two of them is a programming error.
func merge(tables ...map[string]Route) map[string]Route {
	all := map[string]Route{}
	for _, t := range tables {
		for id := range t {
			if _, dup := all[id]; dup {
				panic("ingress routes: operation " + id + " routed twice")
			}
		}
		maps.Copy(all, t)
	}
	return all
}
