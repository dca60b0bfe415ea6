package insurance

import (
	"fmt"
	"time"
)

// State is a policy's state at the insurer.
type State string

// Policy states. RESERVED → ACTIVE (activate) → SUSPENDED ⇄ ACTIVE (suspend, reconnect) →
// TERMINATED (terminate, from ACTIVE or SUSPENDED); cancel ends a RESERVED or ACTIVE policy.
const (
	Reserved   State = "RESERVED"
	Active     State = "ACTIVE"
	Suspended  State = "SUSPENDED"
	Terminated State = "TERMINATED"
	Cancelled  State = "CANCELLED"
)

// Policy is a device insurance policy as the insurer keeps it. Document and IMEI are personal
// data: the insurer holds them to check an activation, and answers none of them.
type Policy struct {
	Org          string
	PolicyNumber string
	RequestID    string
	Document     string
	IMEI         string
	Quote        Quote
	State        State
	ReservedAt   time.Time
	ActivatedAt  time.Time
	EndedAt      time.Time
	UpdatedAt    time.Time
}

// View is what the insurer answers of a policy: no personal data.
type View struct {
	PolicyNumber string     `json:"policyNumber"`
	RequestID    string     `json:"requestId"`
	State        State      `json:"state"`
	ReservedAt   time.Time  `json:"reservedAt"`
	ActivatedAt  *time.Time `json:"activatedAt,omitempty"`
	EndedAt      *time.Time `json:"endedAt,omitempty"`
}

// View returns the policy as the insurer answers it.
func (p Policy) View() View {
	v := View{PolicyNumber: p.PolicyNumber, RequestID: p.RequestID, State: p.State, ReservedAt: p.ReservedAt}
	if !p.ActivatedAt.IsZero() {
		at := p.ActivatedAt
		v.ActivatedAt = &at
	}
	if !p.EndedAt.IsZero() {
		at := p.EndedAt
		v.EndedAt = &at
	}
	return v
}

// CheckDocument refuses a document given with a request that is not the insured's; an empty one
// is not checked (the seed makes it optional but for the activation).
func (p Policy) CheckDocument(document string) error {
	if document != "" && document != p.Document {
		return ErrDocumentMismatch
	}
	return nil
}

// Activate puts a reserved policy in force for the device imei. The request id, the document and,
// when the reservation named one, the IMEI must be the policy's.
func (p Policy) Activate(requestID, document, imei string, now time.Time) (Policy, error) {
	if err := p.require("activate", Reserved); err != nil {
		return p, err
	}
	switch {
	case requestID != p.RequestID:
		return p, ErrRequestMismatch
	case document != p.Document:
		return p, ErrDocumentMismatch
	case p.IMEI != "" && imei != p.IMEI:
		return p, ErrDeviceMismatch
	}
	p.IMEI, p.State, p.ActivatedAt, p.UpdatedAt = imei, Active, now, now
	return p, nil
}

// Suspend puts an active policy on hold.
func (p Policy) Suspend(now time.Time) (Policy, error) {
	return p.move("suspend", Suspended, now, Active)
}

// Reconnect puts a suspended policy back in force.
func (p Policy) Reconnect(now time.Time) (Policy, error) {
	return p.move("reconnect", Active, now, Suspended)
}

// Terminate ends a policy that has been in force.
func (p Policy) Terminate(now time.Time) (Policy, error) {
	return p.move("terminate", Terminated, now, Active, Suspended)
}

// Cancel ends a reserved or active policy.
func (p Policy) Cancel(now time.Time) (Policy, error) {
	return p.move("cancel", Cancelled, now, Reserved, Active)
}

// move changes the state to next when the policy is in one of from.
func (p Policy) move(op string, next State, now time.Time, from ...State) (Policy, error) {
	if err := p.require(op, from...); err != nil {
		return p, err
	}
	p.State, p.UpdatedAt = next, now
	if next == Terminated || next == Cancelled {
		p.EndedAt = now
	}
	return p, nil
}

func (p Policy) require(op string, from ...State) error {
	for _, s := range from {
		if p.State == s {
			return nil
		}
	}
	return fmt.Errorf("%w: cannot %s a policy that is %s", ErrInvalidTransition, op, p.State)
}
