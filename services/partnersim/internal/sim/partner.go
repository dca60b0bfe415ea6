// Package sim is the partner-agnostic core of the simulator: per-partner state lock, idempotency
// keys, fault injection and the request log. A partner package (disney, ...) supplies only its
// domain and routes, and runs every request through Partner.Handle.
package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Operation names what a request does at a partner (create, suspend, ...). Counts, effects and
// metrics are kept per operation.
type Operation string

// MaxIdempotencyKeyLen bounds the Idempotency-Key header.
const MaxIdempotencyKeyLen = 255

// Error codes the core answers with, whatever the partner.
const (
	CodeIdempotencyKeyRequired = "IDEMPOTENCY_KEY_REQUIRED"
	CodeIdempotencyKeyInvalid  = "IDEMPOTENCY_KEY_INVALID"
	CodeIdempotencyKeyReused   = "IDEMPOTENCY_KEY_REUSED"
	CodeInjectedFault          = "INJECTED_FAULT"
	CodeRequestCanceled        = "REQUEST_CANCELED"
)

// StatusClientClosedRequest is logged when the caller went away during injected latency.
const StatusClientClosedRequest = 499

// Request describes one call to a partner's API.
type Request struct {
	Method         string
	Path           string
	Operation      Operation
	IdempotencyKey string
	// Mutating requests require an idempotency key and replay their first answer for it.
	Mutating bool
	// Body is the request body, read by a scoped fault's match.
	Body []byte
}

// Response is a partner's answer. The body is serialized once, so a replay is byte for byte the
// first answer.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
	// Effect is set by the partner's handler when the request changed state.
	Effect bool
}

// Result is a Response with what the core did to produce it.
type Result struct {
	Response
	Replayed bool
	Faulted  bool
	Entry    Entry
}

// ErrorBody is the default error shape: {"error":{"code":...,"message":...}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Config configures a Partner. Only Name is required.
type Config struct {
	Name string
	// Clock defaults to SystemClock.
	Clock Clock
	// Rand returns a number in [0,1) deciding whether a fault hits; defaults to math/rand.
	Rand func() float64
	// ErrorBody builds the core's error bodies in the partner's error shape; defaults to ErrorBody.
	ErrorBody func(code, message string) any
}

// Partner is one simulated partner: its lock, idempotency keys, fault and request log.
type Partner struct {
	name      string
	clock     Clock
	rand      func() float64
	errorBody func(code, message string) any

	faults *faults
	log    *requestLog

	// mu serializes state changes with their idempotency bookkeeping: a partner's handlers are
	// in-memory and short, so one lock per partner is simple and fast enough.
	mu   sync.Mutex
	keys idempotencyStore
}

// NewPartner returns a partner with no state, no fault and an empty log.
func NewPartner(cfg Config) *Partner {
	p := &Partner{
		name:      cfg.Name,
		clock:     cfg.Clock,
		rand:      cfg.Rand,
		errorBody: cfg.ErrorBody,
		faults:    &faults{},
		log:       newRequestLog(),
		keys:      idempotencyStore{},
	}
	if p.clock == nil {
		p.clock = SystemClock{}
	}
	if p.rand == nil {
		p.rand = rand.Float64
	}
	if p.errorBody == nil {
		p.errorBody = func(code, message string) any {
			return ErrorBody{Error: ErrorDetail{Code: code, Message: message}}
		}
	}
	return p
}

// Name is the partner's name, also its URL prefix.
func (p *Partner) Name() string { return p.name }

// Now is the partner's clock.
func (p *Partner) Now() time.Time { return p.clock.Now() }

// JSON serializes v as a JSON response.
func JSON(status int, v any) Response {
	b, err := json.Marshal(v)
	if err != nil {
		// Only reachable with a type that cannot be marshalled, which is a bug in the partner.
		panic(fmt.Sprintf("sim: marshal response: %v", err))
	}
	return Response{Status: status, ContentType: "application/json; charset=utf-8", Body: b}
}

// Error is an error response in the partner's error shape.
func (p *Partner) Error(status int, code, message string) Response {
	return JSON(status, p.errorBody(code, message))
}

// Handle runs one request: fault injection first (an injected failure changes nothing), then the
// idempotency key check, then apply under the partner's lock. apply must not block: it runs with
// the lock held, so it should only read and change the partner's Tables.
func (p *Partner) Handle(ctx context.Context, req Request, apply func() Response) Result {
	at := p.clock.Now()
	res, injected := p.handle(ctx, req, apply)
	res.Entry = Entry{
		At:                at,
		Method:            req.Method,
		Path:              req.Path,
		Operation:         req.Operation,
		IdempotencyKey:    req.IdempotencyKey,
		Status:            res.Status,
		Replayed:          res.Replayed,
		Faulted:           res.Faulted,
		InjectedLatencyMS: injected.Milliseconds(),
	}
	// A replay carries the stored answer's Effect; only a first, successful answer counts.
	res.Effect = res.Effect && !res.Replayed && !res.Faulted && res.Status >= 200 && res.Status < 300
	p.log.record(res.Entry, res.Effect)
	return res
}

// handle returns the result and the latency a fault injected.
func (p *Partner) handle(ctx context.Context, req Request, apply func() Response) (Result, time.Duration) {
	var injected time.Duration
	if f, hit := p.roll(req); hit {
		if d := f.Latency(); d > 0 {
			injected = d
			if err := p.clock.Sleep(ctx, d); err != nil {
				// The caller is gone; like a partner that never got to the request, change nothing.
				return Result{Response: p.Error(StatusClientClosedRequest, CodeRequestCanceled, "request canceled during injected latency"), Faulted: true}, injected
			}
		}
		if f.Status != 0 {
			msg := fmt.Sprintf("injected fault: %d %s", f.Status, http.StatusText(f.Status))
			return Result{Response: p.Error(f.Status, CodeInjectedFault, msg), Faulted: true}, injected
		}
	}

	if !req.Mutating {
		p.mu.Lock()
		defer p.mu.Unlock()
		return Result{Response: apply()}, injected
	}

	switch {
	case req.IdempotencyKey == "":
		return Result{Response: p.Error(http.StatusBadRequest, CodeIdempotencyKeyRequired, "the Idempotency-Key header is required")}, injected
	case len(req.IdempotencyKey) > MaxIdempotencyKeyLen:
		return Result{Response: p.Error(http.StatusBadRequest, CodeIdempotencyKeyInvalid,
			fmt.Sprintf("the Idempotency-Key header must be at most %d characters", MaxIdempotencyKeyLen))}, injected
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	stored, seen, same := p.keys.lookup(req.IdempotencyKey, req.Method, req.Path)
	switch {
	case seen && same:
		return Result{Response: stored, Replayed: true}, injected
	case seen:
		return Result{Response: p.Error(http.StatusUnprocessableEntity, CodeIdempotencyKeyReused,
			"the Idempotency-Key was already used for another request")}, injected
	}
	resp := apply()
	p.keys.remember(req.IdempotencyKey, req.Method, req.Path, resp)
	return Result{Response: resp}, injected
}

// roll returns the fault in force and whether it hits this request.
func (p *Partner) roll(req Request) (Fault, bool) {
	f, ok := p.faults.current(p.clock.Now())
	if !ok || f.Rate <= 0 || !f.scopes(req) {
		return Fault{}, false
	}
	return f, f.Rate >= 1 || p.rand() < f.Rate
}

// Read runs fn with the partner's lock held, for consistent reads outside a request (admin
// listings).
func (p *Partner) Read(fn func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fn()
}

// SetFault replaces the partner's fault.
func (p *Partner) SetFault(spec FaultSpec) (Fault, error) {
	return p.faults.set(spec, p.clock.Now())
}

// Fault returns the fault in force, if any.
func (p *Partner) Fault() (Fault, bool) { return p.faults.current(p.clock.Now()) }

// ClearFault removes the partner's fault.
func (p *Partner) ClearFault() { p.faults.clear() }

// Requests returns a snapshot of the request log.
func (p *Partner) Requests() Report { return p.log.report(p.name) }

// ResetRequests empties the request log and its counters; state and idempotency keys stay.
func (p *Partner) ResetRequests() { p.log.reset() }
