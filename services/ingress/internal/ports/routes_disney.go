package ports

import (
	"net/url"

	"provision.local/events"
)

// disneyRoutes are the Disney+ operations of the routing table.
var disneyRoutes = map[string]Route{
	"disneyCreateSubscription": Command{
		Provider: events.ProviderDisney, Operation: events.OpCreate, Type: events.TypeDisneyCreateSubscription,
		Message: "Subscription creation accepted",
		Build: func(r Request) (string, string, any, error) {
			user, sub := r.Param("user_id"), r.String("subscriptionId")
			return sub, user + "/" + sub,
				events.DisneyCreateSubscription{Org: r.Org, UserID: user, SubscriptionID: sub, Products: r.Strings("products")}, nil
		},
	},
	"disneyModifySubscription": Command{
		Provider: events.ProviderDisney, Operation: events.OpModify, Type: events.TypeDisneyModifySubscription,
		Build: disneyProducts(func(p events.DisneyModifySubscription) any { return p }),
	},
	"disneySuspendSubscription": Command{
		Provider: events.ProviderDisney, Operation: events.OpSuspend, Type: events.TypeDisneySuspendSubscription,
		Build: disneyProducts(func(p events.DisneyModifySubscription) any { return events.DisneySuspendSubscription(p) }),
	},
	"disneyReactivateSubscription": Command{
		Provider: events.ProviderDisney, Operation: events.OpReactivate, Type: events.TypeDisneyReactivateSubscription,
		Build: disneyProducts(func(p events.DisneyModifySubscription) any { return events.DisneyReactivateSubscription(p) }),
	},
	"disneyTerminateSubscription": Command{
		Provider: events.ProviderDisney, Operation: events.OpTerminate, Type: events.TypeDisneyTerminateSubscription,
		Build: func(r Request) (string, string, any, error) {
			user, sub := r.Param("user_id"), r.Param("subscription_id")
			return sub, user + "/" + sub,
				events.DisneyTerminateSubscription{Org: r.Org, UserID: user, SubscriptionID: sub, Product: r.Query("product")}, nil
		},
	},
	// Disney's notification names no subscription, so it is keyed by the user. The seed sends it
	// without a Request-Correlation-Id; the command id is then derived from the one generated for
	// the request, so each callback is a command of its own (with an empty one, every callback of
	// a user would get the same id forever and all but the first would be dropped as duplicates).
	"disneyActivationCallback": Command{
		Provider: events.ProviderDisney, Operation: events.OpActivationCallback, Type: events.TypeDisneyActivationCallback,
		Build: func(r Request) (string, string, any, error) {
			user := r.Param("user_id")
			return user, user, events.DisneyActivationCallback{Org: r.Org, UserID: user}, nil
		},
	},
	"disneyGetSubscription":       Forward{Provider: events.ProviderDisney, Path: disneySubscription("")},
	"disneyGenerateActivationUrl": Forward{Provider: events.ProviderDisney, Path: disneySubscription("/activation_url"), Body: true, Keyed: true},
}

// disneyProducts builds the Disney commands whose body is the seed's {"products"}: modify,
// suspend and reactivate, which differ only in their type.
func disneyProducts(as func(events.DisneyModifySubscription) any) func(r Request) (string, string, any, error) {
	return func(r Request) (string, string, any, error) {
		user, sub := r.Param("user_id"), r.Param("subscription_id")
		return sub, user + "/" + sub,
			as(events.DisneyModifySubscription{Org: r.Org, UserID: user, SubscriptionID: sub, Products: r.Strings("products")}), nil
	}
}

// disneySubscription is the Disney service's internal path of the request's subscription.
func disneySubscription(suffix string) func(r Request) string {
	return func(r Request) string {
		return "/internal/v1/orgs/" + url.PathEscape(r.Org) + "/users/" + url.PathEscape(r.Param("user_id")) +
			"/subscriptions/" + url.PathEscape(r.Param("subscription_id")) + suffix
	}
}
