package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"provision.local/events"
)

// Offers of partnersim's Netflix plans.
const (
	netflixBasicOffer   = "00000000-0000-4000-8000-000000000001"
	netflixPremiumOffer = "00000000-0000-4000-8000-000000000004"
)

// netflixSubs is the Netflix subscriptions path of masmovil.
const netflixSubs = "/v2/orgs/masmovil/tv/netflix/subscriptions"

// drillPAI is the PAI of the drill's i-th account: 16 digits unique to the run.
func drillPAI(run int64, i int) string { return fmt.Sprintf("7%012d%03d", run, i) }

// TestNetflixCrashDrill sends 200 Netflix commands from several clients (100 creates, then on
// each subscription a plan change, a cancel or a suspend that must fail because the customer has
// not activated the bundle yet), SIGKILLs the netflix service once 50 were accepted and restarts
// it. While it is down the ingress cannot check a command's target and answers 503, which the
// clients retry with the same Idempotency-Key. Afterwards every workflow ended as it must, the
// partner enrolled each PAI once and made each change once, the status endpoint shows the
// expected bundles, and every command has its status event.
func TestNetflixCrashDrill(t *testing.T) {
	resetNetflixPartnerStats(t)
	const accounts = 100
	run := time.Now().UnixNano() % 1_000_000_000_000
	type chain struct {
		pai        string
		create     *drillCommand
		followUp   *drillCommand
		wantStatus string
		wantOffer  string
	}
	chains := make([]chain, accounts)
	for i := range chains {
		pai := drillPAI(run, i)
		c := chain{pai: pai, wantStatus: "PENDING_ACTIVATION", wantOffer: netflixBasicOffer}
		c.create = &drillCommand{method: http.MethodPost, path: netflixSubs, want: http.StatusCreated, key: "drill-create-" + pai,
			body: jsonf(`{"partner_account_id":%s,"netflix_offer_id":%q,"bundle_id":"drill-bundle","billing_event_id":"drill-%s"}`,
				pai, netflixBasicOffer, pai)}
		switch {
		case i < 50:
			c.followUp = &drillCommand{method: http.MethodPatch, path: netflixSubs + "/" + pai, want: http.StatusNoContent,
				key: "drill-update-" + pai, after: c.create, body: jsonf(`{"netflix_offer_id":%q}`, netflixPremiumOffer)}
			c.wantOffer = netflixPremiumOffer
		case i < 75:
			c.followUp = &drillCommand{method: http.MethodDelete, want: http.StatusNoContent, key: "drill-cancel-" + pai, after: c.create,
				path: netflixSubs + "/" + pai + "?cancel_event_id=drill-cancel-" + pai + "&cancel_reason=CUSTOMER_REQUESTED_CANCEL"}
			c.wantStatus = "CANCELLED"
		default:
			// No check at the ingress: sent straight after the create, it must be consumed after
			// it (one partition per PAI) and fail on the pending bundle, not on a missing one.
			c.followUp = &drillCommand{method: http.MethodPost, path: netflixSubs + "/" + pai + "/suspend", want: http.StatusNoContent,
				key: "drill-suspend-" + pai, fails: "INVALID_TRANSITION",
				body: jsonf(`{"suspend_event_id":"drill-suspend-%s","reason":"PAYMENT_INSTRUMENT_FAILURE"}`, pai)}
		}
		c.create.sent, c.followUp.sent = make(chan struct{}), make(chan struct{})
		chains[i] = c
	}

	// The partner answers the drill's accounts slowly, so that the kill finds accepted commands
	// not processed yet, and some halfway through their partner call.
	slowPartner(t, "netflix", jsonf(`{"status":0,"latency_ms":30,"match":%q}`, drillPAI(run, 0)[:13]))

	deadline := time.Now().Add(90 * time.Second)
	// First the creates, each suspend right behind its create; then the changes that need their
	// create done. 16 clients keep a backlog of commands for the service to crash in.
	var jobs [][]*drillCommand
	for _, c := range chains {
		if c.followUp.after == nil {
			jobs = append(jobs, []*drillCommand{c.create, c.followUp})
		} else {
			jobs = append(jobs, []*drillCommand{c.create})
		}
	}
	for _, c := range chains {
		if c.followUp.after != nil {
			jobs = append(jobs, []*drillCommand{c.followUp})
		}
	}
	crashBurst(t, "netflix", jobs, 50, deadline)

	// Every workflow ended as it must.
	var commands []*drillCommand
	for _, c := range chains {
		commands = append(commands, c.create, c.followUp)
	}
	checkDrillWorkflows(t, commands)

	// Nothing lost, nothing twice: one enrolment per PAI, one change per command that changes.
	stats := netflixPartnerStats(t)
	t.Logf("the partner saw %v, of which effects %v", stats.Counts, stats.Effects)
	for op, want := range map[string]int{"enrol": accounts, "change_plan": 50, "cancel": 25, "suspend": 0} {
		if got := stats.Effects[op]; got != want {
			t.Errorf("the partner made %d %s effects, want %d (counts %v)", got, op, want, stats.Counts)
		}
	}
	held := map[string][]netflixPartnerAccount{}
	for _, a := range netflixAccounts(t) {
		if a.Org == "masmovil" {
			held[a.PAI.String()] = append(held[a.PAI.String()], a)
		}
	}
	for _, c := range chains {
		want := map[string]string{"PENDING_ACTIVATION": "ACTIVE", "CANCELLED": "CANCELED"}[c.wantStatus]
		if a := held[c.pai]; len(a) != 1 || a[0].State != want || a[0].OfferID != c.wantOffer {
			t.Errorf("the partner holds %+v for PAI %s, want one %s account with offer %s", a, c.pai, want, c.wantOffer)
		}
	}

	// The bundles as the status endpoint shows them.
	for _, c := range chains {
		s := netflixStatusOf(t, "masmovil", c.pai)
		if s.Bundle.Status != c.wantStatus || s.Bundle.OfferID != c.wantOffer {
			t.Errorf("PAI %s: bundle %+v, want %s with offer %s", c.pai, s.Bundle, c.wantStatus, c.wantOffer)
		}
	}

	// Every command has its status event: by workflow id, on the subscription it acted on.
	missing := make(map[string]*drillCommand, len(commands))
	for _, cmd := range commands {
		missing[cmd.workflowID] = cmd
	}
	pais := make(map[string]bool, accounts)
	for _, c := range chains {
		pais[c.pai] = true
	}
	readUntil(t, events.TopicNetflixStatus, 60*time.Second, func(m kafka.Message) bool {
		if !pais[string(m.Key)] {
			return false
		}
		if err := events.Validate(headers(m)["ce_type"], m.Value); err != nil {
			t.Fatalf("status event %s: %v", m.Value, err)
		}
		var p events.StatusEvent[events.NetflixStatusDetails]
		if err := json.Unmarshal(m.Value, &p); err != nil {
			t.Fatalf("status event %s: %v", m.Value, err)
		}
		cmd, ok := missing[p.WorkflowID]
		if !ok {
			return false
		}
		if p.Org != "masmovil" || p.SubscriptionID != string(m.Key) || (p.Error != nil) != (cmd.fails != "") {
			t.Fatalf("status event %s of %s %s", m.Value, cmd.method, cmd.path)
		}
		delete(missing, p.WorkflowID)
		return len(missing) == 0
	})
}

// netflixBundleStatus is the Netflix status query's answer, with the plan and the bundle's ids.
type netflixBundleStatus struct {
	HasPartnerMOP bool   `json:"has_partner_mop"`
	ProductType   string `json:"product_type"`
	Subscription  struct {
		Plan struct {
			Type string `json:"type"`
		} `json:"plan"`
	} `json:"subscription"`
	Bundle struct {
		ID      string `json:"id"`
		OfferID string `json:"offer_id"`
		Status  string `json:"status"`
	} `json:"bundle"`
}

// netflixStatusOf reads a PAI's status in org through the ingress; it fails the test unless 200.
func netflixStatusOf(t *testing.T, org, pai string) netflixBundleStatus {
	t.Helper()
	r := call(t, http.MethodGet, "/v2/orgs/"+org+"/tv/netflix/subscriptions/"+pai+"/status",
		map[string]string{"Authorization": "Bearer dev-" + org, "Request-Correlation-Id": "e2e-netflix-status"}, "")
	if r.Status != http.StatusOK {
		t.Fatalf("status of %s: %d %s", pai, r.Status, r.Body)
	}
	var s netflixBundleStatus
	r.json(t, &s)
	return s
}

// netflixPartnerAccount is an account as partnersim's admin API lists it.
type netflixPartnerAccount struct {
	Org     string      `json:"org"`
	PAI     json.Number `json:"partner_account_id"`
	State   string      `json:"state"`
	OfferID string      `json:"netflix_offer_id"`
}

func netflixAccounts(t *testing.T) []netflixPartnerAccount {
	t.Helper()
	var body struct {
		Accounts []netflixPartnerAccount `json:"accounts"`
	}
	partnerAdmin(t, http.MethodGet, "/admin/accounts/netflix", &body)
	return body.Accounts
}

func netflixPartnerStats(t *testing.T) partnerRequests {
	t.Helper()
	var r partnerRequests
	partnerAdmin(t, http.MethodGet, "/admin/requests/netflix", &r)
	return r
}

func resetNetflixPartnerStats(t *testing.T) {
	t.Helper()
	partnerAdmin(t, http.MethodDelete, "/admin/requests/netflix", nil)
}

// partnerAdmin calls partnersim's admin API and decodes the answer into v unless v is nil.
func partnerAdmin(t *testing.T, method, path string, v any) {
	t.Helper()
	if err := adminCall(method, path, v); err != nil {
		t.Fatal(err)
	}
}

func adminCall(method, path string, v any) error {
	req, err := http.NewRequest(method, partner+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d", method, path, resp.StatusCode)
	}
	if v == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("%s %s: decode: %w", method, path, err)
	}
	return nil
}
