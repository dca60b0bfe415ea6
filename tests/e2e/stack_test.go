// Package e2e runs the whole local stack — the embedded broker and MongoDB-wire server, and the
// partnersim, disney, netflix and ingress binaries as child processes — and drives it over HTTP and Kafka
// as clients, upstream billing and analytics consumers would.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"provision.local/pkg/localstack"
)

var (
	stack   *localstack.Stack
	ingress string // http://host:port
	partner string
	logFile string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "provision-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "bin")
	if err := build(bin); err != nil {
		fmt.Fprintln(os.Stderr, "build services:", err)
		return 1
	}
	addrs, err := localstack.FreeAddrs()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	logFile = filepath.Join(dir, "stack.log")
	out, err := os.Create(logFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer out.Close()

	brokerPort, _ := localstack.FreePort()
	mongoPort, _ := localstack.FreePort()
	brokerAddr := fmt.Sprintf("127.0.0.1:%d", brokerPort)
	mongoAddr := fmt.Sprintf("127.0.0.1:%d", mongoPort)
	services := localstack.ServicesAt(bin, brokerAddr, "mongodb://"+mongoAddr+"/", addrs)
	for i := range services {
		// Faster group rebalancing after the crash drill; short retries.
		services[i].Env = append(services[i].Env, "CONSUMER_SESSION_TIMEOUT=6s", "CONSUMER_RETRY_MAX=1s")
		if services[i].Name == localstack.Insurance {
			// A command whose insurer stays down is dead-lettered within the personal data test.
			services[i].Env = append(services[i].Env, "CONSUMER_RETRY_MAX_ELAPSED=10s")
		}
		if services[i].Name == localstack.Netflix {
			// Events windows may end a second ago: a test sees an event it just caused.
			services[i].Env = append(services[i].Env, "NETFLIX_EVENTS_MIN_AGE=1s")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	stack, err = localstack.Start(ctx, localstack.Config{
		DataDir:    filepath.Join(dir, "data"),
		BrokerAddr: brokerAddr,
		MongoAddr:  mongoAddr,
		Services:   services,
		Out:        out,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start stack:", err)
		dumpLog()
		return 1
	}
	ingress, partner = "http://"+addrs.Ingress, "http://"+addrs.Partnersim
	code := m.Run()
	stack.Stop()
	if code != 0 {
		dumpLog()
	}
	return code
}

// build compiles the service binaries from this checkout.
func build(bin string) error {
	root, err := filepath.Abs("../..")
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-o", bin+string(filepath.Separator),
		"./services/partnersim", "./services/disney", "./services/netflix", "./services/hbo", "./services/insurance", "./services/ingress")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

func dumpLog() {
	b, err := os.ReadFile(logFile)
	if err != nil {
		return
	}
	if len(b) > 20000 {
		b = b[len(b)-20000:]
	}
	fmt.Fprintf(os.Stderr, "--- last lines of the stack's log ---\n%s\n", b)
}

// response is an HTTP answer read whole.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %q: %v", r.Body, err)
	}
}

// call sends one request to the ingress with the masmovil token unless headers say otherwise,
// and checks the answer against the API document (checkResponse): every test talks to the
// ingress through it.
func call(t *testing.T, method, path string, headers map[string]string, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ingress+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer dev-masmovil")
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read the answer: %v", method, path, err)
	}
	r := response{Status: resp.StatusCode, Header: resp.Header, Body: b}
	if err := checkResponse(method, path, req.Header, r); err != nil {
		t.Errorf("%s %s: the answer breaks the API document: %v", method, path, err)
	}
	return r
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type workflow struct {
	WorkflowID string `json:"workflowId"`
	RunID      string `json:"runId"`
	Status     string `json:"status"`
	Operation  string `json:"operation"`
	Error      *struct {
		Code    string `json:"code"`
		Details string `json:"details"`
	} `json:"error"`
}

// waitWorkflow waits until a workflow is COMPLETED or FAILED and returns it.
func waitWorkflow(t *testing.T, id string) workflow {
	t.Helper()
	var wf workflow
	eventually(t, 60*time.Second, "workflow "+id, func() bool {
		r := call(t, http.MethodGet, "/v2/orgs/masmovil/workflows/"+id, nil, "")
		if r.Status != http.StatusOK {
			return false
		}
		wf = workflow{}
		r.json(t, &wf)
		return wf.Status == "COMPLETED" || wf.Status == "FAILED"
	})
	return wf
}

type subscriptionStatus struct {
	Entitled     string   `json:"entitled"`
	Cancellation string   `json:"cancellation"`
	Products     []string `json:"products"`
	Activated    string   `json:"activated"`
	LastUpdated  string   `json:"lastUpdated"`
}

func status(t *testing.T, user, sub string) (subscriptionStatus, int) {
	t.Helper()
	r := call(t, http.MethodGet, "/v2/orgs/masmovil/tv/disney/users/"+user+"/subscriptions/"+sub,
		map[string]string{"Request-Correlation-Id": "e2e-status"}, "")
	var s subscriptionStatus
	if r.Status == http.StatusOK {
		r.json(t, &s)
	}
	return s, r.Status
}

// assertSeedErrors checks the seed's error body: a non-empty array of {code,title,details}.
func assertSeedErrors(t *testing.T, r response) {
	t.Helper()
	var errs []map[string]any
	if err := json.Unmarshal(r.Body, &errs); err != nil || len(errs) == 0 {
		t.Fatalf("body %q is not the seed's error array", r.Body)
	}
	for _, k := range []string{"code", "title", "details"} {
		if s, _ := errs[0][k].(string); s == "" {
			t.Fatalf("error %v has no %s", errs[0], k)
		}
	}
}

type partnerRequests struct {
	Counts  map[string]int `json:"counts"`
	Effects map[string]int `json:"effects"`
}

func partnerStats(t *testing.T) partnerRequests {
	t.Helper()
	resp, err := http.Get(partner + "/admin/requests/disney")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r partnerRequests
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

func resetPartnerStats(t *testing.T) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, partner+"/admin/requests/disney", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func jsonf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
