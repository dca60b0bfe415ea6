package ports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"provision.local/events"
	"provision.local/pkg/httpx"
	"provision.local/services/ingress/internal/adapters"
)

// netflixExists refuses a change of a subscription the Netflix service does not have (404).
var netflixExists = subscriptionExists(events.ProviderNetflix, netflixSubscription(""))

// netflixRoutes are the Netflix operations of the routing table.
var netflixRoutes = map[string]Route{
	"netflixCreateSubscription": Command{
		Provider: events.ProviderNetflix, Operation: events.OpCreate, Type: events.TypeNetflixCreateSubscription,
		Message: "Subscription creation accepted",
		Build: func(r Request) (string, string, any, error) {
			pai, err := netflixBodyPAI(r)
			if err != nil {
				return "", "", nil, err
			}
			c := events.NetflixCreateSubscription{Org: r.Org, PartnerAccountID: pai, BundleID: r.String("bundle_id"), OfferID: r.String("netflix_offer_id")}
			netflixContact(r, &c)
			return pai, pai, c, nil
		},
		Check: netflixNotEnrolled,
	},
	"netflixUpdateSubscription": Command{
		Provider: events.ProviderNetflix, Operation: events.OpUpdate, Type: events.TypeNetflixUpdateSubscription,
		Build: func(r Request) (string, string, any, error) {
			pai := r.Param("subscription_id")
			var c events.NetflixCreateSubscription
			netflixContact(r, &c)
			return pai, pai, events.NetflixUpdateSubscription{
				Org: r.Org, PartnerAccountID: pai, BundleID: r.String("bundle_id"), OfferID: r.String("netflix_offer_id"),
				Channel: c.Channel, Email: c.Email, Phone: c.Phone, ChargeCountry: c.ChargeCountry,
				PreferredLanguage: c.PreferredLanguage, ExternalID: c.ExternalID, BillingEventID: c.BillingEventID,
			}, nil
		},
		Check: netflixExists,
	},
	"netflixCancelSubscription": Command{
		Provider: events.ProviderNetflix, Operation: events.OpCancel, Type: events.TypeNetflixCancelSubscription,
		Build: func(r Request) (string, string, any, error) {
			pai := r.Param("subscription_id")
			return pai, pai, events.NetflixCancelSubscription{Org: r.Org, PartnerAccountID: pai,
				CancelEventID: r.Query("cancel_event_id"), CancelReason: r.Query("cancel_reason"), ExternalID: r.Query("external_id")}, nil
		},
		Check: netflixExists,
	},
	"netflixSuspendSubscription": Command{
		Provider: events.ProviderNetflix, Operation: events.OpSuspend, Type: events.TypeNetflixSuspendSubscription,
		Build: func(r Request) (string, string, any, error) {
			pai := r.Param("subscription_id")
			return pai, pai, events.NetflixSuspendSubscription{Org: r.Org, PartnerAccountID: pai,
				SuspendEventID: r.String("suspend_event_id"), Reason: r.String("reason"), ExternalID: r.String("external_id")}, nil
		},
	},
	"netflixReactivateSubscription": Command{
		Provider: events.ProviderNetflix, Operation: events.OpReactivate, Type: events.TypeNetflixReactivateSubscription,
		Build: func(r Request) (string, string, any, error) {
			pai := r.Param("subscription_id")
			return pai, pai, events.NetflixReactivateSubscription{Org: r.Org, PartnerAccountID: pai,
				ReactivateEventID: r.String("reactivate_event_id"), ExternalID: r.String("external_id")}, nil
		},
	},
	"netflixGenerateUrl":           Forward{Provider: events.ProviderNetflix, Path: netflixSubscription("/geturl"), Body: true, Keyed: true},
	"netflixGetSubscriptionStatus": Forward{Provider: events.ProviderNetflix, Path: netflixSubscription("/status")},
	"netflixEnrollDigitalVirgo":    Forward{Provider: events.ProviderNetflix, Path: netflixSubscription("/digitalvirgo"), Body: true, Keyed: true},
	"netflixListEvents":            Forward{Provider: events.ProviderNetflix, Path: netflixEvents},
	"netflixDeactivateDigitalVirgo": Forward{Provider: events.ProviderNetflix, Keyed: true, Path: func(r Request) string {
		return netflixSubscription("/digitalvirgo/" + url.PathEscape(r.Param("phone_number")))(r)
	}},
}

// netflixSubscription is the Netflix service's internal path of the request's subscription (its
// PAI).
func netflixSubscription(suffix string) func(r Request) string {
	return func(r Request) string { return netflixPath(r.Org, r.Param("subscription_id")) + suffix }
}

func netflixPath(org, pai string) string {
	return "/internal/v1/orgs/" + url.PathEscape(org) + "/subscriptions/" + url.PathEscape(pai)
}

// netflixEvents is the Netflix service's internal path of the events query, with the document's
// query parameters as sent: the service applies the rules on the window, types and offset.
func netflixEvents(r Request) string {
	q := url.Values{}
	for _, name := range []string{"startTimestamp", "endTimestamp", "offset", "events"} {
		if v := r.Query(name); v != "" {
			q.Set(name, v)
		}
	}
	return "/internal/v1/orgs/" + url.PathEscape(r.Org) + "/events?" + q.Encode()
}

// netflixBodyPAI is the create body's partner_account_id as its digits.
func netflixBodyPAI(r Request) (string, error) { return r.Digits("partner_account_id") }

// netflixContact reads the fields a create and an update share.
func netflixContact(r Request, c *events.NetflixCreateSubscription) {
	c.Channel, c.Email, c.Phone = r.String("channel"), r.String("netflix_email"), r.String("netflix_phone")
	c.ChargeCountry, c.PreferredLanguage = r.String("partner_charge_country"), r.String("preferred_language")
	c.ExternalID, c.BillingEventID = r.String("external_id"), r.String("billing_event_id")
}

// CodeAlreadyEnrolled answers a create for a partner account that has a bundle in the org.
const CodeAlreadyEnrolled = "PARTNER_ACCOUNT_ALREADY_ENROLLED"

// netflixNotEnrolled refuses a create for a PAI whose bundle in the org is not cancelled (409),
// unless this very command enrolled it: a retried create gets its first answer again.
func netflixNotEnrolled(ctx context.Context, internal *adapters.Client, r Request, commandID string) error {
	pai, err := netflixBodyPAI(r)
	if err != nil {
		return err
	}
	a, err := internal.Do(ctx, events.ProviderNetflix, http.MethodGet, netflixPath(r.Org, pai), "", nil)
	if ie, ok := errors.AsType[*adapters.InternalError](err); ok && ie.Status == http.StatusNotFound && ie.Code == httpx.CodeSubscriptionNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	var e struct {
		Enrolled   bool   `json:"enrolled"`
		EnrolledBy string `json:"enrolledBy"`
	}
	if err := json.Unmarshal(a.Body, &e); err != nil {
		return fmt.Errorf("netflix enrolment check: %w", err)
	}
	if e.Enrolled && e.EnrolledBy != commandID {
		return badRequest{status: http.StatusConflict, errs: []httpx.Error{httpx.NewError(http.StatusConflict, CodeAlreadyEnrolled,
			"the partner account is already enrolled for this org")}}
	}
	return nil
}
