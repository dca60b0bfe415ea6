package app

import (
	"context"
	"encoding/json"
	"fmt"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/services/netflix/internal/domain"
)

// relayedStore executes through the outbox: a synchronous call has no consumer to publish its
// status event before a commit, so the runtime's relay publishes it.
type relayedStore struct{ Store }

func (s relayedStore) Execute(ctx context.Context, cmd ledger.Command, decide ledger.Decide[domain.Subscription]) ([]consumer.Output, error) {
	return s.ExecuteRelayed(ctx, cmd, decide)
}

// failureOf returns the failure a synchronous command's events report, nil when it succeeded.
// It reads the events rather than the change's error so that a repeated call, answered from
// the ledger, gets the first call's answer.
func failureOf(outs []consumer.Output) error {
	for _, o := range outs {
		if o.Event.Type() != events.TypeNetflixOperationFailedV2 {
			continue
		}
		var p events.StatusEvent[json.RawMessage]
		if err := events.Decode(o.Event, &p); err != nil {
			return fmt.Errorf("read the failure event: %w", err)
		}
		if p.Error == nil {
			return fmt.Errorf("the failure event %s names no error", o.Event.ID())
		}
		return &ledger.Failure{Code: p.Error.Code, Title: p.Error.Title, Details: p.Error.Details}
	}
	return nil
}
