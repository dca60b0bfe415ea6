package insurance

import "errors"

// Domain errors of the insurer. Their messages name no personal value (document, IMEI, phone):
// they travel back to the platform and into its failure events.
var (
	ErrPolicyNotFound    = errors.New("policy not found")
	ErrInvalidTransition = errors.New("the policy's state does not allow the operation")
	ErrDocumentMismatch  = errors.New("the document does not match the policy's insured")
	ErrDeviceMismatch    = errors.New("the IMEI does not match the policy's device")
	ErrRequestMismatch   = errors.New("the requestId is not the one issued with the policy")
)
