package ports

import (
	"encoding/json"
	"fmt"
	"regexp"

	"provision.local/services/hbo/internal/domain"
)

// activationRequest is what the activation URL reads of the public request's body: the customer
// and country it names, which must be the subscription's, and its integers. HBO needs none of
// the products.
type activationRequest struct {
	ExternalID json.RawMessage `json:"external_id"`
	Country    string          `json:"country"`
	Products   []struct {
		Starts  json.RawMessage `json:"starts"`
		Renews  json.RawMessage `json:"renews"`
		Expires json.RawMessage `json:"expires"`
		TrxID   json.RawMessage `json:"trx_id"`
	} `json:"products"`
}

// plainInteger is how the HTTP API writes an integer: no sign, fraction or exponent, which its
// schema check lets through.
var plainInteger = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)

// externalID is the body's external_id as its digits, given as a JSON string or integer; a
// refusal naming the field for a number not written as plain digits.
func (r activationRequest) externalID() (string, error) {
	var s string
	if json.Unmarshal(r.ExternalID, &s) == nil {
		return s, nil
	}
	if !plainInteger.Match(r.ExternalID) {
		return "", notPlain("external_id")
	}
	return string(r.ExternalID), nil
}

// checkIntegers refuses a product's integer not written as plain digits, as commands are.
func (r activationRequest) checkIntegers() error {
	for i, p := range r.Products {
		names := []string{"starts", "renews", "expires", "trx_id"}
		for j, v := range []json.RawMessage{p.Starts, p.Renews, p.Expires, p.TrxID} {
			if len(v) > 0 && !plainInteger.Match(v) {
				return notPlain(fmt.Sprintf("products.%d.%s", i, names[j]))
			}
		}
	}
	return nil
}

func notPlain(field string) error {
	return &domain.Refusal{Rule: domain.RuleField, Why: field + ": must be written as plain digits, without a sign, fraction or exponent"}
}
