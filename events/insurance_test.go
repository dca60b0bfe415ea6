package events

import (
	"errors"
	"slices"
	"testing"
)

func TestInsuranceSchemaEnums_MatchTheGoList(t *testing.T) {
	defs := schemaDoc(t, TypeInsuranceSubscriptionStatusV2)["$defs"].(map[string]any)
	if got := enumOf(t, defs["policyState"]); !slices.Equal(got, InsurancePolicyStateValues()) {
		t.Errorf("policyState enum = %v, want %v", got, InsurancePolicyStateValues())
	}
}

func TestInsuranceCommands_Validation(t *testing.T) {
	activate := `{"org":"masmovil","requestId":"0b7e6c44-6a43-4f6e-9d0e-0d9a3c1f2e11","policyNumber":"DI0000000001"`
	for _, tc := range []struct {
		name, typ, data, field string
	}{
		{"a policy number in lower case", TypeInsuranceCancelPolicy, `{"org":"masmovil","policyNumber":"di0000000001"}`, "policyNumber"},
		{"a policy number too short", TypeInsuranceCancelPolicy, `{"org":"masmovil","policyNumber":"DI01"}`, "policyNumber"},
		{"a command without its policy", TypeInsuranceSuspendPolicy, `{"org":"masmovil","phoneNumber":"612345678"}`, "policyNumber"},
		{"a document that is not a DNI or NIE", TypeInsuranceCancelPolicy, `{"org":"masmovil","policyNumber":"DI0000000001","document":"string"}`, "document"},
		{"an IMEI of 14 digits", TypeInsuranceActivatePolicy, activate + `,"imei":"35693803564380","document":"12345678Z"}`, "imei"},
		{"an activation without its document", TypeInsuranceActivatePolicy, activate + `,"imei":"356938035643809"}`, "document"},
		{"a request id that is not a UUID", TypeInsuranceActivatePolicy,
			`{"org":"masmovil","requestId":"string","policyNumber":"DI0000000001","imei":"356938035643809","document":"12345678Z"}`, "requestId"},
		{"a phone that is not Spanish", TypeInsuranceReconnectPolicy, `{"org":"masmovil","policyNumber":"DI0000000001","phoneNumber":"+34612345678"}`, "phoneNumber"},
		{"a field the seed does not have", TypeInsuranceTerminatePolicy, `{"org":"masmovil","policyNumber":"DI0000000001","imei":"356938035643809"}`, "imei"},
		{"a status with an unknown policy state", TypeInsuranceSubscriptionStatusV2,
			`{"org":"masmovil","provider":"insurance","subscriptionId":"DI0000000001","status":"ACTIVE","operation":"activate","commandId":"c","occurredAt":"2026-11-24T10:30:00Z","version":2,"details":{"policyNumber":"DI0000000001","policyState":"ISSUED","reservedAt":"2026-11-24T10:30:00Z"}}`, "details.policyState"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.typ, []byte(tc.data))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a validation error", err)
			}
			if !slices.ContainsFunc(ve.Violations, func(v Violation) bool { return v.Field == tc.field }) {
				t.Errorf("violations %v, want one on %q", ve.Violations, tc.field)
			}
		})
	}
	if err := Validate(TypeInsuranceActivatePolicy, []byte(activate+`,"imei":"356938035643809","document":"X1234567L"}`)); err != nil {
		t.Errorf("a NIE activation is refused: %v", err)
	}
}
