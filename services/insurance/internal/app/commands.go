package app

import (
	"context"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/services/insurance/internal/domain"
)

// ActivatePolicy puts a reserved policy in force for its device, once the request id, the
// document and the IMEI check out, and records the device's IMEI sealed with the insured.
func (a *App) ActivatePolicy(ctx context.Context, m Meta, c events.InsuranceActivatePolicy) ([]consumer.Output, error) {
	return a.change(ctx, m, events.OpActivate, c.Org, c.PolicyNumber,
		func(ctx context.Context, p domain.Policy, in domain.Insured) (domain.Policy, error) {
			next, device, err := p.Activate(c.RequestID, c.Document, c.IMEI, in, a.clock())
			if err != nil {
				return p, err
			}
			if next, err = a.seal(next, device); err != nil {
				return p, err
			}
			act := Activation{RequestID: c.RequestID, Document: c.Document, IMEI: c.IMEI}
			return next, a.partner.Activate(ctx, m.CommandID, c.Org, c.PolicyNumber, act)
		})
}

// SuspendPolicy puts an active policy on hold.
func (a *App) SuspendPolicy(ctx context.Context, m Meta, c events.InsuranceSuspendPolicy) ([]consumer.Output, error) {
	return a.change(ctx, m, events.OpSuspend, c.Org, c.PolicyNumber,
		func(ctx context.Context, p domain.Policy, in domain.Insured) (domain.Policy, error) {
			if err := in.Matches(c.Document, c.PhoneNumber); err != nil {
				return p, err
			}
			next, err := p.Suspend(a.clock())
			if err != nil {
				return p, err
			}
			return next, a.partner.Suspend(ctx, m.CommandID, c.Org, c.PolicyNumber, c.Document)
		})
}

// ReconnectPolicy puts a suspended policy back in force.
func (a *App) ReconnectPolicy(ctx context.Context, m Meta, c events.InsuranceReconnectPolicy) ([]consumer.Output, error) {
	return a.change(ctx, m, events.OpReconnect, c.Org, c.PolicyNumber,
		func(ctx context.Context, p domain.Policy, in domain.Insured) (domain.Policy, error) {
			if err := in.Matches(c.Document, c.PhoneNumber); err != nil {
				return p, err
			}
			next, err := p.Reconnect(a.clock())
			if err != nil {
				return p, err
			}
			return next, a.partner.Reconnect(ctx, m.CommandID, c.Org, c.PolicyNumber, c.Document)
		})
}

// TerminatePolicy ends a policy that has been in force.
func (a *App) TerminatePolicy(ctx context.Context, m Meta, c events.InsuranceTerminatePolicy) ([]consumer.Output, error) {
	return a.change(ctx, m, events.OpTerminate, c.Org, c.PolicyNumber,
		func(ctx context.Context, p domain.Policy, in domain.Insured) (domain.Policy, error) {
			if err := in.Matches(c.Document, ""); err != nil {
				return p, err
			}
			next, err := p.Terminate(a.clock())
			if err != nil {
				return p, err
			}
			return next, a.partner.Terminate(ctx, m.CommandID, c.Org, c.PolicyNumber, c.Document, c.Reason)
		})
}

// CancelPolicy ends a reserved or active policy.
func (a *App) CancelPolicy(ctx context.Context, m Meta, c events.InsuranceCancelPolicy) ([]consumer.Output, error) {
	return a.change(ctx, m, events.OpCancel, c.Org, c.PolicyNumber,
		func(ctx context.Context, p domain.Policy, in domain.Insured) (domain.Policy, error) {
			if err := in.Matches(c.Document, ""); err != nil {
				return p, err
			}
			next, err := p.Cancel(a.clock())
			if err != nil {
				return p, err
			}
			return next, a.partner.Cancel(ctx, m.CommandID, c.Org, c.PolicyNumber, c.Document)
		})
}
