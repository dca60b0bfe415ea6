package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestHBOBadInput sends the HBO operations what the document refuses: each answer is 400 with the
// seed's error body naming the field to fix (a wrong or unassigned country, an unknown reason,
// missing products, a string where a number is required and the reverse), or INVALID_ORG_ID for
// an org the platform does not serve, and nothing is created. Then the refusals that need the hbo
// service: 404 SUBSCRIPTION_NOT_FOUND for an update, suspend or reactivate of an unknown
// subscription.
func TestHBOBadInput(t *testing.T) {
	id := uniqueServiceID("3")
	create := func(replace ...string) string {
		return strings.NewReplacer(replace...).Replace(hboCreateBody(id, `{"code":"MAX_AVOD","starts":1616425200,"trx_id":1234567890}`))
	}
	sub := hboSubs + "/" + id
	products := `,"products":[{"code":"MAX_AVOD"}]`
	cases := []struct {
		name         string
		method, path string
		body         string
		code         string // the error code; INVALID_FIELD when ""
		field        string // what the error's details must name; "" for none checked
	}{
		{"createLowercaseCountry", http.MethodPost, hboSubs, create(`"ES"`, `"es"`), "", "country"},
		{"createUnassignedCountryXX", http.MethodPost, hboSubs, create(`"ES"`, `"XX"`), "", "country"},
		{"createReservedCountryZZ", http.MethodPost, hboSubs, create(`"ES"`, `"ZZ"`), "", "country"},
		{"createAlpha3Country", http.MethodPost, hboSubs, create(`"ES"`, `"ESP"`), "", "country"},
		{"createWithoutCountry", http.MethodPost, hboSubs, create(`,"country":"ES"`, ``), "", "country"},
		{"createWithoutProducts", http.MethodPost, hboSubs, `{"service_id":` + id + `,"external_id":1234567890123456,"country":"ES"}`, "", "products"},
		{"createEmptyProducts", http.MethodPost, hboSubs, create(`{"code":"MAX_AVOD","starts":1616425200,"trx_id":1234567890}`, ``), "", "products"},
		{"createProductWithoutCode", http.MethodPost, hboSubs, create(`"code":"MAX_AVOD",`, ``), "", "code"},
		{"createStringForStarts", http.MethodPost, hboSubs, create(`"starts":1616425200`, `"starts":"1616425200"`), "", "products.0.starts"},
		{"createStringForTrxID", http.MethodPost, hboSubs, create(`"trx_id":1234567890`, `"trx_id":"1234567890"`), "", "products.0.trx_id"},
		{"createNumberForCode", http.MethodPost, hboSubs, create(`"code":"MAX_AVOD"`, `"code":42`), "", "products.0.code"},
		{"createNumberForCountry", http.MethodPost, hboSubs, create(`"ES"`, `34`), "", "country"},
		{"createServiceIDNotDigits", http.MethodPost, hboSubs, create(`"service_id":`+id, `"service_id":"12ab"`), "", "service_id"},
		{"createServiceIDFraction", http.MethodPost, hboSubs, create(`"service_id":`+id, `"service_id":12.5`), "", "service_id"},
		{"createServiceIDExponent", http.MethodPost, hboSubs, create(`"service_id":`+id, `"service_id":1e3`), "", "service_id"},
		{"createExternalIDOnePointZero", http.MethodPost, hboSubs, create(`"external_id":1234567890123456`, `"external_id":1.0`), "", "external_id"},
		{"createStartsWithAFraction", http.MethodPost, hboSubs, create(`"starts":1616425200`, `"starts":1616425200.0`), "", "products.0.starts"},
		{"createTrxIDExponent", http.MethodPost, hboSubs, create(`"trx_id":1234567890`, `"trx_id":1e3`), "", "products.0.trx_id"},
		{"createSixtyFiveProducts", http.MethodPost, hboSubs, hboCreateBody(id, hboCodes(65)...), "", "products"},
		{"createTrxIDBeyondInt64", http.MethodPost, hboSubs, create(`"trx_id":1234567890`, `"trx_id":9223372036854775808`), "", "products.0.trx_id"},
		{"createSameCodeTwice", http.MethodPost, hboSubs, hboCreateBody(id, `{"code":"MAX_AVOD"}`, `{"code":"MAX_AVOD"}`), "", "products.1.code"},
		{"createServiceIDLeadingZero", http.MethodPost, hboSubs, create(`"service_id":`+id, `"service_id":"0`+id+`"`), "", "service_id"},
		{"createExternalIDLeadingZero", http.MethodPost, hboSubs, create(`"external_id":1234567890123456`, `"external_id":"01234567890123456"`), "", "external_id"},
		{"createExternalIDNegative", http.MethodPost, hboSubs, create(`"external_id":1234567890123456`, `"external_id":-1`), "", "external_id"},
		{"cancelUnknownReason", http.MethodPut, sub + "/cancel", hboBody(`,"reason":"CUSTOMER_LEFT"` + products), "", "reason"},
		{"cancelLowercaseReason", http.MethodPut, sub + "/cancel", hboBody(`,"reason":"product_canceled"` + products), "", "reason"},
		{"cancelWithoutReason", http.MethodPut, sub + "/cancel", hboBody(products), "", "reason"},
		{"suspendUnknownReason", http.MethodPost, sub + "/suspend", hboBody(`,"reason":"UNPAID"` + products), "", "reason"},
		{"suspendWithoutProducts", http.MethodPost, sub + "/suspend", hboBody(`,"reason":"OFFER_EXPIRED"`), "", "products"},
		{"updateUnknownReason", http.MethodPatch, sub, hboBody(`,"reason":"NONE","products_to_add":[{"code":"MAX_AD_FREE"}]`), "", "reason"},
		{"updateWithoutProducts", http.MethodPatch, sub, hboBody(`,"reason":"PRODUCT_CHANGED"`), "", "products_to_add"},
		{"activateLowercaseCountry", http.MethodPost, sub + "/activate", strings.Replace(hboBody(products), `"ES"`, `"es"`, 1), "", "country"},
		{"activationURLUnknownCountry", http.MethodPost, sub + "/activation_url", strings.Replace(hboBody(products), `"ES"`, `"ZZ"`, 1), "", "country"},
		{"reactivateWithoutExternalID", http.MethodPost, sub + "/reactivate", `{"country":"ES"` + products + `}`, "", "external_id"},
		{"serviceIDPathNotDigits", http.MethodPost, hboSubs + "/12ab/suspend", hboBody(`,"reason":"OFFER_EXPIRED"` + products), "INVALID_PATH_PARAMETER", "service_id"},
		{"serviceIDPathLeadingZero", http.MethodPost, hboSubs + "/0" + id + "/suspend", hboBody(`,"reason":"OFFER_EXPIRED"` + products), "INVALID_PATH_PARAMETER", "service_id"},
		{"getServiceIDPathLeadingZero", http.MethodGet, hboSubs + "/0" + id, "", "INVALID_PATH_PARAMETER", "service_id"},
		{"createUnservedOrg", http.MethodPost, "/v2/orgs/acme/tv/hbo/subscriptions", create(), "INVALID_ORG_ID", ""},
		{"getUnservedOrg", http.MethodGet, "/v2/orgs/acme/tv/hbo/subscriptions/" + id, "", "INVALID_ORG_ID", ""},
		{"suspendUnservedOrg", http.MethodPost, "/v2/orgs/acme/tv/hbo/subscriptions/" + id + "/suspend", hboBody(`,"reason":"OFFER_EXPIRED"` + products), "INVALID_ORG_ID", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tc.method, tc.path, map[string]string{"Request-Correlation-Id": "e2e-hbo-bad-" + tc.name}, tc.body)
			if r.Status != http.StatusBadRequest {
				t.Fatalf("%d %s, want 400", r.Status, r.Body)
			}
			assertSeedErrors(t, r)
			code := tc.code
			if code == "" {
				code = "INVALID_FIELD"
			}
			assertCode(t, r, code)
			if tc.field != "" {
				assertNamed(t, r, tc.field)
			}
			if r.Header.Get("Workflow-Id") != "" {
				t.Fatalf("a refused request claims workflow %s", r.Header.Get("Workflow-Id"))
			}
		})
	}
	// None of them created the subscription.
	if _, code := hboGet(t, id); code != http.StatusNotFound {
		t.Fatalf("GET of the refused subscription: %d, want 404", code)
	}

	unknown := hboSubs + "/" + uniqueServiceID("2")
	for _, tc := range []struct{ name, method, path, body string }{
		{"getUnknown404", http.MethodGet, unknown, ""},
		{"updateUnknown404", http.MethodPatch, unknown, hboBody(`,"products_to_add":[{"code":"MAX_AD_FREE"}]`)},
		{"suspendUnknown404", http.MethodPost, unknown + "/suspend", hboBody(`,"reason":"OFFER_EXPIRED"` + products)},
		{"reactivateUnknown404", http.MethodPost, unknown + "/reactivate", hboBody(products)},
		{"activationURLUnknown404", http.MethodPost, unknown + "/activation_url", hboBody(products)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tc.method, tc.path, map[string]string{"Request-Correlation-Id": "e2e-hbo-bad-" + tc.name}, tc.body)
			if r.Status != http.StatusNotFound {
				t.Fatalf("%d %s, want 404", r.Status, r.Body)
			}
			assertSeedErrors(t, r)
			assertCode(t, r, "SUBSCRIPTION_NOT_FOUND")
			if r.Header.Get("Workflow-Id") != "" {
				t.Fatalf("a refused request claims workflow %s", r.Header.Get("Workflow-Id"))
			}
		})
	}
}

// hboCodes is n products of distinct codes.
func hboCodes(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = `{"code":"MAX_` + strconv.Itoa(i) + `"}`
	}
	return out
}
