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
	"provision.local/pkg/ledger"
	"provision.local/services/disney/internal/app"
	"provision.local/services/disney/internal/domain"
)

// NewCommandHandler routes each Disney command to its use case. A payload that does not match
// its schema, or an unknown type, is poison: it goes to the dead-letter topic.
func NewCommandHandler(a *app.App) consumer.Handler {
	return func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		e := msg.Event
		m := app.Meta{
			CommandID:     e.ID(),
			Type:          e.Type(),
			CorrelationID: events.Extension(e, events.ExtCorrelationID),
			WorkflowID:    events.Extension(e, events.ExtWorkflowID),
			Fingerprint:   events.Extension(e, events.ExtRequestDigest),
			IssuedAt:      e.Time(),
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

// command is what every Disney command payload has: the org it acts for.
type command interface {
	events.DisneyCreateSubscription | events.DisneyModifySubscription | events.DisneySuspendSubscription |
		events.DisneyReactivateSubscription | events.DisneyTerminateSubscription | events.DisneyActivationCallback
}

// handle validates the payload against the catalog's schema, decodes it and runs the use case.
// An org extension that disagrees with the payload's org is refused: one of the two is forged.
func handle[C command](ctx context.Context, e cloudevents.Event, m app.Meta, useCase func(context.Context, app.Meta, C) ([]consumer.Output, error)) ([]consumer.Output, error) {
	var c C
	if err := events.Decode(e, &c); err != nil {
		return nil, consumer.Permanent(fmt.Errorf("invalid %s payload: %w", e.Type(), err))
	}
	if org := events.Extension(e, events.ExtOrg); org != "" && org != orgOf(c) {
		return nil, consumer.Permanent(fmt.Errorf("the %s extension does not match the payload's org", events.ExtOrg))
	}
	return useCase(ctx, m, c)
}

// CommandOf says which command a message is, as far as it can be read, for the dead-letter mark.
func CommandOf(msg consumer.Message) ledger.Command {
	e := msg.Event
	var p struct {
		Org string `json:"org"`
	}
	_ = json.Unmarshal(e.Data(), &p)
	org := p.Org
	if org == "" {
		org = events.Extension(e, events.ExtOrg)
	}
	cmd := ledger.Command{
		ID: e.ID(), Type: e.Type(), Org: org, Operation: events.OperationOf(e.Type()),
		CorrelationID: events.Extension(e, events.ExtCorrelationID),
		WorkflowID:    events.Extension(e, events.ExtWorkflowID),
		Fingerprint:   events.Extension(e, events.ExtRequestDigest),
		IssuedAt:      e.Time(),
	}
	if key := events.Extension(e, events.ExtPartitionKey); key != "" && cmd.Operation != events.OpActivationCallback {
		cmd.AggregateID = domain.Key(org, key)
	}
	return cmd
}

func orgOf(c any) string {
	switch c := c.(type) {
	case events.DisneyCreateSubscription:
		return c.Org
	case events.DisneyModifySubscription:
		return c.Org
	case events.DisneySuspendSubscription:
		return c.Org
	case events.DisneyReactivateSubscription:
		return c.Org
	case events.DisneyTerminateSubscription:
		return c.Org
	case events.DisneyActivationCallback:
		return c.Org
	}
	return ""
}
