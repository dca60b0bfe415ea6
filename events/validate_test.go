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
		{"status without cancellation, workflow or correlation", TypeDisneySubscriptionStatus, func(m map[string]any) {
			delete(m, "cancellation")
			delete(m, "workflowId")
			delete(m, "correlationId")
		}},
		{"status with a field added later", TypeDisneySubscriptionStatus, func(m map[string]any) { m["renewalDate"] = "2027-01-01" }},
		{"status with empty products after terminate", TypeDisneySubscriptionStatus, func(m map[string]any) { m["products"] = []string{} }},
		{"status with offset date-time", TypeDisneySubscriptionStatus, func(m map[string]any) { m["lastUpdated"] = "2023-06-20T14:32:45.123+02:00" }},
		{"failed without subscription (activation callback)", TypeDisneyOperationFailed, func(m map[string]any) {
			delete(m, "subscriptionId")
			m["operation"] = OpActivationCallback
		}},
		{"failed with a field added later", TypeDisneyOperationFailed, func(m map[string]any) { m["attempts"] = 5 }},
		{"failed with an extra error field", TypeDisneyOperationFailed, func(m map[string]any) {
			m["error"].(map[string]any)["ref"] = "https://example.invalid/errors"
		}},
		{"failed with empty error details", TypeDisneyOperationFailed, func(m map[string]any) { m["error"].(map[string]any)["details"] = "" }},
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
		{"wrong entitled enum", TypeDisneySubscriptionStatus, func(m map[string]any) { m["entitled"] = "CANCELLED" }, "entitled", "must be one of ACTIVE, BILLING_HOLD, CANCELED, GRACE_PERIOD"},
		{"wrong cancellation enum", TypeDisneySubscriptionStatus, func(m map[string]any) { m["cancellation"] = "FRAUD" }, "cancellation", "must be one of"},
		{"wrong activated enum", TypeDisneySubscriptionStatus, func(m map[string]any) { m["activated"] = "ACTIVE" }, "activated", "must be one of LINKED, UNLINKED"},
		{"lowercase enum", TypeDisneySubscriptionStatus, func(m map[string]any) { m["entitled"] = "active" }, "entitled", "must be one of"},
		{"wrong operation", TypeDisneySubscriptionStatus, func(m map[string]any) { m["operation"] = "delete" }, "operation", "must be one of"},
		{"bad date-time", TypeDisneySubscriptionStatus, func(m map[string]any) { m["lastUpdated"] = "2026-11-24 10:30" }, "lastUpdated", "not a valid date-time"},
		{"date without time", TypeDisneySubscriptionStatus, func(m map[string]any) { m["lastUpdated"] = "2026-11-24" }, "lastUpdated", "not a valid date-time"},
		{"zero time", TypeDisneySubscriptionStatus, func(m map[string]any) { m["lastUpdated"] = "0001-01-01T00:00:00Z" }, "lastUpdated", "zero time"},
		{"missing lastUpdated", TypeDisneySubscriptionStatus, func(m map[string]any) { delete(m, "lastUpdated") }, "lastUpdated", "is required"},
		{"version zero", TypeDisneySubscriptionStatus, func(m map[string]any) { m["version"] = 0 }, "version", "must be at least 1"},
		{"version not an integer", TypeDisneySubscriptionStatus, func(m map[string]any) { m["version"] = 1.5 }, "version", "must be integer"},
		{"missing commandId", TypeDisneySubscriptionStatus, func(m map[string]any) { delete(m, "commandId") }, "commandId", "is required"},
		{"empty workflowId", TypeDisneySubscriptionStatus, func(m map[string]any) { m["workflowId"] = "" }, "workflowId", "must not be empty"},
		{"missing products in status", TypeDisneySubscriptionStatus, func(m map[string]any) { delete(m, "products") }, "products", "is required"},
		{"repeated product in status", TypeDisneySubscriptionStatus, func(m map[string]any) { m["products"] = []string{"a", "a"} }, "products", "must not repeat"},
		{"failed without error", TypeDisneyOperationFailed, func(m map[string]any) { delete(m, "error") }, "error", "is required"},
		{"failed with empty error code", TypeDisneyOperationFailed, func(m map[string]any) { m["error"].(map[string]any)["code"] = "" }, "error.code", "must not be empty"},
		{"failed with error missing title", TypeDisneyOperationFailed, func(m map[string]any) { delete(m["error"].(map[string]any), "title") }, "error.title", "is required"},
		{"failed with bad failedAt", TypeDisneyOperationFailed, func(m map[string]any) { m["failedAt"] = "yesterday" }, "failedAt", "not a valid date-time"},
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
	for _, typ := range []string{"", "com.provision.disney.subscription.create.v2", "com.provision.netflix.subscription.create.v1"} {
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
	good, _ := json.Marshal(validPayloads()[TypeDisneySubscriptionStatus])
	done := make(chan error, 8)
	for i := range 8 {
		go func() {
			var err error
			for range 50 {
				if i%2 == 0 {
					err = errors.Join(err, Validate(TypeDisneySubscriptionStatus, good))
				} else if Validate(TypeDisneySubscriptionStatus, []byte(`{}`)) == nil {
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
