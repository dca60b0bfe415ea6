package domain

import (
	"errors"
	"fmt"
)

// Refusals of the lifecycle. Each fails the command with a clear reason; none is retried.
var (
	ErrNotFound = errors.New("netflix subscription not found")
	// ErrAlreadyEnrolled: the PAI has a bundle that is not cancelled in this org.
	ErrAlreadyEnrolled = errors.New("the partner account is already enrolled")
	// ErrAlreadyActivated: the customer activated the bundle before; a repeated report changes
	// nothing.
	ErrAlreadyActivated = errors.New("the bundle is already activated")
	// ErrNothingToChange: an update whose values are those the subscription has.
	ErrNothingToChange = errors.New("the update changes nothing")
)

// IllegalTransition is a command the bundle's status does not allow.
type IllegalTransition struct {
	Op     string
	Status BundleStatus
	Why    string
}

func (e *IllegalTransition) Error() string {
	return "cannot " + e.Op + " a bundle that is " + string(e.Status) + ": " + e.Why
}

func refuse(op string, status BundleStatus, why string) error {
	return &IllegalTransition{Op: op, Status: status, Why: why}
}

// InvalidField is a value the rules refuse. Its message names the field and the rule, never the
// value (some are personal data).
type InvalidField struct {
	Field string
	Rule  string
}

func (e *InvalidField) Error() string { return fmt.Sprintf("invalid %s: %s", e.Field, e.Rule) }
