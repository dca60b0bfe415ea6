package domain

import (
	"regexp"
	"strings"
)

// The field rules of the Netflix API, checked again here so that a command published straight
// onto Kafka meets them too.
var (
	paiPattern     = regexp.MustCompile(`^[0-9]{1,19}$`)
	phonePattern   = regexp.MustCompile(`^\+\d{1,3}\d{1,14}$`)
	countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)
	offerPattern   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// Limits of the Netflix API.
const (
	// MaxReferenceBytes bounds billing_event_id and the other references, in bytes.
	MaxReferenceBytes = 1024
	maxEmailBytes     = 254
)

// ValidPAI reports whether pai is a Partner Account Identifier: 1-19 digits.
func ValidPAI(pai string) bool { return paiPattern.MatchString(pai) }

// field is one rule over one value; an empty value is "not given" and passes.
type field struct {
	name, value, rule string
	ok                func(string) bool
}

func check(fields ...field) error {
	for _, f := range fields {
		if f.value != "" && !f.ok(f.value) {
			return &InvalidField{Field: f.name, Rule: f.rule}
		}
	}
	return nil
}

// contact are the rules of the fields an enrolment and an update share.
func contact(c Changes) []field {
	return []field{
		{"offerId", c.OfferID, "a UUID", offerPattern.MatchString},
		{"phone", c.Phone, "E.164, +[country code][number]", phonePattern.MatchString},
		{"chargeCountry", c.ChargeCountry, "an upper-case ISO 3166-1 alpha-2 code", countryPattern.MatchString},
		{"email", c.Email, "an address of at most 254 bytes", func(v string) bool {
			return len(v) <= maxEmailBytes && strings.Contains(v, "@")
		}},
		{"billingEventId", c.BillingEventID, "at most 1024 bytes", fitsReference},
	}
}

func fitsReference(v string) bool { return len(v) <= MaxReferenceBytes }

func (e Enrolment) validate() error {
	if !ValidPAI(e.PAI) {
		return &InvalidField{Field: "partnerAccountId", Rule: "1-19 digits"}
	}
	for _, f := range [][2]string{{"bundleId", e.BundleID}, {"offerId", e.OfferID}} {
		if f[1] == "" {
			return &InvalidField{Field: f[0], Rule: "required"}
		}
	}
	return check(contact(Changes{
		OfferID: e.OfferID, Phone: e.Phone, ChargeCountry: e.ChargeCountry, Email: e.Email, BillingEventID: e.BillingEventID,
	})...)
}

// ValidReference checks a change's reference (a cancel, suspend or reactivate event id).
func ValidReference(name, ref string) error {
	if ref == "" {
		return &InvalidField{Field: name, Rule: "required"}
	}
	return check(field{name, ref, "at most 1024 bytes", fitsReference})
}
