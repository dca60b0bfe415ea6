// Package ports exposes the Netflix service: the command consumer (kafka.go), the internal HTTP
// API the ingress calls (http.go) and the receiver of the partner's reports (reports.go).
package ports

import (
	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/outcome"
	"provision.local/services/netflix/internal/app"
	"provision.local/services/netflix/internal/domain"
)

// NewCommandHandler is the route table of the Netflix commands.
func NewCommandHandler(a *app.App) consumer.Handler {
	return outcome.Handler(events.ProviderNetflix, map[string]outcome.Route{
		events.TypeNetflixCreateSubscription:     outcome.On(a.CreateSubscription),
		events.TypeNetflixUpdateSubscription:     outcome.On(a.UpdateSubscription),
		events.TypeNetflixCancelSubscription:     outcome.On(a.CancelSubscription),
		events.TypeNetflixSuspendSubscription:    outcome.On(a.SuspendSubscription),
		events.TypeNetflixReactivateSubscription: outcome.On(a.ReactivateSubscription),
		events.TypeNetflixActivationCallback:     outcome.On(a.RecordActivation),
	})
}

// CommandOf says which command a message is, for the dead-letter mark. Every Netflix command,
// the partner's activation report included, is keyed by the PAI of the bundle it changes.
var CommandOf = outcome.LedgerCommand(func(org, pai, _ string) string { return domain.Key(org, pai) })
