package events

import (
	"encoding/json"
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

// validPayloads holds one valid Go payload per catalogued type.
func validPayloads() map[string]any {
	return map[string]any{
		TypeDisneyCreateSubscription:     &DisneyCreateSubscription{Org: "yoigo", UserID: "MOO1664367665504", SubscriptionID: "ENT1664367665579", Products: testProds},
		TypeDisneyModifySubscription:     &DisneyModifySubscription{Org: "yoigo", UserID: "MOO1664367665504", SubscriptionID: "ENT1664367665579", Products: testProds[:1]},
		TypeDisneySuspendSubscription:    &DisneySuspendSubscription{Org: "yoigo", UserID: "MOO1664367665504", SubscriptionID: "ENT1664367665579", Products: testProds},
		TypeDisneyReactivateSubscription: &DisneyReactivateSubscription{Org: "yoigo", UserID: "MOO1664367665504", SubscriptionID: "ENT1664367665579", Products: testProds},
		TypeDisneyTerminateSubscription:  &DisneyTerminateSubscription{Org: "yoigo", UserID: "MOO1664367665504", SubscriptionID: "ENT1664367665579", Product: "com.disney.yoigo.es.bundle.premium"},
		TypeDisneyActivationCallback:     &DisneyActivationCallback{Org: "yoigo", UserID: "MOO1664367665504"},
		TypeDisneySubscriptionStatus: &DisneySubscriptionStatus{
			Org: "yoigo", UserID: "MOO1664367665504", SubscriptionID: "ENT1664367665579",
			Operation: OpSuspend, CommandID: "6f1c2b1e-5d7a-5b8e-9c3f-2a4d6e8f0a1b", WorkflowID: "wf-disney-x-y",
			CorrelationID: "2106f808-36e9-402d-bf37-f1f7fa04776b",
			Entitled:      EntitledBillingHold, Cancellation: CancellationInvoluntary, Activated: ActivatedLinked,
			Products: testProds, LastUpdated: testTime, Version: 3,
		},
		TypeDisneyOperationFailed: &DisneyOperationFailed{
			Org: "yoigo", UserID: "MOO1664367665504", SubscriptionID: "ENT1664367665579",
			Operation: OpCreate, CommandID: "6f1c2b1e-5d7a-5b8e-9c3f-2a4d6e8f0a1b",
			Error:    ErrorDetail{Code: "PARTNER_REJECTED", Title: "SUBSCRIPTION_ALREADY_EXISTS", Details: "already exists"},
			FailedAt: testTime,
		},
	}
}

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
		{TypeDisneySubscriptionStatus, "com.provision.disney.subscription.status.v1"},
		{TypeDisneyOperationFailed, "com.provision.disney.operation.failed.v1"},
		{SchemaURI(TypeDisneyCreateSubscription), "https://provision.local/schemas/com.provision.disney.subscription.create.v1.json"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestCatalog_RoutesEachTypeToItsTopicAndOperation(t *testing.T) {
	for _, tc := range []struct {
		typ, topic, op string
		command        bool
	}{
		{TypeDisneyCreateSubscription, TopicDisneyCommands, OpCreate, true},
		{TypeDisneyModifySubscription, TopicDisneyCommands, OpModify, true},
		{TypeDisneyTerminateSubscription, TopicDisneyCommands, OpTerminate, true},
		{TypeDisneySuspendSubscription, TopicDisneyCommands, OpSuspend, true},
		{TypeDisneyReactivateSubscription, TopicDisneyCommands, OpReactivate, true},
		{TypeDisneyActivationCallback, TopicDisneyCommands, OpActivationCallback, true},
		{TypeDisneySubscriptionStatus, TopicDisneyStatus, "", false},
		{TypeDisneyOperationFailed, TopicDisneyStatus, "", false},
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
		})
	}
	if got := Types(); len(got) != 8 || !sort.StringsAreSorted(got) {
		t.Errorf("Types() = %v, want the 8 types sorted", got)
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
	status := schemaDoc(t, TypeDisneySubscriptionStatus)["properties"].(map[string]any)
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
	for _, typ := range []string{TypeDisneySubscriptionStatus, TypeDisneyOperationFailed} {
		defs := schemaDoc(t, typ)["$defs"].(map[string]any)
		if got := enumOf(t, defs["operation"]); !slices.Equal(got, Operations()) {
			t.Errorf("%s operation enum = %v, want %v", typ, got, Operations())
		}
	}
}

// Guards drift between the Go structs and the schemas: the schema's properties are exactly the
// struct's JSON fields, and a field is required exactly when its tag has no omitempty.
func TestSchemaFields_MatchTheGoStructTags(t *testing.T) {
	for _, typ := range Types() {
		t.Run(typ, func(t *testing.T) {
			doc := schemaDoc(t, typ)
			checkFields(t, typ, doc, reflect.TypeOf(catalog[typ].payload()).Elem())
		})
	}
	errSchema := schemaDoc(t, TypeDisneyOperationFailed)["properties"].(map[string]any)["error"].(map[string]any)
	checkFields(t, "error", errSchema, reflect.TypeOf(ErrorDetail{}))
}

func checkFields(t *testing.T, name string, schema map[string]any, st reflect.Type) {
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
	if !slices.Equal(required, mandatory) {
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

func TestStatus_NilProductsEncodesAsEmptyArrayAndValidates(t *testing.T) {
	s := *validPayloads()[TypeDisneySubscriptionStatus].(*DisneySubscriptionStatus)
	s.Operation, s.Entitled, s.Cancellation, s.Products = OpTerminate, EntitledCanceled, CancellationVoluntary, nil
	for _, v := range []any{s, &s} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"products":[]`) {
			t.Errorf("products not encoded as []: %s", b)
		}
		if err := Validate(TypeDisneySubscriptionStatus, b); err != nil {
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
