// Package domain holds the device insurance rules: a policy's lifecycle, the checks an
// activation makes against the insured, and the formats of a reservation. It knows nothing of
// storage, Kafka or HTTP, and none of its errors names a personal value.
package domain

import (
	"fmt"
	"time"
)

// State is a policy's state.
type State string

// Policy states: RESERVED → ACTIVE (activate, with the insured's document and device) →
// SUSPENDED ⇄ ACTIVE (suspend, reconnect) → TERMINATED (from ACTIVE or SUSPENDED); cancel ends a
// RESERVED or ACTIVE policy (CANCELLED).
const (
	Reserved   State = "RESERVED"
	Active     State = "ACTIVE"
	Suspended  State = "SUSPENDED"
	Terminated State = "TERMINATED"
	Cancelled  State = "CANCELLED"
)

// Key is the store id of a policy: its org and its policy number, never personal data.
func Key(org, policyNumber string) string { return org + "/" + policyNumber }

// Policy is one device insurance policy as the service keeps it. Its personal data (the insured
// and the device) are in Sealed, encrypted; PhoneToken and DocumentToken are keyed hashes that
// find a policy by phone or document without keeping either in plain text. The bank account is
// not kept: it is forwarded to the insurer at the reservation.
type Policy struct {
	Org          string    `bson:"org"`
	PolicyNumber string    `bson:"policyNumber"`
	RequestID    string    `bson:"requestId"`
	State        State     `bson:"status"`
	Quote        Quote     `bson:"quote"`
	ReservedAt   time.Time `bson:"reservedAt"`
	// ActivatedAt is when the policy first came into force; nil while reserved.
	ActivatedAt *time.Time `bson:"activatedAt,omitempty"`
	// EndedAt is when it was terminated or cancelled.
	EndedAt   *time.Time `bson:"endedAt,omitempty"`
	UpdatedAt time.Time  `bson:"updatedAt"`

	Sealed        string `bson:"sealed"`
	PhoneToken    string `bson:"phoneToken,omitempty"`
	DocumentToken string `bson:"documentToken"`
}

// Quote is the insurer's price of a policy, the seed's reserve answer fields.
type Quote struct {
	MonthlyFee             float64 `bson:"monthlyFee" json:"monthlyFee"`
	AnnualFee              float64 `bson:"annualFee" json:"annualFee"`
	Franchise              bool    `bson:"franchise" json:"franchise"`
	FranchiseAmount        float64 `bson:"franchiseAmount" json:"franchiseAmount"`
	Theft                  bool    `bson:"theft" json:"theft"`
	MonthlyNetFee          float64 `bson:"monthlyNetFee" json:"monthlyNetFee"`
	AnnualNetFee           float64 `bson:"annualNetFee" json:"annualNetFee"`
	AnnualLea              float64 `bson:"annualLea" json:"annualLea"`
	MonthlyLea             float64 `bson:"monthlyLea" json:"monthlyLea"`
	AnnualIps              float64 `bson:"annualIps" json:"annualIps"`
	MonthlyIps             float64 `bson:"monthlyIps" json:"monthlyIps"`
	AnnualConsortium       float64 `bson:"annualConsortium" json:"annualConsortium"`
	MonthlyConsortium      float64 `bson:"monthlyConsortium" json:"monthlyConsortium"`
	FirstAnnualLea         float64 `bson:"firstAnnualLea" json:"firstAnnualLea"`
	FirstMonthlyConsortium float64 `bson:"firstMonthlyConsortium" json:"firstMonthlyConsortium"`
	FirstAnnualIps         float64 `bson:"firstAnnualIps" json:"firstAnnualIps"`
	FirstAnnualNetFee      float64 `bson:"firstAnnualNetFee" json:"firstAnnualNetFee"`
	FirstAnnualFee         float64 `bson:"firstAnnualFee" json:"firstAnnualFee"`
}

// String describes the policy without its personal data.
func (p Policy) String() string {
	return fmt.Sprintf("policy %s/%s %s", p.Org, p.PolicyNumber, p.State)
}

// WasInForce reports whether the policy was ever active.
func (p Policy) WasInForce() bool { return p.ActivatedAt != nil }

// Activate puts a reserved policy in force. The request id must be the one the insurer issued,
// the document the insured's, and the IMEI the reserved device's when the reservation named one.
// It returns the insured with the device's IMEI recorded.
func (p Policy) Activate(requestID, document, imei string, insured Insured, now time.Time) (Policy, Insured, error) {
	if p.State != Reserved {
		return p, insured, refused("activate", p.State, "only a reserved policy can be activated")
	}
	switch {
	case requestID != p.RequestID:
		return p, insured, ErrRequestMismatch
	case document != insured.Document:
		return p, insured, ErrDocumentMismatch
	case insured.IMEI != "" && imei != insured.IMEI:
		return p, insured, ErrDeviceMismatch
	}
	insured.IMEI = imei
	p.State, p.ActivatedAt, p.UpdatedAt = Active, &now, now
	return p, insured, nil
}

// Suspend puts an active policy on hold.
func (p Policy) Suspend(now time.Time) (Policy, error) {
	if p.State != Active {
		return p, refused("suspend", p.State, "only an active policy can be suspended")
	}
	p.State, p.UpdatedAt = Suspended, now
	return p, nil
}

// Reconnect puts a suspended policy back in force.
func (p Policy) Reconnect(now time.Time) (Policy, error) {
	if p.State != Suspended {
		return p, refused("reconnect", p.State, "only a suspended policy can be reconnected")
	}
	p.State, p.UpdatedAt = Active, now
	return p, nil
}

// Terminate ends a policy that has been in force: an active or suspended one.
func (p Policy) Terminate(now time.Time) (Policy, error) {
	if p.State != Active && p.State != Suspended {
		return p, refused("terminate", p.State, "only an active or suspended policy can be terminated")
	}
	return p.end(Terminated, now), nil
}

// Cancel ends a reserved or active policy.
func (p Policy) Cancel(now time.Time) (Policy, error) {
	if p.State != Reserved && p.State != Active {
		return p, refused("cancel", p.State, "only a reserved or active policy can be cancelled")
	}
	return p.end(Cancelled, now), nil
}

func (p Policy) end(s State, now time.Time) Policy {
	p.State, p.EndedAt, p.UpdatedAt = s, &now, now
	return p
}
