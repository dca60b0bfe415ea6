package ports_test

// API tests of the public routes: the real gin engine built as the service builds it, a fake
// Publisher that records what would be written to Kafka, and an httptest server standing in for
// the Disney service's internal API.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"provision.local/api"
	"provision.local/events"
	"provision.local/pkg/cekafka"
	"provision.local/pkg/command"
	"provision.local/pkg/httpx"
	"provision.local/pkg/logging"
	"provision.local/pkg/submit"
	"provision.local/services/ingress/internal/adapters"
	"provision.local/services/ingress/internal/app"
	"provision.local/services/ingress/internal/ports"
)

// testSource is the CloudEvents source the engine under test submits commands as.
const testSource = "/provision/ingress"

// Values of the seed document's examples.
const (
	tokenMasmovil = "dev-masmovil"
	tokenYoigo    = "dev-yoigo"
	seedCorrID    = "2106f808-36e9-402d-bf37-f1f7fa04776b"
	seedUser      = "MOO1664367665504"
	seedEntID     = "ENT1664367665579"
	seedSub       = "4567890123456789"
	productBasic  = "com.disney.yoigo.es.bundle.basic"
	productPrem   = "com.disney.yoigo.es.bundle.premium"

	userPath = "/v2/orgs/masmovil/tv/disney/users/" + seedUser
	subPath  = userPath + "/subscriptions/" + seedSub

	seedCreateBody = `{
"subscriptionId": "ENT1664367665579",
"products": [
"com.disney.yoigo.es.bundle.basic",
"com.disney.yoigo.es.bundle.premium"
]
}`
	seedProductsBody = `{
"products": [
"com.disney.yoigo.es.bundle.basic",
"com.disney.yoigo.es.bundle.premium"
]
}`
	seedActivationBody = `{
"products": [
"com.disney.yoigo.es.bundle.basic",
"com.disney.yoigo.es.bundle.premium"
],
"country": "ES",
"expireDate": "2021-01-01T00:00:00Z"
}`
	seedSubscriptionStatus = `{
"entitled": "ACTIVE",
"cancellation": "VOLUNTARY",
"products": [
"com.disney.yoigo.es.bundle.basic",
"com.disney.yoigo.es.bundle.premium"
],
"activated": "LINKED",
"lastUpdated": "2025-01-15T10:30:00Z"
}`
	seedActivationURL = `{
"expiryDate": "2023-06-20T14:32:45+02:00",
"url": "https://www.example.com/activation/123"
}`
	// seedErrorBody is the seed's error body, as the Disney service would answer it.
	seedErrorBody = `[{"code":"SUBSCRIPTION_NOT_FOUND","title":"NOT_FOUND","details":"no such subscription for this user"}]`
)

var seedProducts = []string{productBasic, productPrem}

// ---- fake Publisher -------------------------------------------------------------------------

type published struct {
	topic string
	event cloudevents.Event
	msg   kafka.Message // the event as the real publisher would encode it
}

// fakePublisher records what it is asked to publish; with err set it refuses every write, as a
// broker that is down would.
type fakePublisher struct {
	mu  sync.Mutex
	err error
	got []published
}

func (p *fakePublisher) Publish(ctx context.Context, topic string, evs ...cloudevents.Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	batch := make([]published, 0, len(evs))
	for _, e := range evs {
		m, err := cekafka.ToMessage(ctx, e)
		if err != nil {
			return err
		}
		m.Topic = topic
		batch = append(batch, published{topic: topic, event: e.Clone(), msg: m})
	}
	p.got = append(p.got, batch...)
	return nil
}

func (p *fakePublisher) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.err = err
}

func (p *fakePublisher) events() []published {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]published(nil), p.got...)
}

// ---- fake Disney service ----------------------------------------------------------------------

type disneyRequest struct {
	Method, Path, IdempotencyKey string
	Body                         []byte
}

// fakeDisney answers the Disney service's internal API from canned JSON.
type fakeDisney struct {
	srv *httptest.Server

	mu         sync.Mutex
	subs       map[string]string // org/user/sub → SubscriptionStatus JSON
	ops        map[string]string // org/commandId → operation JSON
	activation struct {
		status int
		body   string
	}
	failStatus int // when set, every answer is this status with an error body
	requests   []disneyRequest
}

func newFakeDisney(t testing.TB) *fakeDisney {
	t.Helper()
	f := &fakeDisney{subs: map[string]string{}, ops: map[string]string{}}
	f.activation.status, f.activation.body = http.StatusCreated, seedActivationURL
	mux := http.NewServeMux()
	mux.HandleFunc("GET /internal/v1/orgs/{org}/users/{user}/subscriptions/{sub}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		body, ok := f.subs[r.PathValue("org")+"/"+r.PathValue("user")+"/"+r.PathValue("sub")]
		f.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusNotFound, seedErrorBody)
			return
		}
		writeJSON(w, http.StatusOK, body)
	})
	mux.HandleFunc("POST /internal/v1/orgs/{org}/users/{user}/subscriptions/{sub}/activation_url", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		_, ok := f.subs[r.PathValue("org")+"/"+r.PathValue("user")+"/"+r.PathValue("sub")]
		status, body := f.activation.status, f.activation.body
		f.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusNotFound, seedErrorBody)
			return
		}
		writeJSON(w, status, body)
	})
	mux.HandleFunc("GET /internal/v1/orgs/{org}/operations/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		body, ok := f.ops[r.PathValue("org")+"/"+r.PathValue("id")]
		f.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusNotFound, `[{"code":"OPERATION_NOT_FOUND","title":"NOT_FOUND","details":"no such operation"}]`)
			return
		}
		writeJSON(w, http.StatusOK, body)
	})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, disneyRequest{Method: r.Method, Path: r.URL.Path, IdempotencyKey: r.Header.Get("Idempotency-Key"), Body: body})
		fail := f.failStatus
		f.mu.Unlock()
		if fail != 0 {
			writeJSON(w, fail, `[{"code":"UPSTREAM_UNAVAILABLE","title":"SERVICE_UNAVAILABLE","details":"the partner or the store did not answer; retry later"}]`)
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (f *fakeDisney) setSubscription(org, user, sub, statusJSON string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs[org+"/"+user+"/"+sub] = statusJSON
}

func (f *fakeDisney) setOperation(org, commandID, opJSON string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ops[org+"/"+commandID] = opJSON
}

func (f *fakeDisney) setActivation(status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.activation.status, f.activation.body = status, body
}

func (f *fakeDisney) setFailStatus(status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failStatus = status
}

func (f *fakeDisney) calls() []disneyRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]disneyRequest(nil), f.requests...)
}

// ---- the engine under test ------------------------------------------------------------------

type env struct {
	engine *gin.Engine
	pub    *fakePublisher
	disney *fakeDisney
	ids    command.Workflows
}

// loadSpec loads the document once for all tests: loading validates it, which takes a while.
var loadSpec = sync.OnceValues(func() (*ports.Spec, error) { return ports.LoadSpec(api.OpenAPI) })

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{pub: &fakePublisher{}, disney: newFakeDisney(t), ids: command.NewWorkflows("ingress-test-workflow-key")}
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	client := adapters.NewClient(map[string]string{events.ProviderDisney: e.disney.srv.URL}, 5*time.Second)
	records := map[string]submit.OperationSource{events.ProviderDisney: client.Records(events.ProviderDisney)}
	a := &ports.API{
		Spec:      spec,
		Submitter: submit.NewSubmitter(testSource, e.pub, e.ids, records, submit.KeyConfig{Window: 24 * time.Hour, CacheSize: 1000, LookupTimeout: 2 * time.Second}),
		Workflows: app.NewWorkflows(e.ids, records),
		Internal:  client,
	}
	tokens, err := httpx.ParseTokens("dev-masmovil=masmovil,dev-yoigo=yoigo")
	if err != nil {
		t.Fatal(err)
	}
	e.engine = httpx.NewEngine(httpx.Options{Service: "ingress", Log: logging.NewWithOutput("ingress", "panic", io.Discard)})
	if err := ports.Register(e.engine, a, tokens, ports.Routes); err != nil {
		t.Fatal(err)
	}
	return e
}

// do sends one request; an empty token or correlation id leaves that header out.
func (e *env) do(method, target, token, corrID, body string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
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
	w := httptest.NewRecorder()
	e.engine.ServeHTTP(w, req)
	return w
}

// ---- assertions -----------------------------------------------------------------------------

// assertSeedErrors checks the seed's error body: a non-empty JSON array of objects with a
// non-empty code, title and details (ref optional). It returns the errors.
func assertSeedErrors(t *testing.T, w *httptest.ResponseRecorder) []httpx.Error {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var raw []map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &raw); err != nil {
		t.Fatalf("error body is not a JSON array of objects: %v: %s", err, w.Body.String())
	}
	if len(raw) == 0 {
		t.Fatalf("error body is an empty array")
	}
	out := make([]httpx.Error, 0, len(raw))
	for i, obj := range raw {
		for _, k := range []string{"code", "title", "details"} {
			if s, ok := obj[k].(string); !ok || s == "" {
				t.Errorf("error %d: %q = %v, want a non-empty string", i, k, obj[k])
			}
		}
		if ref, ok := obj["ref"]; ok {
			if _, isStr := ref.(string); !isStr {
				t.Errorf("error %d: ref = %v, want a string", i, ref)
			}
		}
		for k := range obj {
			if k != "code" && k != "title" && k != "details" && k != "ref" {
				t.Errorf("error %d: unexpected field %q", i, k)
			}
		}
		out = append(out, httpx.Error{Code: str(obj["code"]), Title: str(obj["title"]), Details: str(obj["details"]), Ref: str(obj["ref"])})
	}
	return out
}

func str(v any) string { s, _ := v.(string); return s }

// wantEvent is the command an accepted request must have published.
type wantEvent struct {
	ceType  string
	org     string
	key     string // partitionkey extension and record key
	payload any    // the payload struct the request must have produced
}

// acceptance is what a client was told about an accepted command.
type acceptance struct {
	workflowID, runID, corrID string
}

// assertAccepted checks the answer to an accepted command (202 with a WorkflowResponse, or 204
// with no body) and the one event it published.
func assertAccepted(t *testing.T, e *env, w *httptest.ResponseRecorder, corrID string, want wantEvent) acceptance {
	t.Helper()
	wf, run := w.Header().Get(ports.HeaderWorkflowID), w.Header().Get(ports.HeaderRunID)
	if wf == "" || run == "" {
		t.Fatalf("headers %s=%q %s=%q, want both set", ports.HeaderWorkflowID, wf, ports.HeaderRunID, run)
	}
	switch w.Code {
	case http.StatusAccepted:
		var body struct {
			Message    *string `json:"message"`
			WorkflowID string  `json:"workflowId"`
			RunID      string  `json:"runId"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatalf("202 body: %v: %s", err, w.Body.String())
		}
		if body.Message == nil || body.WorkflowID != wf || body.RunID != run {
			t.Errorf("202 body = %s, want message, workflowId %q and runId %q", w.Body.String(), wf, run)
		}
	case http.StatusNoContent:
		if w.Body.Len() != 0 {
			t.Errorf("204 has a body: %q", w.Body.String())
		}
	default:
		t.Fatalf("status = %d, want 202 or 204", w.Code)
	}
	if provider, cmdID, err := e.ids.Parse(want.org, wf); err != nil || provider != events.ProviderDisney || cmdID != run {
		t.Errorf("workflowId %q parses to (%q, %q, %v), want (disney, %q)", wf, provider, cmdID, err, run)
	}
	if _, err := uuid.Parse(run); err != nil {
		t.Errorf("runId %q is not a UUID: %v", run, err)
	}
	// A request without a correlation id gets one generated and echoed; the event carries it.
	wantCorr := corrID
	if wantCorr == "" {
		wantCorr = w.Header().Get(httpx.HeaderCorrelationID)
		if wantCorr == "" {
			t.Errorf("no %s echoed", httpx.HeaderCorrelationID)
		}
	}

	got := e.pub.events()
	if len(got) != 1 {
		t.Fatalf("published %d events, want 1", len(got))
	}
	p := got[0]
	ev := p.event
	if p.topic != events.TopicDisneyCommands {
		t.Errorf("topic = %q, want %q", p.topic, events.TopicDisneyCommands)
	}
	if topic, _ := events.TopicOf(want.ceType); topic != p.topic {
		t.Errorf("catalog puts %s on %q, published on %q", want.ceType, topic, p.topic)
	}
	if ev.Type() != want.ceType || ev.ID() != run || ev.Source() != testSource || ev.SpecVersion() != cloudevents.VersionV1 {
		t.Errorf("event type=%q id=%q source=%q specversion=%q, want %q %q %q 1.0", ev.Type(), ev.ID(), ev.Source(), ev.SpecVersion(), want.ceType, run, testSource)
	}
	if ev.DataContentType() != cloudevents.ApplicationJSON {
		t.Errorf("datacontenttype = %q", ev.DataContentType())
	}
	if ev.DataSchema() != events.SchemaURI(want.ceType) {
		t.Errorf("dataschema = %q, want %q", ev.DataSchema(), events.SchemaURI(want.ceType))
	}
	exts := map[string]string{
		events.ExtPartitionKey:  want.key,
		events.ExtCorrelationID: wantCorr,
		events.ExtOrg:           want.org,
		events.ExtWorkflowID:    wf,
	}
	for name, v := range exts {
		if got := events.Extension(ev, name); got != v {
			t.Errorf("extension %s = %q, want %q", name, got, v)
		}
	}
	if string(p.msg.Key) != want.key {
		t.Errorf("record key = %q, want %q", p.msg.Key, want.key)
	}
	if err := events.Validate(ev.Type(), ev.Data()); err != nil {
		t.Errorf("payload does not validate: %v", err)
	}
	wantData, err := json.Marshal(want.payload)
	if err != nil {
		t.Fatal(err)
	}
	assertJSONEqual(t, "payload", ev.Data(), wantData)
	return acceptance{workflowID: wf, runID: run, corrID: wantCorr}
}

func assertJSONEqual(t *testing.T, what string, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s is not JSON: %v: %s", what, err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want %s is not JSON: %v: %s", what, err, want)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// ---- the routes -----------------------------------------------------------------------------

func TestAPI(t *testing.T) {
	long := strings.Repeat("u", 129)
	tests := []struct {
		name   string
		method string
		path   string
		token  string // "" sends no Authorization header
		corrID string // "" sends no Request-Correlation-Id
		body   string
		setup  func(e *env)
		status int
		code   string     // 4xx/5xx: the expected error code
		event  *wantEvent // accepted commands: the event they publish
		check  func(t *testing.T, e *env, w *httptest.ResponseRecorder)
	}{
		{
			name: "create202", method: http.MethodPost, path: userPath, token: tokenMasmovil, corrID: seedCorrID, body: seedCreateBody,
			status: http.StatusAccepted,
			event: &wantEvent{ceType: events.TypeDisneyCreateSubscription, org: "masmovil", key: seedEntID,
				payload: events.DisneyCreateSubscription{Org: "masmovil", UserID: seedUser, SubscriptionID: seedEntID, Products: seedProducts}},
		},
		{
			name: "create202YoigoOnYoigo", method: http.MethodPost, path: "/v2/orgs/yoigo/tv/disney/users/" + seedUser, token: tokenYoigo, corrID: seedCorrID, body: seedCreateBody,
			status: http.StatusAccepted,
			event: &wantEvent{ceType: events.TypeDisneyCreateSubscription, org: "yoigo", key: seedEntID,
				payload: events.DisneyCreateSubscription{Org: "yoigo", UserID: seedUser, SubscriptionID: seedEntID, Products: seedProducts}},
		},
		{
			name: "create400MissingCorrelationID", method: http.MethodPost, path: userPath, token: tokenMasmovil, body: seedCreateBody,
			status: http.StatusBadRequest, code: httpx.CodeMissingCorrelationID,
		},
		{
			name: "create400CorrelationIDTooLong", method: http.MethodPost, path: userPath, token: tokenMasmovil, corrID: strings.Repeat("c", httpx.MaxCorrelationIDLen+1), body: seedCreateBody,
			status: http.StatusBadRequest, code: httpx.CodeInvalidCorrelationID,
		},
		{
			name: "create400MissingSubscriptionID", method: http.MethodPost, path: userPath, token: tokenMasmovil, corrID: seedCorrID,
			body:   `{"products":["com.disney.yoigo.es.bundle.basic"]}`,
			status: http.StatusBadRequest, code: "INVALID_FIELD",
		},
		{
			name: "create400InvalidSubscriptionID", method: http.MethodPost, path: userPath, token: tokenMasmovil, corrID: seedCorrID,
			body:   `{"subscriptionId":"ENT/1","products":["com.disney.yoigo.es.bundle.basic"]}`,
			status: http.StatusBadRequest, code: "INVALID_FIELD",
		},
		{
			name: "create400MissingProducts", method: http.MethodPost, path: userPath, token: tokenMasmovil, corrID: seedCorrID,
			body:   `{"subscriptionId":"ENT1664367665579"}`,
			status: http.StatusBadRequest, code: "INVALID_FIELD",
		},
		{
			name: "create400EmptyProducts", method: http.MethodPost, path: userPath, token: tokenMasmovil, corrID: seedCorrID,
			body:   `{"subscriptionId":"ENT1664367665579","products":[]}`,
			status: http.StatusBadRequest, code: "INVALID_FIELD",
		},
		{
			name: "create400EmptyProductString", method: http.MethodPost, path: userPath, token: tokenMasmovil, corrID: seedCorrID,
			body:   `{"subscriptionId":"ENT1664367665579","products":["com.disney.yoigo.es.bundle.basic",""]}`,
			status: http.StatusBadRequest, code: "INVALID_FIELD",
		},
		{
			name: "create400BlankProductString", method: http.MethodPost, path: userPath, token: tokenMasmovil, corrID: seedCorrID,
			body:   `{"subscriptionId":"ENT1664367665579","products":["   "]}`,
			status: http.StatusBadRequest, code: "INVALID_FIELD",
		},
		{
			name: "create400RepeatedProduct", method: http.MethodPost, path: userPath, token: tokenMasmovil, corrID: seedCorrID,
			body:   `{"subscriptionId":"ENT1664367665579","products":["a","a"]}`,
			status: http.StatusBadRequest, code: "INVALID_FIELD",
		},
		{
			name: "create400MalformedJSON", method: http.MethodPost, path: userPath, token: tokenMasmovil, corrID: seedCorrID,
			body:   `{"subscriptionId":"ENT1664367665579","products":[`,
			status: http.StatusBadRequest, code: httpx.CodeInvalidBody,
		},
		{
			name: "create400EmptyBody", method: http.MethodPost, path: userPath, token: tokenMasmovil, corrID: seedCorrID,
			status: http.StatusBadRequest, code: httpx.CodeInvalidBody,
		},
		{
			name: "create400ProductsNotArray", method: http.MethodPost, path: userPath, token: tokenMasmovil, corrID: seedCorrID,
			body:   `{"subscriptionId":"ENT1664367665579","products":"com.disney.yoigo.es.bundle.basic"}`,
			status: http.StatusBadRequest, code: "INVALID_FIELD",
		},
		{
			name: "create401NoToken", method: http.MethodPost, path: userPath, corrID: seedCorrID, body: seedCreateBody,
			status: http.StatusUnauthorized, code: httpx.CodeUnauthorized,
			check: func(t *testing.T, _ *env, w *httptest.ResponseRecorder) {
				if got := w.Header().Get("WWW-Authenticate"); got != "Bearer" {
					t.Errorf("WWW-Authenticate = %q, want Bearer", got)
				}
			},
		},
		{
			name: "create401WrongToken", method: http.MethodPost, path: userPath, token: "dev-masmovil-nope", corrID: seedCorrID, body: seedCreateBody,
			status: http.StatusUnauthorized, code: httpx.CodeUnauthorized,
		},
		{
			name: "create403YoigoTokenOnMasmovil", method: http.MethodPost, path: userPath, token: tokenYoigo, corrID: seedCorrID, body: seedCreateBody,
			status: http.StatusForbidden, code: httpx.CodeForbidden,
		},
		{
			name: "create503BrokerDown", method: http.MethodPost, path: userPath, token: tokenMasmovil, corrID: seedCorrID, body: seedCreateBody,
			setup:  func(e *env) { e.pub.fail(errors.New("kafka: broker not available")) },
			status: http.StatusServiceUnavailable, code: "SERVICE_UNAVAILABLE",
			check: func(t *testing.T, _ *env, w *httptest.ResponseRecorder) {
				if strings.Contains(w.Body.String(), "workflowId") || strings.Contains(w.Body.String(), "broker not available") {
					t.Errorf("503 body claims a workflow or leaks the cause: %s", w.Body.String())
				}
			},
		},
		{
			name: "modify204", method: http.MethodPatch, path: subPath, token: tokenMasmovil, corrID: seedCorrID, body: seedProductsBody,
			status: http.StatusNoContent,
			event: &wantEvent{ceType: events.TypeDisneyModifySubscription, org: "masmovil", key: seedSub,
				payload: events.DisneyModifySubscription{Org: "masmovil", UserID: seedUser, SubscriptionID: seedSub, Products: seedProducts}},
		},
		{
			name: "modify400EmptyProducts", method: http.MethodPatch, path: subPath, token: tokenMasmovil, corrID: seedCorrID, body: `{"products":[]}`,
			status: http.StatusBadRequest, code: "INVALID_FIELD",
		},
		{
			name: "modify400MissingCorrelationID", method: http.MethodPatch, path: subPath, token: tokenMasmovil, body: seedProductsBody,
			status: http.StatusBadRequest, code: httpx.CodeMissingCorrelationID,
		},
		{
			name: "suspend204", method: http.MethodPost, path: subPath + "/suspend", token: tokenMasmovil, corrID: seedCorrID, body: seedProductsBody,
			status: http.StatusNoContent,
			event: &wantEvent{ceType: events.TypeDisneySuspendSubscription, org: "masmovil", key: seedSub,
				payload: events.DisneySuspendSubscription{Org: "masmovil", UserID: seedUser, SubscriptionID: seedSub, Products: seedProducts}},
		},
		{
			name: "reactivate204", method: http.MethodPost, path: subPath + "/reactivate", token: tokenMasmovil, corrID: seedCorrID, body: seedProductsBody,
			status: http.StatusNoContent,
			event: &wantEvent{ceType: events.TypeDisneyReactivateSubscription, org: "masmovil", key: seedSub,
				payload: events.DisneyReactivateSubscription{Org: "masmovil", UserID: seedUser, SubscriptionID: seedSub, Products: seedProducts}},
		},
		{
			name: "terminate204", method: http.MethodDelete, path: subPath, token: tokenMasmovil, corrID: seedCorrID,
			status: http.StatusNoContent,
			event: &wantEvent{ceType: events.TypeDisneyTerminateSubscription, org: "masmovil", key: seedSub,
				payload: events.DisneyTerminateSubscription{Org: "masmovil", UserID: seedUser, SubscriptionID: seedSub}},
		},
		{
			name: "terminateOneProduct204", method: http.MethodDelete, path: subPath + "?product=disney.bundle.basic", token: tokenMasmovil, corrID: seedCorrID,
			status: http.StatusNoContent,
			event: &wantEvent{ceType: events.TypeDisneyTerminateSubscription, org: "masmovil", key: seedSub,
				payload: events.DisneyTerminateSubscription{Org: "masmovil", UserID: seedUser, SubscriptionID: seedSub, Product: "disney.bundle.basic"}},
		},
		{
			name: "terminate400EmptyProductQuery", method: http.MethodDelete, path: subPath + "?product=", token: tokenMasmovil, corrID: seedCorrID,
			status: http.StatusBadRequest, code: "INVALID_QUERY_PARAMETER",
		},
		{
			name: "callback204WithoutCorrelationID", method: http.MethodPost, path: userPath + "/callbacks/activate", token: tokenMasmovil,
			status: http.StatusNoContent,
			event: &wantEvent{ceType: events.TypeDisneyActivationCallback, org: "masmovil", key: seedUser,
				payload: events.DisneyActivationCallback{Org: "masmovil", UserID: seedUser}},
		},
		{
			name: "callback204WithCorrelationID", method: http.MethodPost, path: userPath + "/callbacks/activate", token: tokenMasmovil, corrID: seedCorrID,
			status: http.StatusNoContent,
			event: &wantEvent{ceType: events.TypeDisneyActivationCallback, org: "masmovil", key: seedUser,
				payload: events.DisneyActivationCallback{Org: "masmovil", UserID: seedUser}},
		},
		{
			name: "callback401NoToken", method: http.MethodPost, path: userPath + "/callbacks/activate",
			status: http.StatusUnauthorized, code: httpx.CodeUnauthorized,
		},
		{
			name: "status200", method: http.MethodGet, path: subPath, token: tokenMasmovil, corrID: seedCorrID,
			setup:  func(e *env) { e.disney.setSubscription("masmovil", seedUser, seedSub, seedSubscriptionStatus) },
			status: http.StatusOK,
			check: func(t *testing.T, e *env, w *httptest.ResponseRecorder) {
				assertJSONEqual(t, "status body", w.Body.Bytes(), []byte(seedSubscriptionStatus))
				calls := e.disney.calls()
				want := "/internal/v1/orgs/masmovil/users/" + seedUser + "/subscriptions/" + seedSub
				if len(calls) != 1 || calls[0].Method != http.MethodGet || calls[0].Path != want {
					t.Errorf("Disney service calls = %+v, want one GET %s", calls, want)
				}
			},
		},
		{
			name: "status200WithoutCancellation", method: http.MethodGet, path: subPath, token: tokenMasmovil, corrID: seedCorrID,
			setup: func(e *env) {
				e.disney.setSubscription("masmovil", seedUser, seedSub,
					`{"entitled":"ACTIVE","products":["com.disney.yoigo.es.bundle.basic"],"activated":"UNLINKED","lastUpdated":"2025-01-15T10:30:00Z"}`)
			},
			status: http.StatusOK,
			check: func(t *testing.T, _ *env, w *httptest.ResponseRecorder) {
				assertJSONEqual(t, "status body", w.Body.Bytes(),
					[]byte(`{"entitled":"ACTIVE","products":["com.disney.yoigo.es.bundle.basic"],"activated":"UNLINKED","lastUpdated":"2025-01-15T10:30:00Z"}`))
			},
		},
		{
			name: "status404", method: http.MethodGet, path: subPath, token: tokenMasmovil, corrID: seedCorrID,
			status: http.StatusNotFound, code: "SUBSCRIPTION_NOT_FOUND",
		},
		{
			// Another org's subscription is not looked up under this org.
			name: "status404OtherOrgsSubscription", method: http.MethodGet, path: "/v2/orgs/yoigo/tv/disney/users/" + seedUser + "/subscriptions/" + seedSub, token: tokenYoigo, corrID: seedCorrID,
			setup:  func(e *env) { e.disney.setSubscription("masmovil", seedUser, seedSub, seedSubscriptionStatus) },
			status: http.StatusNotFound, code: "SUBSCRIPTION_NOT_FOUND",
		},
		{
			name: "status503DisneyFails", method: http.MethodGet, path: subPath, token: tokenMasmovil, corrID: seedCorrID,
			setup:  func(e *env) { e.disney.setFailStatus(http.StatusBadGateway) },
			status: http.StatusServiceUnavailable, code: "UPSTREAM_UNAVAILABLE",
		},
		{
			name: "activationURL201", method: http.MethodPost, path: subPath + "/activation_url", token: tokenMasmovil, corrID: seedCorrID, body: seedActivationBody,
			setup:  func(e *env) { e.disney.setSubscription("masmovil", seedUser, seedSub, seedSubscriptionStatus) },
			status: http.StatusCreated,
			check: func(t *testing.T, e *env, w *httptest.ResponseRecorder) {
				assertJSONEqual(t, "activation body", w.Body.Bytes(), []byte(seedActivationURL))
				calls := e.disney.calls()
				want := "/internal/v1/orgs/masmovil/users/" + seedUser + "/subscriptions/" + seedSub + "/activation_url"
				if len(calls) != 1 || calls[0].Method != http.MethodPost || calls[0].Path != want {
					t.Fatalf("Disney service calls = %+v, want one POST %s", calls, want)
				}
				if calls[0].IdempotencyKey == "" {
					t.Error("activation_url sent without an Idempotency-Key")
				}
				assertJSONEqual(t, "forwarded body", calls[0].Body, []byte(`{"products":["com.disney.yoigo.es.bundle.basic","com.disney.yoigo.es.bundle.premium"],"country":"ES","expireDate":"2021-01-01T00:00:00Z"}`))
			},
		},
		{
			name: "activationURL400BadCountry", method: http.MethodPost, path: subPath + "/activation_url", token: tokenMasmovil, corrID: seedCorrID,
			body:   `{"products":["com.disney.yoigo.es.bundle.basic"],"country":"es","expireDate":"2021-01-01T00:00:00Z"}`,
			status: http.StatusBadRequest, code: "INVALID_FIELD",
		},
		{
			name: "activationURL400MissingCountry", method: http.MethodPost, path: subPath + "/activation_url", token: tokenMasmovil, corrID: seedCorrID,
			body:   `{"products":["com.disney.yoigo.es.bundle.basic"],"expireDate":"2021-01-01T00:00:00Z"}`,
			status: http.StatusBadRequest, code: "INVALID_FIELD",
		},
		{
			name: "activationURL400BadExpireDate", method: http.MethodPost, path: subPath + "/activation_url", token: tokenMasmovil, corrID: seedCorrID,
			body:   `{"products":["com.disney.yoigo.es.bundle.basic"],"country":"ES","expireDate":"01/01/2021"}`,
			status: http.StatusBadRequest, code: "INVALID_FIELD",
		},
		{
			name: "activationURL400MissingProducts", method: http.MethodPost, path: subPath + "/activation_url", token: tokenMasmovil, corrID: seedCorrID,
			body:   `{"country":"ES","expireDate":"2021-01-01T00:00:00Z"}`,
			status: http.StatusBadRequest, code: "INVALID_FIELD",
		},
		{
			name: "activationURL404UnknownSubscription", method: http.MethodPost, path: subPath + "/activation_url", token: tokenMasmovil, corrID: seedCorrID, body: seedActivationBody,
			status: http.StatusNotFound, code: "SUBSCRIPTION_NOT_FOUND",
		},
		{
			// A 4xx of the Disney service (here: the subscription is canceled) reaches the client as is.
			name: "activationURL409PassedThrough", method: http.MethodPost, path: subPath + "/activation_url", token: tokenMasmovil, corrID: seedCorrID, body: seedActivationBody,
			setup: func(e *env) {
				e.disney.setSubscription("masmovil", seedUser, seedSub, seedSubscriptionStatus)
				e.disney.setActivation(http.StatusConflict, `[{"code":"INVALID_TRANSITION","title":"OPERATION_NOT_ALLOWED","details":"cannot activate: it is canceled"}]`)
			},
			status: http.StatusConflict, code: "INVALID_TRANSITION",
		},
		{
			name: "unknownRoute404", method: http.MethodGet, path: "/v2/orgs/masmovil/tv/hbo/users/" + seedUser, token: tokenMasmovil, corrID: seedCorrID,
			status: http.StatusNotFound, code: httpx.CodeNotFound,
		},
		{
			name: "unknownRoute404NoToken", method: http.MethodGet, path: "/v1/nothing-here",
			status: http.StatusNotFound, code: httpx.CodeNotFound,
		},
		{
			name: "wrongMethod405", method: http.MethodPut, path: subPath, token: tokenMasmovil, corrID: seedCorrID, body: seedProductsBody,
			status: http.StatusMethodNotAllowed, code: httpx.CodeMethodNotAllowed,
		},
		{
			name: "invalidUserID400", method: http.MethodPost, path: "/v2/orgs/masmovil/tv/disney/users/MOO%24166", token: tokenMasmovil, corrID: seedCorrID, body: seedCreateBody,
			status: http.StatusBadRequest, code: "INVALID_PATH_PARAMETER",
		},
		{
			name: "invalidUserIDTooLong400", method: http.MethodPost, path: "/v2/orgs/masmovil/tv/disney/users/" + long, token: tokenMasmovil, corrID: seedCorrID, body: seedCreateBody,
			status: http.StatusBadRequest, code: "INVALID_PATH_PARAMETER",
		},
		{
			name: "invalidUserIDOnCallback400", method: http.MethodPost, path: "/v2/orgs/masmovil/tv/disney/users/MOO%20166/callbacks/activate", token: tokenMasmovil,
			status: http.StatusBadRequest, code: "INVALID_PATH_PARAMETER",
		},
		{
			name: "invalidSubscriptionID400", method: http.MethodGet, path: userPath + "/subscriptions/" + long, token: tokenMasmovil, corrID: seedCorrID,
			status: http.StatusBadRequest, code: "INVALID_PATH_PARAMETER",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.setup != nil {
				tc.setup(e)
			}
			w := e.do(tc.method, tc.path, tc.token, tc.corrID, tc.body)
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d; body %s", w.Code, tc.status, w.Body.String())
			}
			if tc.status >= 400 {
				errs := assertSeedErrors(t, w)
				if tc.code != "" && errs[0].Code != tc.code {
					t.Errorf("code = %q, want %q (%+v)", errs[0].Code, tc.code, errs)
				}
				if n := len(e.pub.events()); n != 0 {
					t.Errorf("a refused request published %d events", n)
				}
				if wf, run := w.Header().Get(ports.HeaderWorkflowID), w.Header().Get(ports.HeaderRunID); wf != "" || run != "" {
					t.Errorf("a refused request claims workflow %q run %q", wf, run)
				}
			}
			if tc.event != nil {
				assertAccepted(t, e, w, tc.corrID, *tc.event)
			} else if n := len(e.pub.events()); n != 0 {
				t.Errorf("published %d events, want none", n)
			}
			if tc.status >= 400 && tc.status < 500 && strings.Contains(tc.path, "activation_url") && tc.code == "INVALID_FIELD" {
				if calls := e.disney.calls(); len(calls) != 0 {
					t.Errorf("an invalid request reached the Disney service: %+v", calls)
				}
			}
			if tc.check != nil {
				tc.check(t, e, w)
			}
		})
	}
}

// A retried create (same correlation id and same body) is the same command: same workflowId and
// runId, and the same CloudEvent id, so the consumer drops the second as a duplicate.
func TestCreateIsIdempotent(t *testing.T) {
	e := newEnv(t)
	post := func(t *testing.T, path, token, corrID, body string) (wf, run string) {
		t.Helper()
		w := e.do(http.MethodPost, path, token, corrID, body)
		if w.Code != http.StatusAccepted {
			t.Fatalf("status = %d: %s", w.Code, w.Body.String())
		}
		var resp struct{ WorkflowID, RunID string }
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
			t.Fatal(err)
		}
		return resp.WorkflowID, resp.RunID
	}

	wf1, run1 := post(t, userPath, tokenMasmovil, seedCorrID, seedCreateBody)
	wf2, run2 := post(t, userPath, tokenMasmovil, seedCorrID, seedCreateBody)
	if wf1 != wf2 || run1 != run2 {
		t.Fatalf("retry got (%s, %s), first got (%s, %s)", wf2, run2, wf1, run1)
	}
	got := e.pub.events()
	if len(got) != 2 || got[0].event.ID() != run1 || got[1].event.ID() != run1 {
		t.Fatalf("published %d events, want two with id %s", len(got), run1)
	}
	if !reflectEqualData(got[0].event, got[1].event) {
		t.Errorf("the retry published other data: %s vs %s", got[0].event.Data(), got[1].event.Data())
	}

	tests := []struct {
		name, path, token, corrID, body string
		same                            bool
	}{
		{name: "sameBodyReformatted", path: userPath, token: tokenMasmovil, corrID: seedCorrID, same: true,
			body: `{"products":["com.disney.yoigo.es.bundle.basic","com.disney.yoigo.es.bundle.premium"],"subscriptionId":"ENT1664367665579"}`},
		{name: "otherCorrelationID", path: userPath, token: tokenMasmovil, corrID: "6c0ad2a2-5d8d-4f0e-9c43-5b9a3c1e2f10", body: seedCreateBody},
		{name: "otherProducts", path: userPath, token: tokenMasmovil, corrID: seedCorrID,
			body: `{"subscriptionId":"ENT1664367665579","products":["com.disney.yoigo.es.bundle.basic"]}`},
		{name: "productsReordered", path: userPath, token: tokenMasmovil, corrID: seedCorrID,
			body: `{"subscriptionId":"ENT1664367665579","products":["com.disney.yoigo.es.bundle.premium","com.disney.yoigo.es.bundle.basic"]}`},
		{name: "otherSubscription", path: userPath, token: tokenMasmovil, corrID: seedCorrID,
			body: `{"subscriptionId":"ENT2","products":["com.disney.yoigo.es.bundle.basic","com.disney.yoigo.es.bundle.premium"]}`},
		{name: "otherUser", path: "/v2/orgs/masmovil/tv/disney/users/MOO2", token: tokenMasmovil, corrID: seedCorrID, body: seedCreateBody},
		{name: "otherOrg", path: "/v2/orgs/yoigo/tv/disney/users/" + seedUser, token: tokenYoigo, corrID: seedCorrID, body: seedCreateBody},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wf, run := post(t, tc.path, tc.token, tc.corrID, tc.body)
			if tc.same && (wf != wf1 || run != run1) {
				t.Errorf("got (%s, %s), want the first request's (%s, %s)", wf, run, wf1, run1)
			}
			if !tc.same && (wf == wf1 || run == run1) {
				t.Errorf("got the first request's ids (%s, %s) for a different request", wf, run)
			}
		})
	}
}

func reflectEqualData(a, b cloudevents.Event) bool {
	var x, y any
	return json.Unmarshal(a.Data(), &x) == nil && json.Unmarshal(b.Data(), &y) == nil && reflect.DeepEqual(x, y)
}

// The activation callback comes without a Request-Correlation-Id (seed): each callback is then a
// command of its own, with the correlation id generated for the request; with a correlation id a
// retried callback is the same command.
func TestActivationCallbackIDs(t *testing.T) {
	e := newEnv(t)
	path := userPath + "/callbacks/activate"
	callback := func(corrID string) (run, echoed string) {
		t.Helper()
		w := e.do(http.MethodPost, path, tokenMasmovil, corrID, "")
		if w.Code != http.StatusNoContent {
			t.Fatalf("status = %d: %s", w.Code, w.Body.String())
		}
		return w.Header().Get(ports.HeaderRunID), w.Header().Get(httpx.HeaderCorrelationID)
	}
	run1, corr1 := callback("")
	run2, corr2 := callback("")
	if run1 == run2 {
		t.Errorf("two callbacks without a correlation id got the same command id %s: the second would be dropped as a duplicate", run1)
	}
	run3, _ := callback(seedCorrID)
	run4, corr4 := callback(seedCorrID)
	if run3 != run4 {
		t.Errorf("a retried callback with correlation id got %s then %s", run3, run4)
	}
	got := e.pub.events()
	if len(got) != 4 {
		t.Fatalf("published %d events, want 4", len(got))
	}
	for i, want := range []struct{ run, corr string }{{run1, corr1}, {run2, corr2}, {run3, seedCorrID}, {run4, corr4}} {
		ev := got[i].event
		if ev.ID() != want.run || events.Extension(ev, events.ExtCorrelationID) != want.corr || want.corr == "" {
			t.Errorf("event %d: id %s correlationid %q, want %s %q", i, ev.ID(), events.Extension(ev, events.ExtCorrelationID), want.run, want.corr)
		}
	}
}

// The activation URL request carries an Idempotency-Key derived from the request, so a retried
// request asks the Disney service for the same link.
func TestActivationURLIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	e.disney.setSubscription("masmovil", seedUser, seedSub, seedSubscriptionStatus)
	for _, corr := range []string{seedCorrID, seedCorrID, "other-correlation-id"} {
		if w := e.do(http.MethodPost, subPath+"/activation_url", tokenMasmovil, corr, seedActivationBody); w.Code != http.StatusCreated {
			t.Fatalf("status = %d: %s", w.Code, w.Body.String())
		}
	}
	calls := e.disney.calls()
	if len(calls) != 3 {
		t.Fatalf("Disney service got %d calls, want 3", len(calls))
	}
	if calls[0].IdempotencyKey == "" || calls[0].IdempotencyKey != calls[1].IdempotencyKey {
		t.Errorf("retried request keys %q and %q, want the same non-empty key", calls[0].IdempotencyKey, calls[1].IdempotencyKey)
	}
	if calls[2].IdempotencyKey == calls[0].IdempotencyKey {
		t.Errorf("a request with another correlation id reused key %q", calls[0].IdempotencyKey)
	}
}

// The workflow endpoint answers for ids this ingress issued to the org, from what the Disney
// service knows of the command.
func TestWorkflow(t *testing.T) {
	e := newEnv(t)
	w := e.do(http.MethodPost, userPath, tokenMasmovil, seedCorrID, seedCreateBody)
	if w.Code != http.StatusAccepted {
		t.Fatalf("create: status = %d: %s", w.Code, w.Body.String())
	}
	wf, run := w.Header().Get(ports.HeaderWorkflowID), w.Header().Get(ports.HeaderRunID)
	path := "/v2/orgs/masmovil/workflows/"
	updated := "2025-01-15T10:30:00Z"

	get := func(t *testing.T, path, token string, wantStatus int) *httptest.ResponseRecorder {
		t.Helper()
		w := e.do(http.MethodGet, path, token, "", "")
		if w.Code != wantStatus {
			t.Fatalf("status = %d, want %d: %s", w.Code, wantStatus, w.Body.String())
		}
		return w
	}

	t.Run("accepted200WhileDisneyHasNoRecord", func(t *testing.T) {
		w := get(t, path+wf, tokenMasmovil, http.StatusOK)
		assertJSONEqual(t, "workflow", w.Body.Bytes(), mustJSON(t, map[string]any{
			"workflowId": wf, "runId": run, "provider": "disney", "status": app.WorkflowAccepted,
		}))
		calls := e.disney.calls()
		if len(calls) == 0 || calls[len(calls)-1].Path != "/internal/v1/orgs/masmovil/operations/"+run {
			t.Errorf("Disney service calls = %+v, want the last to ask for operation %s of masmovil", calls, run)
		}
	})
	t.Run("running200", func(t *testing.T) {
		e.disney.setOperation("masmovil", run, `{"commandId":"`+run+`","status":"RUNNING"}`)
		w := get(t, path+wf, tokenMasmovil, http.StatusOK)
		assertJSONEqual(t, "workflow", w.Body.Bytes(), mustJSON(t, map[string]any{
			"workflowId": wf, "runId": run, "provider": "disney", "status": app.WorkflowRunning,
		}))
	})
	t.Run("completed200", func(t *testing.T) {
		e.disney.setOperation("masmovil", run, `{"commandId":"`+run+`","status":"COMPLETED","operation":"create","subscriptionId":"`+seedEntID+`","updatedAt":"`+updated+`"}`)
		w := get(t, path+wf, tokenMasmovil, http.StatusOK)
		assertJSONEqual(t, "workflow", w.Body.Bytes(), mustJSON(t, map[string]any{
			"workflowId": wf, "runId": run, "provider": "disney", "status": app.WorkflowCompleted,
			"operation": "create", "subscriptionId": seedEntID, "updatedAt": updated,
		}))
	})
	t.Run("failed200WithError", func(t *testing.T) {
		e.disney.setOperation("masmovil", run, `{"commandId":"`+run+`","status":"FAILED","operation":"create","subscriptionId":"`+seedEntID+`",`+
			`"error":{"code":"PARTNER_REJECTED","title":"PARTNER_ERROR","details":"the partner refused the entitlement"},"updatedAt":"`+updated+`"}`)
		w := get(t, path+wf, tokenMasmovil, http.StatusOK)
		assertJSONEqual(t, "workflow", w.Body.Bytes(), mustJSON(t, map[string]any{
			"workflowId": wf, "runId": run, "provider": "disney", "status": app.WorkflowFailed,
			"operation": "create", "subscriptionId": seedEntID, "updatedAt": updated,
			"error": map[string]any{"code": "PARTNER_REJECTED", "title": "PARTNER_ERROR", "details": "the partner refused the entitlement"},
		}))
	})
	notFound := []struct{ name, id string }{
		{"forgedID404", "wf-disney-" + uuid.NewString() + "-0123456789abcdef"},
		{"forgedMacOfIssuedCommand404", "wf-disney-" + run + "-0000000000000000"},
		{"otherProvider404", "wf-netflix-" + run + "-" + wf[len(wf)-16:]},
		{"garbage404", "not-a-workflow"},
	}
	for _, tc := range notFound {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.disney.calls())
			w := get(t, path+tc.id, tokenMasmovil, http.StatusNotFound)
			if errs := assertSeedErrors(t, w); errs[0].Code != "WORKFLOW_NOT_FOUND" {
				t.Errorf("code = %q", errs[0].Code)
			}
			if after := len(e.disney.calls()); after != before {
				t.Errorf("a made-up id reached the Disney service")
			}
		})
	}
	t.Run("otherOrgsWorkflow404", func(t *testing.T) {
		// The masmovil workflow asked by yoigo, on yoigo's path: not found, never asked downstream.
		before := len(e.disney.calls())
		w := get(t, "/v2/orgs/yoigo/workflows/"+wf, tokenYoigo, http.StatusNotFound)
		if errs := assertSeedErrors(t, w); errs[0].Code != "WORKFLOW_NOT_FOUND" {
			t.Errorf("code = %q", errs[0].Code)
		}
		if strings.Contains(w.Body.String(), run) || strings.Contains(w.Body.String(), "COMPLETED") || strings.Contains(w.Body.String(), "FAILED") {
			t.Errorf("404 leaks the workflow: %s", w.Body.String())
		}
		if after := len(e.disney.calls()); after != before {
			t.Errorf("another org's workflow id reached the Disney service")
		}
	})
	t.Run("otherOrgsPath403", func(t *testing.T) {
		w := get(t, path+wf, tokenYoigo, http.StatusForbidden)
		if errs := assertSeedErrors(t, w); errs[0].Code != httpx.CodeForbidden {
			t.Errorf("code = %q", errs[0].Code)
		}
	})
	t.Run("noToken401", func(t *testing.T) {
		w := get(t, path+wf, "", http.StatusUnauthorized)
		assertSeedErrors(t, w)
	})
	t.Run("disneyFails503", func(t *testing.T) {
		e.disney.setFailStatus(http.StatusInternalServerError)
		defer e.disney.setFailStatus(0)
		w := get(t, path+wf, tokenMasmovil, http.StatusServiceUnavailable)
		if errs := assertSeedErrors(t, w); errs[0].Code != "UPSTREAM_UNAVAILABLE" {
			t.Errorf("code = %q", errs[0].Code)
		}
	})
	t.Run("disneyDown503", func(t *testing.T) {
		e.disney.srv.Close()
		w := get(t, path+wf, tokenMasmovil, http.StatusServiceUnavailable)
		if errs := assertSeedErrors(t, w); errs[0].Code != "UPSTREAM_UNAVAILABLE" {
			t.Errorf("code = %q, want UPSTREAM_UNAVAILABLE", errs[0].Code)
		}
		if strings.Contains(w.Body.String(), "127.0.0.1") {
			t.Errorf("503 leaks the internal address: %s", w.Body.String())
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
