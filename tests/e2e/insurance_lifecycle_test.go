package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"provision.local/events"
)

// TestInsuranceLifecycle walks one policy through its life: reserve (retried: the same policy), an activation with the
// wrong IMEI (which fails with its reason and changes nothing), activate, suspend by phone
// number, reconnect by document, terminate. Each step shows in requestinfo, in the workflow
// endpoint (the processId) and as a status event on provision.insurance.status; a second
// reservation is cancelled.
func TestInsuranceLifecycle(t *testing.T) {
	p := newInsured()
	run := uuid.NewString()[:8] // correlation ids are logged: they never hold personal data
	res := reserve(t, "masmovil", p, "e2e-insurance-life-reserve-"+run)
	policy := res.PolicyNumber
	// The same request again is the same reservation.
	if again := reserve(t, "masmovil", p, "e2e-insurance-life-reserve-"+run); again != res {
		t.Fatalf("the retried reservation answered %+v, want %+v", again, res)
	}
	corr := func(step string) string { return "e2e-insurance-life-" + policy + "-" + step }

	// Found by each criterion, and by all of them together.
	for name, q := range map[string]url.Values{
		"policyNumber": {"policyNumber": {policy}},
		"phoneNumber":  {"phoneNumber": {p.Phone}},
		"document":     {"document": {p.Document}},
		"all":          {"policyNumber": {policy}, "phoneNumber": {p.Phone}, "document": {p.Document}},
	} {
		list, r := requestInfo(t, "masmovil", corr("find-"+name), q)
		if r.Status != http.StatusOK || len(list) != 1 || list[0].PolicyNumber != policy || list[0].State != events.InsurancePolicyReserved ||
			list[0].Document != p.Document || list[0].PhoneNumber != p.Phone || list[0].IMEI != p.IMEI || list[0].Email != p.Email {
			t.Fatalf("requestinfo by %s: %d %s, want the reserved policy %s with its holder's data", name, r.Status, r.Body, policy)
		}
	}

	// step sends a command and waits for its workflow's outcome; the policy's state follows.
	step := func(t *testing.T, op, body, outcome, state string) workflow {
		t.Helper()
		id := insuranceCommand(t, op, corr(op+"-"+state), body)
		wf := waitWorkflow(t, id)
		if wf.Status != outcome || wf.Operation != op {
			t.Fatalf("%s: workflow %+v, want %s", op, wf, outcome)
		}
		if got := policyState(t, policy); got != state {
			t.Fatalf("after %s: policy %s, want %s", op, got, state)
		}
		return wf
	}
	activate := func(imei string) string {
		return jsonf(`{"requestId":%q,"policyNumber":%q,"imei":%q,"document":%q,"externalReference":"life-activate"}`,
			res.RequestID, policy, imei, p.Document)
	}

	wrongIMEI := newInsured().IMEI
	failed := step(t, "activate", activate(wrongIMEI), "FAILED", events.InsurancePolicyReserved)
	if failed.Error == nil || !strings.Contains(strings.ToLower(failed.Error.Details), "imei") {
		t.Fatalf("the failed activation's error %+v does not say the IMEI does not match", failed.Error)
	}
	for _, v := range []string{wrongIMEI, p.IMEI, p.Document} {
		if strings.Contains(failed.Error.Code+failed.Error.Details, v) {
			t.Fatalf("the failed activation's error %+v names a personal value", failed.Error)
		}
	}
	step(t, "activate", activate(p.IMEI), "COMPLETED", events.InsurancePolicyActive)
	step(t, "suspend", jsonf(`{"phoneNumber":%q,"externalReference":"life-suspend"}`, p.Phone), "COMPLETED", events.InsurancePolicySuspended)
	step(t, "reconnect", jsonf(`{"document":%q}`, p.Document), "COMPLETED", events.InsurancePolicyActive)
	step(t, "terminate", jsonf(`{"policyNumber":%q,"reason":"device sold"}`, policy), "COMPLETED", events.InsurancePolicyTerminated)
	if list, r := requestInfo(t, "masmovil", corr("terminated"), url.Values{"policyNumber": {policy}}); len(list) != 1 || !list[0].Withdrawal || !list[0].Emitted {
		t.Fatalf("requestinfo of the terminated policy: %s, want it emitted and withdrawn", r.Body)
	}

	evs := waitPolicyStatus(t, policy, events.InsurancePolicyReserved, events.InsurancePolicyActive, events.InsurancePolicySuspended,
		events.InsurancePolicyActive, events.InsurancePolicyTerminated)
	if !slices.ContainsFunc(evs, func(e insuranceStatus) bool {
		return e.Operation == "activate" && e.Error != nil && e.WorkflowID == failed.WorkflowID && e.Status == events.StatusPending
	}) {
		t.Fatalf("no failure event for the activation with the wrong IMEI among %+v", evs)
	}

	t.Run("cancelReserved", func(t *testing.T) {
		second := reserve(t, "masmovil", p, "e2e-insurance-life-reserve2-"+run)
		id := insuranceCommand(t, "cancel", "e2e-insurance-life-cancel-"+second.PolicyNumber,
			jsonf(`{"policyNumber":%q,"document":%q}`, second.PolicyNumber, p.Document))
		if wf := waitWorkflow(t, id); wf.Status != "COMPLETED" || wf.Operation != "cancel" {
			t.Fatalf("cancel: workflow %+v", wf)
		}
		list, r := requestInfo(t, "masmovil", "e2e-insurance-life-cancelled-"+second.PolicyNumber, url.Values{"policyNumber": {second.PolicyNumber}})
		if len(list) != 1 || list[0].State != events.InsurancePolicyCancelled || !list[0].Cancelled || list[0].Emitted {
			t.Fatalf("requestinfo of the cancelled policy: %s", r.Body)
		}
		evs := waitPolicyStatus(t, second.PolicyNumber, events.InsurancePolicyReserved, events.InsurancePolicyCancelled)
		if !slices.ContainsFunc(evs, func(e insuranceStatus) bool { return e.WorkflowID == id }) {
			t.Fatalf("no status event of the cancel's workflow %s", id)
		}
		// Both of the holder's policies have ended: a suspend by phone finds none.
		r = insuranceCall(t, "masmovil", http.MethodPost, "suspend", "e2e-insurance-life-suspend-ended-"+second.PolicyNumber,
			jsonf(`{"phoneNumber":%q}`, p.Phone))
		if r.Status != http.StatusNotFound || errorCode(t, r) != "POLICY_NOT_FOUND" {
			t.Fatalf("suspend of ended policies by phone: %d %s, want 404 POLICY_NOT_FOUND", r.Status, r.Body)
		}
	})
}
