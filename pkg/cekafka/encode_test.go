package cekafka_test

import (
	"context"
	"net/url"
	"reflect"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/types"
	"github.com/segmentio/kafka-go"

	"provision.local/pkg/cekafka"
)

// ToMessage encodes 1.0 events without the SDK's binding; what it writes must be what the binding
// writes, header for header and byte for byte, whatever attributes and extension types are set.
func TestToMessageMatchesTheSDKBinding(t *testing.T) {
	schema, _ := url.Parse("https://schemas.example/disney/create.json")
	tests := map[string]func(*cloudevents.Event){
		"as built by the platform": func(*cloudevents.Event) {},
		"no subject, no time": func(e *cloudevents.Event) {
			e.Context.SetSubject("")
			e.Context.SetTime(time.Time{})
		},
		"dataschema": func(e *cloudevents.Event) { e.SetDataSchema(schema.String()) },
		"no data":    func(e *cloudevents.Event) { e.DataEncoded = nil; e.Context.SetDataContentType("") },
		"typed extensions": func(e *cloudevents.Event) {
			e.SetExtension("attempt", 3)
			e.SetExtension("replayed", true)
			e.SetExtension("sentat", eventTime)
			e.SetExtension("origin", types.URI{URL: *schema})
		},
		"mixed-case extension name": func(e *cloudevents.Event) { e.SetExtension("TraceParent", "00-abc") },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEvent(t, "evt-1", mutate)
			got, err := cekafka.ToMessage(context.Background(), e)
			if err != nil {
				t.Fatal(err)
			}
			var want kafka.Message
			if err := cekafka.WriteMessage(binding.WithForceBinary(context.Background()), binding.ToMessage(&e), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Headers, want.Headers) {
				t.Fatalf("headers differ:\nfast %v\nSDK  %v", headerMap(got), headerMap(want))
			}
			if string(got.Key) != string(want.Key) || string(got.Value) != string(want.Value) {
				t.Fatalf("key/value differ: fast %q/%q, SDK %q/%q", got.Key, got.Value, want.Key, want.Value)
			}
		})
	}
}

func BenchmarkToMessage(b *testing.B) {
	e := cloudevents.NewEvent()
	e.SetID("evt-1")
	e.SetType("com.provision.disney.subscription.create.v1")
	e.SetSource("/provision/ingress")
	e.SetTime(eventTime)
	e.SetExtension(cekafka.ExtPartitionKey, "ENT1664367665579")
	e.SetExtension(cekafka.ExtCorrelationID, "2106f808-36e9-402d-bf37-f1f7fa04776b")
	e.SetExtension("org", "masmovil")
	if err := e.SetData(cloudevents.ApplicationJSON, map[string]any{"subscriptionId": "ENT1664367665579", "products": []string{"a", "b"}}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cekafka.ToMessage(context.Background(), e); err != nil {
			b.Fatal(err)
		}
	}
}
