package events

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// payloadMap returns the valid example payload of typ as a JSON object to mutate.
func payloadMap(t *testing.T, typ string) map[string]any {
	t.Helper()
	b, err := json.Marshal(validPayloads()[typ])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestValidate_AcceptsValidPayloads(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  string
		edit func(m map[string]any)
	}{
		{"create with one product", TypeDisneyCreateSubscription, func(m map[string]any) { m["products"] = []string{"p"} }},
		{"org of one character", TypeDisneyCreateSubscription, func(m map[string]any) { m["org"] = "y" }},
		{"org of 63 characters", TypeDisneyCreateSubscription, func(m map[string]any) { m["org"] = "a" + strings.Repeat("-", 62) }},
		{"ids with dot dash underscore", TypeDisneyCreateSubscription, func(m map[string]any) { m["userId"], m["subscriptionId"] = "u.1-a_B", "ENT_1.x-2" }},
		{"terminate of the whole subscription", TypeDisneyTerminateSubscription, func(m map[string]any) { delete(m, "product") }},
		{"status without cancellation, workflow or correlation", TypeDisneySubscriptionStatusV1, func(m map[string]any) {
			delete(m, "cancellation")
			delete(m, "workflowId")
			delete(m, "correlationId")
		}},
		{"status with a field added later", TypeDisneySubscriptionStatusV1, func(m map[string]any) { m["renewalDate"] = "2027-01-01" }},
		{"status with empty products after terminate", TypeDisneySubscriptionStatusV1, func(m map[string]any) { m["products"] = []string{} }},
		{"status with offset date-time", TypeDisneySubscriptionStatusV1, func(m map[string]any) { m["lastUpdated"] = "2023-06-20T14:32:45.123+02:00" }},
		{"failed without subscription (activation callback)", TypeDisneyOperationFailedV1, func(m map[string]any) {
			delete(m, "subscriptionId")
			m["operation"] = OpActivationCallback
		}},
		{"failed with a field added later", TypeDisneyOperationFailedV1, func(m map[string]any) { m["attempts"] = 5 }},
		{"failed with an extra error field", TypeDisneyOperationFailedV1, func(m map[string]any) {
			m["error"].(map[string]any)["ref"] = "https://example.invalid/errors"
		}},
		{"v2 status on creation (no previous status)", TypeDisneySubscriptionStatusV2, func(m map[string]any) { delete(m, "previousStatus") }},
		{"v2 status with a details field added later", TypeDisneySubscriptionStatusV2, func(m map[string]any) { m["details"].(map[string]any)["renewalDate"] = "2027-01-01" }},
		{"v2 failure of a create (no subscription yet)", TypeDisneyOperationFailedV2, func(m map[string]any) {
			delete(m, "status")
			delete(m, "previousStatus")
			m["operation"], m["version"] = OpCreate, 0
		}},
		{"v2 failure of the activation callback (no subscription named)", TypeDisneyOperationFailedV2, func(m map[string]any) {
			delete(m, "subscriptionId")
			delete(m, "status")
			delete(m, "previousStatus")
			m["operation"], m["version"] = OpActivationCallback, 0
		}},
		{"failed with empty error details", TypeDisneyOperationFailedV1, func(m map[string]any) { m["error"].(map[string]any)["details"] = "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := payloadMap(t, tc.typ)
			tc.edit(m)
			b, _ := json.Marshal(m)
			if err := Validate(tc.typ, b); err != nil {
				t.Errorf("rejected: %v\npayload: %s", err, b)
			}
		})
	}
}

func TestValidate_RejectsInvalidPayloads(t *testing.T) {
	for _, tc := range []struct {
		name  string
		typ   string
		edit  func(m map[string]any)
		field string // the Violation.Field expected among the violations
		msg   string // a substring of that violation's message
	}{
		{"missing products", TypeDisneyCreateSubscription, func(m map[string]any) { delete(m, "products") }, "products", "is required"},
		{"empty products", TypeDisneyCreateSubscription, func(m map[string]any) { m["products"] = []string{} }, "products", "must not be empty"},
		{"null products", TypeDisneyModifySubscription, func(m map[string]any) { m["products"] = nil }, "products", "must be array"},
		{"empty product id", TypeDisneySuspendSubscription, func(m map[string]any) { m["products"] = []string{"a", ""} }, "products[1]", "must not be empty"},
		{"repeated product", TypeDisneyReactivateSubscription, func(m map[string]any) { m["products"] = []string{"a", "a"} }, "products", "must not repeat"},
		{"product not a string", TypeDisneyCreateSubscription, func(m map[string]any) { m["products"] = []any{1} }, "products[0]", "must be string"},
		{"extra field on a command", TypeDisneyCreateSubscription, func(m map[string]any) { m["country"] = "ES" }, "country", "not allowed"},
		{"extra field on the activation callback", TypeDisneyActivationCallback, func(m map[string]any) { m["subscriptionId"] = "ENT1" }, "subscriptionId", "not allowed"},
		{"missing subscriptionId", TypeDisneyTerminateSubscription, func(m map[string]any) { delete(m, "subscriptionId") }, "subscriptionId", "is required"},
		{"empty subscriptionId", TypeDisneyCreateSubscription, func(m map[string]any) { m["subscriptionId"] = "" }, "subscriptionId", "must not be empty"},
		{"subscriptionId too long", TypeDisneyCreateSubscription, func(m map[string]any) { m["subscriptionId"] = strings.Repeat("E", 129) }, "subscriptionId", "at most 128"},
		{"userId with a space", TypeDisneyCreateSubscription, func(m map[string]any) { m["userId"] = "MOO 1" }, "userId", "must match"},
		{"userId with a slash", TypeDisneyActivationCallback, func(m map[string]any) { m["userId"] = "a/b" }, "userId", "must match"},
		{"missing org", TypeDisneyActivationCallback, func(m map[string]any) { delete(m, "org") }, "org", "is required"},
		{"org in capitals", TypeDisneyCreateSubscription, func(m map[string]any) { m["org"] = "Yoigo" }, "org", "must match"},
		{"org starting with a dash", TypeDisneyCreateSubscription, func(m map[string]any) { m["org"] = "-yoigo" }, "org", "must match"},
		{"org of 64 characters", TypeDisneyCreateSubscription, func(m map[string]any) { m["org"] = strings.Repeat("a", 64) }, "org", "must match"},
		{"empty terminate product", TypeDisneyTerminateSubscription, func(m map[string]any) { m["product"] = "" }, "product", "must not be empty"},
		{"wrong entitled enum", TypeDisneySubscriptionStatusV1, func(m map[string]any) { m["entitled"] = "CANCELLED" }, "entitled", "must be one of ACTIVE, BILLING_HOLD, CANCELED, GRACE_PERIOD"},
		{"wrong cancellation enum", TypeDisneySubscriptionStatusV1, func(m map[string]any) { m["cancellation"] = "FRAUD" }, "cancellation", "must be one of"},
		{"wrong activated enum", TypeDisneySubscriptionStatusV1, func(m map[string]any) { m["activated"] = "ACTIVE" }, "activated", "must be one of LINKED, UNLINKED"},
		{"lowercase enum", TypeDisneySubscriptionStatusV1, func(m map[string]any) { m["entitled"] = "active" }, "entitled", "must be one of"},
		{"wrong operation", TypeDisneySubscriptionStatusV1, func(m map[string]any) { m["operation"] = "delete" }, "operation", "must be one of"},
		{"bad date-time", TypeDisneySubscriptionStatusV1, func(m map[string]any) { m["lastUpdated"] = "2026-11-24 10:30" }, "lastUpdated", "not a valid date-time"},
		{"date without time", TypeDisneySubscriptionStatusV1, func(m map[string]any) { m["lastUpdated"] = "2026-11-24" }, "lastUpdated", "not a valid date-time"},
		{"zero time", TypeDisneySubscriptionStatusV1, func(m map[string]any) { m["lastUpdated"] = "0001-01-01T00:00:00Z" }, "lastUpdated", "zero time"},
		{"missing lastUpdated", TypeDisneySubscriptionStatusV1, func(m map[string]any) { delete(m, "lastUpdated") }, "lastUpdated", "is required"},
		{"version zero", TypeDisneySubscriptionStatusV1, func(m map[string]any) { m["version"] = 0 }, "version", "must be at least 1"},
		{"version not an integer", TypeDisneySubscriptionStatusV1, func(m map[string]any) { m["version"] = 1.5 }, "version", "must be integer"},
		{"missing commandId", TypeDisneySubscriptionStatusV1, func(m map[string]any) { delete(m, "commandId") }, "commandId", "is required"},
		{"empty workflowId", TypeDisneySubscriptionStatusV1, func(m map[string]any) { m["workflowId"] = "" }, "workflowId", "must not be empty"},
		{"missing products in status", TypeDisneySubscriptionStatusV1, func(m map[string]any) { delete(m, "products") }, "products", "is required"},
		{"repeated product in status", TypeDisneySubscriptionStatusV1, func(m map[string]any) { m["products"] = []string{"a", "a"} }, "products", "must not repeat"},
		{"v2 status without provider", TypeDisneySubscriptionStatusV2, func(m map[string]any) { delete(m, "provider") }, "provider", "is required"},
		{"v2 status of another provider", TypeDisneySubscriptionStatusV2, func(m map[string]any) { m["provider"] = "netflix" }, "provider", ""},
		{"v2 status with a provider's own status value", TypeDisneySubscriptionStatusV2, func(m map[string]any) { m["status"] = "BILLING_HOLD" }, "status", "must be one of PENDING, ACTIVE, SUSPENDED, DEACTIVATED, CANCELLED"},
		{"v2 status without status", TypeDisneySubscriptionStatusV2, func(m map[string]any) { delete(m, "status") }, "status", "is required"},
		{"v2 status without subscriptionId", TypeDisneySubscriptionStatusV2, func(m map[string]any) { delete(m, "subscriptionId") }, "subscriptionId", "is required"},
		{"v2 status carrying an error", TypeDisneySubscriptionStatusV2, func(m map[string]any) { m["error"] = map[string]any{"code": "X", "title": "Y", "details": ""} }, "error", "is not allowed"},
		{"v2 status version zero", TypeDisneySubscriptionStatusV2, func(m map[string]any) { m["version"] = 0 }, "version", "must be at least 1"},
		{"v2 status zero occurredAt", TypeDisneySubscriptionStatusV2, func(m map[string]any) { m["occurredAt"] = "0001-01-01T00:00:00Z" }, "occurredAt", "zero time"},
		{"v2 status without details", TypeDisneySubscriptionStatusV2, func(m map[string]any) { delete(m, "details") }, "details", "is required"},
		{"v2 status with Disney fields outside details", TypeDisneySubscriptionStatusV2, func(m map[string]any) { delete(m["details"].(map[string]any), "entitled") }, "details.entitled", "is required"},
		{"v2 status with a wrong entitled enum", TypeDisneySubscriptionStatusV2, func(m map[string]any) { m["details"].(map[string]any)["entitled"] = "CANCELLED" }, "details.entitled", "must be one of"},
		{"v2 failure without error", TypeDisneyOperationFailedV2, func(m map[string]any) { delete(m, "error") }, "error", "is required"},
		{"v2 failure with a negative version", TypeDisneyOperationFailedV2, func(m map[string]any) { m["version"] = -1 }, "version", "must be at least 0"},
		{"v2 failure without the user", TypeDisneyOperationFailedV2, func(m map[string]any) { delete(m["details"].(map[string]any), "userId") }, "details.userId", "is required"},
		{"failed without error", TypeDisneyOperationFailedV1, func(m map[string]any) { delete(m, "error") }, "error", "is required"},
		{"failed with empty error code", TypeDisneyOperationFailedV1, func(m map[string]any) { m["error"].(map[string]any)["code"] = "" }, "error.code", "must not be empty"},
		{"failed with error missing title", TypeDisneyOperationFailedV1, func(m map[string]any) { delete(m["error"].(map[string]any), "title") }, "error.title", "is required"},
		{"failed with bad failedAt", TypeDisneyOperationFailedV1, func(m map[string]any) { m["failedAt"] = "yesterday" }, "failedAt", "not a valid date-time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := payloadMap(t, tc.typ)
			tc.edit(m)
			b, _ := json.Marshal(m)
			err := Validate(tc.typ, b)
			if err == nil {
				t.Fatalf("accepted: %s", b)
			}
			if !errors.Is(err, ErrInvalidPayload) {
				t.Errorf("error does not match ErrInvalidPayload: %v", err)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error is %T, want *ValidationError", err)
			}
			if ve.Type != tc.typ {
				t.Errorf("ValidationError.Type = %q", ve.Type)
			}
			found := false
			for _, v := range ve.Violations {
				if v.Field == tc.field && strings.Contains(v.Message, tc.msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("no violation %s: ...%s...; got %v", tc.field, tc.msg, err)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("message %q does not name the field %q", err, tc.field)
			}
		})
	}
}

func TestValidate_RejectsDataThatIsNotAJSONObject(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		msg  string
	}{
		{"empty", "", "no data"},
		{"blank", "  \n", "no data"},
		{"truncated JSON", `{"org":"yoigo"`, "not valid JSON"},
		{"two values", `{} {}`, "not valid JSON"},
		{"array", `[]`, "must be object"},
		{"null", `null`, "must be object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(TypeDisneyCreateSubscription, []byte(tc.data))
			if !errors.Is(err, ErrInvalidPayload) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %v, want an invalid payload error containing %q", err, tc.msg)
			}
		})
	}
}

func TestValidate_ReportsEveryViolation(t *testing.T) {
	err := Validate(TypeDisneyCreateSubscription, []byte(`{"org":"Bad","userId":"","extra":1}`))
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v", err)
	}
	want := []string{"extra", "org", "products", "subscriptionId", "userId"}
	var got []string
	for _, v := range ve.Violations {
		got = append(got, v.Field)
	}
	for _, w := range want {
		if !strings.Contains(strings.Join(got, ","), w) {
			t.Errorf("violations %v lack %s", ve.Violations, w)
		}
	}
}

// Payloads carry customer identifiers and validation errors end up in logs: messages name the
// field and the rule, not the value.
func TestValidate_ErrorDoesNotRepeatIdentifierValues(t *testing.T) {
	err := Validate(TypeDisneyCreateSubscription, []byte(`{"org":"yoigo","userId":"SECRET VALUE","subscriptionId":"ENT1","products":["p"]}`))
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("got %v", err)
	}
}

func TestUnknownType_ReturnsErrUnknownType(t *testing.T) {
	for _, typ := range []string{"", "com.provision.disney.subscription.create.v2", "com.provision.insurance.policy.create.v1"} {
		if err := Validate(typ, []byte(`{}`)); !errors.Is(err, ErrUnknownType) {
			t.Errorf("Validate(%q) = %v, want ErrUnknownType", typ, err)
		}
		if _, err := Schema(typ); !errors.Is(err, ErrUnknownType) {
			t.Errorf("Schema(%q) = %v, want ErrUnknownType", typ, err)
		}
		if uri := SchemaURI(typ); uri != "" {
			t.Errorf("SchemaURI(%q) = %q, want empty", typ, uri)
		}
		if Known(typ) {
			t.Errorf("Known(%q)", typ)
		}
	}
}

func BenchmarkValidate_Create(b *testing.B) {
	data, _ := json.Marshal(validPayloads()[TypeDisneyCreateSubscription])
	for b.Loop() {
		if err := Validate(TypeDisneyCreateSubscription, data); err != nil {
			b.Fatal(err)
		}
	}
}

func TestValidate_IsSafeForConcurrentUse(t *testing.T) {
	good, _ := json.Marshal(validPayloads()[TypeDisneySubscriptionStatusV1])
	done := make(chan error, 8)
	for i := range 8 {
		go func() {
			var err error
			for range 50 {
				if i%2 == 0 {
					err = errors.Join(err, Validate(TypeDisneySubscriptionStatusV1, good))
				} else if Validate(TypeDisneySubscriptionStatusV1, []byte(`{}`)) == nil {
					err = errors.Join(err, errors.New("empty status accepted"))
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
