package app

import (
	"context"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/pkg/outcome"
	"provision.local/services/disney/internal/domain"
)

// ActivationCallback records that the user activated Disney+: every subscription of the user
// that is not canceled becomes LINKED, after the partner confirms it.
//
// The callback names a user, not a subscription, so it runs as one child command per
// subscription (each at most once, with its own id) inside a parent operation whose record keeps
// all the children's events, so a redelivery republishes them.
func (a *App) ActivationCallback(ctx context.Context, m Meta, c events.DisneyActivationCallback) ([]consumer.Output, error) {
	parent := commandOf(m, events.OpActivationCallback, c.Org, c.UserID, "")
	return a.exec.Run(ctx, parent, func(ctx context.Context, _ *domain.Subscription, _ int64) (ledger.Decision[domain.Subscription], error) {
		ids, err := a.store.FindIDs(ctx, bson.D{{Key: "state.org", Value: c.Org}, {Key: "state.userId", Value: c.UserID}})
		if err != nil {
			return ledger.Decision[domain.Subscription]{}, err
		}
		if len(ids) == 0 {
			f := &ledger.Failure{Code: "SUBSCRIPTION_NOT_FOUND", Title: "NOT_FOUND", Details: "the user has no Disney+ subscription"}
			return a.exec.Fail(parent, f, nil, 0)
		}
		// Every subscription goes through its child command, even one this callback linked on an
		// earlier attempt: the child's record then answers with the events it stored, so a retry
		// of the parent still publishes them.
		var outs []consumer.Output
		for _, id := range ids {
			child := m
			child.CommandID = ledger.ChildID(m.CommandID, id)
			subscriptionID, ok := strings.CutPrefix(id, domain.Key(c.Org, ""))
			if !ok {
				return ledger.Decision[domain.Subscription]{}, fmt.Errorf("subscription %q found for org %q", id, c.Org)
			}
			o, err := a.execute(ctx, child, events.OpActivationCallback, c.Org, c.UserID, subscriptionID,
				func(ctx context.Context, current *domain.Subscription) (domain.Subscription, error) {
					s, err := requireOwned(current, c.UserID)
					if err != nil {
						return s, err
					}
					if s.Entitled == domain.EntitledCanceled || s.Activated == domain.ActivatedLinked {
						return s, outcome.ErrUnchanged
					}
					if s, err = s.Link(a.now()); err != nil {
						return s, err
					}
					return s, a.partner.ConfirmActivation(ctx, child.CommandID, s.SubscriptionID)
				})
			if err != nil {
				return ledger.Decision[domain.Subscription]{}, fmt.Errorf("link %s: %w", subscriptionID, err)
			}
			outs = append(outs, o...)
		}
		return ledger.Decision[domain.Subscription]{Outputs: outs}, nil
	})
}
