// Package ports exposes the insurance service: the command consumer (kafka.go) and the internal
// HTTP API the ingress calls (http.go).
package ports

import (
	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/outcome"
	"provision.local/services/insurance/internal/app"
	"provision.local/services/insurance/internal/domain"
)

// NewCommandHandler is the route table of the insurance commands.
func NewCommandHandler(a *app.App) consumer.Handler {
	return outcome.Handler(events.ProviderInsurance, map[string]outcome.Route{
		events.TypeInsuranceActivatePolicy:  outcome.On(a.ActivatePolicy),
		events.TypeInsuranceSuspendPolicy:   outcome.On(a.SuspendPolicy),
		events.TypeInsuranceReconnectPolicy: outcome.On(a.ReconnectPolicy),
		events.TypeInsuranceTerminatePolicy: outcome.On(a.TerminatePolicy),
		events.TypeInsuranceCancelPolicy:    outcome.On(a.CancelPolicy),
	})
}

// CommandOf says which command a message is, for the dead-letter mark: every insurance command is
// keyed by the policy number it changes.
var CommandOf = outcome.LedgerCommand(func(org, policyNumber, _ string) string { return domain.Key(org, policyNumber) })
