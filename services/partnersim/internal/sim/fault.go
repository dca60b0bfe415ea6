package sim

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Bounds of a FaultSpec: latency is capped so a typo cannot hang a test run for hours.
const (
	MaxLatencyMS  = 5 * 60 * 1000
	MaxForSeconds = 7 * 24 * 60 * 60
	MaxMatchLen   = 256
)

// ErrInvalidFault is wrapped by every FaultSpec validation error.
var ErrInvalidFault = errors.New("invalid fault")

// FaultSpec is what an operator asks for, in the admin API's units.
type FaultSpec struct {
	// Status is the HTTP status answered instead of the real one; 0 injects latency only.
	Status int `json:"status"`
	// Rate is the probability, 0..1, that a request is hit.
	Rate float64 `json:"rate"`
	// LatencyMS is added before answering a hit request.
	LatencyMS int64 `json:"latency_ms"`
	// ForSeconds is how long the fault lasts; 0 means until cleared.
	ForSeconds int64 `json:"for_seconds"`
	// Match, when set, scopes the fault to the requests whose path or body contains it, such as
	// one entitlement's id: its create names it in the body, every later call in the path.
	Match string `json:"match,omitempty"`
}

// Validate reports the first out-of-range field.
func (s FaultSpec) Validate() error {
	switch {
	case s.Status != 0 && (s.Status < 400 || s.Status > 599):
		return fmt.Errorf("%w: status must be 0 or 400..599, got %d", ErrInvalidFault, s.Status)
	case !(s.Rate >= 0 && s.Rate <= 1):
		return fmt.Errorf("%w: rate must be within 0..1, got %v", ErrInvalidFault, s.Rate)
	case s.LatencyMS < 0 || s.LatencyMS > MaxLatencyMS:
		return fmt.Errorf("%w: latency_ms must be within 0..%d, got %d", ErrInvalidFault, MaxLatencyMS, s.LatencyMS)
	case s.ForSeconds < 0 || s.ForSeconds > MaxForSeconds:
		return fmt.Errorf("%w: for_seconds must be within 0..%d, got %d", ErrInvalidFault, MaxForSeconds, s.ForSeconds)
	case len(s.Match) > MaxMatchLen:
		return fmt.Errorf("%w: match must be at most %d bytes, got %d", ErrInvalidFault, MaxMatchLen, len(s.Match))
	}
	return nil
}

// scopes reports whether req is within the fault's scope: every request without Match, else
// those whose path or body contains it.
func (s FaultSpec) scopes(req Request) bool {
	return s.Match == "" || strings.Contains(req.Path, s.Match) || bytes.Contains(req.Body, []byte(s.Match))
}

// Latency is LatencyMS as a duration.
func (s FaultSpec) Latency() time.Duration { return time.Duration(s.LatencyMS) * time.Millisecond }

// Fault is a stored FaultSpec.
type Fault struct {
	FaultSpec
	SetAt time.Time `json:"set_at"`
	// ExpiresAt is nil when the fault lasts until cleared.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

func (f Fault) expired(now time.Time) bool {
	return f.ExpiresAt != nil && !now.Before(*f.ExpiresAt)
}

// faults holds at most one fault per partner, scoped or not: setting one replaces the one before.
type faults struct {
	mu    sync.Mutex
	fault *Fault
}

func (fs *faults) set(spec FaultSpec, now time.Time) (Fault, error) {
	if err := spec.Validate(); err != nil {
		return Fault{}, err
	}
	f := Fault{FaultSpec: spec, SetAt: now}
	if spec.ForSeconds > 0 {
		exp := now.Add(time.Duration(spec.ForSeconds) * time.Second)
		f.ExpiresAt = &exp
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.fault = &f
	return f, nil
}

// current returns the fault in force at now, dropping an expired one.
func (fs *faults) current(now time.Time) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.fault == nil {
		return Fault{}, false
	}
	if fs.fault.expired(now) {
		fs.fault = nil
		return Fault{}, false
	}
	return *fs.fault, true
}

func (fs *faults) clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.fault = nil
}
