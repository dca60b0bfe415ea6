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

// seedPAI is the Partner Account Identifier of the seed's Netflix curls.
const seedPAI = "4567890123456789"

// netflixCancelLast puts the seed's Netflix cancel after the other curls: the seed lists it
// third, and every Netflix call after it would find the bundle cancelled.
func netflixCancelLast(curls []taggedCurl) []taggedCurl {
	out := slices.Clone(curls)
	i := slices.IndexFunc(out, func(c taggedCurl) bool { return c.Operation == "netflixCancelSubscription" })
	if i < 0 {
		return out
	}
	cancel := out[i]
	return append(slices.Delete(out, i, i+1), cancel)
}

// netflixStatus is the Netflix status query's answer.
type netflixStatus struct {
	HasPartnerMOP bool   `json:"has_partner_mop"`
	ProductType   string `json:"product_type"`
	Bundle        struct {
		Status string `json:"status"`
	} `json:"bundle"`
}

// netflixBundle reads the status of the seed's PAI in org through the ingress.
func netflixBundle(t *testing.T, org string) netflixStatus {
	t.Helper()
	r := call(t, http.MethodGet, "/v2/orgs/"+org+"/tv/netflix/subscriptions/"+seedPAI+"/status",
		map[string]string{"Authorization": "Bearer dev-" + org, "Request-Correlation-Id": "e2e-netflix-status"}, "")
	var s netflixStatus
	if r.Status == http.StatusOK {
		r.json(t, &s)
	}
	return s
}

// netflixSeedExpectations are the seed's answers to its Netflix curls sent for org, in the order
// netflixCancelLast gives them, and what each must have done. The customer's side is played at
// geturl: the test opens the securitized URL, the partner reports the activation and the bundle
// becomes active, so suspend and reactivate apply.
func netflixSeedExpectations(org string) map[string]seedExpect {
	bundleIs := func(want string) func(t *testing.T, r response) {
		return func(t *testing.T, _ response) {
			if s := netflixBundle(t, org); s.Bundle.Status != want {
				t.Fatalf("bundle %+v, want %s", s, want)
			}
		}
	}
	return map[string]seedExpect{
		"netflixCreateSubscription": {http.StatusCreated, "COMPLETED", func(t *testing.T, r response) {
			var body struct{ Message, WorkflowID, RunID string }
			r.json(t, &body)
			if body.Message == "" || body.WorkflowID == "" || body.RunID == "" {
				t.Fatalf("201 body %s lacks message/workflowId/runId", r.Body)
			}
			bundleIs("PENDING_ACTIVATION")(t, r)
		}},
		"netflixUpdateSubscription": {http.StatusNoContent, "COMPLETED", nil},
		"netflixGenerateUrl": {http.StatusCreated, "", func(t *testing.T, r response) {
			var tok struct {
				ExpiryDate string `json:"expiry_date"`
				Token      string `json:"token"`
				URL        string `json:"requested_securitized_url"`
			}
			r.json(t, &tok)
			if tok.ExpiryDate == "" || tok.Token == "" || !strings.Contains(tok.URL, tok.Token) {
				t.Fatalf("geturl body %s", r.Body)
			}
			res, err := http.Get(tok.URL)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("opening the securitized URL: %d", res.StatusCode)
			}
			eventually(t, 60*time.Second, "the reported activation", func() bool {
				return netflixBundle(t, org).Bundle.Status == "ACTIVE"
			})
		}},
		"netflixGetSubscriptionStatus": {http.StatusOK, "", func(t *testing.T, r response) {
			var s netflixStatus
			r.json(t, &s)
			if !s.HasPartnerMOP || s.ProductType != "BUNDLE" || s.Bundle.Status != "ACTIVE" {
				t.Fatalf("status %s, want an active BUNDLE paid by the partner", r.Body)
			}
		}},
		"netflixSuspendSubscription":    {http.StatusNoContent, "COMPLETED", bundleIs("SUSPENDED")},
		"netflixReactivateSubscription": {http.StatusNoContent, "COMPLETED", bundleIs("ACTIVE")},
		"netflixEnrollDigitalVirgo": {http.StatusCreated, "", func(t *testing.T, r response) {
			var body map[string]json.RawMessage
			r.json(t, &body)
			if string(body["id"]) != seedPAI {
				t.Fatalf("digitalvirgo body %s, want the PAI as the id", r.Body)
			}
		}},
		"netflixDeactivateDigitalVirgo": {http.StatusNoContent, "", nil},
		"netflixCancelSubscription":     {http.StatusNoContent, "COMPLETED", bundleIs("CANCELLED")},
		// The seed's window is of May 2023, long past the 14 days the endpoint reaches back.
		"netflixListEvents": {http.StatusBadRequest, "", func(t *testing.T, r response) {
			if code := errorCode(t, r); code != "INVALID_START_TIMESTAMP" {
				t.Fatalf("events %s, want INVALID_START_TIMESTAMP", r.Body)
			}
		}},
	}
}

// waitWorkflowOf waits until a workflow of org is COMPLETED or FAILED and returns it.
func waitWorkflowOf(t *testing.T, org, id string) workflow {
	t.Helper()
	var wf workflow
	eventually(t, 60*time.Second, "workflow "+id, func() bool {
		r := call(t, http.MethodGet, "/v2/orgs/"+org+"/workflows/"+id, map[string]string{"Authorization": "Bearer dev-" + org}, "")
		if r.Status != http.StatusOK {
			return false
		}
		wf = workflow{}
		r.json(t, &wf)
		return wf.Status == "COMPLETED" || wf.Status == "FAILED"
	})
	return wf
}

// TestNetflixSeedCurls runs the seed's Netflix curls for org yoigo (TestSeedCurls runs them for
// masmovil): each answers the seed's code and does what it says, and the status events on
// provision.netflix.status record the Netflix events: BUNDLE_ACTIVATION when the customer opened
// the securitized URL, BUNDLE_PLAN_CHANGE for a new offer, then suspension, reactivation and
// cancellation. A retried create answers as the first; another create of the enrolled PAI 409,
// an update of an unknown one 404, a digitalvirgo delete of a phone no longer enrolled 404.
func TestNetflixSeedCurls(t *testing.T) {
	const org = "yoigo"
	curls := readTaggedCurls(t, "../../api/testdata/seed-curls.sh")
	want := netflixSeedExpectations(org)
	sub := "/v2/orgs/" + org + "/tv/netflix/subscriptions/" + seedPAI
	send := func(t *testing.T, method, path, body string, headers map[string]string) response {
		t.Helper()
		h := map[string]string{"Authorization": "Bearer dev-" + org, "Request-Correlation-Id": "e2e-netflix-" + t.Name()}
		for k, v := range headers {
			h[k] = v
		}
		return call(t, method, path, h, body)
	}
	var ran []string
	for _, c := range netflixCancelLast(curls) {
		exp, ok := want[c.Operation]
		if !ok {
			continue
		}
		if c.Operation == "netflixCancelSubscription" {
			t.Run("planChange", func(t *testing.T) {
				r := send(t, http.MethodPatch, sub, `{"netflix_offer_id":"00000000-0000-4000-8000-000000000004"}`, nil)
				if r.Status != http.StatusNoContent {
					t.Fatalf("plan change: %d %s", r.Status, r.Body)
				}
				if wf := waitWorkflowOf(t, org, r.Header.Get("Workflow-Id")); wf.Status != "COMPLETED" {
					t.Fatalf("plan change: %+v", wf)
				}
			})
		}
		t.Run(c.Operation, func(t *testing.T) {
			r := send(t, c.Method, strings.Replace(c.Path, "/orgs/masmovil/", "/orgs/"+org+"/", 1), c.Body, c.Headers)
			if r.Status != exp.status {
				t.Fatalf("%s %s: %d %s, want %d", c.Method, c.Path, r.Status, r.Body, exp.status)
			}
			if exp.workflow != "" {
				if wf := waitWorkflowOf(t, org, r.Header.Get("Workflow-Id")); wf.Status != exp.workflow {
					t.Fatalf("workflow %+v, want %s", wf, exp.workflow)
				}
			}
			if exp.check != nil {
				exp.check(t, r)
			}
			ran = append(ran, c.Operation)
		})
		if c.Operation == "netflixDeactivateDigitalVirgo" {
			t.Run("deactivateAgain404", func(t *testing.T) {
				r := send(t, c.Method, sub+"/digitalvirgo/+525512345678", "", nil)
				if r.Status != http.StatusNotFound {
					t.Fatalf("a phone no longer enrolled: %d %s, want 404", r.Status, r.Body)
				}
				assertSeedErrors(t, r)
			})
		}
		if c.Operation == "netflixCreateSubscription" {
			t.Run("createRetried201", func(t *testing.T) {
				first := send(t, c.Method, "/v2/orgs/"+org+"/tv/netflix/subscriptions", c.Body, c.Headers)
				again := send(t, c.Method, "/v2/orgs/"+org+"/tv/netflix/subscriptions", c.Body, c.Headers)
				if first.Status != http.StatusCreated || again.Status != http.StatusCreated ||
					first.Header.Get("Workflow-Id") != again.Header.Get("Workflow-Id") {
					t.Fatalf("a retried create: %d then %d, workflows %s and %s; want 201 with the first workflow",
						first.Status, again.Status, first.Header.Get("Workflow-Id"), again.Header.Get("Workflow-Id"))
				}
			})
			t.Run("createEnrolled409", func(t *testing.T) {
				if r := send(t, c.Method, "/v2/orgs/"+org+"/tv/netflix/subscriptions", c.Body, nil); r.Status != http.StatusConflict {
					t.Fatalf("a second create of the enrolled PAI: %d %s, want 409", r.Status, r.Body)
				}
			})
			t.Run("updateUnknown404", func(t *testing.T) {
				r := send(t, http.MethodPatch, "/v2/orgs/"+org+"/tv/netflix/subscriptions/42", `{"channel":"WEB"}`, nil)
				if r.Status != http.StatusNotFound {
					t.Fatalf("update of an unknown PAI: %d %s, want 404", r.Status, r.Body)
				}
				assertSeedErrors(t, r)
			})
		}
	}
	if len(ran) != len(want) {
		t.Fatalf("ran %v, want every Netflix operation but the events listing", ran)
	}

	recorded := map[string]bool{}
	order := []string{events.NetflixEventBundleActivation, events.NetflixEventBundlePlanChange, events.NetflixEventBundleSuspension,
		events.NetflixEventBundleReactivation, events.NetflixEventBundleCancellation}
	readUntil(t, events.TopicNetflixStatus, 60*time.Second, func(m kafka.Message) bool {
		var p events.StatusEvent[events.NetflixStatusDetails]
		if json.Unmarshal(m.Value, &p) != nil || p.Org != org || p.SubscriptionID != seedPAI || p.Details.Event == nil {
			return false
		}
		if err := events.Validate(headers(m)["ce_type"], m.Value); err != nil {
			t.Fatalf("status event %s: %v", m.Value, err)
		}
		if string(m.Key) != seedPAI {
			t.Fatalf("status event keyed %q, want the PAI", m.Key)
		}
		recorded[p.Details.Event.Type] = true
		return len(recorded) == len(order)
	})
	for _, kind := range order {
		if !recorded[kind] {
			t.Errorf("no status event recorded %s", kind)
		}
	}
}
