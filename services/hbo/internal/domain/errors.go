package domain

import (
	"errors"
	"fmt"
)

// Refusals of the lifecycle. Each fails the command with a clear reason; none is retried.
var (
	ErrNotFound = errors.New("hbo subscription not found")
	// ErrAlreadyExists: the service id has a subscription in this org, cancelled or not.
	ErrAlreadyExists = errors.New("the hbo subscription already exists")
	// ErrOtherCustomer: the command's externalId is not the subscription's customer.
	ErrOtherCustomer = errors.New("the externalId is not the subscription's customer")
	// ErrOtherCountry: the command's country is not the one the subscription was created in.
	ErrOtherCountry = errors.New("the country is not the subscription's: a subscription keeps the country it was created in")
	ErrNoProducts   = errors.New("a subscription needs at least one product")
	// ErrLastProduct: an update would leave the subscription without products; cancel ends it.
	ErrLastProduct     = errors.New("an update cannot remove every product: cancel the subscription instead")
	ErrProductNotFound = errors.New("the subscription has no such product")
	ErrProductExists   = errors.New("the subscription already has the product")
	ErrNothingToChange = errors.New("an update adds or removes at least one product")
)

// Rule names the kind of rule a refused command broke.
type Rule string

const (
	// RuleTransition: the subscription's status does not allow the command.
	RuleTransition Rule = "INVALID_TRANSITION"
	// RuleField: a value of the command is refused.
	RuleField Rule = "INVALID_FIELD"
)

// Refusal is a command that breaks a Rule; Why says how, naming fields, never their values.
type Refusal struct {
	Rule Rule
	Why  string
}

func (r *Refusal) Error() string { return r.Why }

func transition(op string, from Status, why string) error {
	return &Refusal{Rule: RuleTransition, Why: fmt.Sprintf("cannot %s a subscription that is %s: %s", op, from, why)}
}

func invalid(field, rule string) error {
	return &Refusal{Rule: RuleField, Why: fmt.Sprintf("invalid %s: %s", field, rule)}
}
