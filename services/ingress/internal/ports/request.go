package ports

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"

	"github.com/gin-gonic/gin"

	"provision.local/pkg/httpx"
)

// Request is what a table entry reads from a request that passed validation.
type Request struct {
	Org           string
	CorrelationID string
	c             *gin.Context
	// body is the body as validation decoded it: map[string]any, []any, json.Number, string,
	// bool or nil (no body).
	body any
}

func newRequest(c *gin.Context) Request {
	r := Request{Org: c.Param("org"), CorrelationID: httpx.CorrelationID(c), c: c}
	if v, ok := c.Request.Body.(interface{ ValidatedValue() any }); ok {
		r.body = v.ValidatedValue()
	}
	return r
}

// Param is a path parameter.
func (r Request) Param(name string) string { return r.c.Param(name) }

// Query is a query parameter, "" when absent.
func (r Request) Query(name string) string { return r.c.Query(name) }

// Field is a field of the body object, nil when absent. Numbers are json.Number, exact as sent.
func (r Request) Field(name string) any {
	obj, _ := r.body.(map[string]any)
	return obj[name]
}

// String is a string field of the body, "" when absent.
func (r Request) String(name string) string {
	s, _ := r.Field(name).(string)
	return s
}

// Digits is a body field given as a JSON integer or as a string of digits (the document's
// ExactNumericId), as its decimal digits: a number exact as sent, never through a float, so 123
// and "123" are the same id. "" when absent; an INVALID_FIELD refusal for a number not written
// as plain digits (integerDigits).
func (r Request) Digits(name string) (string, error) { return integerDigits(name, r.Field(name)) }

// plainInteger is how the document's integers are written: validation lets 1e3, 1.0 and -0
// through as integers, which would otherwise reach a provider as those characters.
var plainInteger = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)

// integerDigits is a validated integer or ExactNumericId value of the body field named field as
// its digits, "" for any other value. A JSON number must be plain digits (no sign, fraction or
// exponent) within int64, as the document's integers are: anything else is refused naming field.
func integerDigits(field string, v any) (string, error) {
	switch v := v.(type) {
	case json.Number:
		if !plainInteger.MatchString(v.String()) {
			return "", invalid(CodeInvalidField, field+": must be written as plain digits, without a sign, fraction or exponent")
		}
		if _, err := strconv.ParseInt(v.String(), 10, 64); err != nil {
			return "", invalid(CodeInvalidField, field+": must be at most 9223372036854775807 as a JSON number")
		}
		return v.String(), nil
	case string:
		return v, nil
	}
	return "", nil
}

// Strings is a field of the body holding an array of strings.
func (r Request) Strings(name string) []string {
	items, _ := r.Field(name).([]any)
	out := make([]string, 0, len(items))
	for _, it := range items {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// canonicalBody is the body re-encoded with its object keys sorted and its numbers as sent, so
// that the same request formatted otherwise has the same identity. Nil for a request without a
// body.
func (r Request) canonicalBody() ([]byte, error) {
	if r.body == nil {
		return nil, nil
	}
	b, err := json.Marshal(r.body)
	if err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	return b, nil
}
