package events

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestNetflixSchemaEnums_MatchTheGoLists(t *testing.T) {
	defs := schemaDoc(t, TypeNetflixSubscriptionStatusV2)["$defs"].(map[string]any)
	if got := enumOf(t, defs["netflixEventType"]); !slices.Equal(got, NetflixEventTypes()) {
		t.Errorf("netflixEventType enum = %v, want %v", got, NetflixEventTypes())
	}
	if got := enumOf(t, defs["bundleStatus"]); !slices.Equal(got, NetflixBundleStatusValues()) {
		t.Errorf("bundleStatus enum = %v, want %v", got, NetflixBundleStatusValues())
	}
	details := schemaDoc(t, TypeNetflixSubscriptionStatusV2)["properties"].(map[string]any)["details"].(map[string]any)
	event := details["properties"].(map[string]any)["event"].(map[string]any)
	checkFields(t, "netflix details event", event, reflect.TypeOf(NetflixPartnerEvent{}), false)
}

// The HTTP API lists the same event types: the events pull endpoint's filter and its event_type.
func TestNetflixEventTypes_AreTheHTTPAPIsEnumeration(t *testing.T) {
	raw, err := os.ReadFile("../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Enum []string `yaml:"enum"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Components.Schemas["NetflixEventType"].Enum; !slices.Equal(got, NetflixEventTypes()) {
		t.Errorf("the HTTP API's NetflixEventType = %v, want %v", got, NetflixEventTypes())
	}
}

func TestNetflixCommands_Validation(t *testing.T) {
	create := `{"org":"masmovil","partnerAccountId":"4567890123456789","bundleId":"b","offerId":"2106f808-36e9-402d-bf37-f1f7fa04776b"`
	for _, tc := range []struct {
		name, typ, data, field string
	}{
		{"the PAI as a JSON number is refused: it is kept exact, as digits", TypeNetflixCreateSubscription,
			`{"org":"masmovil","partnerAccountId":4567890123456789,"bundleId":"b","offerId":"2106f808-36e9-402d-bf37-f1f7fa04776b"}`, "partnerAccountId"},
		{"a PAI that is not digits", TypeNetflixCreateSubscription,
			`{"org":"masmovil","partnerAccountId":"45x","bundleId":"b","offerId":"2106f808-36e9-402d-bf37-f1f7fa04776b"}`, "partnerAccountId"},
		{"a PAI of 20 digits", TypeNetflixCreateSubscription,
			`{"org":"masmovil","partnerAccountId":"12345678901234567890","bundleId":"b","offerId":"2106f808-36e9-402d-bf37-f1f7fa04776b"}`, "partnerAccountId"},
		{"an offer that is not a UUID", TypeNetflixCreateSubscription,
			`{"org":"masmovil","partnerAccountId":"1","bundleId":"b","offerId":"basic"}`, "offerId"},
		{"a phone not in E.164", TypeNetflixCreateSubscription, create + `,"phone":"5512345678"}`, "phone"},
		{"a lower-case country", TypeNetflixCreateSubscription, create + `,"chargeCountry":"es"}`, "chargeCountry"},
		{"an email that is not one", TypeNetflixCreateSubscription, create + `,"email":"nobody"}`, "email"},
		{"an update that changes nothing", TypeNetflixUpdateSubscription, `{"org":"masmovil","partnerAccountId":"1"}`, ""},
		{"a cancel without its reason", TypeNetflixCancelSubscription, `{"org":"masmovil","partnerAccountId":"1","cancelEventId":"c"}`, "cancelReason"},
		{"a status naming another provider", TypeNetflixSubscriptionStatusV2,
			`{"org":"masmovil","provider":"disney","subscriptionId":"1","status":"ACTIVE","operation":"update","commandId":"c","occurredAt":"2026-11-24T10:30:00Z","version":2,"details":{"partnerAccountId":"1","bundleId":"b","offerId":"2106f808-36e9-402d-bf37-f1f7fa04776b","bundleStatus":"ACTIVE"}}`, "provider"},
		{"an unknown event type", TypeNetflixSubscriptionStatusV2,
			`{"org":"masmovil","provider":"netflix","subscriptionId":"1","status":"ACTIVE","operation":"update","commandId":"c","occurredAt":"2026-11-24T10:30:00Z","version":2,"details":{"partnerAccountId":"1","bundleId":"b","offerId":"2106f808-36e9-402d-bf37-f1f7fa04776b","bundleStatus":"ACTIVE","event":{"type":"BUNDLE_UPGRADE","netflixEventId":"e","occurredAt":"2026-11-24T10:30:00Z"}}}`, "details.event.type"},
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
	if err := Validate(TypeNetflixCreateSubscription, []byte(create+`}`)); err != nil {
		t.Errorf("the smallest create is refused: %v", err)
	}
}

// A change that records no Netflix event leaves details.event out.
func TestNetflixStatusDetails_WithoutAnEventValidate(t *testing.T) {
	s := *validPayloads()[TypeNetflixSubscriptionStatusV2].(*StatusEvent[NetflixStatusDetails])
	s.Operation, s.Status, s.PreviousStatus, s.Details.BundleStatus, s.Details.Event = OpCreate, StatusPending, "", NetflixBundlePendingActivation, nil
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(TypeNetflixSubscriptionStatusV2, b); err != nil {
		t.Errorf("creation status refused: %v", err)
	}
}
