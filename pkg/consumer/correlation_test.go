package consumer

import (
	"context"
	"testing"

	"github.com/segmentio/kafka-go"
	"github.com/sirupsen/logrus/hooks/test"

	"provision.local/pkg/cekafka"
	"provision.local/pkg/logging"
)

func TestCorrelation(t *testing.T) {
	tests := []struct {
		name   string
		msg    func(t *testing.T) Message
		want   map[string]any
		absent []string
	}{
		{"all extensions", func(t *testing.T) Message {
			return testMessage(t, "ev-1", map[string]string{
				cekafka.ExtCorrelationID: "corr-9", ExtOrg: "acme", cekafka.ExtPartitionKey: "sub-3",
			})
		}, map[string]any{
			logging.FieldCorrelationID: "corr-9", logging.FieldEventID: "ev-1", logging.FieldCEType: "test.consumer",
			logging.FieldOrg: "acme", logging.FieldSubscriptionID: "sub-3", "topic": "in", "partition": 2, "offset": int64(41),
		}, nil},
		{"no extensions", func(t *testing.T) Message { return testMessage(t, "ev-2", nil) },
			map[string]any{logging.FieldEventID: "ev-2", logging.FieldCEType: "test.consumer"},
			[]string{logging.FieldCorrelationID, logging.FieldOrg, logging.FieldSubscriptionID}},
		{"undecodable record", func(t *testing.T) Message {
			return Message{Record: kafka.Message{Topic: "in", Partition: 1, Offset: 7, Value: []byte("junk")}}
		}, map[string]any{"topic": "in", "partition": 1, "offset": int64(7)},
			[]string{logging.FieldEventID, logging.FieldCEType, logging.FieldCorrelationID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			log, hook := test.NewNullLogger()
			h := Correlation(log)(func(ctx context.Context, _ Message) ([]Output, error) {
				logging.FromContext(ctx).Info("inside")
				return nil, nil
			})
			if _, err := h(context.Background(), tc.msg(t)); err != nil {
				t.Fatal(err)
			}
			e := hook.LastEntry()
			if e == nil || e.Message != "inside" {
				t.Fatal("the handler's log line did not go through the correlation logger")
			}
			for k, v := range tc.want {
				if e.Data[k] != v {
					t.Errorf("field %s = %#v, want %#v", k, e.Data[k], v)
				}
			}
			for _, k := range tc.absent {
				if _, ok := e.Data[k]; ok {
					t.Errorf("field %s present: %v", k, e.Data[k])
				}
			}
		})
	}
}
