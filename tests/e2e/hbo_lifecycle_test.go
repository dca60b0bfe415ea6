package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"provision.local/events"
)

// hboStep is one step of an HBO subscription's life as the status events record it.
type hboStep struct {
	operation, status string
	codes             []string
}

// TestHBOLifecycle walks one subscription through its life: creation with two products, an
// update that adds one and removes another, the activation URL opened by the customer, activation,
// suspension, reactivation and cancellation. Each step is a workflow that completes with its
// operation, shows in GET (status and products), and is a status event on provision.hbo.status,
// valid against its schema, in order. Afterwards the partner holds the subscription as GET shows
// it, and a reactivation of the cancelled subscription fails its workflow with
// INVALID_TRANSITION.
func TestHBOLifecycle(t *testing.T) {
	id := uniqueServiceID("1")
	sub := hboSubs + "/" + id
	const (
		avod   = `{"code":"MAX_AVOD","name":"MAX Ad VOD","starts":1616425200,"renews":1619103600,"expires":1624374000,"trx_id":1234567890123456789}`
		hd     = `{"code":"MAX_HD","name":"MAX HD"}`
		adFree = `{"code":"MAX_AD_FREE","name":"MAX Ad Free","sub_id":"5f1c2a9e-3c4b-4f7a-9b8e-2d6f0a1c3e5b"}`
	)
	var workflows []string
	step := func(t *testing.T, name, method, path, body, operation string) {
		t.Helper()
		wf := hboCommand(t, name, method, path, body, "COMPLETED")
		if wf.Operation != operation {
			t.Fatalf("%s: workflow %+v, want operation %s", name, wf, operation)
		}
		workflows = append(workflows, wf.WorkflowID)
	}

	step(t, "create", http.MethodPost, hboSubs, hboCreateBody(id, avod, hd), events.OpCreate)
	s := hboIs(t, id, "PENDING_ACTIVATION", "MAX_AVOD", "MAX_HD")
	r := call(t, http.MethodGet, sub, map[string]string{"Request-Correlation-Id": "e2e-hbo-life-get"}, "")
	var raw struct {
		ServiceID  json.Number       `json:"service_id"`
		ExternalID json.Number       `json:"external_id"`
		Country    string            `json:"country"`
		Products   []hboProductExact `json:"products"`
	}
	r.json(t, &raw)
	i := slices.IndexFunc(raw.Products, func(p hboProductExact) bool { return p.Code == "MAX_AVOD" })
	if raw.ServiceID.String() != id || raw.ExternalID.String() != "1234567890123456" || raw.Country != "ES" || i < 0 ||
		raw.Products[i] != (hboProductExact{"MAX_AVOD", 1616425200, 1619103600, 1624374000, "1234567890123456789"}) {
		t.Fatalf("GET %s, want the ids, country and product as created, digits exact", r.Body)
	}
	if s.Products[slices.IndexFunc(s.Products, func(p hboProductView) bool { return p.Code == "MAX_HD" })].Name != "MAX HD" {
		t.Fatalf("GET %+v lost a product's name", s)
	}

	step(t, "update", http.MethodPatch, sub,
		hboBody(`,"reason":"PRODUCT_CHANGED","products_to_add":[`+adFree+`],"products_to_remove":[{"code":"MAX_HD"}]`), events.OpUpdate)
	hboIs(t, id, "PENDING_ACTIVATION", "MAX_AVOD", "MAX_AD_FREE")

	// The activation URL is the subscription's customer's, in its country: a body naming another
	// gets none.
	for _, tc := range []struct{ name, body, code string }{
		{"anotherCustomer", `{"external_id":999,"country":"ES","products":[` + avod + `]}`, "EXTERNAL_ID_MISMATCH"},
		{"anotherCountry", `{"external_id":1234567890123456,"country":"FR","products":[` + avod + `]}`, "COUNTRY_MISMATCH"},
	} {
		r = call(t, http.MethodPost, sub+"/activation_url", map[string]string{"Request-Correlation-Id": "e2e-hbo-life-url-" + tc.name}, tc.body)
		if r.Status != http.StatusConflict {
			t.Fatalf("activation URL for %s: %d %s, want 409", tc.name, r.Status, r.Body)
		}
		assertSeedErrors(t, r)
		assertCode(t, r, tc.code)
	}

	// The customer opens the activation URL: HBO's activation flow.
	r = call(t, http.MethodPost, sub+"/activation_url", map[string]string{"Request-Correlation-Id": ""}, hboBody(`,"products":[`+avod+`]`))
	if r.Status != http.StatusOK {
		t.Fatalf("activation URL: %d %s", r.Status, r.Body)
	}
	var link struct{ URL string }
	r.json(t, &link)
	res, err := http.Get(link.URL)
	if err != nil {
		t.Fatalf("opening the activation URL: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("opening the activation URL: %d", res.StatusCode)
	}
	hboIs(t, id, "PENDING_ACTIVATION", "MAX_AVOD", "MAX_AD_FREE")

	step(t, "activate", http.MethodPost, sub+"/activate", hboBody(`,"products":[`+avod+`]`), events.OpActivate)
	hboIs(t, id, "ACTIVE", "MAX_AVOD", "MAX_AD_FREE")
	step(t, "suspend", http.MethodPost, sub+"/suspend", hboBody(`,"reason":"OFFER_EXPIRED","products":[`+avod+`]`), events.OpSuspend)
	hboIs(t, id, "SUSPENDED", "MAX_AVOD", "MAX_AD_FREE")
	step(t, "reactivate", http.MethodPost, sub+"/reactivate", hboBody(`,"products":[`+avod+`]`), events.OpReactivate)
	hboIs(t, id, "ACTIVE", "MAX_AVOD", "MAX_AD_FREE")
	step(t, "cancel", http.MethodPut, sub+"/cancel", hboBody(`,"reason":"PRODUCT_CANCELED","products":[`+avod+`]`), events.OpCancel)
	hboIs(t, id, "CANCELLED", "MAX_AVOD", "MAX_AD_FREE")

	// The partner holds the subscription as GET shows it.
	var held []hboPartnerSubscription
	for _, p := range hboPartnerSubscriptions(t) {
		if p.Org == "masmovil" && p.ServiceID == id {
			held = append(held, p)
		}
	}
	if len(held) != 1 || held[0].State != "CANCELLED" || !sameCodes(held[0].codes(), []string{"MAX_AVOD", "MAX_AD_FREE"}) {
		t.Fatalf("the partner holds %+v, want one CANCELLED subscription with MAX_AVOD and MAX_AD_FREE", held)
	}

	// Each step is a status event, in order, carrying the subscription after it.
	want := []hboStep{
		{events.OpCreate, "PENDING_ACTIVATION", []string{"MAX_AVOD", "MAX_HD"}},
		{events.OpUpdate, "PENDING_ACTIVATION", []string{"MAX_AVOD", "MAX_AD_FREE"}},
		{events.OpActivate, "ACTIVE", []string{"MAX_AVOD", "MAX_AD_FREE"}},
		{events.OpSuspend, "SUSPENDED", []string{"MAX_AVOD", "MAX_AD_FREE"}},
		{events.OpReactivate, "ACTIVE", []string{"MAX_AVOD", "MAX_AD_FREE"}},
		{events.OpCancel, "CANCELLED", []string{"MAX_AVOD", "MAX_AD_FREE"}},
	}
	var got []hboStep
	seen := map[string]bool{} // workflows: a status event may be published twice
	var version int64
	readUntil(t, events.TopicHBOStatus, 60*time.Second, func(m kafka.Message) bool {
		if string(m.Key) != id {
			return false
		}
		ceType := headers(m)["ce_type"]
		if err := events.Validate(ceType, m.Value); err != nil {
			t.Fatalf("status event %s: %v", m.Value, err)
		}
		var p events.StatusEvent[events.HBOStatusDetails]
		if err := json.Unmarshal(m.Value, &p); err != nil {
			t.Fatalf("status event %s: %v", m.Value, err)
		}
		if ceType != events.TypeHBOSubscriptionStatusV2 || p.Org != "masmovil" || p.Provider != events.ProviderHBO ||
			p.SubscriptionID != id || p.Details.ServiceID != id || p.Error != nil || p.Version < version {
			t.Fatalf("status event %s %s after version %d", ceType, m.Value, version)
		}
		version = p.Version
		if seen[p.WorkflowID] {
			return false
		}
		seen[p.WorkflowID] = true
		if len(got) < len(workflows) && p.WorkflowID != workflows[len(got)] {
			t.Fatalf("status event %s, want one of workflow %s", m.Value, workflows[len(got)])
		}
		codes := make([]string, 0, len(p.Details.Products))
		for _, pr := range p.Details.Products {
			codes = append(codes, pr.Code)
		}
		got = append(got, hboStep{p.Operation, p.Details.SubscriptionStatus, codes})
		return len(got) == len(want)
	})
	for i := range want {
		if got[i].operation != want[i].operation || got[i].status != want[i].status || !sameCodes(got[i].codes, want[i].codes) {
			t.Errorf("status event %d: %+v, want %+v", i, got[i], want[i])
		}
	}

	t.Run("reactivateCancelledFails", func(t *testing.T) {
		wf := hboCommand(t, "reactivate-cancelled", http.MethodPost, sub+"/reactivate", hboBody(`,"products":[`+avod+`]`), "FAILED")
		if wf.Error == nil || wf.Error.Code != "INVALID_TRANSITION" {
			t.Fatalf("workflow %+v, want FAILED INVALID_TRANSITION", wf)
		}
		hboIs(t, id, "CANCELLED", "MAX_AVOD", "MAX_AD_FREE")
	})
	// A command's country is a check, not a change: the subscription keeps the country it was
	// created in, which is the one HBO has.
	t.Run("anotherCountryFails", func(t *testing.T) {
		wf := hboCommand(t, "cancel-in-another-country", http.MethodPut, sub+"/cancel",
			`{"external_id":1234567890123456,"country":"FR","reason":"PRODUCT_CANCELED","products":[`+avod+`]}`, "FAILED")
		if wf.Error == nil || wf.Error.Code != "COUNTRY_MISMATCH" || !strings.Contains(wf.Error.Details, "country") {
			t.Fatalf("workflow %+v, want FAILED COUNTRY_MISMATCH naming the country", wf)
		}
		if s := hboIs(t, id, "CANCELLED", "MAX_AVOD", "MAX_AD_FREE"); s.Country != "ES" {
			t.Fatalf("GET %+v, want the country ES kept", s)
		}
	})
}

// hboProductExact is a product of GET with its numbers as sent.
type hboProductExact struct {
	Code                    string
	Starts, Renews, Expires int64
	TrxID                   json.Number `json:"trx_id"`
}

// hboPartnerSubscription is a subscription as partnersim's admin API lists it.
type hboPartnerSubscription struct {
	Org       string `json:"org"`
	ServiceID string `json:"serviceId"`
	State     string `json:"state"`
	// Products are in HBO's own terms: the SKU is the API's product code.
	Products []struct {
		SKU string `json:"sku"`
	} `json:"products"`
}

func (s hboPartnerSubscription) codes() []string {
	out := make([]string, 0, len(s.Products))
	for _, p := range s.Products {
		out = append(out, p.SKU)
	}
	return out
}

func hboPartnerSubscriptions(t *testing.T) []hboPartnerSubscription {
	t.Helper()
	var body struct {
		Subscriptions []hboPartnerSubscription `json:"subscriptions"`
	}
	partnerAdmin(t, http.MethodGet, "/admin/subscriptions/hbo", &body)
	return body.Subscriptions
}
