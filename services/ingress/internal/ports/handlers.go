package ports

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"provision.local/pkg/command"
	"provision.local/pkg/httpx"
	"provision.local/pkg/submit"
	"provision.local/services/ingress/internal/adapters"
)

// Headers that tell a client which workflow an accepted command started; 204 answers have no
// body, so these are how a client of those endpoints follows its command.
const (
	HeaderWorkflowID = "Workflow-Id"
	HeaderRunID      = "Run-Id"
)

// HeaderIdempotencyKey is the client's idempotency key of a command (IETF httpapi draft).
const HeaderIdempotencyKey = "Idempotency-Key"

// Route is what the ingress does with an operation: a Command, a Forward or a Query.
type Route interface {
	handler(api *API, op Operation) gin.HandlerFunc
	provider() string
}

// Command is an operation that becomes a command on its provider's commands topic. It is
// answered, once the command is durably written, as the document says: 202 or 201 with
// {message, workflowId, runId}, 204, or insurance's 200 {message, processId}.
type Command struct {
	Provider  string // as in its topic, provision.<Provider>.commands
	Operation string // e.g. create; with the provider, part of the command's identity
	Type      string // the CloudEvent type, from the events catalog
	Message   string // the answer's message, for answers with a body
	// Build reads the command from the request: its record key (the subscription: one
	// subscription's commands stay in order), its target (what it acts on, part of its identity)
	// and its payload, the catalog's struct of Type.
	Build func(r Request) (key, target string, payload any, err error)
	// Check, when set, asks the owning service about the command's target before the command
	// is accepted (a read, never a write) and returns the refusal to answer instead: a create
	// for a partner account enrolled already (409), a change of an unknown subscription (404).
	// commandID is the id the command gets, so that a retry of a command that took effect is
	// accepted again (and deduplicated) rather than refused.
	Check func(ctx context.Context, internal *adapters.Client, r Request, commandID string) error
}

// Forward is an operation the owning service answers (queries, synchronous operations): the
// request goes to its internal API and the answer comes back as it is.
type Forward struct {
	Provider string
	// Path is the internal API's path for the request (escaped).
	Path func(r Request) string
	// Body passes the request's body on.
	Body bool
	// Keyed sends an Idempotency-Key derived from the request (org, operation, path,
	// Request-Correlation-Id, body) as a command id is, keyed with the platform's secret: a
	// retried request gets the same answer, and the key, which the service stores and publishes,
	// reveals nothing of the body.
	Keyed bool
}

// Query is an operation the ingress answers itself.
type Query struct {
	Handle func(api *API, c *gin.Context)
}

func (c Command) provider() string { return c.Provider }
func (f Forward) provider() string { return f.Provider }
func (Query) provider() string     { return "" }

func (cmd Command) handler(api *API, op Operation) gin.HandlerFunc {
	return func(c *gin.Context) {
		key, ok := idempotencyKey(c)
		if !ok {
			return
		}
		r := newRequest(c)
		partition, target, payload, err := cmd.Build(r)
		if err != nil {
			writeError(c, err)
			return
		}
		sc := submit.Command{
			Provider: cmd.Provider, Org: r.Org, Operation: cmd.Operation, Target: target,
			CorrelationID: r.CorrelationID, IdempotencyKey: key,
			Type: cmd.Type, PartitionKey: partition, Payload: payload,
		}
		if cmd.Check != nil {
			err = cmd.check(c.Request.Context(), api, r, sc)
		}
		var a submit.Accepted
		if err == nil {
			a, err = api.Submitter.Submit(c.Request.Context(), sc)
		}
		if err != nil {
			writeError(c, err)
			return
		}
		c.Header(HeaderWorkflowID, a.WorkflowID)
		c.Header(HeaderRunID, a.RunID)
		switch op.Success.Body {
		case "":
			c.Status(op.Success.Status)
		case "InsuranceProcessResponse":
			c.JSON(op.Success.Status, gin.H{"message": cmd.Message, "processId": a.WorkflowID})
		default:
			c.JSON(op.Success.Status, gin.H{"message": cmd.Message, "workflowId": a.WorkflowID, "runId": a.RunID})
		}
	}
}

// check runs the command's Check with the id the command will get.
func (cmd Command) check(ctx context.Context, api *API, r Request, sc submit.Command) error {
	id, err := api.Submitter.CommandID(sc)
	if err != nil {
		return err
	}
	return cmd.Check(ctx, api.Internal, r, id)
}

// idempotencyKey returns the request's Idempotency-Key, "" when it has none. It answers 400 and
// returns false for a value that is not a key, or for more than one (the draft forbids it).
func idempotencyKey(c *gin.Context) (string, bool) {
	values := c.Request.Header.Values(HeaderIdempotencyKey)
	if len(values) == 0 {
		return "", true
	}
	if len(values) > 1 {
		writeError(c, invalid(CodeInvalidKey, "send one "+HeaderIdempotencyKey+" header"))
		return "", false
	}
	key, err := command.ParseKey(values[0])
	if err != nil {
		writeError(c, invalid(CodeInvalidKey, fmt.Sprintf("%s must be 1-%d printable ASCII characters, bare or as a quoted string: %v",
			HeaderIdempotencyKey, command.MaxKeyLen, err)))
		return "", false
	}
	return key, true
}

func (f Forward) handler(api *API, op Operation) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := newRequest(c)
		path := f.Path(r)
		body, err := r.canonicalBody()
		if err != nil {
			writeError(c, err)
			return
		}
		var key string
		if f.Keyed {
			key = api.Submitter.RequestID(r.Org, f.Provider+"."+op.ID, path, r.CorrelationID, body)
		}
		if !f.Body {
			body = nil
		}
		a, err := api.Internal.Do(c.Request.Context(), f.Provider, op.Method, path, key, body)
		if err != nil {
			writeError(c, err)
			return
		}
		c.Data(a.Status, "application/json; charset=utf-8", a.Body)
	}
}

func (q Query) handler(api *API, _ Operation) gin.HandlerFunc {
	return func(c *gin.Context) { q.Handle(api, c) }
}

// notImplemented answers an operation whose provider is not built yet, after authentication and
// validation, so a client can check its requests against the platform already.
func notImplemented(c *gin.Context) {
	httpx.Fail(c, http.StatusNotImplemented, CodeNotImplemented, "this operation is not available yet")
}
