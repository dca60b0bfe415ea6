package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"provision.local/events"
)

// insurancePath is the device insurance API of an org.
func insurancePath(org string) string { return "/v2/orgs/" + org + "/insurance/device" }

// insured is the personal data of one policy holder, as a client sends it.
type insured struct {
	Document, FirstName, LastName1, LastName2, Phone, Email   string
	Address, ZipCode, Locality, Province, IMEI                string
	Entity, OfficeCode, DC, AccountNumber, Brand, Model, Kind string
}

// newInsured makes a holder whose document, phone, IMEI, email and bank account are drawn for
// this run, so that one test's policies are found by their own values only.
func newInsured() insured {
	n := rand.IntN(100_000_000)
	return insured{
		Document: fmt.Sprintf("%08d%c", n, "TRWAGMYFPDXBNJZSQVHLCKE"[n%23]), FirstName: "juan", LastName1: "perez", LastName2: "garcia",
		Phone: fmt.Sprintf("6%08d", rand.IntN(100_000_000)), Email: fmt.Sprintf("juan.%d@example.com", n),
		Address: "paseo de castellana, 4, 002B", ZipCode: "28046", Locality: "madrid", Province: "madrid",
		IMEI: fmt.Sprintf("35%013d", rand.Int64N(10_000_000_000_000)), Entity: "2100", OfficeCode: "0418", DC: "45",
		AccountNumber: fmt.Sprintf("%010d", rand.Int64N(10_000_000_000)), Brand: "Samsung", Model: "Galaxy S24", Kind: "Particular",
	}
}

// reserveBody is the seed's reserve body, every field filled in for p.
func (p insured) reserveBody() string {
	b, err := json.Marshal(map[string]any{
		"documentId": p.Document, "firstName": p.FirstName, "lastName1": p.LastName1, "lastName2": p.LastName2,
		"msisdn": p.Phone, "address": p.Address, "email": p.Email, "zipCode": p.ZipCode, "locality": p.Locality,
		"province": p.Province, "language": "es", "sfid": "1234", "brand": p.Brand, "model": p.Model, "price": 899.9,
		"clientType": p.Kind, "invoicePayment": false, "productType": "Móvil", "imei": p.IMEI,
		"terminalSaleDate": "2022-01-31T23:00:00Z", "entity": p.Entity, "officeCode": p.OfficeCode, "dc": p.DC,
		"accountNumber": p.AccountNumber, "billingCycle": "MONTHLY", "salesChannel": "SHOP",
	})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// reservation is reserve's answer.
type reservation struct {
	RequestID    string  `json:"requestId"`
	PolicyNumber string  `json:"policyNumber"`
	MonthlyFee   float64 `json:"monthlyFee"`
	AnnualFee    float64 `json:"annualFee"`
}

// insuranceCall sends one request to org's insurance API with org's token.
func insuranceCall(t *testing.T, org, method, op, corrID, body string) response {
	t.Helper()
	return call(t, method, insurancePath(org)+"/"+op, map[string]string{
		"Request-Correlation-Id": corrID, "Authorization": "Bearer dev-" + org,
	}, body)
}

// reserve reserves a policy for p in org.
func reserve(t *testing.T, org string, p insured, corrID string) reservation {
	t.Helper()
	r := insuranceCall(t, org, http.MethodPost, "reserve", corrID, p.reserveBody())
	if r.Status != http.StatusOK {
		t.Fatalf("reserve: %d %s", r.Status, r.Body)
	}
	var res reservation
	r.json(t, &res)
	if res.PolicyNumber == "" || res.RequestID == "" || res.MonthlyFee <= 0 || res.AnnualFee <= 0 {
		t.Fatalf("reserve: %s, want a policy number, a request id and fees", r.Body)
	}
	return res
}

// policyInfo is one policy of requestinfo's answer, as far as the tests read it.
type policyInfo struct {
	PolicyNumber string `json:"policyNumber"`
	State        string `json:"state"`
	Document     string `json:"document"`
	PhoneNumber  string `json:"phoneNumber"`
	IMEI         string `json:"imei"`
	Email        string `json:"email"`
	Emitted      bool   `json:"emitted"`
	Cancelled    bool   `json:"cancelled"`
	Withdrawal   bool   `json:"withdrawal"`
}

// requestInfo queries org's policies by criteria; the list is nil on 404.
func requestInfo(t *testing.T, org, corrID string, criteria url.Values) ([]policyInfo, response) {
	t.Helper()
	r := insuranceCall(t, org, http.MethodGet, "requestinfo?"+criteria.Encode(), corrID, "")
	var list []policyInfo
	if r.Status == http.StatusOK {
		r.json(t, &list)
	}
	return list, r
}

// policyState is the state requestinfo shows for a policy of masmovil.
func policyState(t *testing.T, policy string) string {
	t.Helper()
	list, r := requestInfo(t, "masmovil", "e2e-insurance-state-"+policy, url.Values{"policyNumber": {policy}})
	if r.Status != http.StatusOK || len(list) != 1 || list[0].PolicyNumber != policy {
		t.Fatalf("requestinfo of %s: %d %s", policy, r.Status, r.Body)
	}
	return list[0].State
}

// insuranceCommand sends a command to masmovil and returns its processId, after checking the
// answer: 200 {message, processId}, the Workflow-Id header the same id.
func insuranceCommand(t *testing.T, op, corrID, body string) string {
	t.Helper()
	r := insuranceCall(t, "masmovil", http.MethodPost, op, corrID, body)
	if r.Status != http.StatusOK {
		t.Fatalf("%s: %d %s", op, r.Status, r.Body)
	}
	var a struct{ Message, ProcessID string }
	r.json(t, &a)
	if a.Message == "" || a.ProcessID == "" || a.ProcessID != r.Header.Get("Workflow-Id") {
		t.Fatalf("%s: %s (Workflow-Id %q), want {message, processId} naming the workflow", op, r.Body, r.Header.Get("Workflow-Id"))
	}
	return a.ProcessID
}

// insuranceStatus is a status event of the insurance provider.
type insuranceStatus = events.StatusEvent[events.InsuranceStatusDetails]

// waitPolicyStatus reads provision.insurance.status until the policy's events have shown every
// state of want, in order (a state repeated by an at-least-once delivery counts once), each
// event valid against its schema; it returns the events read.
func waitPolicyStatus(t *testing.T, policy string, want ...string) []insuranceStatus {
	t.Helper()
	var seen []insuranceStatus
	next := 0
	readUntil(t, events.TopicInsuranceStatus, 60*time.Second, func(m kafka.Message) bool {
		if string(m.Key) != policy {
			return false
		}
		h := headers(m)
		if err := events.Validate(h["ce_type"], m.Value); err != nil {
			t.Fatalf("status event %s: %v", m.Value, err)
		}
		var e insuranceStatus
		if err := json.Unmarshal(m.Value, &e); err != nil {
			t.Fatalf("status event %s: %v", m.Value, err)
		}
		if e.Provider != events.ProviderInsurance || e.SubscriptionID != policy || e.Details.PolicyNumber != policy {
			t.Fatalf("status event %s, want the insurance policy %s", m.Value, policy)
		}
		seen = append(seen, e)
		if h["ce_type"] == events.TypeInsuranceSubscriptionStatusV2 && next < len(want) && e.Details.PolicyState == want[next] {
			next++
		}
		return next == len(want)
	})
	return seen
}
