package app_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/services/netflix/internal/app"
	"provision.local/services/netflix/internal/domain"
)

// relayed drains the store's outbox, as the runtime's relay does, and returns what it published.
func relayed(t *testing.T, f fixture) []consumer.Output {
	t.Helper()
	var outs []consumer.Output
	if _, err := f.store.RelayPending(context.Background(), func(_ context.Context, o []consumer.Output) error {
		outs = append(outs, o...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return outs
}

func TestDigitalVirgo_EnrolAndRemoveAPhoneThroughTheOutbox(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	must(t)(f.app.CreateSubscription(ctx, meta("c1"), create(org)))
	enrol := app.PhoneEnrolment{PhoneNumber: phone, PAI: "123456"}
	if err := f.app.EnrolPhone(ctx, meta("dv1"), org, pai, enrol); err != nil {
		t.Fatal(err)
	}
	p := status(t, relayed(t, f), events.TypeNetflixSubscriptionStatusV2)
	if p.Operation != events.OpUpdate || p.Version != 2 || p.CommandID != "dv1" {
		t.Errorf("enrolment event %+v, want an update at version 2 by dv1", p)
	}
	if err := f.app.EnrolPhone(ctx, meta("dv1"), org, pai, enrol); err != nil {
		t.Fatalf("repeated enrolment: %v", err)
	}
	if err := f.app.RemovePhone(ctx, meta("dv2"), org, pai, phone); err != nil {
		t.Fatal(err)
	}
	status(t, relayed(t, f), events.TypeNetflixSubscriptionStatusV2)
	var methods []string
	for _, c := range f.partner.received() {
		methods = append(methods, c.method+"/"+c.key)
	}
	if want := "[Enrol/c1 EnrolPhone/dv1 RemovePhone/dv2]"; want != fmt.Sprint(methods) {
		t.Errorf("partner calls %v, want %s", methods, want)
	}
}

func TestDigitalVirgo_RefusalsAreFailures(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		run  func() error
		code string
	}{
		{"enrolUnknownSubscription", func() error {
			return f.app.EnrolPhone(ctx, meta("dv1"), org, pai, app.PhoneEnrolment{PhoneNumber: phone})
		}, "SUBSCRIPTION_NOT_FOUND"},
		{"enrolInvalidPhone", func() error {
			must(t)(f.app.CreateSubscription(ctx, meta("c1"), create(org)))
			return f.app.EnrolPhone(ctx, meta("dv2"), org, pai, app.PhoneEnrolment{PhoneNumber: "5512345678"})
		}, "INVALID_FIELD"},
		{"removeUnknownPhone", func() error { return f.app.RemovePhone(ctx, meta("dv3"), org, pai, phone) }, "PHONE_NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var failure *ledger.Failure
			if err := tc.run(); !errors.As(err, &failure) || failure.Code != tc.code {
				t.Fatalf("err = %v, want a %s failure", err, tc.code)
			}
		})
	}
}

// A digitalvirgo change that loses the race for the bundle to the consumer runs again.
func TestDigitalVirgo_AChangeThatLostARaceRunsAgain(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	must(t)(f.app.CreateSubscription(ctx, meta("c1"), create(org)))
	raced := false
	f.partner.failing = func(c call) error {
		if c.method == "EnrolPhone" && !raced {
			raced = true // another writer moves the bundle on while the partner is called
			s, v, err := f.store.Get(ctx, domain.Key(org, pai))
			if err != nil {
				return err
			}
			return f.store.Seed(domain.Key(org, pai), s, v+1)
		}
		return nil
	}
	if err := f.app.EnrolPhone(ctx, meta("dv1"), org, pai, app.PhoneEnrolment{PhoneNumber: phone}); err != nil {
		t.Fatal(err)
	}
	if sub, err := f.app.Subscription(ctx, org, pai); err != nil || len(sub.DigitalVirgo) != 1 {
		t.Fatalf("stored %v (%v), want the phone enrolled", sub.DigitalVirgo, err)
	}
	var enrolments int
	for _, c := range f.partner.received() {
		if c.method == "EnrolPhone" && c.key == "dv1" {
			enrolments++
		}
	}
	if !raced || enrolments != 2 {
		t.Fatalf("raced %v, %d partner calls; want a second run with the same key", raced, enrolments)
	}
}
