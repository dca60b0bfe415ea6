package insurance

import (
	"errors"
	"net/http"

	"provision.local/services/partnersim/internal/sim"
)

// Domain errors of the insurer. Their messages name no personal value (document, IMEI, phone):
// they travel back to the platform and into its failure events.
var (
	ErrPolicyNotFound    = errors.New("policy not found")
	ErrInvalidTransition = errors.New("the policy's state does not allow the operation")
	ErrDocumentMismatch  = errors.New("the document does not match the policy's insured")
	ErrDeviceMismatch    = errors.New("the IMEI does not match the policy's device")
	ErrRequestMismatch   = errors.New("the requestId is not the one issued with the policy")
)

// errorCodes are the statuses and codes of the insurer's errors.
var errorCodes = []sim.ErrorCode{
	{Err: ErrPolicyNotFound, Status: http.StatusNotFound, Code: "POLICY_NOT_FOUND"},
	{Err: ErrInvalidTransition, Status: http.StatusConflict, Code: "INVALID_TRANSITION"},
	{Err: ErrDocumentMismatch, Status: http.StatusUnprocessableEntity, Code: "DOCUMENT_MISMATCH"},
	{Err: ErrDeviceMismatch, Status: http.StatusUnprocessableEntity, Code: "DEVICE_MISMATCH"},
	{Err: ErrRequestMismatch, Status: http.StatusUnprocessableEntity, Code: "REQUEST_MISMATCH"},
}

func errInvalid(msg string) error { return sim.Invalid(msg) }
