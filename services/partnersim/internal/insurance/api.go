// Package insurance simulates the device insurer: it prices a policy from the device's price and
// the client type, issues policy numbers and request ids, and keeps each policy's state
// (reserve, activate with its document and IMEI, suspend, reconnect, terminate, cancel).
package insurance

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"provision.local/services/partnersim/internal/sim"
)

// Name is the partner's name and URL prefix.
const Name = "insurance"

// Operations of the insurer's API, the keys of the request counts.
const (
	OpReserve   sim.Operation = "reserve"
	OpGet       sim.Operation = "get"
	OpActivate  sim.Operation = "activate"
	OpSuspend   sim.Operation = "suspend"
	OpReconnect sim.Operation = "reconnect"
	OpTerminate sim.Operation = "terminate"
	OpCancel    sim.Operation = "cancel"
)

// PolicyPrefix starts every policy number the insurer issues: DI and ten digits.
const PolicyPrefix = "DI"

// policyDigits bounds the ten digits of a policy number.
const policyDigits = 10_000_000_000

// Formats the insurer checks; it does not check a document's control letter.
var (
	documentFormat = regexp.MustCompile(`^([0-9]{8}|[XYZ][0-9]{7})[A-Z]$`)
	imeiFormat     = regexp.MustCompile(`^[0-9]{15}$`)
)

// API is the simulated insurer.
type API struct {
	partner  *sim.Partner
	policies *sim.Table[Policy]
}

// New returns the insurer; cfg.Name is set to Name.
func New(cfg sim.Config) *API {
	cfg.Name = Name
	return &API{partner: sim.NewPartner(cfg), policies: sim.NewTable[Policy]()}
}

// Partner is the sim core of this partner (faults, request log).
func (a *API) Partner() *sim.Partner { return a.partner }

// Register mounts the insurer's API on r, which is the /insurance group.
func (a *API) Register(r gin.IRouter) {
	p := a.partner
	r.POST("/v1/orgs/:org/policies", p.Route(OpReserve, true, a.reserve))
	r.GET("/v1/orgs/:org/policies/:policy", p.Route(OpGet, false, a.get))
	r.POST("/v1/orgs/:org/policies/:policy/activate", p.Route(OpActivate, true, a.activate))
	r.POST("/v1/orgs/:org/policies/:policy/suspend", p.Route(OpSuspend, true, a.change(Policy.Suspend)))
	r.POST("/v1/orgs/:org/policies/:policy/reconnect", p.Route(OpReconnect, true, a.change(Policy.Reconnect)))
	r.POST("/v1/orgs/:org/policies/:policy/terminate", p.Route(OpTerminate, true, a.change(Policy.Terminate)))
	r.POST("/v1/orgs/:org/policies/:policy/cancel", p.Route(OpCancel, true, a.change(Policy.Cancel)))
}

// reserveRequest is what the insurer reads of the seed's reserve body; it ignores the rest (names,
// address, contact and bank account are kept by the platform's own records and by billing).
type reserveRequest struct {
	DocumentID string  `json:"documentId"`
	Price      float64 `json:"price"`
	ClientType string  `json:"clientType"`
	IMEI       string  `json:"imei"`
}

// reserveResponse is the seed's reserve answer plus the policy's state and date.
type reserveResponse struct {
	View
	Quote
}

// documentRequest is the body of the commands after the activation: the insured's document is
// optional and checked when given.
type documentRequest struct {
	Document string `json:"document"`
}

type activateRequest struct {
	RequestID string `json:"requestId"`
	Document  string `json:"document"`
	IMEI      string `json:"imei"`
}

func (a *API) reserve(c *gin.Context, body []byte) sim.Response {
	var in reserveRequest
	if err := sim.Decode(body, &in, true); err != nil {
		return a.fail(err)
	}
	if !documentFormat.MatchString(in.DocumentID) {
		return a.fail(sim.Invalid("documentId must be a DNI or NIE"))
	}
	if in.IMEI != "" && !imeiFormat.MatchString(in.IMEI) {
		return a.fail(sim.Invalid("imei must be 15 digits"))
	}
	q, err := Price(in.Price, in.ClientType)
	if err != nil {
		return a.fail(err)
	}
	now := a.partner.Now()
	p := Policy{
		Org: c.Param("org"), PolicyNumber: a.newPolicyNumber(), RequestID: uuid.NewString(),
		Document: in.DocumentID, IMEI: in.IMEI, Quote: q, State: Reserved, ReservedAt: now, UpdatedAt: now,
	}
	a.policies.Put(p.PolicyNumber, p)
	return sim.Effect(sim.JSON(http.StatusCreated, reserveResponse{View: p.View(), Quote: q}))
}

// newPolicyNumber draws a number this insurer has not issued. The insurer keeps its policies in
// memory while the platform keeps them across its restarts, so a number must not repeat after a
// restart either: a counter would start over and issue numbers already in the platform's hands.
// It runs under the partner's lock, so no other reservation takes the number in between.
func (a *API) newPolicyNumber() string {
	for {
		n := fmt.Sprintf("%s%010d", PolicyPrefix, rand.Int64N(policyDigits))
		if _, taken := a.policies.Get(n); !taken {
			return n
		}
	}
}

func (a *API) get(c *gin.Context, _ []byte) sim.Response {
	p, err := a.find(c)
	if err != nil {
		return a.fail(err)
	}
	return sim.JSON(http.StatusOK, p.View())
}

func (a *API) activate(c *gin.Context, body []byte) sim.Response {
	var in activateRequest
	if err := sim.Decode(body, &in, true); err != nil {
		return a.fail(err)
	}
	if !imeiFormat.MatchString(in.IMEI) {
		return a.fail(sim.Invalid("imei must be 15 digits"))
	}
	return a.update(c, func(p Policy, now time.Time) (Policy, error) {
		return p.Activate(in.RequestID, in.Document, in.IMEI, now)
	})
}

// change adapts a lifecycle move that needs only the (optional) document check.
func (a *API) change(move func(Policy, time.Time) (Policy, error)) sim.HandlerFunc {
	return func(c *gin.Context, body []byte) sim.Response {
		var in documentRequest
		if err := sim.Decode(body, &in, false); err != nil {
			return a.fail(err)
		}
		return a.update(c, func(p Policy, now time.Time) (Policy, error) {
			if err := p.CheckDocument(in.Document); err != nil {
				return p, err
			}
			return move(p, now)
		})
	}
}

// find returns the policy of the path; another org's policy does not exist for this org.
func (a *API) find(c *gin.Context) (Policy, error) {
	p, ok := a.policies.Get(c.Param("policy"))
	if !ok || p.Org != c.Param("org") {
		return Policy{}, ErrPolicyNotFound
	}
	return p, nil
}

// update applies change to the policy of the path and answers 200 with its view.
func (a *API) update(c *gin.Context, change func(Policy, time.Time) (Policy, error)) sim.Response {
	p, err := a.find(c)
	if err != nil {
		return a.fail(err)
	}
	next, err := change(p, a.partner.Now())
	if err != nil {
		return a.fail(err)
	}
	a.policies.Put(next.PolicyNumber, next)
	return sim.Effect(sim.JSON(http.StatusOK, next.View()))
}

func (a *API) fail(err error) sim.Response { return a.partner.ErrorResponse(err, errorCodes) }

// errorCodes are the statuses and codes of the insurer's errors.
var errorCodes = []sim.ErrorCode{
	{Err: ErrPolicyNotFound, Status: http.StatusNotFound, Code: "POLICY_NOT_FOUND"},
	{Err: ErrInvalidTransition, Status: http.StatusConflict, Code: "INVALID_TRANSITION"},
	{Err: ErrDocumentMismatch, Status: http.StatusUnprocessableEntity, Code: "DOCUMENT_MISMATCH"},
	{Err: ErrDeviceMismatch, Status: http.StatusUnprocessableEntity, Code: "DEVICE_MISMATCH"},
	{Err: ErrRequestMismatch, Status: http.StatusUnprocessableEntity, Code: "REQUEST_MISMATCH"},
}
