package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// hboSubs is the HBO subscriptions path of masmovil.
const hboSubs = "/v2/orgs/masmovil/tv/hbo/subscriptions"

// The seed's HBO ids: its create names seedHBOCreated, every later curl seedHBOService.
const (
	seedHBOCreated = "1234567890123456"
	seedHBOService = "4567890123456789"
)

// seedHBOProduct is the seed's product.
const seedHBOProduct = `{"code":"MAX_AVOD","name":"MAX Ad VOD","starts":1616425200,"renews":1616425200,"expires":1616425200,` +
	`"sub_id":"1d732753-ae1f-45f8-82f7-7243d395b1ac","status":"ACTIVE","trx_id":1234567890}`

var serviceIDs atomic.Int64

// uniqueServiceID is a 16-digit service id starting with prefix, unique to the run and the call.
func uniqueServiceID(prefix string) string {
	n := time.Now().UnixNano()%1_000_000_000_000 + serviceIDs.Add(1)
	return fmt.Sprintf("%s%015d", prefix, n)
}

// hboBody is a body of the seed's shape: external_id 1234567890123456, country ES and the fields
// given (products, reason, ...).
func hboBody(fields string) string {
	return `{"external_id":1234567890123456,"country":"ES"` + fields + `}`
}

// hboCreateBody is the seed's create body for service id id with the given products.
func hboCreateBody(id string, products ...string) string {
	return `{"service_id":` + id + `,"external_id":1234567890123456,"country":"ES","products":[` + strings.Join(products, ",") + `]}`
}

// hboProductView is a product as GET answers it.
type hboProductView struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

// hboSubscription is the answer of GET .../hbo/subscriptions/{service_id}.
type hboSubscription struct {
	Status   string           `json:"status"`
	Country  string           `json:"country"`
	Products []hboProductView `json:"products"`
}

// codes are the product codes, in the order GET lists them.
func (s hboSubscription) codes() []string {
	out := make([]string, 0, len(s.Products))
	for _, p := range s.Products {
		out = append(out, p.Code)
	}
	return out
}

// state is the subscription's status, which every product carries too; "" when they differ.
func (s hboSubscription) state() string {
	for _, p := range s.Products {
		if p.Status != s.Status {
			return ""
		}
	}
	return s.Status
}

// hboGet reads a masmovil HBO subscription through the ingress; the subscription is zero unless
// the answer is 200.
func hboGet(t *testing.T, id string) (hboSubscription, int) {
	t.Helper()
	r := call(t, http.MethodGet, hboSubs+"/"+id, map[string]string{"Request-Correlation-Id": "e2e-hbo-get"}, "")
	var s hboSubscription
	if r.Status == http.StatusOK {
		r.json(t, &s)
	}
	return s, r.Status
}

// hboIs fails the test unless the subscription is in state with exactly the codes given.
func hboIs(t *testing.T, id, state string, codes ...string) hboSubscription {
	t.Helper()
	s, code := hboGet(t, id)
	if code != http.StatusOK || s.state() != state || !sameCodes(s.codes(), codes) {
		t.Fatalf("subscription %s: %d %+v, want %s with products %v", id, code, s, state, codes)
	}
	return s
}

func sameCodes(got, want []string) bool {
	a, b := slices.Clone(got), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// hboCommand sends one HBO command as masmovil, checks the answer is 202 with its workflow and
// waits for the workflow to end as want says (COMPLETED or FAILED).
func hboCommand(t *testing.T, step, method, path, body, want string) workflow {
	t.Helper()
	r := call(t, method, path, map[string]string{"Request-Correlation-Id": "e2e-hbo-" + step + "-" + uniqueServiceID("")}, body)
	if r.Status != http.StatusAccepted {
		t.Fatalf("%s: %d %s, want 202", step, r.Status, r.Body)
	}
	var body202 struct{ Message, WorkflowID, RunID string }
	r.json(t, &body202)
	if body202.Message == "" || body202.WorkflowID == "" || body202.WorkflowID != r.Header.Get("Workflow-Id") || body202.RunID == "" {
		t.Fatalf("%s: 202 body %s, want {message, workflowId, runId} naming the Workflow-Id header", step, r.Body)
	}
	wf := waitWorkflow(t, body202.WorkflowID)
	if wf.Status != want {
		t.Fatalf("%s: workflow %+v, want %s", step, wf, want)
	}
	return wf
}

// hboLifecycleLast puts the seeds' HBO curls after the others, in the order of a subscription's
// life: create, get, update, activation URL, activate, suspend, reactivate, cancel. Each seed
// lists reactivate before suspend and cancel second; sent as listed, the reactivate would find
// an active subscription and every call after the cancel a cancelled one. The two seeds' curls of
// an operation stay next to each other, 000's first.
func hboLifecycleLast(curls []taggedCurl) []taggedCurl {
	rank := map[string]int{"hboCreateSubscription": 1, "hboGetSubscription": 2, "hboUpdateSubscription": 3, "hboGenerateActivationUrl": 4,
		"hboActivateSubscription": 5, "hboSuspendSubscription": 6, "hboReactivateSubscription": 7, "hboCancelSubscription": 8}
	out := slices.Clone(curls)
	slices.SortStableFunc(out, func(a, b taggedCurl) int { return rank[a.Operation] - rank[b.Operation] })
	return out
}

// hboSeedPrepare creates the subscription the seed's curls after its create name, as the seed's
// create does for another id, and waits for it.
func hboSeedPrepare(t *testing.T) {
	t.Helper()
	hboCommand(t, "seed-prepare", http.MethodPost, hboSubs, hboCreateBody(seedHBOService, seedHBOProduct), "COMPLETED")
}

// hboSeedExpectations are the seed's answers to its HBO curls in the order hboLifecycleLast gives
// them, and what each must have done. Seed 002 repeats 000's requests (the same correlation id
// and body): a repeated command is the same command, so it must get the first one's workflow.
func hboSeedExpectations() map[string]seedExpect {
	first := map[string]string{} // operation → the workflow of its first curl
	command := func(op, state string) seedExpect {
		return seedExpect{http.StatusAccepted, "COMPLETED", func(t *testing.T, r response) {
			var body struct{ Message, WorkflowID, RunID string }
			r.json(t, &body)
			if body.Message == "" || body.WorkflowID == "" || body.RunID == "" {
				t.Fatalf("202 body %s lacks message/workflowId/runId", r.Body)
			}
			if wf, ok := first[op]; ok && wf != body.WorkflowID {
				t.Fatalf("the repeated request got workflow %s, want the first one's %s", body.WorkflowID, wf)
			}
			first[op] = body.WorkflowID
			id := seedHBOService
			if op == "hboCreateSubscription" {
				id = seedHBOCreated
			}
			hboIs(t, id, state, "MAX_AVOD")
		}}
	}
	return map[string]seedExpect{
		"hboCreateSubscription": command("hboCreateSubscription", "PENDING_ACTIVATION"),
		"hboGetSubscription": {http.StatusOK, "", func(t *testing.T, r response) {
			var s hboSubscription
			r.json(t, &s)
			if !sameCodes(s.codes(), []string{"MAX_AVOD"}) || s.Products[0].Name != "MAX Ad VOD" {
				t.Fatalf("GET %s, want the seed's product", r.Body)
			}
		}},
		// The seed's update removes MAX_AVOD and adds it again: the product is replaced.
		"hboUpdateSubscription": command("hboUpdateSubscription", "PENDING_ACTIVATION"),
		"hboGenerateActivationUrl": {http.StatusOK, "", func(t *testing.T, r response) {
			var u struct{ URL string }
			r.json(t, &u)
			if u.URL == "" {
				t.Fatalf("activation URL body %s has no url", r.Body)
			}
		}},
		"hboActivateSubscription":   command("hboActivateSubscription", "ACTIVE"),
		"hboSuspendSubscription":    command("hboSuspendSubscription", "SUSPENDED"),
		"hboReactivateSubscription": command("hboReactivateSubscription", "ACTIVE"),
		"hboCancelSubscription":     command("hboCancelSubscription", "CANCELLED"),
	}
}

// TestHBOIDsAsNumbersOrStrings: 123 and "123" are the same id. A create sent with its ids as
// strings and sent again as numbers (same correlation id) is one command with one workflow; a
// change naming the customer by the other form is the same customer's.
func TestHBOIDsAsNumbersOrStrings(t *testing.T) {
	id := uniqueServiceID("5")
	hdr := map[string]string{"Request-Correlation-Id": "e2e-hbo-ids-" + id}
	asStrings := call(t, http.MethodPost, hboSubs, hdr,
		`{"service_id":"`+id+`","external_id":"1234567890123456","country":"ES","products":[{"code":"MAX_AVOD"}]}`)
	asNumbers := call(t, http.MethodPost, hboSubs, hdr, hboCreateBody(id, `{"code":"MAX_AVOD"}`))
	if asStrings.Status != http.StatusAccepted || asNumbers.Status != http.StatusAccepted ||
		asStrings.Header.Get("Workflow-Id") != asNumbers.Header.Get("Workflow-Id") {
		t.Fatalf("the create as strings then as numbers: %d %s, %d %s; want 202 with one workflow",
			asStrings.Status, asStrings.Body, asNumbers.Status, asNumbers.Body)
	}
	if wf := waitWorkflow(t, asNumbers.Header.Get("Workflow-Id")); wf.Status != "COMPLETED" {
		t.Fatalf("create: workflow %+v", wf)
	}
	hboIs(t, id, "PENDING_ACTIVATION", "MAX_AVOD")
	hboCommand(t, "ids-update", http.MethodPatch, hboSubs+"/"+id,
		`{"external_id":"1234567890123456","products_to_add":[{"code":"MAX_HD"}]}`, "COMPLETED")
	hboIs(t, id, "PENDING_ACTIVATION", "MAX_AVOD", "MAX_HD")
}
