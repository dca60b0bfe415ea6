package app_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"provision.local/services/disney/internal/app"
	"provision.local/services/disney/internal/domain"
)

func TestSubscription(t *testing.T) {
	stored := subscription(owner, subID, domain.EntitledActive, domain.ActivatedLinked)
	tests := []struct {
		name    string
		org     string
		userID  string
		id      string
		wantErr error
	}{
		{"foundForTheOwner", org, owner, subID, nil},
		{"notFoundForAnotherUser", org, otherUser, subID, domain.ErrNotFound},
		{"notFoundInAnotherOrg", otherOrg, owner, subID, domain.ErrNotFound},
		{"notFoundWhenMissing", org, owner, "ENT-MISSING", domain.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture()
			f.store.seed(stored, 1)

			got, err := f.app.Subscription(context.Background(), tc.org, tc.userID, tc.id)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				if !app.IsNotFound(err) {
					t.Errorf("IsNotFound(%v) = false", err)
				}
				if !reflect.DeepEqual(got, domain.Subscription{}) {
					t.Errorf("got %+v with the error, want nothing of another user's subscription", got)
				}
				return
			}
			if !reflect.DeepEqual(got, stored) {
				t.Errorf("got %+v, want %+v", got, stored)
			}
		})
	}
}

func TestHistory(t *testing.T) {
	ctx := context.Background()
	f := newFixture()
	create, suspend := createCmd(owner, subID, basic), suspendCmd(owner, subID)
	for _, step := range []struct {
		id  string
		cmd command
	}{{"cmd-1", create}, {"cmd-2", suspend}} {
		if _, err := step.cmd.run(ctx, f.app, meta(step.id, step.cmd.ceType)); err != nil {
			t.Fatalf("%s: %v", step.id, err)
		}
	}

	t.Run("listedForTheOwner", func(t *testing.T) {
		ops, err := f.app.History(ctx, org, owner, subID)
		if err != nil {
			t.Fatalf("history: %v", err)
		}
		var got []string
		for _, op := range ops {
			got = append(got, op.ID+" "+op.Operation+" "+op.Outcome)
		}
		want := []string{"cmd-1 create COMPLETED", "cmd-2 suspend COMPLETED"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("history = %v, want %v", got, want)
		}
	})
	t.Run("notFoundForAnotherUser", func(t *testing.T) {
		ops, err := f.app.History(ctx, org, otherUser, subID)
		if !errors.Is(err, domain.ErrNotFound) || ops != nil {
			t.Errorf("history = %v, %v; want nothing and domain.ErrNotFound", ops, err)
		}
	})
}

func TestActivationURL(t *testing.T) {
	active := subscription(owner, subID, domain.EntitledActive, domain.ActivatedUnlinked)
	canceled := subscription(owner, subID, domain.EntitledCanceled, domain.ActivatedUnlinked)
	link := app.ActivationURL{URL: "https://www.disneyplus.com/activate?token=abc", ExpiryDate: "2021-01-01T00:00:00Z"}
	req := app.ActivationURLRequest{Products: []string{basic}, Country: "ES", ExpireDate: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}
	rejection := &app.PartnerRejection{Status: 400, Code: "INVALID_COUNTRY", Message: "country not served"}
	const key = "request-key-1"

	isTransition := func(err error) bool { var te *domain.TransitionError; return errors.As(err, &te) }
	isNotFound := func(err error) bool { return errors.Is(err, domain.ErrNotFound) }
	isRejection := func(err error) bool { return errors.Is(err, rejection) }

	tests := []struct {
		name        string
		seed        *domain.Subscription
		userID      string
		partnerErr  error
		wantErr     func(error) bool // nil: no error
		wantPartner bool
	}{
		{"linkReturnedForAnActiveSubscription", &active, owner, nil, nil, true},
		{"refusedCanceledWithoutThePartner", &canceled, owner, nil, isTransition, false},
		{"notFoundForAnotherUserWithoutThePartner", &active, otherUser, nil, isNotFound, false},
		{"notFoundWhenMissingWithoutThePartner", nil, owner, nil, isNotFound, false},
		{"partnerRejectionReturned", &active, owner, rejection, isRejection, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture()
			if tc.seed != nil {
				f.store.seed(*tc.seed, 1)
			}
			f.partner.url = link
			if tc.partnerErr != nil {
				f.partner.failWith(tc.partnerErr, nil)
			}

			got, err := f.app.ActivationURL(context.Background(), key, org, tc.userID, subID, req)
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("err = %v, want none", err)
			case tc.wantErr != nil && !tc.wantErr(err):
				t.Fatalf("err = %v, not the expected kind", err)
			case tc.wantErr == nil && got != link:
				t.Errorf("link = %+v, want %+v", got, link)
			}

			calls := f.partner.Calls()
			if !tc.wantPartner {
				noPartnerCalls(t, f.partner)
				return
			}
			want := partnerCall{Method: callActivationURL, Key: key, EntitlementID: subID, Products: req.Products, URLRequest: req}
			if !reflect.DeepEqual(calls, []partnerCall{want}) {
				t.Errorf("partner calls = %+v, want [%+v]", calls, want)
			}
		})
	}
}
