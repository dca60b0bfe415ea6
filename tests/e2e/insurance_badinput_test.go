package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestInsuranceBadInput sends the insurance operations what they refuse: 400 with the seed's
// error body naming the field or parameter (missing required fields, a bad language, a price
// outside 0.01 to 100000, a wrong DNI control letter, requestinfo without a criterion), 404 POLICY_NOT_FOUND for
// a policy the org does not have, 409 POLICY_AMBIGUOUS for a phone number of two running
// policies, and, for another org's token, nothing of the first org's policies, even when it
// insures the same holder.
func TestInsuranceBadInput(t *testing.T) {
	p := newInsured()
	run := uuid.NewString()[:8]
	res := reserve(t, "masmovil", p, "e2e-insurance-bad-reserve-"+run)
	policy := res.PolicyNumber

	// reserveWith is p's reserve body with field changed (deleted when value is nil).
	reserveWith := func(field string, value any) string {
		var body map[string]any
		if err := json.Unmarshal([]byte(p.reserveBody()), &body); err != nil {
			t.Fatal(err)
		}
		if value == nil {
			delete(body, field)
		} else {
			body[field] = value
		}
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	const unknown = "DI9999999999"
	activate := func(drop string) string {
		body := map[string]string{"requestId": res.RequestID, "policyNumber": policy, "imei": p.IMEI, "document": p.Document}
		delete(body, drop)
		b, _ := json.Marshal(body)
		return string(b)
	}
	cases := []struct {
		name, method, op, body string
		status                 int
		code                   string
		named                  string // what the error's details must name; "" for nothing checked
	}{
		{"reserveWithoutDocumentID", http.MethodPost, "reserve", reserveWith("documentId", nil), 400, "INVALID_FIELD", "documentId"},
		{"reserveWithoutFirstName", http.MethodPost, "reserve", reserveWith("firstName", nil), 400, "INVALID_FIELD", "firstName"},
		{"reserveWithoutEmail", http.MethodPost, "reserve", reserveWith("email", nil), 400, "INVALID_FIELD", "email"},
		{"reserveWithoutLanguage", http.MethodPost, "reserve", reserveWith("language", nil), 400, "INVALID_FIELD", "language"},
		{"reserveWithoutBrand", http.MethodPost, "reserve", reserveWith("brand", nil), 400, "INVALID_FIELD", "brand"},
		{"reserveWithoutModel", http.MethodPost, "reserve", reserveWith("model", nil), 400, "INVALID_FIELD", "model"},
		{"reserveWithoutPrice", http.MethodPost, "reserve", reserveWith("price", nil), 400, "INVALID_FIELD", "price"},
		{"reserveLanguageFrench", http.MethodPost, "reserve", reserveWith("language", "fr"), 400, "INVALID_FIELD", "language"},
		{"reserveLanguageTheSeedsSentence", http.MethodPost, "reserve",
			reserveWith("language", "allowed values: es => castellano, eu=> euskera, ga=>gallego, ca=>catalán"), 400, "INVALID_FIELD", "language"},
		{"reserveNegativePrice", http.MethodPost, "reserve", reserveWith("price", -10), 400, "INVALID_FIELD", "price"},
		{"reserveZeroPrice", http.MethodPost, "reserve", reserveWith("price", 0), 400, "INVALID_FIELD", "price"},
		{"reservePriceBelowACent", http.MethodPost, "reserve", reserveWith("price", 0.001), 400, "INVALID_FIELD", "price"},
		{"reservePriceAboveTheInsurersRange", http.MethodPost, "reserve", reserveWith("price", 100001), 400, "INVALID_FIELD", "price"},
		{"reserveSaleDateNotADateTime", http.MethodPost, "reserve", reserveWith("terminalSaleDate", "31/01/2022"), 400, "INVALID_FIELD", "terminalSaleDate"},
		{"reserveUnknownClientType", http.MethodPost, "reserve", reserveWith("clientType", "Mayorista"), 400, "INVALID_FIELD", "clientType"},
		{"reserveIMEIOf14Digits", http.MethodPost, "reserve", reserveWith("imei", p.IMEI[:14]), 400, "INVALID_FIELD", "imei"},
		{"reserveAccountNumberOf9Digits", http.MethodPost, "reserve", reserveWith("accountNumber", p.AccountNumber[:9]), 400, "INVALID_FIELD", "accountNumber"},
		{"reserveDocumentWrongControlLetter", http.MethodPost, "reserve", reserveWith("documentId", wrongControlLetter(p.Document)), 400, "INVALID_DOCUMENT", "documentId"},
		{"activateWithoutRequestID", http.MethodPost, "activate", activate("requestId"), 400, "INVALID_FIELD", "requestId"},
		{"activateWithoutIMEI", http.MethodPost, "activate", activate("imei"), 400, "INVALID_FIELD", "imei"},
		{"activateWithoutDocument", http.MethodPost, "activate", activate("document"), 400, "INVALID_FIELD", "document"},
		{"activateWithoutPolicyNumber", http.MethodPost, "activate", activate("policyNumber"), 400, "INVALID_FIELD", "policyNumber"},
		{"cancelWithoutPolicyNumber", http.MethodPost, "cancel", jsonf(`{"document":%q}`, p.Document), 400, "INVALID_FIELD", "policyNumber"},
		{"terminateWithoutPolicyNumber", http.MethodPost, "terminate", `{"reason":"device sold"}`, 400, "INVALID_FIELD", "policyNumber"},
		{"suspendNamingNoPolicy", http.MethodPost, "suspend", `{"externalReference":"bad-suspend"}`, 400, "INVALID_FIELD", "phoneNumber"},
		{"requestinfoWithoutCriterion", http.MethodGet, "requestinfo", "", 400, "INVALID_QUERY_PARAMETER", "policyNumber"},
		{"requestinfoBadPhone", http.MethodGet, "requestinfo?phoneNumber=12345", "", 400, "INVALID_QUERY_PARAMETER", "phoneNumber"},
		{"requestinfoUnknownPolicy404", http.MethodGet, "requestinfo?policyNumber=" + unknown, "", 404, "POLICY_NOT_FOUND", ""},
		{"cancelUnknownPolicy404", http.MethodPost, "cancel", jsonf(`{"policyNumber":%q}`, unknown), 404, "POLICY_NOT_FOUND", ""},
		{"activateUnknownPolicy404", http.MethodPost, "activate", strings.Replace(activate(""), policy, unknown, 1), 404, "POLICY_NOT_FOUND", ""},
		{"terminateUnknownPolicy404", http.MethodPost, "terminate", jsonf(`{"policyNumber":%q}`, unknown), 404, "POLICY_NOT_FOUND", ""},
		{"suspendUnknownPolicy404", http.MethodPost, "suspend", jsonf(`{"policyNumber":%q}`, unknown), 404, "POLICY_NOT_FOUND", ""},
		{"reconnectUnknownPolicy404", http.MethodPost, "reconnect", jsonf(`{"policyNumber":%q}`, unknown), 404, "POLICY_NOT_FOUND", ""},
		{"suspendUnknownPhone404", http.MethodPost, "suspend", jsonf(`{"phoneNumber":%q}`, newInsured().Phone), 404, "POLICY_NOT_FOUND", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := insuranceCall(t, "masmovil", tc.method, tc.op, "e2e-insurance-bad-"+run+"-"+tc.name, tc.body)
			if r.Status != tc.status {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tc.status)
			}
			assertSeedErrors(t, r)
			if code := errorCode(t, r); code != tc.code {
				t.Fatalf("code %s (%s), want %s", code, r.Body, tc.code)
			}
			if tc.named != "" && !strings.Contains(string(r.Body), tc.named) {
				t.Fatalf("no error of %s names %s", r.Body, tc.named)
			}
			for _, v := range []string{p.Document, p.IMEI, p.AccountNumber, p.Email, p.Phone} {
				if strings.Contains(string(r.Body), v) {
					t.Fatalf("the refusal quotes a personal value: %s", r.Body)
				}
			}
		})
	}
	// None of the refused reservations exists: the holder has the one policy reserved above.
	if list, r := requestInfo(t, "masmovil", "e2e-insurance-bad-count-"+run, url.Values{"document": {p.Document}}); len(list) != 1 {
		t.Fatalf("the holder's policies: %s, want the one reserved", r.Body)
	}
	// With a second running policy, the phone number no longer names one: 409, nothing accepted.
	reserve(t, "masmovil", p, "e2e-insurance-bad-reserve-second-"+run)
	if r := insuranceCall(t, "masmovil", http.MethodPost, "suspend", "e2e-insurance-bad-ambiguous-"+run, jsonf(`{"phoneNumber":%q}`, p.Phone)); r.Status != http.StatusConflict || errorCode(t, r) != "POLICY_AMBIGUOUS" {
		t.Fatalf("suspend by the phone of two running policies: %d %s, want 409 POLICY_AMBIGUOUS", r.Status, r.Body)
	}

	// Another org sees nothing of masmovil's policy, by any criterion, and cannot act on it.
	t.Run("anotherOrg", func(t *testing.T) {
		for name, q := range map[string]url.Values{
			"policyNumber": {"policyNumber": {policy}}, "phoneNumber": {"phoneNumber": {p.Phone}}, "document": {"document": {p.Document}},
		} {
			list, r := requestInfo(t, "yoigo", "e2e-insurance-bad-yoigo-"+run+"-"+name, q)
			if r.Status != http.StatusNotFound || list != nil || strings.Contains(string(r.Body), policy) {
				t.Fatalf("yoigo's requestinfo by %s: %d %s, want 404 and nothing of masmovil's", name, r.Status, r.Body)
			}
		}
		for _, op := range []string{"cancel", "terminate", "suspend", "reconnect"} {
			r := insuranceCall(t, "yoigo", http.MethodPost, op, "e2e-insurance-bad-yoigo-"+run+"-"+op, jsonf(`{"policyNumber":%q}`, policy))
			if r.Status != http.StatusNotFound || errorCode(t, r) != "POLICY_NOT_FOUND" {
				t.Fatalf("yoigo's %s of masmovil's policy: %d %s, want 404 POLICY_NOT_FOUND", op, r.Status, r.Body)
			}
		}
		r := call(t, http.MethodGet, insurancePath("masmovil")+"/requestinfo?policyNumber="+policy,
			map[string]string{"Request-Correlation-Id": "e2e-insurance-bad-yoigo-token-" + run, "Authorization": "Bearer dev-yoigo"}, "")
		if r.Status != http.StatusForbidden || strings.Contains(string(r.Body), policy) {
			t.Fatalf("yoigo's token on masmovil's requestinfo: %d %s, want 403", r.Status, r.Body)
		}
		if got := policyState(t, policy); got != "RESERVED" {
			t.Fatalf("masmovil's policy after yoigo's attempts: %s", got)
		}
		// The same holder insured in both orgs: each org finds its own policy only.
		own := reserve(t, "yoigo", p, "e2e-insurance-bad-yoigo-reserve-"+run)
		for name, q := range map[string]url.Values{"phoneNumber": {"phoneNumber": {p.Phone}}, "document": {"document": {p.Document}}} {
			list, r := requestInfo(t, "yoigo", "e2e-insurance-bad-yoigo-own-"+run+"-"+name, q)
			if len(list) != 1 || list[0].PolicyNumber != own.PolicyNumber {
				t.Fatalf("yoigo's requestinfo by %s: %d %s, want its own policy %s only", name, r.Status, r.Body, own.PolicyNumber)
			}
		}
	})
}

// wrongControlLetter is a DNI with another control letter: the pattern holds, the letter does not.
func wrongControlLetter(dni string) string {
	last := dni[len(dni)-1]
	other := byte('T')
	if last == 'T' {
		other = 'R'
	}
	return dni[:len(dni)-1] + string(other)
}
