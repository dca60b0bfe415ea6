package ports

import (
	"maps"
	"net/http"

	"github.com/gin-gonic/gin"
)

// Routes is the routing table: what the ingress does with each operation of the document, by
// operationId. An operation without an entry is answered 501 NOT_IMPLEMENTED; adding a provider
// is adding a file of its entries, listing them here, and its internal API's URL in the
// configuration.
var Routes = merge(platformRoutes, disneyRoutes, netflixRoutes, insuranceRoutes)

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
