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
)

// The activation link table's errors, answered with this partner's codes.
var (
	ErrActivationNotFound = sim.ErrLinkNotFound
	ErrActivationExpired  = sim.ErrLinkExpired
)

// errorCodes are the statuses and codes of the Disney partner's errors.
var errorCodes = []sim.ErrorCode{
	{Err: ErrEntitlementNotFound, Status: http.StatusNotFound, Code: "ENTITLEMENT_NOT_FOUND"},
	{Err: ErrEntitlementExists, Status: http.StatusConflict, Code: "ENTITLEMENT_EXISTS"},
	{Err: ErrEntitlementCanceled, Status: http.StatusConflict, Code: "ENTITLEMENT_CANCELED"},
	{Err: ErrEntitlementSuspended, Status: http.StatusConflict, Code: "ENTITLEMENT_SUSPENDED"},
	{Err: ErrEntitlementNotSuspended, Status: http.StatusConflict, Code: "ENTITLEMENT_NOT_SUSPENDED"},
	{Err: ErrProductNotFound, Status: http.StatusNotFound, Code: "PRODUCT_NOT_FOUND"},
	{Err: ErrActivationNotFound, Status: http.StatusNotFound, Code: "ACTIVATION_NOT_FOUND"},
	{Err: ErrActivationExpired, Status: http.StatusGone, Code: "ACTIVATION_EXPIRED"},
}
