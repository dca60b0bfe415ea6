package app

import (
	"context"
	"errors"

	"provision.local/events"
	"provision.local/pkg/ledger"
	"provision.local/pkg/outcome"
	"provision.local/services/netflix/internal/domain"
)

// PhoneEnrolment is the seed's digitalvirgo body: the phone (personal data) and the PAI Digital
// Virgo knows the subscription by.
type PhoneEnrolment struct {
	PhoneNumber string `json:"phone_number"`
	PAI         string `json:"pai,omitempty"`
}

// EnrolPhone enrols a phone with Digital Virgo on the bundle of a PAI. It is synchronous: it
// runs at once, at most once per command id (the request's idempotency key), and its status
// event is published by the runtime's outbox relay. A refusal is returned as a *ledger.Failure.
// A phone enrolled already is answered as enrolled, without calling Netflix.
func (a *App) EnrolPhone(ctx context.Context, m Meta, org, pai string, p PhoneEnrolment) error {
	return a.changePhones(ctx, m, org, pai, func(ctx context.Context, s domain.Subscription) (domain.Subscription, error) {
		next, err := s.EnrolPhone(p.PhoneNumber, a.clock())
		if err != nil {
			return s, err
		}
		return next, a.partner.EnrolPhone(ctx, m.CommandID, org, pai, p)
	})
}

// RemovePhone ends the Digital Virgo enrolment of a phone, as EnrolPhone runs. A phone the
// bundle does not have fails with PHONE_NOT_FOUND.
func (a *App) RemovePhone(ctx context.Context, m Meta, org, pai, phone string) error {
	return a.changePhones(ctx, m, org, pai, func(ctx context.Context, s domain.Subscription) (domain.Subscription, error) {
		next, err := s.RemovePhone(phone, a.clock())
		if err != nil {
			return s, err
		}
		return next, a.partner.RemovePhone(ctx, m.CommandID, org, pai, phone)
	})
}

// conflictAttempts bounds the runs of a synchronous change that loses the race for the bundle to
// another writer (the consumer of its partition); each run repeats the partner call with the
// same idempotency key, which Netflix answers as the first.
const conflictAttempts = 3

// changePhones runs a change of the Digital Virgo phones of an existing bundle through the outbox.
// It is an update of the subscription in the status events.
func (a *App) changePhones(ctx context.Context, m Meta, org, pai string,
	change func(context.Context, domain.Subscription) (domain.Subscription, error)) error {
	var err error
	for attempt := 1; attempt <= conflictAttempts; attempt++ {
		if err = a.changePhonesOnce(ctx, m, org, pai, change); !errors.Is(err, ledger.ErrConflict) {
			return err
		}
	}
	return err
}

func (a *App) changePhonesOnce(ctx context.Context, m Meta, org, pai string,
	change func(context.Context, domain.Subscription) (domain.Subscription, error)) error {
	outs, err := a.relayed.Execute(ctx, outcome.Command{
		Meta: m, Operation: events.OpUpdate, Org: org, SubscriptionID: pai,
		FailureDetails: events.NetflixFailedDetails{PartnerAccountID: pai},
	}, func(ctx context.Context, current *domain.Subscription) (domain.Subscription, error) {
		s, err := existing(current)
		if err != nil {
			return s, err
		}
		next, err := change(ctx, s)
		if errors.Is(err, domain.ErrNothingToChange) {
			return s, outcome.ErrUnchanged
		}
		return next, err
	})
	if err != nil {
		return err
	}
	return failureOf(outs)
}
