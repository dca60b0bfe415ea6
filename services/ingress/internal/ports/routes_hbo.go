package ports

import (
	"encoding/json"
	"net/url"

	"provision.local/events"
)

// hboRoutes are the HBO operations of the routing table. Every command is keyed and targeted by
// its subscription's service_id, as digits: a JSON number and its string are the same id.
var hboRoutes = map[string]Route{
	"hboCreateSubscription": Command{
		Provider: events.ProviderHBO, Operation: events.OpCreate, Type: events.TypeHBOCreateSubscription,
		Message: "Subscription creation accepted",
		Build: func(r Request) (string, string, any, error) {
			id := r.Digits("service_id")
			return id, id, events.HBOCreateSubscription{Org: r.Org, ServiceID: id, ExternalID: r.Digits("external_id"),
				Country: r.String("country"), Products: hboProducts(r, "products")}, nil
		},
	},
	"hboCancelSubscription": Command{
		Provider: events.ProviderHBO, Operation: events.OpCancel, Type: events.TypeHBOCancelSubscription,
		Message: "Subscription cancellation accepted",
		Build: func(r Request) (string, string, any, error) {
			id := r.Param("service_id")
			return id, id, events.HBOCancelSubscription{Org: r.Org, ServiceID: id, ExternalID: r.Digits("external_id"),
				Reason: r.String("reason"), Country: r.String("country"), Products: hboProducts(r, "products")}, nil
		},
	},
	"hboUpdateSubscription": Command{
		Provider: events.ProviderHBO, Operation: events.OpUpdate, Type: events.TypeHBOUpdateSubscription,
		Message: "Subscription update accepted",
		Build: func(r Request) (string, string, any, error) {
			id := r.Param("service_id")
			return id, id, events.HBOUpdateSubscription{Org: r.Org, ServiceID: id, ExternalID: r.Digits("external_id"),
				Country: r.String("country"), Reason: r.String("reason"),
				ProductsToAdd: hboProducts(r, "products_to_add"), ProductsToRemove: hboProducts(r, "products_to_remove")}, nil
		},
		Check: subscriptionExists(events.ProviderHBO, hboSubscription("")),
	},
	"hboActivateSubscription": Command{
		Provider: events.ProviderHBO, Operation: events.OpActivate, Type: events.TypeHBOActivateSubscription,
		Message: "Subscription activation accepted",
		Build: func(r Request) (string, string, any, error) {
			id := r.Param("service_id")
			return id, id, events.HBOActivateSubscription{Org: r.Org, ServiceID: id, ExternalID: r.Digits("external_id"),
				Country: r.String("country"), Products: hboProducts(r, "products")}, nil
		},
	},
	"hboReactivateSubscription": Command{
		Provider: events.ProviderHBO, Operation: events.OpReactivate, Type: events.TypeHBOReactivateSubscription,
		Message: "Subscription reactivation accepted",
		Build: func(r Request) (string, string, any, error) {
			id := r.Param("service_id")
			return id, id, events.HBOReactivateSubscription{Org: r.Org, ServiceID: id, ExternalID: r.Digits("external_id"),
				Country: r.String("country"), Products: hboProducts(r, "products")}, nil
		},
		Check: subscriptionExists(events.ProviderHBO, hboSubscription("")),
	},
	"hboSuspendSubscription": Command{
		Provider: events.ProviderHBO, Operation: events.OpSuspend, Type: events.TypeHBOSuspendSubscription,
		Message: "Subscription suspension accepted",
		Build: func(r Request) (string, string, any, error) {
			id := r.Param("service_id")
			return id, id, events.HBOSuspendSubscription{Org: r.Org, ServiceID: id, ExternalID: r.Digits("external_id"),
				Reason: r.String("reason"), Country: r.String("country"), Products: hboProducts(r, "products")}, nil
		},
		Check: subscriptionExists(events.ProviderHBO, hboSubscription("")),
	},
	"hboGetSubscription":       Forward{Provider: events.ProviderHBO, Path: hboSubscription("")},
	"hboGenerateActivationUrl": Forward{Provider: events.ProviderHBO, Path: hboSubscription("/activation_url"), Body: true, Keyed: true},
}

// hboSubscription is the HBO service's internal path of the request's subscription.
func hboSubscription(suffix string) func(r Request) string {
	return func(r Request) string {
		return "/internal/v1/orgs/" + url.PathEscape(r.Org) + "/subscriptions/" + url.PathEscape(r.Param("service_id")) + suffix
	}
}

// hboProducts reads a body field holding the document's HboProducts into the catalog's
// products; nil when the field is absent. Validation has checked the types: epoch seconds are
// integers and trx_id is kept as its digits.
func hboProducts(r Request, name string) []events.HBOProduct {
	items, ok := r.Field(name).([]any)
	if !ok {
		return nil
	}
	out := make([]events.HBOProduct, 0, len(items))
	for _, it := range items {
		p, _ := it.(map[string]any)
		str := func(k string) string { s, _ := p[k].(string); return s }
		out = append(out, events.HBOProduct{Code: str("code"), Name: str("name"),
			Starts: epochSeconds(p["starts"]), Renews: epochSeconds(p["renews"]), Expires: epochSeconds(p["expires"]),
			SubID: str("sub_id"), Status: str("status"), TrxID: digitsOf(p["trx_id"])})
	}
	return out
}

// epochSeconds is a validated integer of the body, 0 when absent.
func epochSeconds(v any) int64 {
	n, _ := v.(json.Number)
	i, _ := n.Int64()
	return i
}
