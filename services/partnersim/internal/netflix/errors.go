package netflix

import (
	"errors"
	"net/http"

	"provision.local/services/partnersim/internal/sim"
)

// Domain errors of the Netflix partner.
var (
	ErrAccountNotFound     = errors.New("partner account not found")
	ErrAccountEnrolled     = errors.New("partner account already enrolled")
	ErrAccountCanceled     = errors.New("partner account is canceled")
	ErrAccountSuspended    = errors.New("partner account is suspended")
	ErrAccountNotSuspended = errors.New("partner account is not suspended")
	ErrPhoneEnrolled       = errors.New("phone already enrolled with digitalvirgo")
	ErrPhoneNotFound       = errors.New("phone not enrolled with digitalvirgo")
	ErrTokenInvalid        = errors.New("token unknown or not valid for this account")
	ErrTokenExpired        = errors.New("token expired")
	ErrCursorInvalid       = errors.New("invalid report cursor")
)

// ValidationError is a request the partner refuses as malformed.
type ValidationError struct{ Msg string }

func (e *ValidationError) Error() string { return e.Msg }

func invalid(msg string) error { return &ValidationError{Msg: msg} }

// errorResponse is the one place that maps Netflix errors to statuses and codes.
func errorResponse(p *sim.Partner, err error) sim.Response {
	if v, ok := errors.AsType[*ValidationError](err); ok {
		return p.Error(http.StatusBadRequest, "INVALID_REQUEST", v.Msg)
	}
	for _, m := range []struct {
		err    error
		status int
		code   string
	}{
		{ErrAccountNotFound, http.StatusNotFound, "ACCOUNT_NOT_FOUND"},
		{ErrAccountEnrolled, http.StatusConflict, "ACCOUNT_ALREADY_ENROLLED"},
		{ErrAccountCanceled, http.StatusConflict, "ACCOUNT_CANCELED"},
		{ErrAccountSuspended, http.StatusConflict, "ACCOUNT_SUSPENDED"},
		{ErrAccountNotSuspended, http.StatusConflict, "ACCOUNT_NOT_SUSPENDED"},
		{ErrPhoneEnrolled, http.StatusConflict, "PHONE_ALREADY_ENROLLED"},
		{ErrPhoneNotFound, http.StatusNotFound, "PHONE_NOT_FOUND"},
		{ErrTokenInvalid, http.StatusBadRequest, "TOKEN_INVALID"},
		{ErrTokenExpired, http.StatusBadRequest, "TOKEN_EXPIRED"},
		{ErrCursorInvalid, http.StatusBadRequest, "INVALID_CURSOR"},
	} {
		if errors.Is(err, m.err) {
			return p.Error(m.status, m.code, err.Error())
		}
	}
	return p.Error(http.StatusInternalServerError, "INTERNAL", err.Error())
}
