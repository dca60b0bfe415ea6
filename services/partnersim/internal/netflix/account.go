// Package netflix simulates the Netflix partner API on top of the sim core: partner accounts
// enrolled in a bundle, their lifecycle, tokens for the securitized activation URL, digitalvirgo
// phone enrolment, and the reports of what customers did (a bundle activated), pushed to a
// callback and listed for pulling.
package netflix

import (
	"fmt"
	"slices"
	"time"

	"provision.local/services/partnersim/internal/sim"
)

// State is the lifecycle state of an enrolled account.
type State string

// Account states.
const (
	StateActive    State = "ACTIVE"
	StateSuspended State = "SUSPENDED"
	StateCanceled  State = "CANCELED"
)

// Bundle statuses answered by the status query: an ACTIVE account whose customer has not opened
// the securitized URL yet is pending activation.
const (
	BundlePendingActivation = "PENDING_ACTIVATION"
	BundleActive            = "ACTIVE"
)

// Limits on what a caller may send.
const (
	maxOrgLen            = 64
	maxBundleIDLen       = 128
	maxBillingEventBytes = 1024
	maxTextLen           = 255
	maxEventIDLen        = 1024
)

// Account is a partner account (PAI) enrolled in a Netflix bundle by one org.
type Account struct {
	Org                  string `json:"org"`
	PAI                  PAI    `json:"partner_account_id"`
	OfferID              string `json:"netflix_offer_id"`
	BundleID             string `json:"bundle_id"`
	BillingEventID       string `json:"billing_event_id,omitempty"`
	ExternalID           string `json:"external_id,omitempty"`
	Channel              string `json:"channel,omitempty"`
	Email                string `json:"netflix_email,omitempty"`
	Phone                string `json:"netflix_phone,omitempty"`
	PartnerChargeCountry string `json:"partner_charge_country,omitempty"`
	PreferredLanguage    string `json:"preferred_language,omitempty"`
	State                State  `json:"state"`
	// Activated is set when the customer opened a securitized URL and linked a Netflix account.
	Activated bool `json:"activated"`
	// TransactionID is Netflix's id of this enrolment, reported as original_netflix_transaction_id.
	TransactionID string     `json:"netflix_transaction_id"`
	SuspendReason string     `json:"suspend_reason,omitempty"`
	CancelReason  string     `json:"cancel_reason,omitempty"`
	DigitalVirgo  []Phone    `json:"digitalvirgo"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	ActivatedAt   *time.Time `json:"activated_at,omitempty"`
}

// Phone is a phone enrolled with digitalvirgo for an account.
type Phone struct {
	PhoneNumber string    `json:"phone_number"`
	PAI         string    `json:"pai,omitempty"`
	EnrolledAt  time.Time `json:"enrolled_at"`
}

// Enrolment is what a create request carries.
type Enrolment struct {
	PAI                  PAI    `json:"partner_account_id"`
	OfferID              string `json:"netflix_offer_id"`
	BundleID             string `json:"bundle_id"`
	BillingEventID       string `json:"billing_event_id"`
	ExternalID           string `json:"external_id"`
	Channel              string `json:"channel"`
	Email                string `json:"netflix_email"`
	Phone                string `json:"netflix_phone"`
	PartnerChargeCountry string `json:"partner_charge_country"`
	PreferredLanguage    string `json:"preferred_language"`
}

// PlanChange is what an update request carries; absent fields keep their value.
type PlanChange struct {
	OfferID              *string `json:"netflix_offer_id"`
	BundleID             *string `json:"bundle_id"`
	BillingEventID       *string `json:"billing_event_id"`
	ExternalID           *string `json:"external_id"`
	Channel              *string `json:"channel"`
	Email                *string `json:"netflix_email"`
	Phone                *string `json:"netflix_phone"`
	PartnerChargeCountry *string `json:"partner_charge_country"`
	PreferredLanguage    *string `json:"preferred_language"`
}

// NewAccount validates an enrolment and returns the ACTIVE, not yet activated account.
func NewAccount(org string, in Enrolment, transactionID string, now time.Time) (Account, error) {
	if err := ValidateOrg(org); err != nil {
		return Account{}, err
	}
	if !in.PAI.Valid() {
		return Account{}, sim.Invalid("partner_account_id must be 1-19 decimal digits, as a JSON integer or a string")
	}
	a := Account{Org: org, PAI: in.PAI, State: StateActive, TransactionID: transactionID,
		DigitalVirgo: []Phone{}, CreatedAt: now, UpdatedAt: now}
	if in.OfferID == "" {
		return Account{}, sim.Invalid("netflix_offer_id is required")
	}
	if in.BundleID == "" {
		return Account{}, sim.Invalid("bundle_id is required")
	}
	change := PlanChange{OfferID: &in.OfferID, BundleID: &in.BundleID, BillingEventID: &in.BillingEventID,
		ExternalID: &in.ExternalID, Channel: &in.Channel, Email: &in.Email, Phone: &in.Phone,
		PartnerChargeCountry: &in.PartnerChargeCountry, PreferredLanguage: &in.PreferredLanguage}
	if err := change.apply(&a); err != nil {
		return Account{}, err
	}
	return a, nil
}

// ChangePlan applies an update: a new offer (plan) or bundle, and the other enrolment fields.
// The email changes only while the customer has not activated the bundle, as Netflix does.
func (a Account) ChangePlan(c PlanChange, now time.Time) (Account, error) {
	if a.State == StateCanceled {
		return a, ErrAccountCanceled
	}
	if c == (PlanChange{}) {
		return a, sim.Invalid("an update must carry at least one field")
	}
	if c.OfferID != nil && *c.OfferID == "" {
		return a, sim.Invalid("netflix_offer_id must not be empty")
	}
	if c.BundleID != nil && *c.BundleID == "" {
		return a, sim.Invalid("bundle_id must not be empty")
	}
	if a.Activated {
		c.Email = nil
	}
	if err := c.apply(&a); err != nil {
		return a, err
	}
	a.UpdatedAt = now
	return a, nil
}

// apply validates and sets the fields c carries; an empty optional field clears it.
func (c PlanChange) apply(a *Account) error {
	checks := []struct {
		v     *string
		dst   *string
		check func(string) error
	}{
		{c.OfferID, &a.OfferID, validateOffer},
		{c.BundleID, &a.BundleID, maxLen("bundle_id", maxBundleIDLen)},
		{c.BillingEventID, &a.BillingEventID, maxLen("billing_event_id", maxBillingEventBytes)},
		{c.ExternalID, &a.ExternalID, maxLen("external_id", maxTextLen)},
		{c.Channel, &a.Channel, maxLen("channel", 64)},
		{c.Email, &a.Email, maxLen("netflix_email", 254)},
		{c.Phone, &a.Phone, optional(validatePhone)},
		{c.PartnerChargeCountry, &a.PartnerChargeCountry, optional(validateCountry)},
		{c.PreferredLanguage, &a.PreferredLanguage, maxLen("preferred_language", 35)},
	}
	for _, f := range checks {
		if f.v == nil {
			continue
		}
		if err := f.check(*f.v); err != nil {
			return err
		}
	}
	if c.BillingEventID != nil && *c.BillingEventID == string(a.PAI) {
		return sim.Invalid("billing_event_id must not be a PAI value")
	}
	for _, f := range checks {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	return nil
}

// Suspend moves an ACTIVE account to SUSPENDED.
func (a Account) Suspend(eventID, reason string, now time.Time) (Account, error) {
	if err := requireEventID("suspend_event_id", eventID); err != nil {
		return a, err
	}
	if reason == "" || len(reason) > 128 {
		return a, sim.Invalid("reason is required, at most 128 characters")
	}
	switch a.State {
	case StateCanceled:
		return a, ErrAccountCanceled
	case StateSuspended:
		return a, ErrAccountSuspended
	}
	a.State = StateSuspended
	a.SuspendReason = reason
	a.UpdatedAt = now
	return a, nil
}

// Reactivate moves a SUSPENDED account back to ACTIVE. A canceled account cannot come back: it
// is enrolled again instead.
func (a Account) Reactivate(eventID string, now time.Time) (Account, error) {
	if err := requireEventID("reactivate_event_id", eventID); err != nil {
		return a, err
	}
	switch a.State {
	case StateCanceled:
		return a, ErrAccountCanceled
	case StateActive:
		return a, ErrAccountNotSuspended
	}
	a.State = StateActive
	a.SuspendReason = ""
	a.UpdatedAt = now
	return a, nil
}

// Cancel ends the account's bundle, from ACTIVE or SUSPENDED.
func (a Account) Cancel(eventID, reason string, now time.Time) (Account, error) {
	if err := requireEventID("cancel_event_id", eventID); err != nil {
		return a, err
	}
	if reason == "" || len(reason) > 128 {
		return a, sim.Invalid("cancel_reason is required, at most 128 characters")
	}
	if a.State == StateCanceled {
		return a, ErrAccountCanceled
	}
	a.State = StateCanceled
	a.CancelReason = reason
	a.UpdatedAt = now
	return a, nil
}

// CanIssueToken checks that a securitized URL may be issued: the bundle is neither canceled
// nor suspended.
func (a Account) CanIssueToken() error {
	switch a.State {
	case StateCanceled:
		return ErrAccountCanceled
	case StateSuspended:
		return ErrAccountSuspended
	}
	return nil
}

// Activate records that the customer linked a Netflix account through a securitized URL. It
// reports whether the account changed: opening a second URL is harmless.
func (a Account) Activate(now time.Time) (Account, bool, error) {
	if err := a.CanIssueToken(); err != nil {
		return a, false, err
	}
	if a.Activated {
		return a, false, nil
	}
	a.Activated = true
	a.ActivatedAt = &now
	a.UpdatedAt = now
	return a, true, nil
}

// EnrolPhone adds a digitalvirgo phone to the account.
func (a Account) EnrolPhone(number, pai string, now time.Time) (Account, error) {
	if err := validatePhone(number); err != nil {
		return a, err
	}
	if len(pai) > 64 {
		return a, sim.Invalid("pai must be at most 64 characters")
	}
	if a.State == StateCanceled {
		return a, ErrAccountCanceled
	}
	if slices.ContainsFunc(a.DigitalVirgo, func(p Phone) bool { return p.PhoneNumber == number }) {
		return a, fmt.Errorf("%w: %s", ErrPhoneEnrolled, number)
	}
	a.DigitalVirgo = append(slices.Clone(a.DigitalVirgo), Phone{PhoneNumber: number, PAI: pai, EnrolledAt: now})
	a.UpdatedAt = now
	return a, nil
}

// RemovePhone removes a digitalvirgo phone from the account.
func (a Account) RemovePhone(number string, now time.Time) (Account, error) {
	if err := validatePhone(number); err != nil {
		return a, err
	}
	i := slices.IndexFunc(a.DigitalVirgo, func(p Phone) bool { return p.PhoneNumber == number })
	if i < 0 {
		return a, fmt.Errorf("%w: %s", ErrPhoneNotFound, number)
	}
	a.DigitalVirgo = slices.Delete(slices.Clone(a.DigitalVirgo), i, i+1)
	a.UpdatedAt = now
	return a, nil
}

// BundleStatus is the bundle's status as the status query answers it.
func (a Account) BundleStatus() string {
	if a.State == StateActive {
		if a.Activated {
			return BundleActive
		}
		return BundlePendingActivation
	}
	return string(a.State)
}
