package ports_test

// API tests of the Idempotency-Key header on the command routes.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"provision.local/events"
	"provision.local/pkg/command"
	"provision.local/pkg/httpx"
	"provision.local/services/ingress/internal/ports"
)

const (
	seedKey   = "8e03978e-40d5-43e8-bc93-6894a57f9324"
	otherBody = `{"subscriptionId":"ENT1664367665579","products":["com.disney.yoigo.es.bundle.basic"]}`
)

// doKeyed sends one request with the masmovil token, a correlation id and the given
// Idempotency-Key values (none when keys is empty).
func (e *env) doKeyed(method, target, corrID, body string, keys ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+tokenMasmovil)
	req.Header.Set(httpx.HeaderCorrelationID, corrID)
	for _, k := range keys {
		req.Header.Add(ports.HeaderIdempotencyKey, k)
	}
	w := httptest.NewRecorder()
	e.engine.ServeHTTP(w, req)
	return w
}

// ids returns the workflow and run ids an accepted command was answered with.
func ids(t *testing.T, w *httptest.ResponseRecorder, wantStatus int) (wf, run string) {
	t.Helper()
	if w.Code != wantStatus {
		t.Fatalf("status = %d, want %d: %s", w.Code, wantStatus, w.Body.String())
	}
	return w.Header().Get(ports.HeaderWorkflowID), w.Header().Get(ports.HeaderRunID)
}

// request is one command request of the idempotency tests.
type request struct {
	method, path, corrID, body string
	status                     int // the answer when accepted
}

var (
	createSeed    = request{http.MethodPost, userPath, seedCorrID, seedCreateBody, http.StatusAccepted}
	suspendSeed   = request{http.MethodPost, subPath + "/suspend", seedCorrID, seedProductsBody, http.StatusNoContent}
	callbackOfSub = request{http.MethodPost, userPath + "/callbacks/activate", seedCorrID, "", http.StatusNoContent}
)

func TestIdempotencyKey(t *testing.T) {
	tests := []struct {
		name          string
		first, second request
		firstKey      string
		secondKey     string
		same          bool   // the second is the first command again
		reusedCode    string // the second is refused with 422 and this code
		secondRefused int    // the second is refused with this status (other than 422)
	}{
		{
			name: "sameKeySameRequest202SameWorkflow", first: createSeed, second: createSeed,
			firstKey: seedKey, secondKey: seedKey, same: true,
		},
		{
			// The key, not the correlation id, says which command it is.
			name: "sameKeyOtherCorrelationID202SameWorkflow", first: createSeed,
			second:   request{http.MethodPost, userPath, "6c0ad2a2-5d8d-4f0e-9c43-5b9a3c1e2f10", seedCreateBody, http.StatusAccepted},
			firstKey: seedKey, secondKey: seedKey, same: true,
		},
		{
			name: "sameKeyReformattedBody202SameWorkflow", first: createSeed,
			second: request{http.MethodPost, userPath, seedCorrID,
				`{"products":["com.disney.yoigo.es.bundle.basic","com.disney.yoigo.es.bundle.premium"],"subscriptionId":"ENT1664367665579"}`, http.StatusAccepted},
			firstKey: seedKey, secondKey: seedKey, same: true,
		},
		{
			name: "quotedAndBareKeyAreOneKey", first: createSeed, second: createSeed,
			firstKey: `"` + seedKey + `"`, secondKey: seedKey, same: true,
		},
		{
			name: "sameKeyOtherBody422", first: createSeed,
			second:   request{http.MethodPost, userPath, seedCorrID, otherBody, http.StatusAccepted},
			firstKey: seedKey, secondKey: seedKey, reusedCode: "IDEMPOTENCY_KEY_REUSED",
		},
		{
			name: "sameKeyOtherTarget422", first: suspendSeed,
			second:   request{http.MethodPost, userPath + "/subscriptions/ENT2/suspend", seedCorrID, seedProductsBody, http.StatusNoContent},
			firstKey: seedKey, secondKey: seedKey, reusedCode: "IDEMPOTENCY_KEY_REUSED",
		},
		{
			name: "sameKeyOtherUser422", first: callbackOfSub,
			second:   request{http.MethodPost, "/v2/orgs/masmovil/tv/disney/users/MOO2/callbacks/activate", seedCorrID, "", http.StatusNoContent},
			firstKey: seedKey, secondKey: seedKey, reusedCode: "IDEMPOTENCY_KEY_REUSED",
		},
		{
			name: "sameKeyOtherOperation422", first: suspendSeed,
			second:   request{http.MethodPost, subPath + "/reactivate", seedCorrID, seedProductsBody, http.StatusNoContent},
			firstKey: seedKey, secondKey: seedKey, reusedCode: "IDEMPOTENCY_KEY_REUSED",
		},
		{
			name: "otherKeySameRequest202NewWorkflow", first: createSeed, second: createSeed,
			firstKey: seedKey, secondKey: "another-key",
		},
		{
			// The derived id stays what it was without a key, so a key makes another command.
			name: "keyedAfterUnkeyed202NewWorkflow", first: createSeed, second: createSeed,
			secondKey: seedKey,
		},
		{
			name: "noKeyRetry202SameWorkflow", first: createSeed, second: createSeed, same: true,
		},
		{
			name: "invalidKeyTooLong400", first: createSeed, second: createSeed,
			firstKey: seedKey, secondKey: strings.Repeat("k", command.MaxKeyLen+1), secondRefused: http.StatusBadRequest,
		},
		{
			name: "invalidKeyNotASCII400", first: createSeed, second: createSeed,
			firstKey: seedKey, secondKey: "clé", secondRefused: http.StatusBadRequest,
		},
		{
			name: "invalidKeyBlank400", first: createSeed, second: createSeed,
			firstKey: seedKey, secondKey: `"  "`, secondRefused: http.StatusBadRequest,
		},
		{
			name: "invalidKeyBrokenQuotes400", first: createSeed, second: createSeed,
			firstKey: seedKey, secondKey: `"abc`, secondRefused: http.StatusBadRequest,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			send := func(r request, key string) *httptest.ResponseRecorder {
				if key == "" {
					return e.doKeyed(r.method, r.path, r.corrID, r.body)
				}
				return e.doKeyed(r.method, r.path, r.corrID, r.body, key)
			}
			wf1, run1 := ids(t, send(tc.first, tc.firstKey), tc.first.status)
			w := send(tc.second, tc.secondKey)
			published := e.pub.events()
			switch {
			case tc.reusedCode != "" || tc.secondRefused != 0:
				want := tc.secondRefused
				if tc.reusedCode != "" {
					want = http.StatusUnprocessableEntity
				}
				if w.Code != want {
					t.Fatalf("second: status = %d, want %d: %s", w.Code, want, w.Body.String())
				}
				errs := assertSeedErrors(t, w)
				if tc.reusedCode != "" && errs[0].Code != tc.reusedCode {
					t.Errorf("code = %q, want %q", errs[0].Code, tc.reusedCode)
				}
				if tc.secondRefused == http.StatusBadRequest && errs[0].Code != "INVALID_IDEMPOTENCY_KEY" {
					t.Errorf("code = %q, want INVALID_IDEMPOTENCY_KEY", errs[0].Code)
				}
				if len(published) != 1 {
					t.Errorf("published %d events, want only the first", len(published))
				}
				if h := w.Header().Get(ports.HeaderWorkflowID); h != "" {
					t.Errorf("a refused request claims workflow %q", h)
				}
			default:
				wf2, run2 := ids(t, w, tc.second.status)
				if tc.same != (wf1 == wf2 && run1 == run2) {
					t.Errorf("first (%s, %s), second (%s, %s): want same=%v", wf1, run1, wf2, run2, tc.same)
				}
				if len(published) != 2 || published[1].event.ID() != run2 {
					t.Fatalf("published %d events, want two, the second with id %s", len(published), run2)
				}
			}
		})
	}
}

// Every command carries the request's fingerprint, keyed or not; the id of a keyed command is the
// key's, and the event time is the acceptance.
func TestIdempotencyKeyEvent(t *testing.T) {
	e := newEnv(t)
	before := time.Now()
	ids(t, e.doKeyed(http.MethodPost, userPath, seedCorrID, seedCreateBody, seedKey), http.StatusAccepted)
	ids(t, e.doKeyed(http.MethodPost, userPath, seedCorrID, seedCreateBody), http.StatusAccepted)
	got := e.pub.events()
	if len(got) != 2 {
		t.Fatalf("published %d events", len(got))
	}
	keyed, derived := got[0].event, got[1].event
	if want := command.NewKeyedID("masmovil", events.ProviderDisney, seedKey); keyed.ID() != want {
		t.Errorf("keyed command id = %s, want %s", keyed.ID(), want)
	}
	want := e.ids.Fingerprint("disney."+events.OpCreate, seedUser+"/"+seedEntID, keyed.Data())
	for _, ev := range []struct {
		name string
		msg  map[string]string
	}{{"keyed", headers(got[0].msg.Headers)}, {"derived", headers(got[1].msg.Headers)}} {
		if h := ev.msg["ce_"+events.ExtRequestDigest]; h != want {
			t.Errorf("%s: header ce_%s = %q, want %q", ev.name, events.ExtRequestDigest, h, want)
		}
	}
	if events.Extension(derived, events.ExtRequestDigest) != want {
		t.Errorf("the same request without a key has another fingerprint")
	}
	if keyed.Time().Before(before.Add(-time.Second)) || keyed.Time().After(time.Now()) {
		t.Errorf("event time %s is not the acceptance", keyed.Time())
	}
}

func headers(hs []kafka.Header) map[string]string {
	m := map[string]string{}
	for _, h := range hs {
		m[h.Key] = string(h.Value)
	}
	return m
}

// A key this process has not accepted (another replica did, or it restarted) is checked against
// the Disney service's operation record of the command.
func TestIdempotencyKeyRecord(t *testing.T) {
	keyedRun := command.NewKeyedID("masmovil", events.ProviderDisney, seedKey)
	// The fingerprint of the seed create, as the first acceptance recorded it.
	probe := newEnv(t)
	ids(t, probe.doKeyed(http.MethodPost, userPath, seedCorrID, seedCreateBody, seedKey), http.StatusAccepted)
	seedFingerprint := events.Extension(probe.pub.events()[0].event, events.ExtRequestDigest)

	record := func(fingerprint string, at time.Time) string {
		b, _ := json.Marshal(map[string]any{"commandId": keyedRun, "status": "COMPLETED", "operation": "create", "fingerprint": fingerprint, "at": at})
		return string(b)
	}
	tests := []struct {
		name   string
		setup  func(e *env)
		status int
	}{
		{"recordOfSameRequest202", func(e *env) {
			e.disney.setOperation("masmovil", keyedRun, record(seedFingerprint, time.Now().Add(-time.Hour)))
		}, http.StatusAccepted},
		{"recordOfOtherRequest422", func(e *env) {
			e.disney.setOperation("masmovil", keyedRun, record(strings.Repeat("0", 64), time.Now().Add(-time.Hour)))
		}, http.StatusUnprocessableEntity},
		{"recordOfOtherRequestPastTheWindow202", func(e *env) {
			e.disney.setOperation("masmovil", keyedRun, record(strings.Repeat("0", 64), time.Now().Add(-25*time.Hour)))
		}, http.StatusAccepted},
		{"noRecord202", func(e *env) {}, http.StatusAccepted},
		{"disneyFails202", func(e *env) { e.disney.setFailStatus(http.StatusInternalServerError) }, http.StatusAccepted},
		{"disneyDown202", func(e *env) { e.disney.srv.Close() }, http.StatusAccepted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tc.setup(e)
			w := e.doKeyed(http.MethodPost, userPath, seedCorrID, seedCreateBody, seedKey)
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d: %s", w.Code, tc.status, w.Body.String())
			}
			if tc.status == http.StatusUnprocessableEntity {
				if errs := assertSeedErrors(t, w); errs[0].Code != "IDEMPOTENCY_KEY_REUSED" {
					t.Errorf("code = %q", errs[0].Code)
				}
				if n := len(e.pub.events()); n != 0 {
					t.Errorf("a refused request published %d events", n)
				}
				return
			}
			if _, run := ids(t, w, http.StatusAccepted); run != keyedRun {
				t.Errorf("runId = %s, want the key's %s", run, keyedRun)
			}
			if tc.name != "disneyDown202" {
				calls := e.disney.calls()
				if len(calls) != 1 || calls[0].Path != "/internal/v1/orgs/masmovil/operations/"+keyedRun {
					t.Errorf("Disney service calls = %+v, want one question about %s", calls, keyedRun)
				}
			}
		})
	}
}

// Two Idempotency-Key headers are refused: the draft allows one.
func TestIdempotencyKeyRepeatedHeader400(t *testing.T) {
	e := newEnv(t)
	w := e.doKeyed(http.MethodPost, userPath, seedCorrID, seedCreateBody, seedKey, "another-key")
	if w.Code != http.StatusBadRequest {
		t.Fatalf("status = %d: %s", w.Code, w.Body.String())
	}
	if errs := assertSeedErrors(t, w); errs[0].Code != "INVALID_IDEMPOTENCY_KEY" {
		t.Errorf("code = %q", errs[0].Code)
	}
	if n := len(e.pub.events()); n != 0 {
		t.Errorf("published %d events", n)
	}
}
