package ports

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"provision.local/events"
	"provision.local/pkg/httpx"
	"provision.local/pkg/submit"
	"provision.local/services/netflix/internal/domain"
)

// ReportsPath receives the Netflix partner's reports (NETFLIX_CALLBACK_URL of the partner).
const ReportsPath = "/internal/v1/netflix/reports"

// Submitter writes a command to its commands topic and returns once it is durably there
// (a *submit.Submitter).
type Submitter interface {
	Submit(ctx context.Context, c submit.Command) (submit.Accepted, error)
}

// Report is a report of the Netflix partner: the seed's Netflix event plus the org.
type Report struct {
	NetflixEventID string          `json:"netflix_event_id"`
	EventType      string          `json:"event_type"`
	Org            string          `json:"org"`
	PAI            json.RawMessage `json:"partner_account_id"`
	OccurredAt     time.Time       `json:"occurred_at"`
}

// pai is the report's PAI as its digits: Netflix writes it as a JSON integer or a string.
func (r Report) pai() string { return strings.Trim(string(r.PAI), `"`) }

// RegisterReports mounts the receiver of the partner's reports. It does not write the
// subscription: the consumer of the PAI's partition is its one writer. A customer's activation
// becomes a NetflixActivationCallback command keyed by the PAI, and the report is answered 204
// once the command is durably on Kafka, so the partner sends it again until then. The command id
// derives from netflix_event_id: a report sent twice is one command, run once.
func RegisterReports(r *gin.Engine, s Submitter) {
	r.POST(ReportsPath, func(c *gin.Context) {
		var rep Report
		if !httpx.BindJSON(c, &rep) {
			return
		}
		if rep.EventType != events.NetflixEventBundleActivation {
			// Only activations are reported; the platform knows every other change from its own
			// commands, so another type is acknowledged and dropped rather than resent forever.
			httpx.Log(c).WithField("event_type", rep.EventType).Warn("netflix report of an unexpected type ignored")
			c.Status(http.StatusNoContent)
			return
		}
		pai := rep.pai()
		if rep.NetflixEventID == "" || rep.Org == "" || !domain.ValidPAI(pai) || rep.OccurredAt.IsZero() {
			httpx.Fail(c, http.StatusBadRequest, CodeInvalidReport, "a report needs netflix_event_id, org, a partner_account_id of 1-19 digits and occurred_at")
			return
		}
		_, err := s.Submit(c.Request.Context(), submit.Command{
			Provider: events.ProviderNetflix, Org: rep.Org, Operation: events.OpActivationCallback, Target: pai,
			CorrelationID: httpx.CorrelationID(c), IdempotencyKey: rep.NetflixEventID,
			Type: events.TypeNetflixActivationCallback, PartitionKey: pai,
			Payload: events.NetflixActivationCallback{Org: rep.Org, PartnerAccountID: pai, NetflixEventID: rep.NetflixEventID, ActivatedAt: rep.OccurredAt.UTC()},
		})
		if err != nil {
			writeError(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	})
}
