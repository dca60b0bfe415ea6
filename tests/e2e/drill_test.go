package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// drillCommand is one command of a crash drill and what must become of it.
type drillCommand struct {
	method, path, body string
	key                string // Idempotency-Key: a client retries with the same one
	want               int    // the status answering its acceptance
	// after is the create a change waits for: the ingress asks the provider service whether the
	// subscription exists, so the client sends the change once the create completed.
	after *drillCommand
	// fails is the error code the command must fail with; "" when it must complete.
	fails string

	workflowID string        // set once accepted
	sent       chan struct{} // closed once the client is done sending it, accepted or not
}

// newDrillCommand is a command of a drill, not sent yet.
func newDrillCommand(method, path, body, key string, want int) *drillCommand {
	return &drillCommand{method: method, path: path, body: body, key: key, want: want, sent: make(chan struct{})}
}

// crashBurst sends the jobs (each a list of commands sent in order) from 16 clients, SIGKILLs
// the service once killAfter commands were accepted and restarts it. While the service is down
// the ingress cannot answer for it (its checks, its workflows) and answers 503, which the clients
// retry with the same Idempotency-Key until deadline. A command that is not accepted fails the
// test; so does a kill or restart that does not happen.
func crashBurst(t *testing.T, service string, jobs [][]*drillCommand, killAfter int, deadline time.Time) {
	t.Helper()
	var accepted, retried atomic.Int32
	send := func(cmd *drillCommand) error {
		defer close(cmd.sent)
		if cmd.after != nil {
			<-cmd.after.sent
			if cmd.after.workflowID == "" {
				return fmt.Errorf("%s %s: its create was not accepted", cmd.method, cmd.path)
			}
			if err := workflowEnded(t, cmd.after.workflowID, deadline); err != nil {
				return err
			}
		}
		return acceptRetrying(t, cmd, deadline, &retried)
	}
	var wg sync.WaitGroup
	work := make(chan []*drillCommand)
	errs := make(chan string, len(jobs))
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range work {
				for _, cmd := range job {
					if err := send(cmd); err != nil {
						errs <- err.Error()
						break
					}
					accepted.Add(1)
				}
			}
		}()
	}
	crashed := make(chan error, 1)
	go func() {
		for accepted.Load() < int32(killAfter) {
			if time.Now().After(deadline) {
				crashed <- fmt.Errorf("only %d commands accepted at the deadline", accepted.Load())
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		if err := stack.Kill(service); err != nil {
			crashed <- fmt.Errorf("kill %s: %w", service, err)
			return
		}
		var at partnerRequests
		err := adminCall(http.MethodGet, "/admin/requests/"+service, &at)
		t.Logf("%s killed after %d accepted commands, the partner had made %v (%v)", service, accepted.Load(), at.Effects, err)
		if err := stack.Restart(service); err != nil {
			crashed <- fmt.Errorf("restart %s: %w", service, err)
			return
		}
		crashed <- nil
	}()
	for _, job := range jobs {
		work <- job
	}
	close(work)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if err := <-crashed; err != nil {
		t.Fatal(err)
	}
	t.Logf("the clients retried %d times while the %s service was down", retried.Load(), service)
	if t.Failed() {
		t.FailNow()
	}
}

// checkDrillWorkflows checks that every command's workflow ended as it must.
func checkDrillWorkflows(t *testing.T, commands []*drillCommand) {
	t.Helper()
	for _, cmd := range commands {
		wf := waitWorkflow(t, cmd.workflowID)
		switch {
		case cmd.fails == "" && wf.Status != "COMPLETED":
			t.Errorf("%s %s: workflow %+v, want COMPLETED", cmd.method, cmd.path, wf)
		case cmd.fails != "" && (wf.Status != "FAILED" || wf.Error == nil || wf.Error.Code != cmd.fails):
			t.Errorf("%s %s: workflow %+v, want FAILED %s", cmd.method, cmd.path, wf, cmd.fails)
		}
	}
}

// acceptRetrying sends a drill command until the ingress accepts it, retrying with the same
// Idempotency-Key while it answers 503, and records its workflow. It reports instead of failing
// the test: it runs on the clients' goroutines.
func acceptRetrying(t *testing.T, cmd *drillCommand, deadline time.Time, retries *atomic.Int32) error {
	h := map[string]string{"Idempotency-Key": cmd.key, "Request-Correlation-Id": cmd.key}
	for {
		r := call(t, cmd.method, cmd.path, h, cmd.body)
		switch {
		case r.Status == cmd.want && r.Header.Get("Workflow-Id") != "":
			cmd.workflowID = r.Header.Get("Workflow-Id")
			return nil
		case r.Status != http.StatusServiceUnavailable:
			return fmt.Errorf("%s %s: %d %s, want %d", cmd.method, cmd.path, r.Status, r.Body, cmd.want)
		case time.Now().After(deadline):
			return fmt.Errorf("%s %s: still 503 at the deadline", cmd.method, cmd.path)
		}
		retries.Add(1)
		time.Sleep(100 * time.Millisecond)
	}
}

// workflowEnded waits until a workflow is COMPLETED (a FAILED one is an error), tolerating the
// 503 the ingress answers while the owning service is down. It runs on the clients' goroutines.
func workflowEnded(t *testing.T, id string, deadline time.Time) error {
	for {
		r := call(t, http.MethodGet, "/v2/orgs/masmovil/workflows/"+id, nil, "")
		var wf workflow
		if r.Status == http.StatusOK {
			if err := json.Unmarshal(r.Body, &wf); err != nil {
				return fmt.Errorf("workflow %s: %w", id, err)
			}
		}
		switch {
		case wf.Status == "COMPLETED":
			return nil
		case wf.Status == "FAILED":
			return fmt.Errorf("workflow %s: %s", id, r.Body)
		case r.Status != http.StatusOK && r.Status != http.StatusServiceUnavailable:
			return fmt.Errorf("workflow %s: %d %s", id, r.Status, r.Body)
		case time.Now().After(deadline):
			return fmt.Errorf("workflow %s: not ended at the deadline (%d %s)", id, r.Status, r.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// slowPartner sets a fault on one of partnersim's partners until the test ends.
func slowPartner(t *testing.T, partnerName, fault string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, partner+"/admin/faults/"+partnerName, strings.NewReader(fault))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("set the fault %s: %d", fault, resp.StatusCode)
	}
	t.Cleanup(func() { partnerAdmin(t, http.MethodDelete, "/admin/faults/"+partnerName, nil) })
}
