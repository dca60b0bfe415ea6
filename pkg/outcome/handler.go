package outcome

import (
	"context"
	"encoding/json"
	"fmt"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
)

// Route runs one type of command: it decodes the event's payload and calls the use case.
type Route func(ctx context.Context, e cloudevents.Event, m Meta) ([]consumer.Output, error)

// On routes a command type to its use case. The payload is validated against the catalog's schema
// and decoded into C; a payload that does not validate, or whose org disagrees with the event's
// org extension (one of the two is forged), is poison and goes to the dead-letter topic.
func On[C any](useCase func(context.Context, Meta, C) ([]consumer.Output, error)) Route {
	return func(ctx context.Context, e cloudevents.Event, m Meta) ([]consumer.Output, error) {
		var c C
		if err := events.Decode(e, &c); err != nil {
			return nil, consumer.Permanent(fmt.Errorf("invalid %s payload: %w", e.Type(), err))
		}
		if org := events.Extension(e, events.ExtOrg); org != "" && org != payloadOrg(e) {
			return nil, consumer.Permanent(fmt.Errorf("the %s extension does not match the payload's org", events.ExtOrg))
		}
		return useCase(ctx, m, c)
	}
}

// Handler is a provider's command consumer: each event goes to the route of its type; an unknown
// type is poison.
func Handler(provider string, routes map[string]Route) consumer.Handler {
	return func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		route, ok := routes[msg.Event.Type()]
		if !ok {
			return nil, consumer.Permanent(fmt.Errorf("unknown event type %q on the %s commands topic", msg.Event.Type(), provider))
		}
		return route(ctx, msg.Event, MetaOf(msg.Event))
	}
}

// MetaOf reads what a command carries besides its payload from its CloudEvent.
func MetaOf(e cloudevents.Event) Meta {
	return Meta{
		CommandID:     e.ID(),
		Type:          e.Type(),
		CorrelationID: events.Extension(e, events.ExtCorrelationID),
		WorkflowID:    events.Extension(e, events.ExtWorkflowID),
		Fingerprint:   events.Extension(e, events.ExtRequestDigest),
		IssuedAt:      e.Time(),
	}
}

// LedgerCommand says which command a message is, as far as it can be read even from a payload
// that does not decode, for the dead-letter mark (ledger.Store.DeadLetterMarker). aggregateID
// maps the org and the record key to the command's aggregate; it returns "" for a command that
// targets none.
func LedgerCommand(aggregateID func(org, key, ceType string) string) func(consumer.Message) ledger.Command {
	return func(msg consumer.Message) ledger.Command {
		e := msg.Event
		m := MetaOf(e)
		org := payloadOrg(e)
		if org == "" {
			org = events.Extension(e, events.ExtOrg)
		}
		cmd := ledger.Command{
			ID: m.CommandID, Type: m.Type, Org: org, Operation: events.OperationOf(m.Type),
			CorrelationID: m.CorrelationID, WorkflowID: m.WorkflowID, Fingerprint: m.Fingerprint, IssuedAt: m.IssuedAt,
		}
		if key := events.Extension(e, events.ExtPartitionKey); key != "" {
			cmd.AggregateID = aggregateID(org, key, m.Type)
		}
		return cmd
	}
}

// payloadOrg is the org every command payload names, or "" when the payload does not say.
func payloadOrg(e cloudevents.Event) string {
	var p struct {
		Org string `json:"org"`
	}
	_ = json.Unmarshal(e.Data(), &p)
	return p.Org
}
