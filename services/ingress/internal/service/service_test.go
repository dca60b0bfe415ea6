package service_test

// Component tests: the ingress runs as in production (service.Run) against the embedded
// Kafka-protocol broker, and what it writes is read back with a real kafka-go reader.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"provision.local/events"
	"provision.local/pkg/cekafka"
	"provision.local/pkg/config"
	"provision.local/pkg/httpx"
	"provision.local/pkg/localinfra"
	"provision.local/pkg/localinfra/infratest"
	"provision.local/pkg/logging"
	"provision.local/services/ingress/internal/service"
)

// brokerAddr is the package's broker, shared by the tests that keep it running.
var brokerAddr string

func TestMain(m *testing.M) { infratest.MainWithBroker(m, &brokerAddr) }

// The seed's Disney create, as its curl example sends it.
const (
	seedPath   = "/v2/orgs/masmovil/tv/disney/users/MOO1664367665504"
	seedCorrID = "2106f808-36e9-402d-bf37-f1f7fa04776b"
	seedEntID  = "ENT1664367665579"
	seedBody   = `{
"subscriptionId": "ENT1664367665579",
"products": [
"com.disney.yoigo.es.bundle.basic",
"com.disney.yoigo.es.bundle.premium"
]
}`
	writeTimeout = 2 * time.Second
)

// syncBuffer collects the service's log, shown when a test fails.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// ingress is one running ingress.
type ingress struct {
	t    *testing.T
	base string
	http *http.Client
}

// start runs the ingress against broker until the test ends.
func start(t *testing.T, broker string) *ingress {
	t.Helper()
	t.Setenv("AUTH_TOKENS", "dev-masmovil=masmovil,dev-yoigo=yoigo")
	t.Setenv("WORKFLOW_KEY", "component-test-workflow-key")
	var cfg service.Config
	if err := config.Load(&cfg); err != nil {
		t.Fatal(err)
	}
	cfg.HTTP.Addr = freeAddr(t)
	cfg.Kafka.Brokers = []string{broker}
	cfg.Kafka.WriteTimeout = writeTimeout
	cfg.DisneyURL = "http://" + freeAddr(t) // no Disney service: these tests only send commands
	cfg.UpstreamTimeout = 2 * time.Second

	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- service.Run(ctx, cfg, logging.NewWithOutput("ingress", "info", logs)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("service stopped with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("service did not stop within 30s")
		}
		if t.Failed() {
			t.Logf("service log:\n%s", logs.String())
		}
	})

	s := &ingress{t: t, base: "http://" + cfg.HTTP.Addr, http: &http.Client{Timeout: 20 * time.Second}}
	s.eventually("ingress serving", 30*time.Second, func() bool {
		select {
		case err := <-done:
			done <- err // for the cleanup
			t.Fatalf("service stopped early: %v", err)
		default:
		}
		resp, err := s.http.Get(s.base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return s
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// eventually polls cond until it holds or the deadline passes.
func (s *ingress) eventually(what string, within time.Duration, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (s *ingress) do(method, path, token, corrID, body string) answer {
	s.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if corrID != "" {
		req.Header.Set(httpx.HeaderCorrelationID, corrID)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

type workflowResponse struct {
	Message    string `json:"message"`
	WorkflowID string `json:"workflowId"`
	RunID      string `json:"runId"`
}

func (s *ingress) create() workflowResponse {
	s.t.Helper()
	a := s.do(http.MethodPost, seedPath, "dev-masmovil", seedCorrID, seedBody)
	if a.status != http.StatusAccepted {
		s.t.Fatalf("create: status = %d, want 202: %s", a.status, a.body)
	}
	var wr workflowResponse
	if err := json.Unmarshal(a.body, &wr); err != nil {
		s.t.Fatalf("create: body %s: %v", a.body, err)
	}
	if wr.Message == "" || wr.WorkflowID == "" || wr.RunID == "" {
		s.t.Fatalf("create: body = %s, want message, workflowId and runId", a.body)
	}
	if a.header.Get("Workflow-Id") != wr.WorkflowID || a.header.Get("Run-Id") != wr.RunID {
		s.t.Errorf("create: headers Workflow-Id=%q Run-Id=%q, body %s", a.header.Get("Workflow-Id"), a.header.Get("Run-Id"), a.body)
	}
	return wr
}

// readCommand reads the record with CloudEvent id ceID from the Disney commands topic.
func readCommand(t *testing.T, broker, ceID string) kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: []string{broker}, Topic: events.TopicDisneyCommands, GroupID: "ingress-test-" + ceID,
		StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond,
	})
	defer r.Close()
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("no record with ce_id %s on %s: %v", ceID, events.TopicDisneyCommands, err)
		}
		if headerMap(m)["ce_id"] == ceID {
			return m
		}
	}
}

func headerMap(m kafka.Message) map[string]string {
	h := make(map[string]string, len(m.Headers))
	for _, hd := range m.Headers {
		h[hd.Key] = string(hd.Value)
	}
	return h
}

func TestProbes(t *testing.T) {
	s := start(t, brokerAddr)
	for _, tc := range []struct{ name, path string }{{"healthz200", "/healthz"}, {"readyz200", "/readyz"}} {
		t.Run(tc.name, func(t *testing.T) {
			a := s.do(http.MethodGet, tc.path, "", "", "")
			if a.status != http.StatusOK {
				t.Fatalf("status = %d, want 200: %s", a.status, a.body)
			}
		})
	}
}

// The seed's create is written to provision.disney.commands before it is answered 202.
func TestSeedCreateIsWrittenToKafka(t *testing.T) {
	s := start(t, brokerAddr)
	wr := s.create()
	m := readCommand(t, brokerAddr, wr.RunID)

	if string(m.Key) != seedEntID {
		t.Errorf("key = %q, want %q", m.Key, seedEntID)
	}
	h := headerMap(m)
	want := map[string]string{
		"ce_id":            wr.RunID,
		"ce_type":          events.TypeDisneyCreateSubscription,
		"ce_source":        service.Source,
		"ce_specversion":   "1.0",
		"ce_partitionkey":  seedEntID,
		"ce_correlationid": seedCorrID,
		"ce_org":           "masmovil",
		"ce_workflowid":    wr.WorkflowID,
		"ce_dataschema":    events.SchemaURI(events.TypeDisneyCreateSubscription),
		"content-type":     "application/json",
	}
	for k, v := range want {
		if h[k] != v {
			t.Errorf("header %s = %q, want %q", k, h[k], v)
		}
	}
	if h["ce_time"] == "" {
		t.Error("no ce_time header")
	}

	if err := events.Validate(events.TypeDisneyCreateSubscription, m.Value); err != nil {
		t.Errorf("value does not validate: %v", err)
	}
	var got, wantPayload any
	if err := json.Unmarshal(m.Value, &got); err != nil {
		t.Fatalf("value is not JSON: %v: %s", err, m.Value)
	}
	_ = json.Unmarshal([]byte(`{"org":"masmovil","userId":"MOO1664367665504","subscriptionId":"ENT1664367665579",`+
		`"products":["com.disney.yoigo.es.bundle.basic","com.disney.yoigo.es.bundle.premium"]}`), &wantPayload)
	if !reflect.DeepEqual(got, wantPayload) {
		t.Errorf("value = %s", m.Value)
	}

	e, err := cekafka.FromMessage(m)
	if err != nil {
		t.Fatalf("record is not a CloudEvent: %v", err)
	}
	var p events.DisneyCreateSubscription
	if err := events.Decode(*e, &p); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if p.SubscriptionID != seedEntID || p.UserID != "MOO1664367665504" || p.Org != "masmovil" || len(p.Products) != 2 {
		t.Errorf("payload = %+v", p)
	}
}

// No 2xx without a durable write: with the broker gone, a command is answered 503 with the seed's
// error body, within the write timeout, and no workflow is claimed. This test owns its broker so
// that stopping it leaves the package's broker to the other tests.
func TestBrokerDownIs503(t *testing.T) {
	b, err := localinfra.StartBroker(localinfra.BrokerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	s := start(t, b.Addr())

	// The ingress works while the broker is up.
	wr := s.create()
	readCommand(t, b.Addr(), wr.RunID)

	b.Close()

	began := time.Now()
	a := s.do(http.MethodPost, seedPath, "dev-masmovil", "0b7e2a34-4c58-4d1e-9a3e-6c2f1f0e9d11", seedBody)
	took := time.Since(began)
	if a.status != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503: %s", a.status, a.body)
	}
	t.Logf("503 after %s", took)
	if limit := writeTimeout + 3*time.Second; took > limit {
		t.Errorf("503 took %s, want it within the write timeout (%s) plus slack", took, writeTimeout)
	}
	var errs []map[string]any
	if err := json.Unmarshal(a.body, &errs); err != nil || len(errs) == 0 {
		t.Fatalf("body is not the seed's error array: %v: %s", err, a.body)
	}
	for i, e := range errs {
		for _, k := range []string{"code", "title", "details"} {
			if v, _ := e[k].(string); v == "" {
				t.Errorf("error %d: %s = %v, want a non-empty string", i, k, e[k])
			}
		}
	}
	if errs[0]["code"] != "SERVICE_UNAVAILABLE" {
		t.Errorf("code = %v, want SERVICE_UNAVAILABLE", errs[0]["code"])
	}
	if a.header.Get("Workflow-Id") != "" || a.header.Get("Run-Id") != "" || strings.Contains(string(a.body), "workflowId") {
		t.Errorf("a refused command claims a workflow: headers %v body %s", a.header, a.body)
	}

	// The readiness probe says so too.
	if a := s.do(http.MethodGet, "/readyz", "", "", ""); a.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d with the broker down, want 503: %s", a.status, a.body)
	}
	if a := s.do(http.MethodGet, "/healthz", "", "", ""); a.status != http.StatusOK {
		t.Errorf("/healthz = %d with the broker down, want 200 (the process is alive)", a.status)
	}
}
