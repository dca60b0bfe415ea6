// Package ports exposes the Disney service: the command consumer (kafka.go) and the internal
// HTTP API the ingress calls (http.go).
package ports

import (
	"context"
	"encoding/json"
	"fmt"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/services/disney/internal/app"
)

// NewCommandHandler routes each Disney command to its use case. A payload that does not match
// its schema, or an unknown type, is poison: it goes to the dead-letter topic.
func NewCommandHandler(a *app.App) consumer.Handler {
	return func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		e := msg.Event
		m := app.Meta{
			CommandID:     e.ID(),
			Type:          e.Type(),
			CorrelationID: extension(e, events.ExtCorrelationID),
			WorkflowID:    extension(e, events.ExtWorkflowID),
		}
		switch e.Type() {
		case events.TypeDisneyCreateSubscription:
			return handle(ctx, e, m, a.CreateSubscription)
		case events.TypeDisneyModifySubscription:
			return handle(ctx, e, m, a.ModifySubscription)
		case events.TypeDisneySuspendSubscription:
			return handle(ctx, e, m, a.SuspendSubscription)
		case events.TypeDisneyReactivateSubscription:
			return handle(ctx, e, m, a.ReactivateSubscription)
		case events.TypeDisneyTerminateSubscription:
			return handle(ctx, e, m, a.TerminateSubscription)
		case events.TypeDisneyActivationCallback:
			return handle(ctx, e, m, a.ActivationCallback)
		default:
			return nil, consumer.Permanent(fmt.Errorf("unknown event type %q on the Disney commands topic", e.Type()))
		}
	}
}

// handle validates the payload against the catalog's schema, decodes it and runs the use case.
func handle[C any](ctx context.Context, e cloudevents.Event, m app.Meta, useCase func(context.Context, app.Meta, C) ([]consumer.Output, error)) ([]consumer.Output, error) {
	if err := events.Validate(e.Type(), e.Data()); err != nil {
		return nil, consumer.Permanent(fmt.Errorf("invalid %s payload: %w", e.Type(), err))
	}
	var c C
	if err := json.Unmarshal(e.Data(), &c); err != nil {
		return nil, consumer.Permanent(fmt.Errorf("decode %s payload: %w", e.Type(), err))
	}
	return useCase(ctx, m, c)
}

func extension(e cloudevents.Event, name string) string {
	v, ok := e.Extensions()[name]
	if !ok {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}
