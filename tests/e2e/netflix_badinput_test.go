package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestNetflixBadInput sends the Netflix operations what the document refuses: each answer is 400
// with the seed's error body, one error naming the field, parameter or header to fix, and
// nothing is created. Then the refusals that need the netflix service: 409 for a PAI enrolled
// already in the org, 404 for a change of an unknown PAI.
func TestNetflixBadInput(t *testing.T) {
	pai := fmt.Sprintf("6%015d", time.Now().UnixNano()%1_000_000_000_000_000)
	create := func(fields string) string {
		return `{"partner_account_id":` + pai + `,"netflix_offer_id":"` + netflixBasicOffer + `","bundle_id":"bad-bundle"` + fields + `}`
	}
	token := func(fields string) string {
		return `{"type":"BUNDLE","token_error_url":"https://www.example.com/error/token"` + fields + `}`
	}
	sub := netflixSubs + "/" + pai
	cases := []struct {
		name         string
		method, path string
		body         string
		field        string // what the error's details must name
	}{
		{"createPhoneNotE164", http.MethodPost, netflixSubs, create(`,"netflix_phone":"612345678"`), "netflix_phone"},
		{"createPhoneWithSpaces", http.MethodPost, netflixSubs, create(`,"netflix_phone":"+34 612 345 678"`), "netflix_phone"},
		{"createLowercaseCountry", http.MethodPost, netflixSubs, create(`,"partner_charge_country":"es"`), "partner_charge_country"},
		{"createBillingEventIDOver1024Bytes", http.MethodPost, netflixSubs, create(`,"billing_event_id":"` + strings.Repeat("b", 1025) + `"`), "billing_event_id"},
		{"createWithoutPartnerAccountID", http.MethodPost, netflixSubs, `{"netflix_offer_id":"` + netflixBasicOffer + `","bundle_id":"bad-bundle"}`, "partner_account_id"},
		{"createWithoutOffer", http.MethodPost, netflixSubs, `{"partner_account_id":` + pai + `,"bundle_id":"bad-bundle"}`, "netflix_offer_id"},
		{"createWithoutBundle", http.MethodPost, netflixSubs, `{"partner_account_id":` + pai + `,"netflix_offer_id":"` + netflixBasicOffer + `"}`, "bundle_id"},
		{"createPartnerAccountIDNotDigits", http.MethodPost, netflixSubs, strings.Replace(create(""), pai, `"12ab"`, 1), "partner_account_id"},
		{"createPartnerAccountIDFraction", http.MethodPost, netflixSubs, strings.Replace(create(""), pai, "12.5", 1), "partner_account_id"},
		{"createNumberForBundleID", http.MethodPost, netflixSubs, `{"partner_account_id":` + pai + `,"netflix_offer_id":"` + netflixBasicOffer + `","bundle_id":42}`, "bundle_id"},
		{"createNumberForPhone", http.MethodPost, netflixSubs, create(`,"netflix_phone":34612345678`), "netflix_phone"},
		{"updateLowercaseCountry", http.MethodPatch, sub, `{"partner_charge_country":"Es"}`, "partner_charge_country"},
		{"updateBillingEventIDOver1024Bytes", http.MethodPatch, sub, `{"billing_event_id":"` + strings.Repeat("u", 1025) + `"}`, "billing_event_id"},
		// 513 characters, 1026 bytes: the limit is in bytes.
		{"createBillingEventIDOver1024BytesInFewerCharacters", http.MethodPost, netflixSubs, create(`,"billing_event_id":"` + strings.Repeat("é", 513) + `"`), "billing_event_id"},
		{"updateBillingEventIDOver1024BytesInFewerCharacters", http.MethodPatch, sub, `{"billing_event_id":"` + strings.Repeat("é", 513) + `"}`, "billing_event_id"},
		{"updatePhoneNotE164", http.MethodPatch, sub, `{"netflix_phone":"+34-612-345-678"}`, "netflix_phone"},
		{"geturlValidityOver86400", http.MethodPost, sub + "/geturl", token(`,"validity_duration_in_seconds":86401`), "validity_duration_in_seconds"},
		{"geturlValidityAsString", http.MethodPost, sub + "/geturl", token(`,"validity_duration_in_seconds":"3600"`), "validity_duration_in_seconds"},
		{"geturlLowercaseCountry", http.MethodPost, sub + "/geturl", token(`,"partner_charge_country":"es"`), "partner_charge_country"},
		{"geturlWithoutType", http.MethodPost, sub + "/geturl", `{"token_error_url":"https://www.example.com/error/token"}`, "type"},
		{"geturlWithoutTokenErrorURL", http.MethodPost, sub + "/geturl", `{"type":"BUNDLE"}`, "token_error_url"},
		{"geturlNumberForType", http.MethodPost, sub + "/geturl", `{"type":1,"token_error_url":"https://www.example.com/error/token"}`, "type"},
		{"suspendWithoutReason", http.MethodPost, sub + "/suspend", `{"suspend_event_id":"bad-suspend"}`, "reason"},
		{"reactivateWithoutEventID", http.MethodPost, sub + "/reactivate", `{"external_id":"bad-reactivate"}`, "reactivate_event_id"},
		{"cancelWithoutReason", http.MethodDelete, sub + "?cancel_event_id=bad-cancel", "", "cancel_reason"},
		{"cancelWithoutEventID", http.MethodDelete, sub + "?cancel_reason=CUSTOMER_REQUESTED_CANCEL", "", "cancel_event_id"},
		{"digitalvirgoPhoneNotE164", http.MethodPost, sub + "/digitalvirgo", `{"phone_number":"5512345678"}`, "phone_number"},
		{"digitalvirgoNumberForPhone", http.MethodPost, sub + "/digitalvirgo", `{"phone_number":525512345678}`, "phone_number"},
		{"digitalvirgoDeletePhoneNotE164", http.MethodDelete, sub + "/digitalvirgo/5512345678", "", "phone_number"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tc.method, tc.path, map[string]string{"Request-Correlation-Id": "e2e-bad-" + tc.name}, tc.body)
			if r.Status != http.StatusBadRequest {
				t.Fatalf("%d %s, want 400", r.Status, r.Body)
			}
			assertSeedErrors(t, r)
			assertNamed(t, r, tc.field)
		})
	}
	// None of them enrolled the PAI.
	if r := netflixStatusCode(t, pai); r != http.StatusNotFound {
		t.Fatalf("status of the refused PAI: %d, want 404", r)
	}

	t.Run("createEnrolled409", func(t *testing.T) {
		first := call(t, http.MethodPost, netflixSubs, map[string]string{"Request-Correlation-Id": "e2e-bad-enrol-1"}, create(""))
		if first.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", first.Status, first.Body)
		}
		if wf := waitWorkflow(t, first.Header.Get("Workflow-Id")); wf.Status != "COMPLETED" {
			t.Fatalf("create: workflow %+v", wf)
		}
		// Another command (another correlation id), as a string this time: the same account.
		again := call(t, http.MethodPost, netflixSubs, map[string]string{"Request-Correlation-Id": "e2e-bad-enrol-2"},
			strings.Replace(create(""), pai, `"`+pai+`"`, 1))
		if again.Status != http.StatusConflict {
			t.Fatalf("a second create of the enrolled PAI: %d %s, want 409", again.Status, again.Body)
		}
		assertSeedErrors(t, again)
		assertCode(t, again, "PARTNER_ACCOUNT_ALREADY_ENROLLED")
		if again.Header.Get("Workflow-Id") != "" {
			t.Fatalf("a refused create claims workflow %s", again.Header.Get("Workflow-Id"))
		}
	})

	unknown := netflixSubs + "/" + fmt.Sprintf("5%015d", time.Now().UnixNano()%1_000_000_000_000_000)
	for _, tc := range []struct{ name, method, path, body string }{
		{"updateUnknown404", http.MethodPatch, unknown, `{"netflix_offer_id":"` + netflixPremiumOffer + `"}`},
		{"cancelUnknown404", http.MethodDelete, unknown + "?cancel_event_id=bad-cancel&cancel_reason=CUSTOMER_REQUESTED_CANCEL", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tc.method, tc.path, map[string]string{"Request-Correlation-Id": "e2e-bad-" + tc.name}, tc.body)
			if r.Status != http.StatusNotFound {
				t.Fatalf("%d %s, want 404", r.Status, r.Body)
			}
			assertSeedErrors(t, r)
			assertCode(t, r, "SUBSCRIPTION_NOT_FOUND")
		})
	}
}

// assertNamed checks that one of the errors' details names what to fix: a body field as
// "field: rule" or quoted, a parameter as "parameter field".
func assertNamed(t *testing.T, r response, field string) {
	t.Helper()
	var errs []struct{ Code, Details string }
	r.json(t, &errs)
	for _, e := range errs {
		if strings.HasPrefix(e.Details, field+":") || strings.Contains(e.Details, `"`+field+`"`) ||
			strings.Contains(e.Details, "parameter "+field+" ") {
			return
		}
	}
	t.Fatalf("no error of %s names %s", r.Body, field)
}

func assertCode(t *testing.T, r response, code string) {
	t.Helper()
	var errs []struct{ Code string }
	r.json(t, &errs)
	if errs[0].Code != code {
		t.Fatalf("code %q, want %s (%s)", errs[0].Code, code, r.Body)
	}
}

// netflixStatusCode is the status code of the status query of a masmovil PAI.
func netflixStatusCode(t *testing.T, pai string) int {
	t.Helper()
	return call(t, http.MethodGet, netflixSubs+"/"+pai+"/status", map[string]string{"Request-Correlation-Id": "e2e-bad-status"}, "").Status
}
