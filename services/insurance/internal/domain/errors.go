package domain

import "errors"

// Refusals. Each fails its command for good with a reason that names the check, never the value
// checked: these texts reach failure events, workflow answers and dead-letter headers.
var (
	ErrNotFound         = errors.New("insurance policy not found")
	ErrRequestMismatch  = errors.New("the requestId is not the one issued with the policy")
	ErrDocumentMismatch = errors.New("the document does not match the policy's insured")
	ErrDeviceMismatch   = errors.New("the IMEI does not match the policy's device")
	ErrPhoneMismatch    = errors.New("the phone number does not match the policy's")
)

// IllegalTransition is an operation the policy's state does not allow.
type IllegalTransition struct {
	Op    string
	State State
	Rule  string
}

func (e *IllegalTransition) Error() string {
	return "cannot " + e.Op + " a policy that is " + string(e.State) + ": " + e.Rule
}

func refused(op string, s State, rule string) error {
	return &IllegalTransition{Op: op, State: s, Rule: rule}
}

// FieldError is a reservation field the rules refuse: it names the field and the rule only.
type FieldError struct {
	Field string
	Rule  string
}

func (e *FieldError) Error() string { return e.Field + " " + e.Rule }
