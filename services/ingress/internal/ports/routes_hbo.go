package ports

import (
	"net/url"
	"strconv"

	"provision.local/events"
)

// hboRoutes are the HBO operations of the routing table. Every command is keyed and targeted by
// its subscription's service_id, as digits: a JSON number and its string are the same id.
var hboRoutes = map[string]Route{
	"hboCreateSubscription": Command{
		Provider: events.ProviderHBO, Operation: events.OpCreate, Type: events.TypeHBOCreateSubscription,
		Message: "Subscription creation accepted",
		Build: func(r Request) (string, string, any, error) {
			f := hboFields{r: r}
			id := f.digits("service_id")
			return id, id, events.HBOCreateSubscription{Org: r.Org, ServiceID: id, ExternalID: f.digits("external_id"),
				Country: r.String("country"), Products: f.products("products")}, f.err
		},
	},
	"hboCancelSubscription": Command{
		Provider: events.ProviderHBO, Operation: events.OpCancel, Type: events.TypeHBOCancelSubscription,
		Message: "Subscription cancellation accepted",
		Build: func(r Request) (string, string, any, error) {
			f, id := hboFields{r: r}, r.Param("service_id")
			return id, id, events.HBOCancelSubscription{Org: r.Org, ServiceID: id, ExternalID: f.digits("external_id"),
				Reason: r.String("reason"), Country: r.String("country"), Products: f.products("products")}, f.err
		},
	},
	"hboUpdateSubscription": Command{
		Provider: events.ProviderHBO, Operation: events.OpUpdate, Type: events.TypeHBOUpdateSubscription,
		Message: "Subscription update accepted",
		Build: func(r Request) (string, string, any, error) {
			f, id := hboFields{r: r}, r.Param("service_id")
			return id, id, events.HBOUpdateSubscription{Org: r.Org, ServiceID: id, ExternalID: f.digits("external_id"),
				Country: r.String("country"), Reason: r.String("reason"),
				ProductsToAdd: f.products("products_to_add"), ProductsToRemove: f.products("products_to_remove")}, f.err
		},
		Check: subscriptionExists(events.ProviderHBO, hboSubscription("")),
	},
	"hboActivateSubscription": Command{
		Provider: events.ProviderHBO, Operation: events.OpActivate, Type: events.TypeHBOActivateSubscription,
		Message: "Subscription activation accepted",
		Build: func(r Request) (string, string, any, error) {
			f, id := hboFields{r: r}, r.Param("service_id")
			return id, id, events.HBOActivateSubscription{Org: r.Org, ServiceID: id, ExternalID: f.digits("external_id"),
				Country: r.String("country"), Products: f.products("products")}, f.err
		},
	},
	"hboReactivateSubscription": Command{
		Provider: events.ProviderHBO, Operation: events.OpReactivate, Type: events.TypeHBOReactivateSubscription,
		Message: "Subscription reactivation accepted",
		Build: func(r Request) (string, string, any, error) {
			f, id := hboFields{r: r}, r.Param("service_id")
			return id, id, events.HBOReactivateSubscription{Org: r.Org, ServiceID: id, ExternalID: f.digits("external_id"),
				Country: r.String("country"), Products: f.products("products")}, f.err
		},
		Check: subscriptionExists(events.ProviderHBO, hboSubscription("")),
	},
	"hboSuspendSubscription": Command{
		Provider: events.ProviderHBO, Operation: events.OpSuspend, Type: events.TypeHBOSuspendSubscription,
		Message: "Subscription suspension accepted",
		Build: func(r Request) (string, string, any, error) {
			f, id := hboFields{r: r}, r.Param("service_id")
			return id, id, events.HBOSuspendSubscription{Org: r.Org, ServiceID: id, ExternalID: f.digits("external_id"),
				Reason: r.String("reason"), Country: r.String("country"), Products: f.products("products")}, f.err
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

// hboFields reads a request's HBO fields, keeping the first refusal: a Build returns it, so a
// command with a field the service would refuse is never published.
type hboFields struct {
	r   Request
	err error
}

// digits is an ExactNumericId field as its digits (Request.Digits).
func (f *hboFields) digits(name string) string { return f.integer(name, f.r.Field(name)) }

func (f *hboFields) integer(field string, v any) string {
	d, err := integerDigits(field, v)
	if f.err == nil {
		f.err = err
	}
	return d
}

// products reads a body field holding the document's HboProducts into the catalog's products;
// nil when the field is absent. Validation has checked the types and the count; epoch seconds
// and trx_id are read as plain digits, and the codes must be distinct.
func (f *hboFields) products(name string) []events.HBOProduct {
	items, ok := f.r.Field(name).([]any)
	if !ok {
		return nil
	}
	out := make([]events.HBOProduct, 0, len(items))
	seen := make(map[string]bool, len(items))
	for i, it := range items {
		p, _ := it.(map[string]any)
		at := name + "." + strconv.Itoa(i) + "."
		str := func(k string) string { s, _ := p[k].(string); return s }
		// A code names its product within the subscription: the service refuses a list naming
		// one twice.
		if seen[str("code")] && f.err == nil {
			f.err = invalid(CodeInvalidField, at+"code: names a product already in "+name+"; each code once")
		}
		seen[str("code")] = true
		out = append(out, events.HBOProduct{Code: str("code"), Name: str("name"),
			Starts: f.epochSeconds(at+"starts", p["starts"]), Renews: f.epochSeconds(at+"renews", p["renews"]),
			Expires: f.epochSeconds(at+"expires", p["expires"]),
			SubID:   str("sub_id"), Status: str("status"), TrxID: f.integer(at+"trx_id", p["trx_id"])})
	}
	return out
}

// epochSeconds is an integer field of the body, 0 when absent.
func (f *hboFields) epochSeconds(field string, v any) int64 {
	d := f.integer(field, v)
	if d == "" {
		return 0
	}
	// integer has checked the digits are within int64.
	n, _ := strconv.ParseInt(d, 10, 64)
	return n
}
