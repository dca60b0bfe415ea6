package events

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
)

func TestNew_SetsTheAttributesAndThePartitionKey(t *testing.T) {
	payload := validPayloads()[TypeDisneyCreateSubscription]
	before := time.Now()
	e, err := New("cmd-1", TypeDisneyCreateSubscription, "urn:provision:ingress", "ENT1664367665579", payload)
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	for _, tc := range []struct{ name, got, want string }{
		{"specversion", e.SpecVersion(), "1.0"},
		{"id", e.ID(), "cmd-1"},
		{"type", e.Type(), TypeDisneyCreateSubscription},
		{"source", e.Source(), "urn:provision:ingress"},
		{"datacontenttype", e.DataContentType(), "application/json"},
		{"dataschema", e.DataSchema(), SchemaURI(TypeDisneyCreateSubscription)},
		{"partitionkey", Extension(e, ExtPartitionKey), "ENT1664367665579"},
		{"subject", e.Subject(), ""},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if e.Time().Location() != time.UTC {
		t.Errorf("time %v is not UTC", e.Time())
	}
	if e.Time().Before(before.Add(-time.Second)) || e.Time().After(after.Add(time.Second)) {
		t.Errorf("time %v is not now", e.Time())
	}
	want, _ := json.Marshal(payload)
	if string(e.Data()) != string(want) {
		t.Errorf("data = %s, want %s", e.Data(), want)
	}
	if e.DataBase64 {
		t.Error("data marked base64: structured mode would carry data_base64 instead of data")
	}
}

func TestNew_OmitsAnEmptyPartitionKey(t *testing.T) {
	e, err := New("cmd-1", TypeDisneyActivationCallback, "urn:test", "", validPayloads()[TypeDisneyActivationCallback])
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Extensions()[ExtPartitionKey]; ok {
		t.Errorf("partitionkey set: %v", e.Extensions())
	}
}

func TestNew_TakesPreEncodedJSONAsIs(t *testing.T) {
	raw := `{"org":"yoigo","userId":"MOO1"}`
	for _, data := range []any{json.RawMessage(raw), []byte(raw)} {
		e, err := New("cmd-1", TypeDisneyActivationCallback, "urn:test", "MOO1", data)
		if err != nil {
			t.Fatalf("%T: %v", data, err)
		}
		if string(e.Data()) != raw {
			t.Errorf("%T: data = %s", data, e.Data())
		}
	}
}

func TestNew_RejectsBadInput(t *testing.T) {
	good := validPayloads()[TypeDisneyCreateSubscription]
	for _, tc := range []struct {
		name               string
		id, typ, source    string
		data               any
		wantInvalidPayload bool
	}{
		{"payload failing its schema", "cmd-1", TypeDisneyCreateSubscription, "urn:test", &DisneyCreateSubscription{Org: "yoigo", UserID: "u", SubscriptionID: "s"}, true},
		{"payload of another type", "cmd-1", TypeDisneyCreateSubscription, "urn:test", validPayloads()[TypeDisneyActivationCallback], true},
		{"raw data that is not JSON", "cmd-1", TypeDisneyCreateSubscription, "urn:test", []byte("{nope"), false},
		{"empty id", "", TypeDisneyCreateSubscription, "urn:test", good, false},
		{"empty source", "cmd-1", TypeDisneyCreateSubscription, "", good, false},
		{"empty type", "cmd-1", "", "urn:test", good, false},
		{"data that does not encode", "cmd-1", "com.example.other.v1", "urn:test", func() {}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.id, tc.typ, tc.source, "k", tc.data)
			if err == nil {
				t.Fatal("accepted")
			}
			if got := errors.Is(err, ErrInvalidPayload); got != tc.wantInvalidPayload {
				t.Errorf("errors.Is(ErrInvalidPayload) = %v: %v", got, err)
			}
		})
	}
}

func TestNew_UncataloguedTypeHasNoDataSchemaAndNoPayloadCheck(t *testing.T) {
	e, err := New("x-1", "com.example.other.v1", "urn:test", "k", map[string]int{"n": 1})
	if err != nil {
		t.Fatal(err)
	}
	if e.DataSchema() != "" {
		t.Errorf("dataschema = %q", e.DataSchema())
	}
}

func TestSetExtensions_SetsOnlyNonEmptyValues(t *testing.T) {
	e, err := New("cmd-1", TypeDisneyActivationCallback, "urn:test", "MOO1", validPayloads()[TypeDisneyActivationCallback])
	if err != nil {
		t.Fatal(err)
	}
	SetExtensions(&e, "corr-1", "", "yoigo")
	if got := Extension(e, ExtCorrelationID); got != "corr-1" {
		t.Errorf("correlationid = %q", got)
	}
	if got := Extension(e, ExtOrg); got != "yoigo" {
		t.Errorf("org = %q", got)
	}
	if _, ok := e.Extensions()[ExtWorkflowID]; ok {
		t.Error("empty workflowid was set")
	}
	if err := e.Validate(); err != nil {
		t.Errorf("event with extensions is invalid: %v", err)
	}
}

// A command goes out in binary mode but may come back in structured mode (one JSON document):
// the event must survive that with its payload as JSON, not base64.
func TestNew_EventRoundTripsThroughStructuredModeAndDecodes(t *testing.T) {
	for typ, payload := range validPayloads() {
		t.Run(typ, func(t *testing.T) {
			e, err := New("id-1", typ, "urn:test", "ENT1664367665579", payload)
			if err != nil {
				t.Fatal(err)
			}
			SetExtensions(&e, "corr-1", "wf-1", "yoigo")
			doc, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(doc), `"data":{`) || strings.Contains(string(doc), "data_base64") {
				t.Fatalf("structured form does not carry JSON data: %s", doc)
			}
			var back cloudevents.Event
			if err := json.Unmarshal(doc, &back); err != nil {
				t.Fatal(err)
			}
			if Extension(back, ExtPartitionKey) != "ENT1664367665579" || Extension(back, ExtCorrelationID) != "corr-1" ||
				Extension(back, ExtWorkflowID) != "wf-1" || Extension(back, ExtOrg) != "yoigo" {
				t.Errorf("extensions lost: %v", back.Extensions())
			}
			got := catalog[typ].payload()
			if err := Decode(back, got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, payload) {
				t.Errorf("decoded %+v, want %+v", got, payload)
			}
		})
	}
}

func TestDecode_RejectsWhatTheCatalogDoesNotAccept(t *testing.T) {
	valid, err := New("id-1", TypeDisneyCreateSubscription, "urn:test", "ENT1", validPayloads()[TypeDisneyCreateSubscription])
	if err != nil {
		t.Fatal(err)
	}
	unknown := valid.Clone()
	unknown.SetType("com.example.other.v1")
	invalid := valid.Clone()
	invalid.DataEncoded = []byte(`{"org":"yoigo"}`)
	xml := valid.Clone()
	xml.SetDataContentType("application/xml")
	for _, tc := range []struct {
		name string
		e    cloudevents.Event
		want error
	}{
		{"unknown type", unknown, ErrUnknownType},
		{"payload failing its schema", invalid, ErrInvalidPayload},
		{"content type that is not JSON", xml, ErrInvalidPayload},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v DisneyCreateSubscription
			if err := Decode(tc.e, &v); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	var v DisneyCreateSubscription
	withParams := valid.Clone()
	withParams.SetDataContentType("application/json; charset=utf-8")
	if err := Decode(withParams, &v); err != nil || v.SubscriptionID != "ENT1664367665579" {
		t.Errorf("json with parameters: %v, %+v", err, v)
	}
}
