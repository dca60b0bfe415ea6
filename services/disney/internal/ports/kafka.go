// Package ports exposes the Disney service: the command consumer (kafka.go) and the internal
// HTTP API the ingress calls (http.go).
package ports

import (
	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/outcome"
	"provision.local/services/disney/internal/app"
	"provision.local/services/disney/internal/domain"
)

// NewCommandHandler routes each Disney command to its use case.
func NewCommandHandler(a *app.App) consumer.Handler {
	return outcome.Handler(events.ProviderDisney, map[string]outcome.Route{
		events.TypeDisneyCreateSubscription:     outcome.On(a.CreateSubscription),
		events.TypeDisneyModifySubscription:     outcome.On(a.ModifySubscription),
		events.TypeDisneySuspendSubscription:    outcome.On(a.SuspendSubscription),
		events.TypeDisneyReactivateSubscription: outcome.On(a.ReactivateSubscription),
		events.TypeDisneyTerminateSubscription:  outcome.On(a.TerminateSubscription),
		events.TypeDisneyActivationCallback:     outcome.On(a.ActivationCallback),
	})
}

// CommandOf says which command a message is, for the dead-letter mark. The activation callback
// is keyed by its user and targets no one subscription.
var CommandOf = outcome.LedgerCommand(func(org, key, ceType string) string {
	if events.OperationOf(ceType) == events.OpActivationCallback {
		return ""
	}
	return domain.Key(org, key)
})
