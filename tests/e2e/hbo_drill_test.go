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

// TestHBOCrashDrill sends 200 HBO commands from several clients (100 creates, then on each
// subscription an update adding a product, a cancel or an activate), SIGKILLs the hbo service
// once 50 were accepted and restarts it. While it is down the ingress cannot check an update's
// target and answers 503, which the clients retry with the same Idempotency-Key. Afterwards every
// workflow completed, the partner created each subscription once and made each change once, GET
// shows the expected subscriptions, and every command has its status event.
func TestHBOCrashDrill(t *testing.T) {
	partnerAdmin(t, http.MethodDelete, "/admin/requests/hbo", nil)
	const subscriptions = 100
	run := time.Now().UnixNano() % 1_000_000_000_000
	drillID := func(i int) string { return fmt.Sprintf("9%012d%03d", run, i) }
	type chain struct {
		id       string
		create   *drillCommand
		followUp *drillCommand
		state    string
		codes    []string
	}
	chains := make([]chain, subscriptions)
	for i := range chains {
		id := drillID(i)
		c := chain{id: id, codes: []string{"MAX_AVOD"}}
		c.create = newDrillCommand(http.MethodPost, hboSubs, hboCreateBody(id, `{"code":"MAX_AVOD"}`), "drill-hbo-create-"+id, http.StatusAccepted)
		sub := hboSubs + "/" + id
		switch {
		case i < 40:
			// Checked at the ingress: sent once its create completed.
			c.followUp = newDrillCommand(http.MethodPatch, sub, hboBody(`,"products_to_add":[{"code":"MAX_AD_FREE"}]`),
				"drill-hbo-update-"+id, http.StatusAccepted)
			c.followUp.after = c.create
			c.state, c.codes = "PENDING_ACTIVATION", []string{"MAX_AVOD", "MAX_AD_FREE"}
		case i < 70:
			// Not checked: sent right behind its create, consumed after it (one partition per id).
			c.followUp = newDrillCommand(http.MethodPut, sub+"/cancel", hboBody(`,"reason":"PRODUCT_CANCELED","products":[{"code":"MAX_AVOD"}]`),
				"drill-hbo-cancel-"+id, http.StatusAccepted)
			c.state = "CANCELLED"
		default:
			c.followUp = newDrillCommand(http.MethodPost, sub+"/activate", hboBody(`,"products":[{"code":"MAX_AVOD"}]`),
				"drill-hbo-activate-"+id, http.StatusAccepted)
			c.state = "ACTIVE"
		}
		chains[i] = c
	}

	// The partner answers the drill's subscriptions slowly, so that the kill finds accepted
	// commands not processed yet, and some halfway through their partner call.
	slowPartner(t, "hbo", jsonf(`{"status":0,"latency_ms":30,"match":%q}`, drillID(0)[:13]))

	deadline := time.Now().Add(90 * time.Second)
	// First the creates, each unchecked command right behind its create; then the updates.
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
	crashBurst(t, "hbo", jobs, 50, deadline)

	var commands []*drillCommand
	for _, c := range chains {
		commands = append(commands, c.create, c.followUp)
	}
	checkDrillWorkflows(t, commands)

	// Nothing lost, nothing twice: one creation per subscription, one change per command.
	var stats partnerRequests
	partnerAdmin(t, http.MethodGet, "/admin/requests/hbo", &stats)
	t.Logf("the partner saw %v, of which effects %v", stats.Counts, stats.Effects)
	for op, want := range map[string]int{"create": subscriptions, "products": 40, "cancel": 30, "activate": 30} {
		if got := stats.Effects[op]; got != want {
			t.Errorf("the partner made %d %s effects, want %d (counts %v)", got, op, want, stats.Counts)
		}
	}
	held := map[string][]hboPartnerSubscription{}
	for _, s := range hboPartnerSubscriptions(t) {
		if s.Org == "masmovil" {
			held[s.ServiceID] = append(held[s.ServiceID], s)
		}
	}
	for _, c := range chains {
		if h := held[c.id]; len(h) != 1 || h[0].State != c.state || !sameCodes(h[0].codes(), c.codes) {
			t.Errorf("the partner holds %+v for %s, want one %s subscription with %v", h, c.id, c.state, c.codes)
		}
		if s, code := hboGet(t, c.id); code != http.StatusOK || s.state() != c.state || !sameCodes(s.codes(), c.codes) {
			t.Errorf("GET %s: %d %+v, want %s with %v", c.id, code, s, c.state, c.codes)
		}
	}

	// Every command has its status event: by workflow id, on the subscription it acted on.
	missing := make(map[string]*drillCommand, len(commands))
	for _, cmd := range commands {
		missing[cmd.workflowID] = cmd
	}
	ids := make(map[string]bool, subscriptions)
	for _, c := range chains {
		ids[c.id] = true
	}
	readUntil(t, events.TopicHBOStatus, 60*time.Second, func(m kafka.Message) bool {
		if !ids[string(m.Key)] {
			return false
		}
		if err := events.Validate(headers(m)["ce_type"], m.Value); err != nil {
			t.Fatalf("status event %s: %v", m.Value, err)
		}
		var p events.StatusEvent[events.HBOStatusDetails]
		if err := json.Unmarshal(m.Value, &p); err != nil {
			t.Fatalf("status event %s: %v", m.Value, err)
		}
		cmd, ok := missing[p.WorkflowID]
		if !ok {
			return false
		}
		if p.Org != "masmovil" || p.SubscriptionID != string(m.Key) || p.Error != nil {
			t.Fatalf("status event %s of %s %s", m.Value, cmd.method, cmd.path)
		}
		delete(missing, p.WorkflowID)
		return len(missing) == 0
	})
}
