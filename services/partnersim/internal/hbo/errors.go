package hbo

import (
	"errors"
	"net/http"

	"provision.local/services/partnersim/internal/sim"
)

// Domain errors of the HBO partner.
var (
	ErrNotFound        = errors.New("subscription not found")
	ErrExists          = errors.New("subscription already exists")
	ErrCancelled       = errors.New("subscription is cancelled")
	ErrNotPending      = errors.New("subscription is not pending activation")
	ErrNotActive       = errors.New("subscription is not active")
	ErrNotSuspended    = errors.New("subscription is not suspended")
	ErrProductNotFound = errors.New("product not on the subscription")
	ErrProductExists   = errors.New("product already on the subscription")
	ErrLastProduct     = errors.New("a subscription keeps at least one product; cancel it instead")
)

// The activation link table's errors, answered with this partner's codes.
var (
	ErrActivationNotFound = sim.ErrLinkNotFound
	ErrActivationExpired  = sim.ErrLinkExpired
)

// errorCodes are the statuses and codes of the HBO partner's errors.
var errorCodes = []sim.ErrorCode{
	{Err: ErrNotFound, Status: http.StatusNotFound, Code: "SUBSCRIPTION_NOT_FOUND"},
	{Err: ErrExists, Status: http.StatusConflict, Code: "SUBSCRIPTION_EXISTS"},
	{Err: ErrCancelled, Status: http.StatusConflict, Code: "SUBSCRIPTION_CANCELLED"},
	{Err: ErrNotPending, Status: http.StatusConflict, Code: "SUBSCRIPTION_NOT_PENDING"},
	{Err: ErrNotActive, Status: http.StatusConflict, Code: "SUBSCRIPTION_NOT_ACTIVE"},
	{Err: ErrNotSuspended, Status: http.StatusConflict, Code: "SUBSCRIPTION_NOT_SUSPENDED"},
	{Err: ErrProductNotFound, Status: http.StatusNotFound, Code: "PRODUCT_NOT_FOUND"},
	{Err: ErrProductExists, Status: http.StatusConflict, Code: "PRODUCT_EXISTS"},
	{Err: ErrLastProduct, Status: http.StatusConflict, Code: "LAST_PRODUCT"},
	{Err: ErrActivationNotFound, Status: http.StatusNotFound, Code: "ACTIVATION_NOT_FOUND"},
	{Err: ErrActivationExpired, Status: http.StatusGone, Code: "ACTIVATION_EXPIRED"},
}
