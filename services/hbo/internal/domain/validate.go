package domain

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"provision.local/events"
	"provision.local/pkg/country"
)

var digits = regexp.MustCompile(`^[0-9]{1,19}$`)

// id is the HTTP API's HboId: without a leading zero, an id's digits are one subscription or
// customer whether written as a JSON number or a string.
var idPattern = regexp.MustCompile(`^(0|[1-9][0-9]{0,18})$`)

// Bounds of a product's text fields, the HTTP API's.
const (
	maxCodeLen = 64
	maxNameLen = 255
)

func validID(field, id string) error {
	if !idPattern.MatchString(id) {
		return invalid(field, "1-19 digits without a leading zero")
	}
	return nil
}

// ValidCountry checks a country code against ISO 3166-1: billing publishes commands straight onto
// Kafka, past the HTTP API's check, and the event schema checks only the shape.
func ValidCountry(code string) error {
	if !country.IsISO3166Alpha2(code) {
		return invalid("country", "an assigned ISO 3166-1 alpha-2 code in upper case")
	}
	return nil
}

// ValidReason checks a reason against the seed's enumeration; "" passes unless required.
func ValidReason(reason string, required bool) error {
	if reason == "" && !required {
		return nil
	}
	if !slices.Contains(events.HBOReasonValues(), reason) {
		return invalid("reason", fmt.Sprintf("one of %v", events.HBOReasonValues()))
	}
	return nil
}

// validProducts checks a list of products: each with a code, the codes distinct.
func validProducts(field string, products []Product) error {
	if len(products) > MaxProducts {
		return invalid(field, fmt.Sprintf("at most %d products", MaxProducts))
	}
	seen := make(map[string]bool, len(products))
	for i, p := range products {
		at := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case p.Code == "" || len(p.Code) > maxCodeLen:
			return invalid(at+".code", fmt.Sprintf("1-%d characters", maxCodeLen))
		case len(p.Name) > maxNameLen:
			return invalid(at+".name", fmt.Sprintf("at most %d characters", maxNameLen))
		case p.TrxID != "" && !validTrxID(p.TrxID):
			return invalid(at+".trxId", "1-19 digits, at most 9223372036854775807 (the API's int64)")
		case p.Starts < 0 || p.Renews < 0 || p.Expires < 0:
			return invalid(at, "epoch seconds are not negative")
		case seen[p.Code]:
			return invalid(at+".code", "product codes are distinct")
		}
		seen[p.Code] = true
	}
	return nil
}

// validTrxID holds a transaction id to what the HTTP API can answer: digits within int64. A
// command published straight onto Kafka could otherwise carry one the API could not show.
func validTrxID(id string) bool {
	if !digits.MatchString(id) {
		return false
	}
	_, err := strconv.ParseInt(id, 10, 64)
	return err == nil
}
