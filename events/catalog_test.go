package events

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

var (
	testTime  = time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)
	testProds = []string{"com.disney.yoigo.es.bundle.basic", "com.disney.yoigo.es.bundle.premium"}
)

const (
	testPAI    = "4567890123456789"
	testBundle = "c2a45099-1cda-4178-83a8-02c02356ea01"
	testOffer  = "2106f808-36e9-402d-bf37-f1f7fa04776b"
	// testExternal is an HBO external_id, the CRM's.
	testExternal = "1234567890123456"
)

// validPayloads holds one valid Go payload per catalogued type.
func validPayloads() map[string]any {
	return map[string]any{
		TypeDisneyCreateSubscription:     &DisneyCreateSubscription{Org: "yoigo", UserID: "MOO1664367665504", SubscriptionID: "ENT1664367665579", Products: testProds},
		TypeDisneyModifySubscription:     &DisneyModifySubscription{Org: "yoigo", UserID: "MOO1664367665504", SubscriptionID: "ENT1664367665579", Products: testProds[:1]},
		TypeDisneySuspendSubscription:    &DisneySuspendSubscription{Org: "yoigo", UserID: "MOO1664367665504", SubscriptionID: "ENT1664367665579", Products: testProds},
		TypeDisneyReactivateSubscription: &DisneyReactivateSubscription{Org: "yoigo", UserID: "MOO1664367665504", SubscriptionID: "ENT1664367665579", Products: testProds},
		TypeDisneyTerminateSubscription:  &DisneyTerminateSubscription{Org: "yoigo", UserID: "MOO1664367665504", SubscriptionID: "ENT1664367665579", Product: "com.disney.yoigo.es.bundle.premium"},
		TypeDisneyActivationCallback:     &DisneyActivationCallback{Org: "yoigo", UserID: "MOO1664367665504"},
		TypeDisneySubscriptionStatusV2: &StatusEvent[DisneyStatusDetails]{
			Org: "yoigo", Provider: ProviderDisney, SubscriptionID: "ENT1664367665579",
			Status: StatusSuspended, PreviousStatus: StatusActive,
			Operation: OpSuspend, CommandID: "6f1c2b1e-5d7a-5b8e-9c3f-2a4d6e8f0a1b", WorkflowID: "wf-disney-x-y",
			CorrelationID: "2106f808-36e9-402d-bf37-f1f7fa04776b", OccurredAt: testTime, Version: 3,
			Details: DisneyStatusDetails{
				UserID: "MOO1664367665504", Entitled: EntitledBillingHold, Cancellation: CancellationInvoluntary,
				Activated: ActivatedLinked, Products: testProds,
			},
		},
		TypeDisneyOperationFailedV2: &StatusEvent[DisneyFailedDetails]{
			Org: "yoigo", Provider: ProviderDisney, SubscriptionID: "ENT1664367665579",
			Status: StatusActive, PreviousStatus: StatusActive,
			Operation: OpReactivate, CommandID: "6f1c2b1e-5d7a-5b8e-9c3f-2a4d6e8f0a1b", OccurredAt: testTime, Version: 2,
			Error:   &ErrorDetail{Code: "INVALID_TRANSITION", Title: "OPERATION_NOT_ALLOWED", Details: "already active"},
			Details: DisneyFailedDetails{UserID: "MOO1664367665504"},
		},
		TypeDisneySubscriptionStatusV1: &DisneySubscriptionStatusV1{
			Org: "yoigo", UserID: "MOO1664367665504", SubscriptionID: "ENT1664367665579",
			Operation: OpSuspend, CommandID: "6f1c2b1e-5d7a-5b8e-9c3f-2a4d6e8f0a1b", WorkflowID: "wf-disney-x-y",
			CorrelationID: "2106f808-36e9-402d-bf37-f1f7fa04776b",
			Entitled:      EntitledBillingHold, Cancellation: CancellationInvoluntary, Activated: ActivatedLinked,
			Products: testProds, LastUpdated: testTime, Version: 3,
		},
		TypeDisneyOperationFailedV1: &DisneyOperationFailedV1{
			Org: "yoigo", UserID: "MOO1664367665504", SubscriptionID: "ENT1664367665579",
			Operation: OpCreate, CommandID: "6f1c2b1e-5d7a-5b8e-9c3f-2a4d6e8f0a1b",
			Error:    ErrorDetail{Code: "PARTNER_REJECTED", Title: "SUBSCRIPTION_ALREADY_EXISTS", Details: "already exists"},
			FailedAt: testTime,
		},
		TypeNetflixCreateSubscription: &NetflixCreateSubscription{
			Org: "masmovil", PartnerAccountID: testPAI, BundleID: testBundle, OfferID: testOffer, Channel: "WEB",
			Email: "test@email.com", Phone: "+525512345678", ChargeCountry: "ES", PreferredLanguage: "es-ES",
			ExternalID: "external_subscription_12345", BillingEventID: "e307f177-091a-4840-9830-dda1c29eea44",
		},
		TypeNetflixUpdateSubscription:     &NetflixUpdateSubscription{Org: "masmovil", PartnerAccountID: testPAI, OfferID: testOffer},
		TypeNetflixCancelSubscription:     &NetflixCancelSubscription{Org: "masmovil", PartnerAccountID: testPAI, CancelEventID: "c02a6e17", CancelReason: "CUSTOMER_REQUESTED_CANCEL"},
		TypeNetflixSuspendSubscription:    &NetflixSuspendSubscription{Org: "masmovil", PartnerAccountID: testPAI, SuspendEventID: "s1", Reason: "PAYMENT_INSTRUMENT_FAILURE", ExternalID: "x"},
		TypeNetflixReactivateSubscription: &NetflixReactivateSubscription{Org: "masmovil", PartnerAccountID: testPAI, ReactivateEventID: "r1"},
		TypeNetflixActivationCallback:     &NetflixActivationCallback{Org: "masmovil", PartnerAccountID: testPAI, NetflixEventID: "5a875d71", ActivatedAt: testTime},
		TypeNetflixSubscriptionStatusV2: &StatusEvent[NetflixStatusDetails]{
			Org: "masmovil", Provider: ProviderNetflix, SubscriptionID: testPAI,
			Status: StatusActive, PreviousStatus: StatusPending, Operation: OpActivationCallback,
			CommandID: "6f1c2b1e-5d7a-5b8e-9c3f-2a4d6e8f0a1b", OccurredAt: testTime, Version: 2,
			Details: NetflixStatusDetails{
				PartnerAccountID: testPAI, BundleID: testBundle, OfferID: testOffer, BundleStatus: NetflixBundleActive,
				Channel: "WEB", ChargeCountry: "ES",
				Event: &NetflixPartnerEvent{
					Type: NetflixEventBundleActivation, NetflixEventID: "5a875d71", OccurredAt: testTime,
					PartnerReferenceID: "e307f177", OriginalTransactionID: "tx-1",
				},
			},
		},
		TypeNetflixOperationFailedV2: &StatusEvent[NetflixFailedDetails]{
			Org: "masmovil", Provider: ProviderNetflix, SubscriptionID: testPAI, Operation: OpCreate,
			CommandID: "6f1c2b1e-5d7a-5b8e-9c3f-2a4d6e8f0a1b", OccurredAt: testTime,
			Error:   &ErrorDetail{Code: "PARTNER_REJECTED", Title: "PARTNER_ERROR", Details: "offer unknown"},
			Details: NetflixFailedDetails{PartnerAccountID: testPAI},
		},
		TypeHBOCreateSubscription: &HBOCreateSubscription{Org: "masmovil", ServiceID: testPAI, ExternalID: testExternal, Country: "ES", Products: []HBOProduct{testHBOProduct}},
		TypeHBOUpdateSubscription: &HBOUpdateSubscription{Org: "masmovil", ServiceID: testPAI, ExternalID: testExternal, Reason: HBOReasonProductChanged,
			ProductsToAdd: []HBOProduct{{Code: "MAX_SVOD"}}, ProductsToRemove: []HBOProduct{{Code: "MAX_AVOD"}}},
		TypeHBOCancelSubscription:     &HBOCancelSubscription{Org: "masmovil", ServiceID: testPAI, ExternalID: testExternal, Reason: HBOReasonProductCanceled, Country: "ES", Products: []HBOProduct{testHBOProduct}},
		TypeHBOSuspendSubscription:    &HBOSuspendSubscription{Org: "masmovil", ServiceID: testPAI, ExternalID: testExternal, Reason: HBOReasonOfferExpired, Products: []HBOProduct{testHBOProduct}},
		TypeHBOReactivateSubscription: &HBOReactivateSubscription{Org: "masmovil", ServiceID: testPAI, ExternalID: testExternal, Products: []HBOProduct{testHBOProduct}},
		TypeHBOActivateSubscription:   &HBOActivateSubscription{Org: "masmovil", ServiceID: testPAI, ExternalID: testExternal, Country: "ES", Products: []HBOProduct{{Code: "MAX_AVOD"}}},
		TypeHBOSubscriptionStatusV2: &StatusEvent[HBOStatusDetails]{
			Org: "masmovil", Provider: ProviderHBO, SubscriptionID: testPAI,
			Status: StatusSuspended, PreviousStatus: StatusActive, Operation: OpSuspend,
			CommandID: "6f1c2b1e-5d7a-5b8e-9c3f-2a4d6e8f0a1b", OccurredAt: testTime, Version: 4,
			Details: HBOStatusDetails{ServiceID: testPAI, ExternalID: testExternal, SubscriptionStatus: HBOSuspended, Country: "ES",
				Products: []HBOProduct{testHBOProduct}, Reason: HBOReasonOfferExpired},
		},
		TypeHBOOperationFailedV2: &StatusEvent[HBOFailedDetails]{
			Org: "masmovil", Provider: ProviderHBO, SubscriptionID: testPAI, Operation: OpSuspend,
			CommandID: "6f1c2b1e-5d7a-5b8e-9c3f-2a4d6e8f0a1b", OccurredAt: testTime,
			Error:   &ErrorDetail{Code: "SUBSCRIPTION_NOT_FOUND", Title: "Subscription not found", Details: "no subscription 4567890123456789"},
			Details: HBOFailedDetails{ServiceID: testPAI},
		},
	}
}

var testHBOProduct = HBOProduct{Code: "MAX_AVOD", Name: "MAX Ad VOD", Starts: 1616425200, Renews: 1616425200, Expires: 1616425200,
	SubID: "1d732753-ae1f-45f8-82f7-7243d395b1ac", Status: HBOActive, TrxID: "1234567890"}

func TestTopicAndTypeNames_AreTheAgreedStrings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{ProviderDisney, "disney"},
		{TopicDeadLetter, "provision.deadletter"},
		{CommandsTopic("netflix"), "provision.netflix.commands"},
		{StatusTopic("netflix"), "provision.netflix.status"},
		{TopicDisneyCommands, "provision.disney.commands"},
		{TopicDisneyStatus, "provision.disney.status"},
		{ExtPartitionKey, "partitionkey"},
		{ExtCorrelationID, "correlationid"},
		{ExtWorkflowID, "workflowid"},
		{ExtOrg, "org"},
		{TypeDisneyCreateSubscription, "com.provision.disney.subscription.create.v1"},
		{TypeDisneyModifySubscription, "com.provision.disney.subscription.modify.v1"},
		{TypeDisneyTerminateSubscription, "com.provision.disney.subscription.terminate.v1"},
		{TypeDisneySuspendSubscription, "com.provision.disney.subscription.suspend.v1"},
		{TypeDisneyReactivateSubscription, "com.provision.disney.subscription.reactivate.v1"},
		{TypeDisneyActivationCallback, "com.provision.disney.activation.callback.v1"},
		{TypeDisneySubscriptionStatusV2, "com.provision.disney.subscription.status.v2"},
		{TypeDisneyOperationFailedV2, "com.provision.disney.operation.failed.v2"},
		{SubscriptionStatusType(ProviderDisney), TypeDisneySubscriptionStatusV2},
		{OperationFailedType(ProviderDisney), TypeDisneyOperationFailedV2},
		{SubscriptionStatusType("netflix"), "com.provision.netflix.subscription.status.v2"},
		{TypeDisneySubscriptionStatusV1, "com.provision.disney.subscription.status.v1"},
		{TypeDisneyOperationFailedV1, "com.provision.disney.operation.failed.v1"},
		{SchemaURI(TypeDisneyCreateSubscription), "https://provision.local/schemas/com.provision.disney.subscription.create.v1.json"},
		{ProviderNetflix, "netflix"},
		{TopicNetflixCommands, "provision.netflix.commands"},
		{TopicNetflixStatus, "provision.netflix.status"},
		{TypeNetflixCreateSubscription, "com.provision.netflix.subscription.create.v1"},
		{TypeNetflixUpdateSubscription, "com.provision.netflix.subscription.update.v1"},
		{TypeNetflixCancelSubscription, "com.provision.netflix.subscription.cancel.v1"},
		{TypeNetflixSuspendSubscription, "com.provision.netflix.subscription.suspend.v1"},
		{TypeNetflixReactivateSubscription, "com.provision.netflix.subscription.reactivate.v1"},
		{TypeNetflixActivationCallback, "com.provision.netflix.activation.callback.v1"},
		{TypeNetflixSubscriptionStatusV2, SubscriptionStatusType(ProviderNetflix)},
		{TypeNetflixOperationFailedV2, OperationFailedType(ProviderNetflix)},
		{OpUpdate, "update"},
		{OpCancel, "cancel"},
		{OpActivate, "activate"},
		{ProviderHBO, "hbo"},
		{TopicHBOCommands, "provision.hbo.commands"},
		{TopicHBOStatus, "provision.hbo.status"},
		{TypeHBOCreateSubscription, "com.provision.hbo.subscription.create.v1"},
		{TypeHBOUpdateSubscription, "com.provision.hbo.subscription.update.v1"},
		{TypeHBOCancelSubscription, "com.provision.hbo.subscription.cancel.v1"},
		{TypeHBOSuspendSubscription, "com.provision.hbo.subscription.suspend.v1"},
		{TypeHBOReactivateSubscription, "com.provision.hbo.subscription.reactivate.v1"},
		{TypeHBOActivateSubscription, "com.provision.hbo.subscription.activate.v1"},
		{TypeHBOSubscriptionStatusV2, SubscriptionStatusType(ProviderHBO)},
		{TypeHBOOperationFailedV2, OperationFailedType(ProviderHBO)},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestCatalog_RoutesEachTypeToItsTopicAndOperation(t *testing.T) {
	for _, tc := range []struct {
		typ, topic, op    string
		command, envelope bool
		key, supersededBy string
	}{
		{TypeDisneyCreateSubscription, TopicDisneyCommands, OpCreate, true, false, "subscriptionId", ""},
		{TypeDisneyModifySubscription, TopicDisneyCommands, OpModify, true, false, "subscriptionId", ""},
		{TypeDisneyTerminateSubscription, TopicDisneyCommands, OpTerminate, true, false, "subscriptionId", ""},
		{TypeDisneySuspendSubscription, TopicDisneyCommands, OpSuspend, true, false, "subscriptionId", ""},
		{TypeDisneyReactivateSubscription, TopicDisneyCommands, OpReactivate, true, false, "subscriptionId", ""},
		{TypeDisneyActivationCallback, TopicDisneyCommands, OpActivationCallback, true, false, "userId", ""},
		{TypeDisneySubscriptionStatusV2, TopicDisneyStatus, "", false, true, "subscriptionId", ""},
		{TypeDisneyOperationFailedV2, TopicDisneyStatus, "", false, true, "subscriptionId; userId when the event names no subscription", ""},
		{TypeDisneySubscriptionStatusV1, TopicDisneyStatus, "", false, false, "subscriptionId", TypeDisneySubscriptionStatusV2},
		{TypeDisneyOperationFailedV1, TopicDisneyStatus, "", false, false, "subscriptionId; userId when the event names no subscription", TypeDisneyOperationFailedV2},
		{TypeNetflixCreateSubscription, TopicNetflixCommands, OpCreate, true, false, "partnerAccountId", ""},
		{TypeNetflixUpdateSubscription, TopicNetflixCommands, OpUpdate, true, false, "partnerAccountId", ""},
		{TypeNetflixCancelSubscription, TopicNetflixCommands, OpCancel, true, false, "partnerAccountId", ""},
		{TypeNetflixSuspendSubscription, TopicNetflixCommands, OpSuspend, true, false, "partnerAccountId", ""},
		{TypeNetflixReactivateSubscription, TopicNetflixCommands, OpReactivate, true, false, "partnerAccountId", ""},
		{TypeNetflixActivationCallback, TopicNetflixCommands, OpActivationCallback, true, false, "partnerAccountId", ""},
		{TypeNetflixSubscriptionStatusV2, TopicNetflixStatus, "", false, true, "partnerAccountId", ""},
		{TypeNetflixOperationFailedV2, TopicNetflixStatus, "", false, true, "partnerAccountId", ""},
		{TypeHBOCreateSubscription, TopicHBOCommands, OpCreate, true, false, "serviceId", ""},
		{TypeHBOUpdateSubscription, TopicHBOCommands, OpUpdate, true, false, "serviceId", ""},
		{TypeHBOCancelSubscription, TopicHBOCommands, OpCancel, true, false, "serviceId", ""},
		{TypeHBOSuspendSubscription, TopicHBOCommands, OpSuspend, true, false, "serviceId", ""},
		{TypeHBOReactivateSubscription, TopicHBOCommands, OpReactivate, true, false, "serviceId", ""},
		{TypeHBOActivateSubscription, TopicHBOCommands, OpActivate, true, false, "serviceId", ""},
		{TypeHBOSubscriptionStatusV2, TopicHBOStatus, "", false, true, "serviceId", ""},
		{TypeHBOOperationFailedV2, TopicHBOStatus, "", false, true, "serviceId", ""},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			topic, ok := TopicOf(tc.typ)
			if !ok || topic != tc.topic {
				t.Errorf("TopicOf = %q, %v; want %q", topic, ok, tc.topic)
			}
			if got := IsCommand(tc.typ); got != tc.command {
				t.Errorf("IsCommand = %v", got)
			}
			if got := OperationOf(tc.typ); got != tc.op {
				t.Errorf("OperationOf = %q, want %q", got, tc.op)
			}
			if got := HasEnvelope(tc.typ); got != tc.envelope {
				t.Errorf("HasEnvelope = %v", got)
			}
			if got := KeyOf(tc.typ); got != tc.key {
				t.Errorf("KeyOf = %q, want %q", got, tc.key)
			}
			if got := SupersededBy(tc.typ); got != tc.supersededBy {
				t.Errorf("SupersededBy = %q, want %q", got, tc.supersededBy)
			}
		})
	}
	if got := Types(); len(got) != 26 || !sort.StringsAreSorted(got) {
		t.Errorf("Types() = %v, want the 26 types sorted", got)
	}
	if _, ok := TopicOf("com.example.nope.v1"); ok || IsCommand("com.example.nope.v1") || OperationOf("com.example.nope.v1") != "" {
		t.Error("an unknown type must not be routed")
	}
}

func TestEveryType_HasAnEmbeddedDraft2020Schema(t *testing.T) {
	for _, typ := range Types() {
		t.Run(typ, func(t *testing.T) {
			doc := schemaDoc(t, typ)
			if doc["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
				t.Errorf("$schema = %v", doc["$schema"])
			}
			if doc["$id"] != SchemaURI(typ) {
				t.Errorf("$id = %v, want %s", doc["$id"], SchemaURI(typ))
			}
			if doc["type"] != "object" {
				t.Errorf("type = %v, want object", doc["type"])
			}
		})
	}
	if _, err := compiled(); err != nil {
		t.Fatalf("schemas do not compile: %v", err)
	}
}

func TestSchemaFiles_EachBelongsToACataloguedType(t *testing.T) {
	files, err := fs.Glob(schemaFS, "schemas/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		typ := strings.TrimSuffix(strings.TrimPrefix(f, "schemas/"), ".json")
		if !Known(typ) {
			t.Errorf("%s has no catalogued type", f)
		}
	}
	if len(files) != len(Types()) {
		t.Errorf("%d schema files for %d types", len(files), len(Types()))
	}
}

func TestCommandSchemas_AreStrict_StatusSchemas_AreLenient(t *testing.T) {
	for _, typ := range Types() {
		doc := schemaDoc(t, typ)
		want := !IsCommand(typ)
		if doc["additionalProperties"] != want {
			t.Errorf("%s: additionalProperties = %v, want %v", typ, doc["additionalProperties"], want)
		}
	}
}

func TestSchemaExamples_Validate(t *testing.T) {
	for _, typ := range Types() {
		examples, _ := schemaDoc(t, typ)["examples"].([]any)
		if len(examples) == 0 {
			t.Errorf("%s: schema has no examples", typ)
		}
		for i, ex := range examples {
			b, _ := json.Marshal(ex)
			if err := Validate(typ, b); err != nil {
				t.Errorf("%s example %d: %v", typ, i, err)
			}
		}
	}
}

// The schema files repeat their shared definitions ($defs) so each is self-contained for
// consumers; a definition of the same name must be the same everywhere.
func TestSchemaSharedDefinitions_AgreeAcrossFiles(t *testing.T) {
	seen := map[string]string{}
	from := map[string]string{}
	for _, typ := range Types() {
		defs, _ := schemaDoc(t, typ)["$defs"].(map[string]any)
		for name, def := range defs {
			b, _ := json.Marshal(def)
			if prev, ok := seen[name]; ok && prev != string(b) {
				t.Errorf("$defs/%s differs between %s and %s", name, from[name], typ)
				continue
			}
			seen[name], from[name] = string(b), typ
		}
	}
}

func TestSchemaEnums_MatchTheGoConstants(t *testing.T) {
	status := schemaDoc(t, TypeDisneySubscriptionStatusV1)["properties"].(map[string]any)
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"entitled", EntitledValues()},
		{"cancellation", CancellationValues()},
		{"activated", ActivatedValues()},
	} {
		if got := enumOf(t, status[tc.name]); !slices.Equal(got, tc.want) {
			t.Errorf("status %s enum = %v, want %v", tc.name, got, tc.want)
		}
	}
	details := schemaDoc(t, TypeDisneySubscriptionStatusV2)["properties"].(map[string]any)["details"].(map[string]any)["properties"].(map[string]any)
	for name, want := range map[string][]string{"entitled": EntitledValues(), "cancellation": CancellationValues(), "activated": ActivatedValues()} {
		if got := enumOf(t, details[name]); !slices.Equal(got, want) {
			t.Errorf("v2 details %s enum = %v, want %v", name, got, want)
		}
	}
	for _, typ := range []string{TypeDisneySubscriptionStatusV1, TypeDisneyOperationFailedV1, TypeDisneySubscriptionStatusV2, TypeDisneyOperationFailedV2,
		TypeNetflixSubscriptionStatusV2, TypeNetflixOperationFailedV2} {
		defs := schemaDoc(t, typ)["$defs"].(map[string]any)
		if got := enumOf(t, defs["operation"]); !slices.Equal(got, Operations()) {
			t.Errorf("%s operation enum = %v, want %v", typ, got, Operations())
		}
	}
	for _, typ := range Types() {
		if !HasEnvelope(typ) {
			continue
		}
		doc := schemaDoc(t, typ)
		if got := enumOf(t, doc["$defs"].(map[string]any)["status"]); !slices.Equal(got, StatusValues()) {
			t.Errorf("%s status enum = %v, want %v", typ, got, StatusValues())
		}
		topic, _ := TopicOf(typ)
		provider := doc["properties"].(map[string]any)["provider"].(map[string]any)["const"]
		if topic != StatusTopic(fmt.Sprint(provider)) {
			t.Errorf("%s: provider const %v, but the type is published on %s", typ, provider, topic)
		}
		if typ != SubscriptionStatusType(fmt.Sprint(provider)) && typ != OperationFailedType(fmt.Sprint(provider)) {
			t.Errorf("%s is not named by SubscriptionStatusType or OperationFailedType", typ)
		}
	}
}

// Guards drift between the Go structs and the schemas: the schema's properties are exactly the
// struct's JSON fields, and a field is required exactly when its tag has no omitempty. The
// StatusEvent envelope serves both status types, so a type may also require a field the
// envelope leaves optional (a failure requires error, a change subscriptionId and status).
func TestSchemaFields_MatchTheGoStructTags(t *testing.T) {
	for _, typ := range Types() {
		t.Run(typ, func(t *testing.T) {
			doc := schemaDoc(t, typ)
			st := reflect.TypeOf(catalog[typ].payload()).Elem()
			checkFields(t, typ, doc, st, HasEnvelope(typ))
			if HasEnvelope(typ) {
				details, _ := st.FieldByName("Details")
				checkFields(t, typ+" details", doc["properties"].(map[string]any)["details"].(map[string]any), details.Type, false)
			}
		})
	}
	for _, typ := range []string{TypeDisneyOperationFailedV1, TypeDisneyOperationFailedV2} {
		errSchema := schemaDoc(t, typ)["properties"].(map[string]any)["error"].(map[string]any)
		checkFields(t, typ+" error", errSchema, reflect.TypeOf(ErrorDetail{}), false)
	}
}

func checkFields(t *testing.T, name string, schema map[string]any, st reflect.Type, envelope bool) {
	t.Helper()
	var fields, mandatory []string
	for i := range st.NumField() {
		tag := st.Field(i).Tag.Get("json")
		n, opts, _ := strings.Cut(tag, ",")
		if n == "" || n == "-" {
			t.Errorf("%s: field %s has no JSON name", name, st.Field(i).Name)
			continue
		}
		fields = append(fields, n)
		if !strings.Contains(opts, "omitempty") {
			mandatory = append(mandatory, n)
		}
	}
	props, _ := schema["properties"].(map[string]any)
	var propNames []string
	for p := range props {
		propNames = append(propNames, p)
	}
	var required []string
	for _, r := range schema["required"].([]any) {
		required = append(required, r.(string))
	}
	for _, s := range [][]string{fields, mandatory, propNames, required} {
		slices.Sort(s)
	}
	for _, r := range required {
		if !slices.Contains(fields, r) {
			t.Errorf("%s: required %q is not a JSON field of %s", name, r, st.Name())
		}
	}
	if !slices.Equal(propNames, fields) {
		t.Errorf("%s: schema properties %v, struct %s fields %v", name, propNames, st.Name(), fields)
	}
	for _, m := range mandatory {
		if !slices.Contains(required, m) {
			t.Errorf("%s: %s field %q has no omitempty but the schema does not require it", name, st.Name(), m)
		}
	}
	if !envelope && !slices.Equal(required, mandatory) {
		t.Errorf("%s: schema required %v, struct %s fields without omitempty %v", name, required, st.Name(), mandatory)
	}
}

func TestGoStructs_RoundTripThroughJSONAndValidate(t *testing.T) {
	payloads := validPayloads()
	if len(payloads) != len(Types()) {
		t.Fatalf("validPayloads covers %d of %d types", len(payloads), len(Types()))
	}
	for typ, v := range payloads {
		t.Run(typ, func(t *testing.T) {
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if err := Validate(typ, b); err != nil {
				t.Fatalf("valid %T rejected: %v", v, err)
			}
			back := catalog[typ].payload()
			if reflect.TypeOf(back) != reflect.TypeOf(v) {
				t.Fatalf("catalog payload type %T, test value %T", back, v)
			}
			dec := json.NewDecoder(strings.NewReader(string(b)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, v) {
				t.Errorf("round trip changed the value:\n got %+v\nwant %+v", back, v)
			}
		})
	}
}

func TestStatusV2_NilProductsEncodesAsEmptyArrayAndValidates(t *testing.T) {
	s := *validPayloads()[TypeDisneySubscriptionStatusV2].(*StatusEvent[DisneyStatusDetails])
	s.Operation, s.Status, s.Details.Entitled, s.Details.Cancellation, s.Details.Products = OpTerminate, StatusDeactivated, EntitledCanceled, CancellationVoluntary, nil
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"products":[]`) {
		t.Errorf("products not encoded as []: %s", b)
	}
	if err := Validate(TypeDisneySubscriptionStatusV2, b); err != nil {
		t.Errorf("terminated status rejected: %v", err)
	}
}

// A consumer reads every provider's status events with one type: the envelope, details left raw.
func TestStatusEnvelope_ReadsEveryEnvelopeTypeTheSameWay(t *testing.T) {
	for typ, v := range validPayloads() {
		if !HasEnvelope(typ) {
			continue
		}
		b, _ := json.Marshal(v)
		var env StatusEvent[json.RawMessage]
		if err := json.Unmarshal(b, &env); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if env.Org == "" || !slices.Contains([]string{ProviderDisney, ProviderNetflix, ProviderHBO}, env.Provider) || env.CommandID == "" || env.OccurredAt.IsZero() || len(env.Details) == 0 {
			t.Errorf("%s read as %+v", typ, env)
		}
		if (env.Error != nil) != (typ == OperationFailedType(env.Provider)) {
			t.Errorf("%s: error %+v, want one exactly on failures", typ, env.Error)
		}
	}
}

func TestStatus_NilProductsEncodesAsEmptyArrayAndValidates(t *testing.T) {
	s := *validPayloads()[TypeDisneySubscriptionStatusV1].(*DisneySubscriptionStatusV1)
	s.Operation, s.Entitled, s.Cancellation, s.Products = OpTerminate, EntitledCanceled, CancellationVoluntary, nil
	for _, v := range []any{s, &s} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"products":[]`) {
			t.Errorf("products not encoded as []: %s", b)
		}
		if err := Validate(TypeDisneySubscriptionStatusV1, b); err != nil {
			t.Errorf("terminated status rejected: %v", err)
		}
	}
}

func schemaDoc(t *testing.T, typ string) map[string]any {
	t.Helper()
	b, err := Schema(typ)
	if err != nil {
		t.Fatalf("Schema(%s): %v", typ, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("schema of %s is not JSON: %v", typ, err)
	}
	return doc
}

func enumOf(t *testing.T, v any) []string {
	t.Helper()
	m, _ := v.(map[string]any)
	raw, _ := m["enum"].([]any)
	out := make([]string, len(raw))
	for i, x := range raw {
		out[i] = x.(string)
	}
	return out
}
