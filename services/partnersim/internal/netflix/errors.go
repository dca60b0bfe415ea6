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

// errorCodes are the statuses and codes of the Netflix partner's errors.
var errorCodes = []sim.ErrorCode{
	{Err: ErrAccountNotFound, Status: http.StatusNotFound, Code: "ACCOUNT_NOT_FOUND"},
	{Err: ErrAccountEnrolled, Status: http.StatusConflict, Code: "ACCOUNT_ALREADY_ENROLLED"},
	{Err: ErrAccountCanceled, Status: http.StatusConflict, Code: "ACCOUNT_CANCELED"},
	{Err: ErrAccountSuspended, Status: http.StatusConflict, Code: "ACCOUNT_SUSPENDED"},
	{Err: ErrAccountNotSuspended, Status: http.StatusConflict, Code: "ACCOUNT_NOT_SUSPENDED"},
	{Err: ErrPhoneEnrolled, Status: http.StatusConflict, Code: "PHONE_ALREADY_ENROLLED"},
	{Err: ErrPhoneNotFound, Status: http.StatusNotFound, Code: "PHONE_NOT_FOUND"},
	{Err: ErrTokenInvalid, Status: http.StatusBadRequest, Code: "TOKEN_INVALID"},
	{Err: ErrTokenExpired, Status: http.StatusBadRequest, Code: "TOKEN_EXPIRED"},
	{Err: ErrCursorInvalid, Status: http.StatusBadRequest, Code: "INVALID_CURSOR"},
}
