package disney

import (
	"errors"
	"net/http"

	"provision.local/services/partnersim/internal/sim"
)

// Domain errors of the Disney partner.
var (
	ErrEntitlementNotFound     = errors.New("entitlement not found")
	ErrEntitlementExists       = errors.New("entitlement already exists")
	ErrEntitlementCanceled     = errors.New("entitlement is canceled")
	ErrEntitlementSuspended    = errors.New("entitlement is suspended")
	ErrEntitlementNotSuspended = errors.New("entitlement is not suspended")
	ErrProductNotFound         = errors.New("product not on the entitlement")
	ErrActivationNotFound      = errors.New("activation link not found")
	ErrActivationExpired       = errors.New("activation link expired")
)

// ValidationError is a request the partner refuses as malformed.
type ValidationError struct{ Msg string }

func (e *ValidationError) Error() string { return e.Msg }

func invalid(msg string) error { return &ValidationError{Msg: msg} }

// errorResponse is the one place that maps Disney errors to statuses and codes.
func errorResponse(p *sim.Partner, err error) sim.Response {
	if v, ok := errors.AsType[*ValidationError](err); ok {
		return p.Error(http.StatusBadRequest, "INVALID_REQUEST", v.Msg)
	}
	for _, m := range []struct {
		err    error
		status int
		code   string
	}{
		{ErrEntitlementNotFound, http.StatusNotFound, "ENTITLEMENT_NOT_FOUND"},
		{ErrEntitlementExists, http.StatusConflict, "ENTITLEMENT_EXISTS"},
		{ErrEntitlementCanceled, http.StatusConflict, "ENTITLEMENT_CANCELED"},
		{ErrEntitlementSuspended, http.StatusConflict, "ENTITLEMENT_SUSPENDED"},
		{ErrEntitlementNotSuspended, http.StatusConflict, "ENTITLEMENT_NOT_SUSPENDED"},
		{ErrProductNotFound, http.StatusNotFound, "PRODUCT_NOT_FOUND"},
		{ErrActivationNotFound, http.StatusNotFound, "ACTIVATION_NOT_FOUND"},
		{ErrActivationExpired, http.StatusGone, "ACTIVATION_EXPIRED"},
	} {
		if errors.Is(err, m.err) {
			return p.Error(m.status, m.code, err.Error())
		}
	}
	return p.Error(http.StatusInternalServerError, "INTERNAL", err.Error())
}
