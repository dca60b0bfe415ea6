package netflix

import (
	"encoding/json"
	"regexp"
	"strconv"
)

// PAI is a Partner Account Identifier: 1-19 decimal digits, kept as the caller sent them. The
// seed sends it as a 16-digit JSON number, which a float64 would round, so it is never decoded
// into a number.
type PAI string

var paiDigits = regexp.MustCompile(`^[0-9]{1,19}$`)

// Valid reports whether p is 1-19 decimal digits.
func (p PAI) Valid() bool { return paiDigits.MatchString(string(p)) }

// UnmarshalJSON accepts a JSON number or a string and keeps its text; Valid checks it after.
func (p *PAI) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*p = PAI(s)
		return nil
	}
	*p = PAI(b)
	return nil
}

// MarshalJSON writes a JSON integer, as the seed does, unless the digits are not one an int64
// reader gets back exactly (leading zeros, beyond int64): those are written as a string.
func (p PAI) MarshalJSON() ([]byte, error) {
	if n, err := strconv.ParseInt(string(p), 10, 64); err == nil && strconv.FormatInt(n, 10) == string(p) {
		return []byte(p), nil
	}
	return json.Marshal(string(p))
}
