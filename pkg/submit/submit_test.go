package submit_test

import (
	"context"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"provision.local/pkg/command"
	"provision.local/pkg/submit"
)

// written records the events a Submitter writes.
type written struct{ ids []string }

func (w *written) Publish(_ context.Context, _ string, es ...cloudevents.Event) error {
	for _, e := range es {
		w.ids = append(w.ids, e.ID())
	}
	return nil
}

// CommandID names the command Submit writes, derived from the request or from the key.
func TestCommandIDIsTheSubmittedID(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  string
	}{{"derivedFromTheRequest", ""}, {"derivedFromTheKey", "key-1"}} {
		t.Run(tc.name, func(t *testing.T) {
			c := submit.Command{Provider: "netflix", Org: "masmovil", Operation: "create", Target: "42", CorrelationID: "corr-1",
				IdempotencyKey: tc.key, Type: "com.provision.netflix.subscription.create.v1", PartitionKey: "42", Payload: map[string]string{"org": "masmovil"}}
			pub := &written{}
			s := submit.NewSubmitter("/test", pub, command.NewWorkflows("k"), nil, submit.KeyConfig{Window: time.Hour, CacheSize: 10})
			a, err := s.Submit(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			id, err := submit.CommandID(c)
			if err != nil || len(pub.ids) != 1 || pub.ids[0] != id || a.RunID != id {
				t.Fatalf("CommandID = %q (%v); Submit wrote %v and answered run %s", id, err, pub.ids, a.RunID)
			}
			other := c
			other.CorrelationID = "corr-2"
			if tc.key != "" {
				other.IdempotencyKey = "key-2"
			}
			if otherID, _ := submit.CommandID(other); otherID == id {
				t.Fatalf("another request has the same id %s", id)
			}
		})
	}
}
