package cekafka_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/segmentio/kafka-go"

	"provision.local/pkg/cekafka"
	"provision.local/pkg/localinfra/infratest"
)

var brokerAddr string

func TestMain(m *testing.M) { infratest.MainWithBroker(m, &brokerAddr) }

// A time with nanoseconds in a non-UTC zone: both must survive the trip (the zone as an instant).
var eventTime = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.FixedZone("x", 5*3600))

func newEvent(t *testing.T, id string, mutate ...func(*cloudevents.Event)) cloudevents.Event {
	t.Helper()
	e := cloudevents.NewEvent()
	e.SetID(id)
	e.SetType("com.example.provision.disney.activate")
	e.SetSource("/ingress")
	e.SetTime(eventTime)
	e.SetSubject("sub-1")
	if err := e.SetData(cloudevents.ApplicationJSON, map[string]any{"subscriptionId": "sub-1", "n": 1}); err != nil {
		t.Fatal(err)
	}
	e.SetExtension(cekafka.ExtPartitionKey, "sub-1")
	e.SetExtension(cekafka.ExtCorrelationID, "corr-1")
	e.SetExtension("org", "acme")
	for _, f := range mutate {
		f(&e)
	}
	return e
}

func headerMap(m kafka.Message) map[string]string {
	out := map[string]string{}
	for _, h := range m.Headers {
		out[h.Key] = string(h.Value)
	}
	return out
}

func assertSameEvent(t *testing.T, want cloudevents.Event, got *cloudevents.Event) {
	t.Helper()
	if got.ID() != want.ID() || got.Type() != want.Type() || got.Source() != want.Source() ||
		got.SpecVersion() != want.SpecVersion() || got.Subject() != want.Subject() ||
		got.DataContentType() != want.DataContentType() || got.DataSchema() != want.DataSchema() {
		t.Fatalf("attributes differ:\nwant %s\ngot  %s", want.String(), got.String())
	}
	if !got.Time().Equal(want.Time()) {
		t.Fatalf("time = %s, want %s", got.Time().Format(time.RFC3339Nano), want.Time().Format(time.RFC3339Nano))
	}
	if !bytes.Equal(got.Data(), want.Data()) {
		t.Fatalf("data = %q, want %q", got.Data(), want.Data())
	}
	// Binary mode carries every extension as a string.
	if len(got.Extensions()) != len(want.Extensions()) {
		t.Fatalf("extensions = %v, want %v", got.Extensions(), want.Extensions())
	}
	for k, v := range want.Extensions() {
		if fmt.Sprint(got.Extensions()[k]) != fmt.Sprint(v) {
			t.Fatalf("extension %s = %v, want %v", k, got.Extensions()[k], v)
		}
	}
}

func TestRoundTripBinary(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*cloudevents.Event)
	}{
		{"full event", nil},
		{"no data", func(e *cloudevents.Event) {
			e.DataEncoded = nil
			e.SetDataContentType("")
		}},
		{"no subject no time", func(e *cloudevents.Event) {
			e.SetSubject("")
			e.Context = e.Context.AsV1()
			e.Context.(*cloudevents.EventContextV1).Time = nil
		}},
		{"non-json data", func(e *cloudevents.Event) {
			_ = e.SetData("text/plain", []byte("hello\x00world"))
		}},
		{"dataschema and numeric extension", func(e *cloudevents.Event) {
			e.SetDataSchema("https://schemas.example/activate.json")
			e.SetExtension("attempt", 3)
		}},
		{"no extensions", func(e *cloudevents.Event) {
			e.Context.(*cloudevents.EventContextV1).Extensions = nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var muts []func(*cloudevents.Event)
			if tc.mutate != nil {
				muts = append(muts, tc.mutate)
			}
			want := newEvent(t, "id-"+tc.name, muts...)
			rec, err := cekafka.ToMessage(context.Background(), want)
			if err != nil {
				t.Fatalf("ToMessage: %v", err)
			}
			if ct, ok := headerMap(rec)["content-type"]; ok && strings.Contains(ct, "cloudevents") {
				t.Fatalf("structured content type %q on a binary record", ct)
			}
			got, err := cekafka.FromMessage(rec)
			if err != nil {
				t.Fatalf("FromMessage: %v", err)
			}
			assertSameEvent(t, want, got)
		})
	}
}

func TestHeaderNamesExact(t *testing.T) {
	e := newEvent(t, "id-headers")
	rec, err := cekafka.ToMessage(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"content-type":     "application/json",
		"ce_id":            "id-headers",
		"ce_type":          "com.example.provision.disney.activate",
		"ce_source":        "/ingress",
		"ce_specversion":   "1.0",
		"ce_time":          eventTime.UTC().Format(time.RFC3339Nano),
		"ce_subject":       "sub-1",
		"ce_partitionkey":  "sub-1",
		"ce_correlationid": "corr-1",
		"ce_org":           "acme",
	}
	got := headerMap(rec)
	if len(got) != len(rec.Headers) {
		t.Fatalf("duplicate headers: %v", rec.Headers)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("header %s = %q, want %q", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected header %s", k)
		}
	}
	if !sort.SliceIsSorted(rec.Headers, func(i, j int) bool { return rec.Headers[i].Key < rec.Headers[j].Key }) {
		t.Errorf("headers not in a stable order: %v", rec.Headers)
	}
	if string(rec.Value) != `{"n":1,"subscriptionId":"sub-1"}` {
		t.Errorf("value = %s", rec.Value)
	}
}

func TestKeyFromPartitionKey(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*cloudevents.Event)
		wantKey []byte
	}{
		{"partitionkey set", nil, []byte("sub-1")},
		{"other partitionkey", func(e *cloudevents.Event) { e.SetExtension(cekafka.ExtPartitionKey, "user-9") }, []byte("user-9")},
		{"no partitionkey", func(e *cloudevents.Event) {
			delete(e.Context.(*cloudevents.EventContextV1).Extensions, cekafka.ExtPartitionKey)
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var muts []func(*cloudevents.Event)
			if tc.mutate != nil {
				muts = append(muts, tc.mutate)
			}
			rec, err := cekafka.ToMessage(context.Background(), newEvent(t, "id", muts...))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(rec.Key, tc.wantKey) {
				t.Fatalf("key = %q, want %q", rec.Key, tc.wantKey)
			}
		})
	}
}

func TestStructuredDecode(t *testing.T) {
	body := `{"specversion":"1.0","id":"s-1","type":"t.x","source":"/src","time":"2026-03-14T10:09:26.535897932Z",` +
		`"subject":"subj","datacontenttype":"application/json","data":{"a":1},"partitionkey":"sub-7","correlationid":"c-7"}`
	tests := []struct {
		name        string
		contentType string
		extraHdrs   []kafka.Header
	}{
		{"plain", "application/cloudevents+json", nil},
		{"with charset", "application/cloudevents+json; charset=UTF-8", nil},
		{"header case", "application/cloudevents+json", nil},
		// A structured record wins over stray ce_ headers, as the binding specifies.
		{"stray ce headers", "application/cloudevents+json", []kafka.Header{{Key: "ce_id", Value: []byte("other")}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := "content-type"
			if tc.name == "header case" {
				key = "Content-Type"
			}
			rec := kafka.Message{Value: []byte(body), Headers: append([]kafka.Header{{Key: key, Value: []byte(tc.contentType)}}, tc.extraHdrs...)}
			e, err := cekafka.FromMessage(rec)
			if err != nil {
				t.Fatalf("FromMessage: %v", err)
			}
			if e.ID() != "s-1" || e.Type() != "t.x" || e.Source() != "/src" || e.Subject() != "subj" {
				t.Fatalf("attributes: %s", e)
			}
			if !e.Time().Equal(time.Date(2026, 3, 14, 10, 9, 26, 535897932, time.UTC)) {
				t.Fatalf("time = %s", e.Time())
			}
			if string(e.Data()) != `{"a":1}` {
				t.Fatalf("data = %s", e.Data())
			}
			if e.Extensions()[cekafka.ExtPartitionKey] != "sub-7" || e.Extensions()[cekafka.ExtCorrelationID] != "c-7" {
				t.Fatalf("extensions = %v", e.Extensions())
			}
		})
	}
}

func TestFromMessageRejects(t *testing.T) {
	tests := []struct {
		name          string
		rec           kafka.Message
		notCloudEvent bool
	}{
		{"no headers", kafka.Message{Value: []byte(`{"a":1}`)}, true},
		{"plain json", kafka.Message{Value: []byte(`{"a":1}`), Headers: []kafka.Header{{Key: "content-type", Value: []byte("application/json")}}}, true},
		{"unknown specversion", kafka.Message{Headers: []kafka.Header{{Key: "ce_specversion", Value: []byte("9.9")}, {Key: "ce_id", Value: []byte("x")}}}, true},
		{"batch", kafka.Message{Value: []byte(`[]`), Headers: []kafka.Header{{Key: "content-type", Value: []byte("application/cloudevents-batch+json")}}}, true},
		{"binary missing id", kafka.Message{Headers: []kafka.Header{
			{Key: "ce_specversion", Value: []byte("1.0")}, {Key: "ce_type", Value: []byte("t")}, {Key: "ce_source", Value: []byte("/s")},
		}}, false},
		{"binary bad time", kafka.Message{Headers: []kafka.Header{
			{Key: "ce_specversion", Value: []byte("1.0")}, {Key: "ce_id", Value: []byte("i")}, {Key: "ce_type", Value: []byte("t")},
			{Key: "ce_source", Value: []byte("/s")}, {Key: "ce_time", Value: []byte("yesterday")},
		}}, false},
		{"structured broken json", kafka.Message{Value: []byte(`{"specversion":`), Headers: []kafka.Header{{Key: "content-type", Value: []byte("application/cloudevents+json")}}}, false},
		{"structured missing source", kafka.Message{Value: []byte(`{"specversion":"1.0","id":"i","type":"t"}`), Headers: []kafka.Header{{Key: "content-type", Value: []byte("application/cloudevents+json")}}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := cekafka.FromMessage(tc.rec)
			if err == nil {
				t.Fatalf("decoded %v, want an error", e)
			}
			if got := errors.Is(err, cekafka.ErrNotCloudEvent); got != tc.notCloudEvent {
				t.Fatalf("errors.Is(ErrNotCloudEvent) = %v, want %v (err %v)", got, tc.notCloudEvent, err)
			}
			if !strings.HasPrefix(err.Error(), "decode") {
				t.Fatalf("error %q does not say decode", err)
			}
		})
	}
}

func TestToMessageValidates(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*cloudevents.Event)
	}{
		{"no id", func(e *cloudevents.Event) { e.SetID("") }},
		{"no type", func(e *cloudevents.Event) { e.SetType("") }},
		{"no source", func(e *cloudevents.Event) { e.SetSource("") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := cekafka.ToMessage(context.Background(), newEvent(t, "id", tc.mutate)); err == nil {
				t.Fatal("encoded an invalid event")
			}
		})
	}
}

// TestThroughBroker checks what a plain Kafka client sees, and that the record decodes after a
// real produce/fetch (headers and timestamps go over the wire).
func TestThroughBroker(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	topic := fmt.Sprintf("cekafka.through-broker.%d", time.Now().UnixNano())
	conn, err := kafka.DialContext(ctx, "tcp", brokerAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.CreateTopics(kafka.TopicConfig{Topic: topic, NumPartitions: 1, ReplicationFactor: 1}); err != nil {
		t.Fatal(err)
	}

	events := []cloudevents.Event{
		newEvent(t, "b-1"),
		newEvent(t, "b-2", func(e *cloudevents.Event) { e.SetExtension("workflowid", "wf-disney-b-2-mac") }),
	}
	// A transport of its own: the shared default one may have cached metadata without the topic.
	tr := &kafka.Transport{}
	defer tr.CloseIdleConnections()
	w := &kafka.Writer{Addr: kafka.TCP(brokerAddr), Topic: topic, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond, Transport: tr}
	defer w.Close()
	for _, e := range events {
		rec, err := cekafka.ToMessage(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteMessages(ctx, rec); err != nil {
			t.Fatalf("write: %v", err)
		}
	}

	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{brokerAddr}, Topic: topic, Partition: 0, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	for _, want := range events {
		rec, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("fetch: %v", err)
		}
		h := headerMap(rec)
		for _, name := range []string{"ce_id", "ce_type", "ce_source", "ce_specversion", "ce_time", "ce_subject", "ce_partitionkey", "content-type"} {
			if _, ok := h[name]; !ok {
				t.Errorf("%s: header %s missing; have %v", want.ID(), name, h)
			}
		}
		if h["ce_id"] != want.ID() || string(rec.Key) != "sub-1" {
			t.Errorf("ce_id %q key %q", h["ce_id"], rec.Key)
		}
		got, err := cekafka.FromMessage(rec)
		if err != nil {
			t.Fatalf("decode fetched record: %v", err)
		}
		assertSameEvent(t, want, got)
	}
}
