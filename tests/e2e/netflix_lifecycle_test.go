package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"provision.local/events"
)

// TestNetflixLifecycle walks one bundle through its life: enrolment, the customer opening the
// securitized URL, a plan change, suspension, reactivation and cancellation. Each step shows in
// the status endpoint, and each change after the enrolment is a status event on
// provision.netflix.status carrying its Netflix event, in order.
func TestNetflixLifecycle(t *testing.T) {
	pai := fmt.Sprintf("4%015d", time.Now().UnixNano()%1_000_000_000_000_000)
	sub := netflixSubs + "/" + pai
	hdr := func(step string) map[string]string {
		return map[string]string{"Request-Correlation-Id": "e2e-netflix-life-" + pai + "-" + step}
	}
	// command sends one command, waits for its workflow to complete and returns the status.
	command := func(t *testing.T, step, method, path, body string, want int) netflixBundleStatus {
		t.Helper()
		r := call(t, method, path, hdr(step), body)
		if r.Status != want {
			t.Fatalf("%s: %d %s, want %d", step, r.Status, r.Body, want)
		}
		if wf := waitWorkflow(t, r.Header.Get("Workflow-Id")); wf.Status != "COMPLETED" {
			t.Fatalf("%s: workflow %+v", step, wf)
		}
		return netflixStatusOf(t, "masmovil", pai)
	}
	expect := func(t *testing.T, step string, s netflixBundleStatus, status, plan string, mop bool) {
		t.Helper()
		if s.Bundle.Status != status || s.Subscription.Plan.Type != plan || s.HasPartnerMOP != mop || s.ProductType != "BUNDLE" ||
			s.Bundle.ID != "life-bundle" {
			t.Fatalf("%s: status %+v, want a BUNDLE life-bundle %s on plan %s, partner MOP %v", step, s, status, plan, mop)
		}
	}

	s := command(t, "create", http.MethodPost, netflixSubs,
		jsonf(`{"partner_account_id":%s,"netflix_offer_id":%q,"bundle_id":"life-bundle","billing_event_id":"life-%s","partner_charge_country":"ES"}`,
			pai, netflixBasicOffer, pai), http.StatusCreated)
	expect(t, "create", s, "PENDING_ACTIVATION", "BASIC", true)

	r := call(t, http.MethodPost, sub+"/geturl", hdr("geturl"),
		`{"type":"BUNDLE","token_error_url":"https://www.example.com/error/token","partner_charge_country":"ES","validity_duration_in_seconds":600}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("geturl: %d %s", r.Status, r.Body)
	}
	var tok struct {
		ExpiryDate string `json:"expiry_date"`
		Token      string `json:"token"`
		URL        string `json:"requested_securitized_url"`
	}
	r.json(t, &tok)
	expiry, err := time.Parse(time.RFC3339, tok.ExpiryDate)
	if err != nil || tok.Token == "" || !strings.Contains(tok.URL, tok.Token) || time.Until(expiry) > 601*time.Second || time.Until(expiry) < 0 {
		t.Fatalf("geturl: %s, want a token valid for 600 s in its URL", r.Body)
	}
	// The customer opens the URL: partnersim links the account and reports the activation.
	res, err := http.Get(tok.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("opening the securitized URL: %d", res.StatusCode)
	}
	eventually(t, 60*time.Second, "the reported activation", func() bool {
		return netflixStatusOf(t, "masmovil", pai).Bundle.Status == "ACTIVE"
	})

	s = command(t, "update", http.MethodPatch, sub, jsonf(`{"netflix_offer_id":%q}`, netflixPremiumOffer), http.StatusNoContent)
	expect(t, "update", s, "ACTIVE", "PREMIUM", true)
	if s.Bundle.OfferID != netflixPremiumOffer {
		t.Fatalf("update: offer %s, want %s", s.Bundle.OfferID, netflixPremiumOffer)
	}
	s = command(t, "suspend", http.MethodPost, sub+"/suspend",
		jsonf(`{"suspend_event_id":"life-suspend-%s","reason":"PAYMENT_INSTRUMENT_FAILURE"}`, pai), http.StatusNoContent)
	expect(t, "suspend", s, "SUSPENDED", "PREMIUM", true)
	s = command(t, "reactivate", http.MethodPost, sub+"/reactivate", jsonf(`{"reactivate_event_id":"life-reactivate-%s"}`, pai), http.StatusNoContent)
	expect(t, "reactivate", s, "ACTIVE", "PREMIUM", true)
	s = command(t, "cancel", http.MethodDelete, sub+"?cancel_event_id=life-cancel-"+pai+"&cancel_reason=CUSTOMER_REQUESTED_CANCEL", "", http.StatusNoContent)
	expect(t, "cancel", s, "CANCELLED", "PREMIUM", false)

	// The status events of the bundle, in their order on the partition, carry the Netflix events.
	want := []string{events.NetflixEventBundleActivation, events.NetflixEventBundlePlanChange, events.NetflixEventBundleSuspension,
		events.NetflixEventBundleReactivation, events.NetflixEventBundleCancellation}
	var got []string
	seen := map[string]bool{} // Netflix event ids: a status event may be published twice
	var version int64
	readUntil(t, events.TopicNetflixStatus, 60*time.Second, func(m kafka.Message) bool {
		if string(m.Key) != pai {
			return false
		}
		if err := events.Validate(headers(m)["ce_type"], m.Value); err != nil {
			t.Fatalf("status event %s: %v", m.Value, err)
		}
		var p events.StatusEvent[events.NetflixStatusDetails]
		if err := json.Unmarshal(m.Value, &p); err != nil {
			t.Fatalf("status event %s: %v", m.Value, err)
		}
		if p.Org != "masmovil" || p.Error != nil || p.Version < version {
			t.Fatalf("status event %s after version %d", m.Value, version)
		}
		version = p.Version
		if e := p.Details.Event; e != nil && !seen[e.NetflixEventID] {
			if e.NetflixEventID == "" {
				t.Fatalf("status event %s: the Netflix event has no id", m.Value)
			}
			seen[e.NetflixEventID] = true
			got = append(got, e.Type)
		}
		return len(got) == len(want)
	})
	if !slices.Equal(got, want) {
		t.Fatalf("Netflix events %v, want %v", got, want)
	}
}
