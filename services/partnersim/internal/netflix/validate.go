package netflix

import (
	"fmt"
	"regexp"

	"provision.local/services/partnersim/internal/sim"
)

var (
	orgPattern     = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	uuidPattern    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	phonePattern   = regexp.MustCompile(`^\+\d{1,3}\d{1,14}$`)
	countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)
)

// ValidateOrg checks the org of a path: 1-64 letters, digits, '.', '_' or '-'.
func ValidateOrg(org string) error {
	if !orgPattern.MatchString(org) {
		return sim.Invalid(fmt.Sprintf("org must be 1-%d letters, digits, '.', '_' or '-'", maxOrgLen))
	}
	return nil
}

func validateOffer(v string) error {
	if !uuidPattern.MatchString(v) {
		return sim.Invalid("netflix_offer_id must be a UUID")
	}
	return nil
}

func validatePhone(v string) error {
	if !phonePattern.MatchString(v) {
		return sim.Invalid("phone numbers must be in E.164 format, +[CountryCode][PhoneNumber]")
	}
	return nil
}

func validateCountry(v string) error {
	if !countryPattern.MatchString(v) {
		return sim.Invalid("partner_charge_country must be an ISO 3166-1 alpha-2 code such as ES")
	}
	return nil
}

func optional(check func(string) error) func(string) error {
	return func(v string) error {
		if v == "" {
			return nil
		}
		return check(v)
	}
}

func maxLen(field string, n int) func(string) error {
	return func(v string) error {
		if len(v) > n {
			return sim.Invalid(fmt.Sprintf("%s must be at most %d bytes", field, n))
		}
		return nil
	}
}

func requireEventID(field, v string) error {
	if v == "" || len(v) > maxEventIDLen {
		return sim.Invalid(fmt.Sprintf("%s is required, at most %d bytes", field, maxEventIDLen))
	}
	return nil
}
