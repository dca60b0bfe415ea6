package events

import (
	"errors"
	"slices"
	"testing"
)

func TestHBOSchemaEnums_MatchTheGoLists(t *testing.T) {
	defs := schemaDoc(t, TypeHBOSubscriptionStatusV2)["$defs"].(map[string]any)
	if got := enumOf(t, defs["subscriptionStatus"]); !slices.Equal(got, HBOSubscriptionStatusValues()) {
		t.Errorf("subscriptionStatus enum = %v, want %v", got, HBOSubscriptionStatusValues())
	}
	for _, typ := range []string{TypeHBOSubscriptionStatusV2, TypeHBOCancelSubscription, TypeHBOSuspendSubscription, TypeHBOUpdateSubscription} {
		if got := enumOf(t, schemaDoc(t, typ)["$defs"].(map[string]any)["hboReason"]); !slices.Equal(got, HBOReasonValues()) {
			t.Errorf("%s hboReason enum = %v, want %v", typ, got, HBOReasonValues())
		}
	}
}

func TestHBOCommands_Validation(t *testing.T) {
	const head = `{"org":"masmovil","serviceId":"4567890123456789","externalId":"1234567890123456"`
	for _, tc := range []struct {
		name, typ, data, field string
	}{
		{"the service id as a JSON number is refused: it is kept exact, as digits", TypeHBOCreateSubscription,
			`{"org":"masmovil","serviceId":4567890123456789,"externalId":"1","country":"ES","products":[{"code":"MAX_AVOD"}]}`, "serviceId"},
		{"an external id that is not digits", TypeHBOCreateSubscription,
			`{"org":"masmovil","serviceId":"1","externalId":"crm-1","country":"ES","products":[{"code":"MAX_AVOD"}]}`, "externalId"},
		{"a lower-case country", TypeHBOCreateSubscription, head + `,"country":"es","products":[{"code":"MAX_AVOD"}]}`, "country"},
		{"a create without products", TypeHBOCreateSubscription, head + `,"country":"ES","products":[]}`, "products"},
		{"a product without its code", TypeHBOCreateSubscription, head + `,"country":"ES","products":[{"name":"MAX"}]}`, "products[0].code"},
		{"a trxId as a JSON number", TypeHBOCreateSubscription, head + `,"country":"ES","products":[{"code":"A","trxId":1234567890}]}`, "products[0].trxId"},
		{"epoch seconds as a string", TypeHBOCreateSubscription, head + `,"country":"ES","products":[{"code":"A","starts":"1616425200"}]}`, "products[0].starts"},
		{"an unknown reason", TypeHBOCancelSubscription, head + `,"reason":"BORED","products":[{"code":"A"}]}`, "reason"},
		{"a suspend without its reason", TypeHBOSuspendSubscription, head + `,"products":[{"code":"A"}]}`, "reason"},
		{"an update that adds and removes nothing", TypeHBOUpdateSubscription, head + `,"reason":"PRODUCT_CHANGED"}`, "productsToAdd"},
		{"a status naming another provider", TypeHBOSubscriptionStatusV2,
			`{"org":"masmovil","provider":"netflix","subscriptionId":"1","status":"ACTIVE","operation":"activate","commandId":"c","occurredAt":"2026-11-24T10:30:00Z","version":2,"details":{"serviceId":"1","externalId":"2","subscriptionStatus":"ACTIVE","country":"ES","products":[{"code":"A"}]}}`, "provider"},
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
	if err := Validate(TypeHBOActivateSubscription, []byte(head+`,"products":[{"code":"MAX_AVOD"}]}`)); err != nil {
		t.Errorf("the smallest activate is refused: %v", err)
	}
}
