package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
)

// ValidationError is a request a partner refuses as malformed: 400 INVALID_REQUEST.
type ValidationError struct{ Msg string }

func (e *ValidationError) Error() string { return e.Msg }

// Invalid refuses a request as malformed, saying why.
func Invalid(msg string) error { return &ValidationError{Msg: msg} }

// ErrorCode is the answer a partner gives to one of its domain errors.
type ErrorCode struct {
	Err    error
	Status int
	Code   string
}

// ErrorResponse is the one mapping of a partner's errors to answers: a ValidationError is 400
// INVALID_REQUEST, an error in codes its status and code, anything else 500 INTERNAL.
func (p *Partner) ErrorResponse(err error, codes []ErrorCode) Response {
	if v, ok := errors.AsType[*ValidationError](err); ok {
		return p.Error(http.StatusBadRequest, "INVALID_REQUEST", v.Msg)
	}
	for _, c := range codes {
		if errors.Is(err, c.Err) {
			return p.Error(c.Status, c.Code, err.Error())
		}
	}
	return p.Error(http.StatusInternalServerError, "INTERNAL", err.Error())
}

// Effect marks an answer as one that changed the partner's state, for the request counters.
func Effect(r Response) Response {
	r.Effect = true
	return r
}

// Decode reads a JSON object body. Unknown fields are ignored, as partners do; an empty body is
// an empty object unless required.
func Decode(body []byte, v any, required bool) error {
	if len(bytes.TrimSpace(body)) == 0 {
		if required {
			return Invalid("a JSON body is required")
		}
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return Invalid("the body is not valid JSON for this operation")
	}
	return nil
}
