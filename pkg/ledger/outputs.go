package ledger

import (
	"encoding/json"
	"fmt"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"provision.local/pkg/consumer"
)

// EncodeOutputs turns events into the form the ledger keeps them in.
func EncodeOutputs(outs []consumer.Output) ([]StoredOutput, error) {
	stored := make([]StoredOutput, len(outs))
	for i, o := range outs {
		b, err := json.Marshal(o.Event)
		if err != nil {
			return nil, fmt.Errorf("encode output %s: %w", o.Event.ID(), err)
		}
		stored[i] = StoredOutput{Topic: o.Topic, Event: string(b)}
	}
	return stored, nil
}

// DecodeOutputs turns kept events back into outputs, ids and all.
func DecodeOutputs(stored []StoredOutput) ([]consumer.Output, error) {
	outs := make([]consumer.Output, len(stored))
	for i, so := range stored {
		e := cloudevents.NewEvent()
		if err := json.Unmarshal([]byte(so.Event), &e); err != nil {
			return nil, fmt.Errorf("decode stored output: %w", err)
		}
		outs[i] = consumer.Output{Topic: so.Topic, Event: e}
	}
	return outs, nil
}
