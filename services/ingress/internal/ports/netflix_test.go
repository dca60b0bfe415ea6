package ports_test

// API tests of the Netflix routes: the engine as the service builds it, the fake publisher, and
// an httptest server standing in for the Netflix service's internal API.

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"provision.local/events"
	"provision.local/pkg/command"
	"provision.local/pkg/httpx"
	"provision.local/pkg/logging"
	"provision.local/pkg/submit"
	"provision.local/services/ingress/internal/adapters"
	"provision.local/services/ingress/internal/app"
	"provision.local/services/ingress/internal/ports"
)

const (
	enrolledPAI  = "4567890123456789"
	cancelledPAI = "1111111111111111"
	netflixPath  = "/v2/orgs/masmovil/tv/netflix/subscriptions"
	// enrollingKey is the Idempotency-Key of the create that enrolled enrolledPAI.
	enrollingKey = "enrolling-create"
	seedNetflix  = `{"external_id":"external_subscription_12345","billing_event_id":"e307f177-091a-4840-9830-dda1c29eea44",
"bundle_id":"c2a45099-1cda-4178-83a8-02c02356ea01","channel":"WEB","netflix_email":"test@email.com",
"netflix_offer_id":"2106f808-36e9-402d-bf37-f1f7fa04776b","netflix_phone":"+525512345678",
"partner_account_id":%s,"partner_charge_country":"ES","preferred_language":"es-ES"}`
)

// fakeNetflix answers the enrolment check for two PAIs of masmovil (one enrolled by the create
// keyed enrollingKey, one cancelled)
// and 404 for any other; every other internal request gets 201 {"id":1} and is recorded.
type fakeNetflix struct {
	mu       sync.Mutex
	srv      *httptest.Server
	requests []string // method, path and Idempotency-Key
}

func newFakeNetflix(t *testing.T) *fakeNetflix {
	f := &fakeNetflix{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests = append(f.requests, r.Method+" "+r.URL.EscapedPath()+" "+r.Header.Get("Idempotency-Key"))
		f.mu.Unlock()
		switch r.URL.Path {
		case "/internal/v1/orgs/masmovil/subscriptions/" + enrolledPAI:
			writeJSON(w, http.StatusOK, `{"enrolled":true,"enrolledBy":"`+command.NewKeyedID("masmovil", events.ProviderNetflix, enrollingKey)+`"}`)
		case "/internal/v1/orgs/masmovil/subscriptions/" + cancelledPAI:
			writeJSON(w, http.StatusOK, `{"enrolled":false}`)
		default:
			if r.Method == http.MethodGet && !strings.HasSuffix(r.URL.Path, "/status") {
				writeJSON(w, http.StatusNotFound, `[{"code":"SUBSCRIPTION_NOT_FOUND","title":"NOT_FOUND","details":"no such subscription"}]`)
				return
			}
			writeJSON(w, http.StatusCreated, `{"id":1}`)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeNetflix) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

func newNetflixEnv(t *testing.T) (*gin.Engine, *fakePublisher, *fakeNetflix) {
	t.Helper()
	pub, netflix := &fakePublisher{}, newFakeNetflix(t)
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	client := adapters.NewClient(map[string]string{events.ProviderNetflix: netflix.srv.URL}, 5*time.Second)
	records := map[string]submit.OperationSource{events.ProviderNetflix: client.Records(events.ProviderNetflix)}
	ids := command.NewWorkflows("ingress-test-workflow-key")
	a := &ports.API{
		Spec:      spec,
		Submitter: submit.NewSubmitter(testSource, pub, ids, records, submit.KeyConfig{Window: time.Hour, CacheSize: 100, LookupTimeout: time.Second}),
		Workflows: app.NewWorkflows(ids, records),
		Internal:  client,
	}
	tokens, err := httpx.ParseTokens("dev-masmovil=masmovil")
	if err != nil {
		t.Fatal(err)
	}
	engine := httpx.NewEngine(httpx.Options{Service: "ingress", Log: logging.NewWithOutput("ingress", "panic", io.Discard)})
	if err := ports.Register(engine, a, tokens, ports.Routes); err != nil {
		t.Fatal(err)
	}
	return engine, pub, netflix
}

func TestNetflixRoutes(t *testing.T) {
	sub := netflixPath + "/" + enrolledPAI
	tests := []struct {
		name, method, target, body string
		key                        string // the Idempotency-Key; "" for none
		status                     int
		// ceType and payload are the command written; "" for none.
		ceType  string
		payload string
		// internal is the internal request forwarded last; "" for none checked.
		internal string
		code     string // the error code answered; "" for a success
	}{
		{name: "create201", method: http.MethodPost, target: netflixPath, body: strings.Replace(seedNetflix, "%s", "9876543210987654", 1),
			status: http.StatusCreated, ceType: events.TypeNetflixCreateSubscription,
			payload: `{"org":"masmovil","partnerAccountId":"9876543210987654","bundleId":"c2a45099-1cda-4178-83a8-02c02356ea01",` +
				`"offerId":"2106f808-36e9-402d-bf37-f1f7fa04776b","channel":"WEB","email":"test@email.com","phone":"+525512345678",` +
				`"chargeCountry":"ES","preferredLanguage":"es-ES","externalId":"external_subscription_12345","billingEventId":"e307f177-091a-4840-9830-dda1c29eea44"}`},
		{name: "createPAIAsString201", method: http.MethodPost, target: netflixPath, body: strings.Replace(seedNetflix, "%s", `"0012"`, 1),
			status: http.StatusCreated, ceType: events.TypeNetflixCreateSubscription},
		{name: "createAfterCancel201", method: http.MethodPost, target: netflixPath, body: strings.Replace(seedNetflix, "%s", cancelledPAI, 1),
			status: http.StatusCreated, ceType: events.TypeNetflixCreateSubscription},
		{name: "createEnrolled409", method: http.MethodPost, target: netflixPath, body: strings.Replace(seedNetflix, "%s", enrolledPAI, 1),
			status: http.StatusConflict, code: ports.CodeAlreadyEnrolled},
		{name: "createEnrolledWithAnotherKey409", method: http.MethodPost, target: netflixPath, body: strings.Replace(seedNetflix, "%s", enrolledPAI, 1),
			key: "another-create", status: http.StatusConflict, code: ports.CodeAlreadyEnrolled},
		{name: "createRetriedAfterItEnrolled201", method: http.MethodPost, target: netflixPath, body: strings.Replace(seedNetflix, "%s", enrolledPAI, 1),
			key: enrollingKey, status: http.StatusCreated, ceType: events.TypeNetflixCreateSubscription},
		{name: "update204", method: http.MethodPatch, target: sub, body: `{"netflix_offer_id":"00000000-0000-4000-8000-000000000004"}`,
			status: http.StatusNoContent, ceType: events.TypeNetflixUpdateSubscription,
			payload: `{"org":"masmovil","partnerAccountId":"4567890123456789","offerId":"00000000-0000-4000-8000-000000000004"}`},
		{name: "updateUnknown404", method: http.MethodPatch, target: netflixPath + "/42", body: `{"channel":"WEB"}`,
			status: http.StatusNotFound, code: httpx.CodeSubscriptionNotFound},
		{name: "cancel204", method: http.MethodDelete, target: sub + "?cancel_event_id=c1&cancel_reason=CUSTOMER_REQUESTED_CANCEL",
			status: http.StatusNoContent, ceType: events.TypeNetflixCancelSubscription,
			payload: `{"org":"masmovil","partnerAccountId":"4567890123456789","cancelEventId":"c1","cancelReason":"CUSTOMER_REQUESTED_CANCEL"}`},
		{name: "cancelUnknown404", method: http.MethodDelete, target: netflixPath + "/42?cancel_event_id=c1&cancel_reason=X",
			status: http.StatusNotFound, code: httpx.CodeSubscriptionNotFound},
		{name: "suspend204", method: http.MethodPost, target: sub + "/suspend", body: `{"suspend_event_id":"s1","reason":"PAYMENT_INSTRUMENT_FAILURE"}`,
			status: http.StatusNoContent, ceType: events.TypeNetflixSuspendSubscription,
			payload: `{"org":"masmovil","partnerAccountId":"4567890123456789","suspendEventId":"s1","reason":"PAYMENT_INSTRUMENT_FAILURE"}`},
		{name: "reactivate204", method: http.MethodPost, target: sub + "/reactivate", body: `{"reactivate_event_id":"r1"}`,
			status: http.StatusNoContent, ceType: events.TypeNetflixReactivateSubscription,
			payload: `{"org":"masmovil","partnerAccountId":"4567890123456789","reactivateEventId":"r1"}`},
		{name: "geturlForwardedWithAKey", method: http.MethodPost, target: sub + "/geturl", body: `{"token_error_url":"https://e.example/err","type":"BUNDLE"}`,
			status: http.StatusCreated, internal: "POST /internal/v1/orgs/masmovil/subscriptions/4567890123456789/geturl"},
		{name: "statusForwarded", method: http.MethodGet, target: sub + "/status",
			status: http.StatusCreated, internal: "GET /internal/v1/orgs/masmovil/subscriptions/4567890123456789/status"},
		{name: "digitalvirgoForwardedWithAKey", method: http.MethodPost, target: sub + "/digitalvirgo", body: `{"phone_number":"+525512345678"}`,
			status: http.StatusCreated, internal: "POST /internal/v1/orgs/masmovil/subscriptions/4567890123456789/digitalvirgo"},
		{name: "digitalvirgoDeleteForwardedWithAKey", method: http.MethodDelete, target: sub + "/digitalvirgo/%2B525512345678",
			status: http.StatusCreated, internal: "DELETE /internal/v1/orgs/masmovil/subscriptions/4567890123456789/digitalvirgo/+525512345678"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			engine, pub, netflix := newNetflixEnv(t)
			var rd io.Reader
			if tt.body != "" {
				rd = strings.NewReader(tt.body)
			}
			req := httptest.NewRequest(tt.method, tt.target, rd)
			req.Header.Set("Authorization", "Bearer "+tokenMasmovil)
			req.Header.Set(httpx.HeaderCorrelationID, seedCorrID)
			req.Header.Set("Content-Type", "application/json")
			if tt.key != "" {
				req.Header.Set(ports.HeaderIdempotencyKey, tt.key)
			}
			w := httptest.NewRecorder()
			engine.ServeHTTP(w, req)
			if w.Code != tt.status {
				t.Fatalf("answer %d %s, want %d", w.Code, w.Body, tt.status)
			}
			if tt.code != "" {
				if errs := assertSeedErrors(t, w); errs[0].Code != tt.code {
					t.Fatalf("code %s, want %s", errs[0].Code, tt.code)
				}
			}
			got := pub.events()
			if tt.ceType == "" {
				if len(got) != 0 {
					t.Fatalf("%d commands written, want none", len(got))
				}
			} else {
				if len(got) != 1 || got[0].topic != events.TopicNetflixCommands || got[0].event.Type() != tt.ceType {
					t.Fatalf("written %+v, want one %s on %s", got, tt.ceType, events.TopicNetflixCommands)
				}
				if err := events.Validate(got[0].event.Type(), got[0].event.Data()); err != nil {
					t.Fatalf("the command does not meet its schema: %v", err)
				}
				var p map[string]any
				if err := json.Unmarshal(got[0].event.Data(), &p); err != nil {
					t.Fatal(err)
				}
				if key := string(got[0].msg.Key); key != p["partnerAccountId"] {
					t.Errorf("record key %q, want the PAI %v", key, p["partnerAccountId"])
				}
				if tt.payload != "" {
					assertJSONEqual(t, "payload", got[0].event.Data(), []byte(tt.payload))
				}
			}
			if tt.internal != "" {
				calls := netflix.calls()
				last := calls[len(calls)-1]
				keyed := tt.method != http.MethodGet
				if !strings.HasPrefix(last, tt.internal+" ") || keyed == strings.HasSuffix(last, " ") {
					t.Fatalf("internal request %q, want %q with a key: %v", last, tt.internal, keyed)
				}
			}
		})
	}
}
