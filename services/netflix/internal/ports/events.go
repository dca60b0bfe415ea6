package ports

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/httpx"
	"provision.local/services/netflix/internal/app"
)

// CodeInvalidQuery answers a query parameter that is missing or no integer; the rules on the
// values are the app's (app.CodeInvalidStartTimestamp, ...).
const CodeInvalidQuery = "INVALID_QUERY_PARAMETER"

// RegisterEvents mounts GET /internal/v1/orgs/:org/events, the Netflix events of the org in a
// window: the public events pull endpoint, which the ingress forwards with its query.
func RegisterEvents(r *gin.Engine, q *app.EventsQuery) {
	r.GET("/internal/v1/orgs/:org/events", func(c *gin.Context) {
		req := app.EventsRequest{Events: c.Query("events"), Offset: c.Query("offset")}
		for _, p := range []struct {
			name string
			dst  *int64
		}{{"startTimestamp", &req.Start}, {"endTimestamp", &req.End}} {
			v, err := strconv.ParseInt(c.Query(p.name), 10, 64)
			if err != nil {
				httpx.Fail(c, http.StatusBadRequest, CodeInvalidQuery, p.name+" is required, in UNIX epoch seconds")
				return
			}
			*p.dst = v
		}
		page, err := q.List(c.Request.Context(), c.Param("org"), req)
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, page)
	})
}

// NewEventsProjection is the handler of the events projection, a consumer of the Netflix status
// events: each one that recorded a Netflix event is appended to its org's feed. A status event
// that cannot be read is poison; a store failure is retried, and the event is committed only
// once appended.
func NewEventsProjection(q *app.EventsQuery) consumer.Handler {
	statusType := events.SubscriptionStatusType(events.ProviderNetflix)
	return func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		if msg.Event.Type() != statusType {
			return nil, nil // a failure event records no Netflix event
		}
		var s events.StatusEvent[events.NetflixStatusDetails]
		if err := json.Unmarshal(msg.Event.Data(), &s); err != nil {
			return nil, consumer.Permanent(fmt.Errorf("decode %s: %w", statusType, err))
		}
		if ext := events.Extension(msg.Event, events.ExtOrg); s.Org == "" || (ext != "" && ext != s.Org) {
			return nil, consumer.Permanent(fmt.Errorf("%s %s: its org %q is empty or not its org extension's", statusType, msg.Event.ID(), s.Org))
		}
		return nil, q.ProjectEvent(ctx, s)
	}
}
