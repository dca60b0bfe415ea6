package ports_test

// API tests of the HBO routes: the engine as the service builds it, the fake publisher, and an
// httptest server standing in for the HBO service's internal API.

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
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
	// hboKnown is the one subscription the fake HBO service has, in masmovil.
	hboKnown = "4567890123456789"
	hboPath  = "/v2/orgs/masmovil/tv/hbo/subscriptions"
	// hboProduct is the seed's product; hboProductEvent is the same product as the catalog writes it.
	hboProduct      = `{"code":"MAX_AVOD","name":"MAX Ad VOD","starts":1616425200,"renews":1616425200,"expires":1616425200,"sub_id":"1d732753-ae1f-45f8-82f7-7243d395b1ac","status":"ACTIVE","trx_id":1234567890}`
	hboProductEvent = `{"code":"MAX_AVOD","name":"MAX Ad VOD","starts":1616425200,"renews":1616425200,"expires":1616425200,"subId":"1d732753-ae1f-45f8-82f7-7243d395b1ac","status":"ACTIVE","trxId":"1234567890"}`
	hboURL          = "https://hbo.example/activate/abc"
)

// hboBody is a body of the seed's shape: external_id 1234567890123456, country ES and fields
// (products, reason, ...) as given.
func hboBody(fields string) string {
	return `{"external_id":1234567890123456,"country":"ES"` + fields + `}`
}

// hboProducts is n products of distinct codes, as a request and the catalog write them.
func hboProducts(n int) string {
	codes := make([]string, n)
	for i := range codes {
		codes[i] = `{"code":"MAX_` + strconv.Itoa(i) + `"}`
	}
	return strings.Join(codes, ",")
}

// fakeHBO answers the internal GET of hboKnown with its products, 404 SUBSCRIPTION_NOT_FOUND for
// any other subscription, and the activation URL of any, but 409 EXTERNAL_ID_MISMATCH for the
// customer 999; it records every request.
type fakeHBO struct {
	mu       sync.Mutex
	srv      *httptest.Server
	requests []string // method, path and Idempotency-Key
}

func newFakeHBO(t *testing.T) *fakeHBO {
	f := &fakeHBO{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests = append(f.requests, r.Method+" "+r.URL.EscapedPath()+" "+r.Header.Get("Idempotency-Key"))
		f.mu.Unlock()
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/internal/v1/orgs/masmovil/subscriptions/"+hboKnown:
			writeJSON(w, http.StatusOK, `{"products":[`+hboProduct+`]}`)
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/activation_url"):
			body, _ := io.ReadAll(r.Body)
			if strings.Contains(string(body), `"external_id":999`) {
				writeJSON(w, http.StatusConflict, `[{"code":"EXTERNAL_ID_MISMATCH","title":"CONFLICT","details":"the externalId is not the subscription's customer"}]`)
				return
			}
			writeJSON(w, http.StatusOK, `{"url":"`+hboURL+`"}`)
		default:
			writeJSON(w, http.StatusNotFound, `[{"code":"SUBSCRIPTION_NOT_FOUND","title":"NOT_FOUND","details":"no such subscription"}]`)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeHBO) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

func newHBOEnv(t *testing.T) (*gin.Engine, *fakePublisher, *fakeHBO) {
	t.Helper()
	pub, hbo := &fakePublisher{}, newFakeHBO(t)
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	client := adapters.NewClient(map[string]string{events.ProviderHBO: hbo.srv.URL}, 5*time.Second)
	records := map[string]submit.OperationSource{events.ProviderHBO: client.Records(events.ProviderHBO)}
	ids := command.NewWorkflows("ingress-test-workflow-key")
	a := &ports.API{
		Spec:      spec,
		Submitter: submit.NewSubmitter(testSource, pub, ids, records, submit.KeyConfig{Window: time.Hour, CacheSize: 100, LookupTimeout: time.Second}),
		Workflows: app.NewWorkflows(ids, records),
		Internal:  client,
	}
	tokens, err := httpx.ParseTokens("dev-masmovil=masmovil,dev-yoigo=yoigo")
	if err != nil {
		t.Fatal(err)
	}
	engine := httpx.NewEngine(httpx.Options{Service: "ingress", Log: logging.NewWithOutput("ingress", "panic", io.Discard)})
	if err := ports.Register(engine, a, tokens, ports.Routes); err != nil {
		t.Fatal(err)
	}
	return engine, pub, hbo
}

// serveHBO sends one request to the engine with the masmovil token, the content type and, unless
// corrID is "", the correlation id.
func serveHBO(engine *gin.Engine, method, target, corrID, body string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	req.Header.Set("Authorization", "Bearer "+tokenMasmovil)
	req.Header.Set("Content-Type", "application/json")
	if corrID != "" {
		req.Header.Set(httpx.HeaderCorrelationID, corrID)
	}
	w := httptest.NewRecorder()
	engine.ServeHTTP(w, req)
	return w
}

func TestHBORoutes(t *testing.T) {
	sub := hboPath + "/" + hboKnown
	unknown := hboPath + "/42"
	products := `,"products":[` + hboProduct + `]`
	tests := []struct {
		name, method, target, body string
		noCorrID                   bool
		status                     int
		// ceType and payload are the command written; "" for none.
		ceType  string
		payload string
		// internal is the internal request forwarded last; "" for none checked.
		internal string
		code     string // the error code answered; "" for a success
		named    string // what the error's details name, for a 400
	}{
		{name: "create202", method: http.MethodPost, target: hboPath, body: hboBody(`,"service_id":1234567890123456` + products),
			status: http.StatusAccepted, ceType: events.TypeHBOCreateSubscription,
			payload: `{"org":"masmovil","serviceId":"1234567890123456","externalId":"1234567890123456","country":"ES","products":[` + hboProductEvent + `]}`},
		{name: "createSeventeenDigitsKeptExact202", method: http.MethodPost, target: hboPath,
			body:   `{"service_id":12345678901234567,"external_id":"98765432109876543","country":"GB","products":[{"code":"MAX_AD_FREE"}]}`,
			status: http.StatusAccepted, ceType: events.TypeHBOCreateSubscription,
			payload: `{"org":"masmovil","serviceId":"12345678901234567","externalId":"98765432109876543","country":"GB","products":[{"code":"MAX_AD_FREE"}]}`},
		{name: "cancel202WithoutAsking", method: http.MethodPut, target: unknown + "/cancel", body: hboBody(`,"reason":"PRODUCT_CANCELED"` + products),
			status: http.StatusAccepted, ceType: events.TypeHBOCancelSubscription,
			payload: `{"org":"masmovil","serviceId":"42","externalId":"1234567890123456","reason":"PRODUCT_CANCELED","country":"ES","products":[` + hboProductEvent + `]}`},
		{name: "update202", method: http.MethodPatch, target: sub, body: hboBody(`,"reason":"PRODUCT_CHANGED","products_to_add":[{"code":"MAX_AD_FREE"}]`),
			status: http.StatusAccepted, ceType: events.TypeHBOUpdateSubscription,
			payload: `{"org":"masmovil","serviceId":"4567890123456789","externalId":"1234567890123456","country":"ES","reason":"PRODUCT_CHANGED","productsToAdd":[{"code":"MAX_AD_FREE"}]}`},
		{name: "updateUnknown404", method: http.MethodPatch, target: unknown, body: hboBody(`,"products_to_remove":[{"code":"MAX_AVOD"}]`),
			status: http.StatusNotFound, code: httpx.CodeSubscriptionNotFound},
		{name: "activate202WithoutAsking", method: http.MethodPost, target: unknown + "/activate", body: hboBody(products),
			status: http.StatusAccepted, ceType: events.TypeHBOActivateSubscription,
			payload: `{"org":"masmovil","serviceId":"42","externalId":"1234567890123456","country":"ES","products":[` + hboProductEvent + `]}`},
		{name: "reactivate202", method: http.MethodPost, target: sub + "/reactivate", body: hboBody(products),
			status: http.StatusAccepted, ceType: events.TypeHBOReactivateSubscription,
			payload: `{"org":"masmovil","serviceId":"4567890123456789","externalId":"1234567890123456","country":"ES","products":[` + hboProductEvent + `]}`},
		{name: "reactivateUnknown404", method: http.MethodPost, target: unknown + "/reactivate", body: hboBody(products),
			status: http.StatusNotFound, code: httpx.CodeSubscriptionNotFound},
		{name: "suspend202", method: http.MethodPost, target: sub + "/suspend", body: hboBody(`,"reason":"OFFER_EXPIRED"` + products),
			status: http.StatusAccepted, ceType: events.TypeHBOSuspendSubscription,
			payload: `{"org":"masmovil","serviceId":"4567890123456789","externalId":"1234567890123456","reason":"OFFER_EXPIRED","country":"ES","products":[` + hboProductEvent + `]}`},
		{name: "suspendUnknown404", method: http.MethodPost, target: unknown + "/suspend", body: hboBody(`,"reason":"OFFER_EXPIRED"` + products),
			status: http.StatusNotFound, code: httpx.CodeSubscriptionNotFound},
		{name: "getForwarded", method: http.MethodGet, target: sub,
			status: http.StatusOK, internal: "GET /internal/v1/orgs/masmovil/subscriptions/4567890123456789"},
		{name: "getUnknown404", method: http.MethodGet, target: unknown,
			status: http.StatusNotFound, code: httpx.CodeSubscriptionNotFound},
		{name: "activationURLWithoutCorrelationIDForwardedWithAKey", method: http.MethodPost, target: sub + "/activation_url", body: hboBody(products),
			noCorrID: true, status: http.StatusOK, internal: "POST /internal/v1/orgs/masmovil/subscriptions/4567890123456789/activation_url"},
		{name: "activationURLAnotherCustomer409", method: http.MethodPost, target: sub + "/activation_url",
			body:   `{"external_id":999,"country":"ES"` + products + `}`,
			status: http.StatusConflict, code: "EXTERNAL_ID_MISMATCH", named: "customer",
			internal: "POST /internal/v1/orgs/masmovil/subscriptions/4567890123456789/activation_url"},

		{name: "createLowercaseCountry400", method: http.MethodPost, target: hboPath,
			body:   strings.Replace(hboBody(`,"service_id":1`+products), `"ES"`, `"es"`, 1),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "country"},
		{name: "createUnassignedCountryXX400", method: http.MethodPost, target: hboPath,
			body:   strings.Replace(hboBody(`,"service_id":1`+products), `"ES"`, `"XX"`, 1),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "country"},
		{name: "createReservedCountryZZ400", method: http.MethodPost, target: hboPath,
			body:   strings.Replace(hboBody(`,"service_id":1`+products), `"ES"`, `"ZZ"`, 1),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "country"},
		{name: "createWithoutProducts400", method: http.MethodPost, target: hboPath, body: hboBody(`,"service_id":1`),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "products"},
		{name: "createServiceIDNotDigits400", method: http.MethodPost, target: hboPath, body: hboBody(`,"service_id":"12ab"` + products),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "service_id"},
		{name: "createServiceIDFraction400", method: http.MethodPost, target: hboPath, body: hboBody(`,"service_id":12.5` + products),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "service_id"},
		{name: "createServiceIDExponent400", method: http.MethodPost, target: hboPath, body: hboBody(`,"service_id":1e3` + products),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "service_id"},
		{name: "createServiceIDNegativeZero400", method: http.MethodPost, target: hboPath, body: hboBody(`,"service_id":-0` + products),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "service_id"},
		{name: "createExternalIDOnePointZero400", method: http.MethodPost, target: hboPath,
			body:   strings.Replace(hboBody(`,"service_id":1`+products), `1234567890123456`, `1.0`, 1),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "external_id"},
		{name: "createStartsWithAFraction400", method: http.MethodPost, target: hboPath,
			body:   hboBody(`,"service_id":1,"products":[{"code":"MAX_AVOD","starts":1616425200.0}]`),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "products.0.starts"},
		{name: "createExpiresWithAnExponent400", method: http.MethodPost, target: hboPath,
			body:   hboBody(`,"service_id":1,"products":[{"code":"MAX_AVOD","expires":1.6164252e9}]`),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "products.0.expires"},
		{name: "suspendTrxIDExponent400", method: http.MethodPost, target: sub + "/suspend",
			body:   hboBody(`,"reason":"OFFER_EXPIRED","products":[{"code":"MAX_AVOD","trx_id":1e3}]`),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "products.0.trx_id"},
		{name: "updateExternalIDExponent400", method: http.MethodPatch, target: sub,
			body:   `{"external_id":1e3,"products_to_add":[{"code":"MAX_AD_FREE"}]}`,
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "external_id"},
		{name: "createSixtyFiveProducts400", method: http.MethodPost, target: hboPath,
			body:   hboBody(`,"service_id":1,"products":[` + hboProducts(65) + `]`),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "products"},
		{name: "createSixtyFourProducts202", method: http.MethodPost, target: hboPath,
			body:   hboBody(`,"service_id":1,"products":[` + hboProducts(64) + `]`),
			status: http.StatusAccepted, ceType: events.TypeHBOCreateSubscription,
			payload: `{"org":"masmovil","serviceId":"1","externalId":"1234567890123456","country":"ES","products":[` + hboProducts(64) + `]}`},
		{name: "createTrxIDBeyondInt64400", method: http.MethodPost, target: hboPath,
			body:   hboBody(`,"service_id":1,"products":[{"code":"MAX_AVOD","trx_id":9223372036854775808}]`),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "products.0.trx_id"},
		{name: "createSameCodeTwice400", method: http.MethodPost, target: hboPath,
			body:   hboBody(`,"service_id":1,"products":[{"code":"MAX_AVOD"},{"code":"MAX_HD"},{"code":"MAX_AVOD"}]`),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "products.2.code"},
		{name: "updateSameCodeTwiceToRemove400", method: http.MethodPatch, target: sub,
			body:   hboBody(`,"products_to_remove":[{"code":"MAX_AVOD"},{"code":"MAX_AVOD"}]`),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "products_to_remove.1.code"},
		{name: "createServiceIDLeadingZero400", method: http.MethodPost, target: hboPath, body: hboBody(`,"service_id":"0123"` + products),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "service_id"},
		{name: "cancelExternalIDLeadingZero400", method: http.MethodPut, target: sub + "/cancel",
			body:   `{"external_id":"01234567890123456","reason":"PRODUCT_CANCELED"` + products + `}`,
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "external_id"},
		{name: "suspendPathLeadingZero400", method: http.MethodPost, target: hboPath + "/0" + hboKnown + "/suspend", body: hboBody(`,"reason":"OFFER_EXPIRED"` + products),
			status: http.StatusBadRequest, code: codeInvalidPathParameter, named: "service_id"},
		{name: "getPathLeadingZero400", method: http.MethodGet, target: hboPath + "/0123",
			status: http.StatusBadRequest, code: codeInvalidPathParameter, named: "service_id"},
		{name: "createServiceIDStringZero202", method: http.MethodPost, target: hboPath, body: hboBody(`,"service_id":"0"` + products),
			status: http.StatusAccepted, ceType: events.TypeHBOCreateSubscription,
			payload: `{"org":"masmovil","serviceId":"0","externalId":"1234567890123456","country":"ES","products":[` + hboProductEvent + `]}`},
		{name: "createStringForStarts400", method: http.MethodPost, target: hboPath,
			body:   hboBody(`,"service_id":1,"products":[{"code":"MAX_AVOD","starts":"1616425200"}]`),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "products.0.starts"},
		{name: "createNumberForCode400", method: http.MethodPost, target: hboPath, body: hboBody(`,"service_id":1,"products":[{"code":42}]`),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "products.0.code"},
		{name: "cancelUnknownReason400", method: http.MethodPut, target: sub + "/cancel", body: hboBody(`,"reason":"CUSTOMER_LEFT"` + products),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "reason"},
		{name: "suspendWithoutReason400", method: http.MethodPost, target: sub + "/suspend", body: hboBody(products),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: "reason"},
		{name: "updateWithoutProducts400", method: http.MethodPatch, target: sub, body: hboBody(`,"reason":"PRODUCT_CHANGED"`),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, named: `"products_to_add", "products_to_remove"`},
		{name: "serviceIDPathNotDigits400", method: http.MethodPost, target: hboPath + "/abc/activate", body: hboBody(products),
			status: http.StatusBadRequest, code: codeInvalidPathParameter, named: "service_id"},
		{name: "unservedOrg400", method: http.MethodPost, target: "/v2/orgs/acme/tv/hbo/subscriptions", body: hboBody(`,"service_id":1` + products),
			status: http.StatusBadRequest, code: ports.CodeInvalidOrgID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			engine, pub, hbo := newHBOEnv(t)
			corrID := seedCorrID
			if tt.noCorrID {
				corrID = ""
			}
			w := serveHBO(engine, tt.method, tt.target, corrID, tt.body)
			if w.Code != tt.status {
				t.Fatalf("answer %d %s, want %d", w.Code, w.Body, tt.status)
			}
			if tt.code != "" {
				errs := assertSeedErrors(t, w)
				if errs[0].Code != tt.code {
					t.Fatalf("code %s, want %s: %s", errs[0].Code, tt.code, w.Body)
				}
				var details []string
				for _, e := range errs {
					details = append(details, e.Details)
				}
				if !strings.Contains(strings.Join(details, "\n"), tt.named) {
					t.Fatalf("no error names %s: %s", tt.named, w.Body)
				}
			}
			got := pub.events()
			if tt.ceType == "" {
				if len(got) != 0 {
					t.Fatalf("%d commands written, want none", len(got))
				}
			} else {
				if len(got) != 1 || got[0].topic != events.TopicHBOCommands || got[0].event.Type() != tt.ceType {
					t.Fatalf("written %+v, want one %s on %s", got, tt.ceType, events.TopicHBOCommands)
				}
				if err := events.Validate(got[0].event.Type(), got[0].event.Data()); err != nil {
					t.Fatalf("the command does not meet its schema: %v", err)
				}
				var p map[string]any
				if err := json.Unmarshal(got[0].event.Data(), &p); err != nil {
					t.Fatal(err)
				}
				if key := string(got[0].msg.Key); key != p["serviceId"] {
					t.Errorf("record key %q, want the service id %v", key, p["serviceId"])
				}
				assertJSONEqual(t, "payload", got[0].event.Data(), []byte(tt.payload))
				var body struct{ Message, WorkflowID, RunID string }
				if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Message == "" ||
					body.WorkflowID != w.Header().Get(ports.HeaderWorkflowID) || body.RunID != got[0].event.ID() {
					t.Fatalf("202 body %s, want {message, workflowId, runId} of the command (%v)", w.Body, err)
				}
			}
			if tt.internal != "" {
				calls := hbo.calls()
				last := calls[len(calls)-1]
				keyed := tt.method != http.MethodGet
				if !strings.HasPrefix(last, tt.internal+" ") || keyed == strings.HasSuffix(last, " ") {
					t.Fatalf("internal request %q, want %q with a key: %v", last, tt.internal, keyed)
				}
			}
		})
	}
}

// 123 and "123" are the same id: the same request with the ids as numbers or as strings is the
// same command (one workflow), keyed by the same digits.
func TestHBOIDsAsNumbersOrStringsAreTheSameCommand(t *testing.T) {
	engine, pub, _ := newHBOEnv(t)
	products := `,"products":[{"code":"MAX_AVOD"}]`
	asNumbers := serveHBO(engine, http.MethodPost, hboPath, seedCorrID,
		`{"service_id":1234567890123456,"external_id":123,"country":"ES"`+products+`}`)
	asStrings := serveHBO(engine, http.MethodPost, hboPath, seedCorrID,
		`{"service_id":"1234567890123456","external_id":"123","country":"ES"`+products+`}`)
	if asNumbers.Code != http.StatusAccepted || asStrings.Code != http.StatusAccepted {
		t.Fatalf("answers %d %s and %d %s, want 202", asNumbers.Code, asNumbers.Body, asStrings.Code, asStrings.Body)
	}
	if a, b := asNumbers.Header().Get(ports.HeaderWorkflowID), asStrings.Header().Get(ports.HeaderWorkflowID); a == "" || a != b {
		t.Fatalf("workflows %q and %q, want one", a, b)
	}
	for _, p := range pub.events() {
		if string(p.msg.Key) != "1234567890123456" {
			t.Fatalf("record key %q, want 1234567890123456", p.msg.Key)
		}
	}
}
