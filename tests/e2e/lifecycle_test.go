package e2e

import (
	"net/http"
	"testing"
)

const createBody = `{"subscriptionId":"%s","products":["com.disney.yoigo.es.bundle.basic","com.disney.yoigo.es.bundle.premium"]}`

func TestFullLifecycle(t *testing.T) {
	const user, sub = "MOO-LIFE-1", "ENT-LIFE-1"
	base := "/v2/orgs/masmovil/tv/disney/users/" + user
	hdr := func(corr string) map[string]string { return map[string]string{"Request-Correlation-Id": corr} }
	products := `{"products":["com.disney.yoigo.es.bundle.premium"]}`

	steps := []struct {
		name         string
		method, path string
		corr, body   string
		wantCode     int
		wantEntitled string
		wantProducts int
	}{
		{"create202", http.MethodPost, base, "life-1", jsonf(createBody, sub), http.StatusAccepted, "ACTIVE", 2},
		{"modify204", http.MethodPatch, base + "/subscriptions/" + sub, "life-2", products, http.StatusNoContent, "ACTIVE", 1},
		{"suspend204", http.MethodPost, base + "/subscriptions/" + sub + "/suspend", "life-3", products, http.StatusNoContent, "BILLING_HOLD", 1},
		{"reactivate204", http.MethodPost, base + "/subscriptions/" + sub + "/reactivate", "life-4", products, http.StatusNoContent, "ACTIVE", 1},
		{"terminate204", http.MethodDelete, base + "/subscriptions/" + sub, "life-5", "", http.StatusNoContent, "CANCELED", 1},
	}
	for _, st := range steps {
		r := call(t, st.method, st.path, hdr(st.corr), st.body)
		if r.Status != st.wantCode {
			t.Fatalf("%s: %d %s", st.name, r.Status, r.Body)
		}
		if wf := waitWorkflow(t, r.Header.Get("Workflow-Id")); wf.Status != "COMPLETED" {
			t.Fatalf("%s: workflow %+v", st.name, wf)
		}
		s, code := status(t, user, sub)
		if code != http.StatusOK || s.Entitled != st.wantEntitled || len(s.Products) != st.wantProducts {
			t.Fatalf("%s: status %d %+v, want %s with %d products", st.name, code, s, st.wantEntitled, st.wantProducts)
		}
	}
	// A canceled subscription cannot be suspended: accepted, then FAILED with the reason.
	r := call(t, http.MethodPost, base+"/subscriptions/"+sub+"/suspend", hdr("life-6"), products)
	if r.Status != http.StatusNoContent {
		t.Fatalf("suspend after cancel: %d", r.Status)
	}
	wf := waitWorkflow(t, r.Header.Get("Workflow-Id"))
	if wf.Status != "FAILED" || wf.Error == nil || wf.Error.Code != "INVALID_TRANSITION" {
		t.Fatalf("suspend after cancel: workflow %+v, want FAILED INVALID_TRANSITION", wf)
	}
}

func TestRetriedCreateIsOneCreation(t *testing.T) {
	resetPartnerStats(t)
	const user, sub = "MOO-RETRY-1", "ENT-RETRY-1"
	path := "/v2/orgs/masmovil/tv/disney/users/" + user
	hdr := map[string]string{"Request-Correlation-Id": "retry-corr-1"}
	first := call(t, http.MethodPost, path, hdr, jsonf(createBody, sub))
	second := call(t, http.MethodPost, path, hdr, jsonf(createBody, sub))
	if first.Status != http.StatusAccepted || second.Status != http.StatusAccepted {
		t.Fatalf("statuses %d, %d", first.Status, second.Status)
	}
	var a, b workflow
	first.json(t, &a)
	second.json(t, &b)
	if a.WorkflowID == "" || a.WorkflowID != b.WorkflowID || a.RunID != b.RunID {
		t.Fatalf("retry got another workflow: %+v vs %+v", a, b)
	}
	if wf := waitWorkflow(t, a.WorkflowID); wf.Status != "COMPLETED" {
		t.Fatalf("workflow %+v", wf)
	}
	// A retry after completion still answers the same workflow.
	third := call(t, http.MethodPost, path, hdr, jsonf(createBody, sub))
	var c workflow
	third.json(t, &c)
	if c.WorkflowID != a.WorkflowID {
		t.Fatalf("late retry got workflow %s, want %s", c.WorkflowID, a.WorkflowID)
	}
	if s, _ := status(t, user, sub); s.Entitled != "ACTIVE" {
		t.Fatalf("status %+v", s)
	}
	if n := partnerStats(t).Effects["create"]; n != 1 {
		t.Fatalf("the partner saw %d creations, want 1", n)
	}
}

func TestBadRequestsAreRefusedWithTheSeedErrorBody(t *testing.T) {
	const user = "MOO-BAD-1"
	path := "/v2/orgs/masmovil/tv/disney/users/" + user
	corr := map[string]string{"Request-Correlation-Id": "bad-1"}
	cases := []struct {
		name    string
		path    string
		headers map[string]string
		body    string
		want    int
	}{
		{"create400MissingCorrelationID", path, map[string]string{}, jsonf(createBody, "ENT-BAD-1"), http.StatusBadRequest},
		{"create400MissingProducts", path, corr, `{"subscriptionId":"ENT-BAD-1"}`, http.StatusBadRequest},
		{"create400EmptyProducts", path, corr, `{"subscriptionId":"ENT-BAD-1","products":[]}`, http.StatusBadRequest},
		{"create400MalformedJSON", path, corr, `{"subscriptionId":`, http.StatusBadRequest},
		{"create401NoToken", path, map[string]string{"Request-Correlation-Id": "bad-1", "Authorization": ""}, jsonf(createBody, "ENT-BAD-1"), http.StatusUnauthorized},
		{"create401WrongToken", path, map[string]string{"Request-Correlation-Id": "bad-1", "Authorization": "Bearer nope"}, jsonf(createBody, "ENT-BAD-1"), http.StatusUnauthorized},
		{"create403YoigoTokenOnMasmovil", path, map[string]string{"Request-Correlation-Id": "bad-1", "Authorization": "Bearer dev-yoigo"}, jsonf(createBody, "ENT-BAD-1"), http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, http.MethodPost, tc.path, tc.headers, tc.body)
			if r.Status != tc.want {
				t.Fatalf("status %d %s, want %d", r.Status, r.Body, tc.want)
			}
			assertSeedErrors(t, r)
		})
	}
	// Nothing was created by any of them: a valid create sent now is the first one.
	if _, code := status(t, user, "ENT-BAD-1"); code != http.StatusNotFound {
		t.Fatalf("a refused request created something: GET %d", code)
	}
	// And the yoigo token cannot read masmovil's data either.
	r := call(t, http.MethodGet, "/v2/orgs/masmovil/tv/disney/users/MOO-LIFE-1/subscriptions/ENT-LIFE-1",
		map[string]string{"Request-Correlation-Id": "bad-2", "Authorization": "Bearer dev-yoigo"}, "")
	if r.Status != http.StatusForbidden {
		t.Fatalf("yoigo read masmovil: %d", r.Status)
	}
}
