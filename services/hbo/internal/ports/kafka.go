// Package ports exposes the HBO service: the command consumer (kafka.go) and the internal HTTP
// API the ingress calls (http.go).
package ports

import (
	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/outcome"
	"provision.local/services/hbo/internal/app"
	"provision.local/services/hbo/internal/domain"
)

// NewCommandHandler is the route table of the HBO commands.
func NewCommandHandler(a *app.App) consumer.Handler {
	return outcome.Handler(events.ProviderHBO, map[string]outcome.Route{
		events.TypeHBOCreateSubscription:     outcome.On(a.CreateSubscription),
		events.TypeHBOUpdateSubscription:     outcome.On(a.UpdateSubscription),
		events.TypeHBOActivateSubscription:   outcome.On(a.ActivateSubscription),
		events.TypeHBOSuspendSubscription:    outcome.On(a.SuspendSubscription),
		events.TypeHBOReactivateSubscription: outcome.On(a.ReactivateSubscription),
		events.TypeHBOCancelSubscription:     outcome.On(a.CancelSubscription),
	})
}

// CommandOf says which command a message is, for the dead-letter mark: every HBO command is keyed
// by the service id of the subscription it changes.
var CommandOf = outcome.LedgerCommand(func(org, serviceID, _ string) string { return domain.Key(org, serviceID) })
