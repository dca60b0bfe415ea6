package e2e

import (
	"net/http"
	"testing"
)

// A client's Idempotency-Key, end to end: the same key with the same request is the same workflow
// and one partner creation; the same key with another body is 422, from the ingress's memory and,
// after the ingress restarts, from the Disney service's record of the command.
func TestIdempotencyKeyIsOneCreation(t *testing.T) {
	resetPartnerStats(t)
	const user, sub, key = "MOO-IDEM-1", "ENT-IDEM-1", `"e2e-idem-8e03978e-40d5-43e8-bc93-6894a57f9324"`
	path := "/v2/orgs/masmovil/tv/disney/users/" + user
	keyed := func(corr string) map[string]string {
		return map[string]string{"Request-Correlation-Id": corr, "Idempotency-Key": key}
	}
	otherBody := `{"subscriptionId":"` + sub + `","products":["com.disney.yoigo.es.bundle.basic"]}`

	first := call(t, http.MethodPost, path, keyed("idem-1"), jsonf(createBody, sub))
	// A retry need not repeat the correlation id: the key says which command it is.
	second := call(t, http.MethodPost, path, keyed("idem-2"), jsonf(createBody, sub))
	if first.Status != http.StatusAccepted || second.Status != http.StatusAccepted {
		t.Fatalf("statuses %d %s, %d %s", first.Status, first.Body, second.Status, second.Body)
	}
	var a, b workflow
	first.json(t, &a)
	second.json(t, &b)
	if a.WorkflowID == "" || a.WorkflowID != b.WorkflowID || a.RunID != b.RunID {
		t.Fatalf("retry got another workflow: %+v vs %+v", a, b)
	}
	assertReused(t, call(t, http.MethodPost, path, keyed("idem-3"), otherBody))

	if wf := waitWorkflow(t, a.WorkflowID); wf.Status != "COMPLETED" {
		t.Fatalf("workflow %+v", wf)
	}

	// A fresh ingress has no memory of the key: the Disney service's record answers for it.
	if err := stack.Restart("ingress"); err != nil {
		t.Fatalf("restart ingress: %v", err)
	}
	assertReused(t, call(t, http.MethodPost, path, keyed("idem-4"), otherBody))
	third := call(t, http.MethodPost, path, keyed("idem-5"), jsonf(createBody, sub))
	var c workflow
	third.json(t, &c)
	if third.Status != http.StatusAccepted || c.WorkflowID != a.WorkflowID {
		t.Fatalf("late retry: %d %s, want workflow %s", third.Status, third.Body, a.WorkflowID)
	}

	// A later command of the same subscription is consumed after the retries (one partition, in
	// order): once it completes, every retry was handled.
	r := call(t, http.MethodPatch, path+"/subscriptions/"+sub, map[string]string{"Request-Correlation-Id": "idem-6"},
		`{"products":["com.disney.yoigo.es.bundle.premium"]}`)
	if r.Status != http.StatusNoContent {
		t.Fatalf("modify: %d %s", r.Status, r.Body)
	}
	if wf := waitWorkflow(t, r.Header.Get("Workflow-Id")); wf.Status != "COMPLETED" {
		t.Fatalf("modify workflow %+v", wf)
	}
	if s, _ := status(t, user, sub); s.Entitled != "ACTIVE" || len(s.Products) != 1 {
		t.Fatalf("status %+v, want ACTIVE with the modified product", s)
	}
	if n := partnerStats(t).Effects["create"]; n != 1 {
		t.Fatalf("the partner saw %d creations, want 1", n)
	}
}

func assertReused(t *testing.T, r response) {
	t.Helper()
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("reused key: %d %s, want 422", r.Status, r.Body)
	}
	assertSeedErrors(t, r)
	var errs []struct{ Code string }
	r.json(t, &errs)
	if errs[0].Code != "IDEMPOTENCY_KEY_REUSED" {
		t.Fatalf("reused key: code %q, want IDEMPOTENCY_KEY_REUSED", errs[0].Code)
	}
	if r.Header.Get("Workflow-Id") != "" {
		t.Fatalf("a refused request claims workflow %s", r.Header.Get("Workflow-Id"))
	}
}
