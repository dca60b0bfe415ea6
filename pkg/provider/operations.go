package provider

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"provision.local/pkg/httpx"
	"provision.local/pkg/ledger"
	"provision.local/pkg/logging"
	"provision.local/pkg/mongox"
	"provision.local/pkg/submit"
)

// Operations is where the runtime reads what became of a command; *ledger.Store implements it.
// Every ledger store of a service database shares one operations collection, so any of the
// provider's stores answers for all of its commands.
type Operations interface {
	Operation(ctx context.Context, commandID string) (ledger.Operation, error)
}

// StatusRunning is the status of a command this process is handling and has no record of yet.
const StatusRunning = "RUNNING"

// CodeStoreUnavailable answers an operation query the store could not serve; a missing record
// is httpx.CodeOperationNotFound, which the ingress reads as "no record yet".
const CodeStoreUnavailable = "STORE_UNAVAILABLE"

// registerOperations mounts GET /internal/v1/orgs/:org/operations/:id: the ingress's workflow
// lookup and its check of a reused Idempotency-Key. Another org's command does not exist for org.
func registerOperations(r *gin.Engine, ops Operations, inflight *ledger.InFlight) {
	r.GET("/internal/v1/orgs/:org/operations/:id", func(c *gin.Context) {
		org, id := c.Param("org"), c.Param("id")
		op, err := ops.Operation(c.Request.Context(), id)
		switch {
		case err == nil && op.Org == org:
			c.JSON(http.StatusOK, viewOf(op))
		case errors.Is(err, mongox.ErrNotFound) && inflight.Running(id):
			c.JSON(http.StatusOK, submit.OperationView{CommandID: id, Status: StatusRunning})
		case err == nil || errors.Is(err, mongox.ErrNotFound):
			httpx.Fail(c, http.StatusNotFound, httpx.CodeOperationNotFound, "no such operation for this org")
		default:
			logging.FromContext(c.Request.Context()).WithError(err).Error("cannot read the operation record")
			httpx.Fail(c, http.StatusServiceUnavailable, CodeStoreUnavailable, "the store did not answer; retry later")
		}
	})
}

func viewOf(op ledger.Operation) submit.OperationView {
	status := op.Outcome
	if status == ledger.DeadLettered {
		status = ledger.Failed // with the reason: the command went to the dead-letter topic
	}
	at := op.At
	v := submit.OperationView{
		CommandID: op.ID, Status: status, Operation: op.Operation,
		UpdatedAt: &at, Fingerprint: op.Fingerprint, At: &at,
	}
	if f := op.Failure; f != nil {
		v.Error = &submit.OperationError{Code: f.Code, Title: f.Title, Details: f.Details}
	}
	v.SubscriptionID, _ = strings.CutPrefix(op.AggregateID, op.Org+"/")
	return v
}
