package ports_test

// API tests of the device insurance routes: the engine as the service builds it, the fake
// publisher, and an httptest server standing in for the insurance service's internal API.

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
	insurancePath = "/v2/orgs/masmovil/insurance/device"
	// Policies the fake insurance service knows for masmovil, and their states.
	policyActive     = "DI0000000042"
	policySuspended  = "DI0000000043"
	policyTerminated = "DI0000000044"
	policyReserved   = "DI0000000045"
	policyActive2    = "DI0000000046"
	// Phone numbers: one matching an active and a terminated policy, one matching an active and a
	// suspended one, one matching only the terminated one, one an active and a reserved one, one
	// two active ones, one a reserved and a terminated one.
	phoneOneRunning        = "666666666"
	phoneTwoRunning        = "611111111"
	phoneOnlyEnded         = "622222222"
	phoneActiveAndReserved = "633333333"
	phoneTwoActive         = "644444444"
	phoneOnlyReserved      = "655555555"
	realisticReserve       = `{"documentId":"00000000T","firstName":"juan","lastName1":"perez","msisdn":"666666666",
"email":"d@g.com","language":"es","brand":"Samsung","model":"Galaxy S24","price":899.9,"clientType":"Autónomo",
"imei":"356938035643809","terminalSaleDate":"2022-01-31T23:00:00Z","entity":"2100","officeCode":"0418","dc":"45",
"accountNumber":"0200051332"}`
	seedReserve = `{"documentId":"00000000F","firstName":"juan","lastName1":"perez","lastName2":"perez","msisdn":"666666666",
"address":"paseo de castellana, 4, 002B","email":"d@g.com","zipCode":"28000","locality":"madrid","province":"madrid",
"language":"allowed values: es => castellano, eu=> euskera, ga=>gallego, ca=>catalán","sfid":"1234","brand":"string",
"model":"string","price":2.2,"clientType":"Autónomo","invoicePayment":true,"productType":"Móvil","imei":"string",
"terminalSaleDate":"2022-01-31T23:00:00Z","entity":"string","officeCode":"string","dc":"string","accountNumber":"string",
"billingCycle":"string","salesChannel":"string"}`
	reserveAnswer = `{"requestId":"0b7e3c1a-5d2f-4c8e-9a41-6f3d2b1e7c05","policyNumber":"DI0000000042","monthlyFee":2.2,"annualFee":26.4}`
)

// fakeInsurance answers the policy lookups and searches of masmovil's three policies, 400
// INVALID_DOCUMENT to a reserve for a document starting with 9, 400 INVALID_FIELD to one without
// the account's dc, and 200 to any other reserve or search; it records every request.
type fakeInsurance struct {
	mu       sync.Mutex
	srv      *httptest.Server
	requests []string // method, path with query, and Idempotency-Key
}

func newFakeInsurance(t *testing.T) *fakeInsurance {
	f := &fakeInsurance{}
	states := map[string]string{policyActive: "ACTIVE", policySuspended: "SUSPENDED", policyTerminated: "TERMINATED",
		policyReserved: "RESERVED", policyActive2: "ACTIVE"}
	byPhone := map[string][]string{
		phoneOneRunning:        {policyActive, policyTerminated},
		phoneTwoRunning:        {policyActive, policySuspended},
		phoneOnlyEnded:         {policyTerminated},
		phoneActiveAndReserved: {policyReserved, policyActive},
		phoneTwoActive:         {policyActive, policyActive2},
		phoneOnlyReserved:      {policyTerminated, policyReserved},
	}
	notFound := `[{"code":"POLICY_NOT_FOUND","title":"NOT_FOUND","details":"no policy matches the query"}]`
	const policies = "/internal/v1/orgs/masmovil/policies"
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("Idempotency-Key"))
		f.mu.Unlock()
		switch {
		case r.Method == http.MethodPost && r.URL.Path == policies+"/reserve":
			var body struct{ DocumentID, DC string }
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil || strings.HasPrefix(body.DocumentID, "9") {
				writeJSON(w, http.StatusBadRequest, `[{"code":"INVALID_DOCUMENT","title":"BAD_REQUEST","details":"documentId: wrong control letter"}]`)
				return
			}
			if body.DC == "" {
				writeJSON(w, http.StatusBadRequest, `[{"code":"INVALID_FIELD","title":"BAD_REQUEST","details":"dc must be 2 digits"}]`)
				return
			}
			writeJSON(w, http.StatusOK, reserveAnswer)
		case r.Method == http.MethodGet && r.URL.Path == policies:
			if r.URL.Query().Get("document") != "" {
				writeJSON(w, http.StatusNotFound, notFound)
				return
			}
			var list []map[string]any
			for _, p := range byPhone[r.URL.Query().Get("phoneNumber")] {
				list = append(list, map[string]any{"policyNumber": p, "phoneNumber": r.URL.Query().Get("phoneNumber"), "state": states[p]})
			}
			b, _ := json.Marshal(list)
			writeJSON(w, http.StatusOK, string(b))
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, policies+"/"):
			number := strings.TrimPrefix(r.URL.Path, policies+"/")
			if s, ok := states[number]; ok {
				writeJSON(w, http.StatusOK, `{"policyNumber":"`+number+`","state":"`+s+`"}`)
				return
			}
			writeJSON(w, http.StatusNotFound, notFound)
		case strings.Contains(r.URL.Path, "/operations/"):
			writeJSON(w, http.StatusNotFound, `[{"code":"OPERATION_NOT_FOUND","title":"NOT_FOUND","details":"no such operation"}]`)
		default:
			writeJSON(w, http.StatusNotFound, `[{"code":"NOT_FOUND","title":"NOT_FOUND","details":"no route"}]`)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeInsurance) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

func newInsuranceEnv(t *testing.T) (*gin.Engine, *fakePublisher, *fakeInsurance) {
	t.Helper()
	pub, insurance := &fakePublisher{}, newFakeInsurance(t)
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	client := adapters.NewClient(map[string]string{events.ProviderInsurance: insurance.srv.URL}, 5*time.Second)
	records := map[string]submit.OperationSource{events.ProviderInsurance: client.Records(events.ProviderInsurance)}
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
	return engine, pub, insurance
}

func insuranceRequest(engine *gin.Engine, method, target, token, body string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set(httpx.HeaderCorrelationID, seedCorrID)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	engine.ServeHTTP(w, req)
	return w
}

func TestInsuranceRoutes(t *testing.T) {
	tests := []struct {
		name, method, target, body string
		token                      string // tokenMasmovil when ""
		status                     int
		// ceType, policy and payload are the command written (policy its record key); "" for none.
		ceType, policy, payload string
		// internal is the internal request forwarded last, with its query; "" for none checked.
		internal string
		keyed    bool // the internal request carries an Idempotency-Key
		code     string
		fields   []string // the fields a 400 names
		count    int      // how many errors a 400 has; not checked when 0
		// noInternal: nothing reaches the insurance service.
		noInternal bool
	}{
		{name: "reserve200Forwarded", method: http.MethodPost, target: insurancePath + "/reserve", body: realisticReserve,
			status: http.StatusOK, internal: "POST /internal/v1/orgs/masmovil/policies/reserve", keyed: true},
		{name: "reserve400SeedPlaceholders", method: http.MethodPost, target: insurancePath + "/reserve", body: seedReserve,
			status: http.StatusBadRequest, code: ports.CodeInvalidField, noInternal: true,
			fields: []string{"language", "imei", "entity", "officeCode", "dc", "accountNumber"}},
		{name: "reserve400MissingRequired", method: http.MethodPost, target: insurancePath + "/reserve", body: `{"brand":"Samsung"}`,
			status: http.StatusBadRequest, code: ports.CodeInvalidField, noInternal: true,
			fields: []string{"documentId", "firstName", "email", "language", "model", "price"}},
		{name: "reserve400BadLanguage", method: http.MethodPost, target: insurancePath + "/reserve",
			body:   strings.Replace(realisticReserve, `"language":"es"`, `"language":"fr"`, 1),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, fields: []string{"language"}, noInternal: true},
		{name: "reserve400NegativePrice", method: http.MethodPost, target: insurancePath + "/reserve",
			body:   strings.Replace(realisticReserve, `"price":899.9`, `"price":-1`, 1),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, fields: []string{"price"}, count: 1, noInternal: true},
		{name: "reserve400PriceBelowACent", method: http.MethodPost, target: insurancePath + "/reserve",
			body:   strings.Replace(realisticReserve, `"price":899.9`, `"price":0.001`, 1),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, fields: []string{"price"}, count: 1, noInternal: true},
		{name: "reserve400PriceAboveTheInsurersRange", method: http.MethodPost, target: insurancePath + "/reserve",
			body:   strings.Replace(realisticReserve, `"price":899.9`, `"price":100001`, 1),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, fields: []string{"price"}, count: 1, noInternal: true},
		{name: "reserve200PriceAtTheInsurersMaximum", method: http.MethodPost, target: insurancePath + "/reserve",
			body:   strings.Replace(realisticReserve, `"price":899.9`, `"price":100000`, 1),
			status: http.StatusOK, internal: "POST /internal/v1/orgs/masmovil/policies/reserve", keyed: true},
		{name: "reserve400ZeroPrice", method: http.MethodPost, target: insurancePath + "/reserve",
			body:   strings.Replace(realisticReserve, `"price":899.9`, `"price":0`, 1),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, fields: []string{"price"}, noInternal: true},
		{name: "reserve400BadSaleDate", method: http.MethodPost, target: insurancePath + "/reserve",
			body:   strings.Replace(realisticReserve, `2022-01-31T23:00:00Z`, `31/01/2022`, 1),
			status: http.StatusBadRequest, code: ports.CodeInvalidField, fields: []string{"terminalSaleDate"}, noInternal: true},
		{name: "reserve400ControlLetterFromTheService", method: http.MethodPost, target: insurancePath + "/reserve",
			body: strings.Replace(realisticReserve, `00000000T`, `90000000T`, 1), status: http.StatusBadRequest, code: "INVALID_DOCUMENT"},
		{name: "reserve400PartialAccountFromTheService", method: http.MethodPost, target: insurancePath + "/reserve",
			body: strings.Replace(realisticReserve, `"dc":"45",`, ``, 1), status: http.StatusBadRequest, code: ports.CodeInvalidField},
		{name: "requestinfo404ForwardsOnlyTheCriteria", method: http.MethodGet, target: insurancePath + "/requestinfo?phoneNumber=666666666&document=00000000T&foo=bar",
			status: http.StatusNotFound, code: ports.CodePolicyNotFound,
			internal: "GET /internal/v1/orgs/masmovil/policies?document=00000000T&phoneNumber=666666666"},
		{name: "requestinfo200ByPhone", method: http.MethodGet, target: insurancePath + "/requestinfo?phoneNumber=666666666",
			status: http.StatusOK, internal: "GET /internal/v1/orgs/masmovil/policies?phoneNumber=666666666"},
		{name: "requestinfo400NoCriterion", method: http.MethodGet, target: insurancePath + "/requestinfo",
			status: http.StatusBadRequest, code: ports.CodeInvalidQuery, noInternal: true},
		{name: "requestinfo400BadPhone", method: http.MethodGet, target: insurancePath + "/requestinfo?phoneNumber=string",
			status: http.StatusBadRequest, code: ports.CodeInvalidQuery, noInternal: true},
		{name: "requestinfo403AnotherOrgsToken", method: http.MethodGet, target: insurancePath + "/requestinfo?phoneNumber=666666666",
			token: tokenYoigo, status: http.StatusForbidden, code: httpx.CodeForbidden, noInternal: true},
		{name: "cancel200", method: http.MethodPost, target: insurancePath + "/cancel", body: `{"policyNumber":"DI0000000042","document":"00000000T"}`,
			status: http.StatusOK, ceType: events.TypeInsuranceCancelPolicy, policy: policyActive,
			payload: `{"org":"masmovil","policyNumber":"DI0000000042","document":"00000000T"}`},
		{name: "cancel404UnknownPolicy", method: http.MethodPost, target: insurancePath + "/cancel", body: `{"policyNumber":"DI0000000999"}`,
			status: http.StatusNotFound, code: ports.CodePolicyNotFound},
		{name: "cancel400SeedPlaceholders", method: http.MethodPost, target: insurancePath + "/cancel", body: `{"policyNumber":"string","document":"string"}`,
			status: http.StatusBadRequest, code: ports.CodeInvalidField, fields: []string{"policyNumber", "document"}, noInternal: true},
		{name: "activate200", method: http.MethodPost, target: insurancePath + "/activate",
			body:   `{"requestId":"0b7e3c1a-5d2f-4c8e-9a41-6f3d2b1e7c05","policyNumber":"DI0000000042","imei":"356938035643809","document":"00000000T","externalReference":"ACT-1"}`,
			status: http.StatusOK, ceType: events.TypeInsuranceActivatePolicy, policy: policyActive,
			payload: `{"org":"masmovil","requestId":"0b7e3c1a-5d2f-4c8e-9a41-6f3d2b1e7c05","policyNumber":"DI0000000042","imei":"356938035643809","document":"00000000T","externalReference":"ACT-1"}`},
		{name: "activate400MissingRequired", method: http.MethodPost, target: insurancePath + "/activate", body: `{"policyNumber":"DI0000000042"}`,
			status: http.StatusBadRequest, code: ports.CodeInvalidField, fields: []string{"requestId", "imei", "document"}, noInternal: true},
		{name: "terminate200", method: http.MethodPost, target: insurancePath + "/terminate", body: `{"policyNumber":"DI0000000043","reason":"device sold"}`,
			status: http.StatusOK, ceType: events.TypeInsuranceTerminatePolicy, policy: policySuspended,
			payload: `{"org":"masmovil","policyNumber":"DI0000000043","reason":"device sold"}`},
		{name: "terminate400MissingPolicy", method: http.MethodPost, target: insurancePath + "/terminate", body: `{"reason":"device sold"}`,
			status: http.StatusBadRequest, code: ports.CodeInvalidField, fields: []string{"policyNumber"}, noInternal: true},
		{name: "suspend200ByPolicyNumber", method: http.MethodPost, target: insurancePath + "/suspend", body: `{"policyNumber":"DI0000000042"}`,
			status: http.StatusOK, ceType: events.TypeInsuranceSuspendPolicy, policy: policyActive,
			payload: `{"org":"masmovil","policyNumber":"DI0000000042"}`},
		{name: "suspend200ByPhoneTheOneRunningPolicy", method: http.MethodPost, target: insurancePath + "/suspend",
			body: `{"phoneNumber":"666666666","externalReference":"EXT-1"}`, status: http.StatusOK,
			ceType: events.TypeInsuranceSuspendPolicy, policy: policyActive,
			payload: `{"org":"masmovil","policyNumber":"DI0000000042","phoneNumber":"666666666","externalReference":"EXT-1"}`},
		{name: "suspend200ByPhoneTheActiveOfAnActiveAndASuspended", method: http.MethodPost, target: insurancePath + "/suspend",
			body: `{"phoneNumber":"611111111"}`, status: http.StatusOK, ceType: events.TypeInsuranceSuspendPolicy, policy: policyActive,
			payload: `{"org":"masmovil","policyNumber":"` + policyActive + `","phoneNumber":"611111111"}`},
		{name: "reconnect200ByPhoneTheSuspendedOfAnActiveAndASuspended", method: http.MethodPost, target: insurancePath + "/reconnect",
			body: `{"phoneNumber":"611111111"}`, status: http.StatusOK, ceType: events.TypeInsuranceReconnectPolicy, policy: policySuspended,
			payload: `{"org":"masmovil","policyNumber":"` + policySuspended + `","phoneNumber":"611111111"}`},
		{name: "suspend200ByPhoneTheActiveOfAnActiveAndAReserved", method: http.MethodPost, target: insurancePath + "/suspend",
			body: `{"phoneNumber":"633333333"}`, status: http.StatusOK, ceType: events.TypeInsuranceSuspendPolicy, policy: policyActive,
			payload: `{"org":"masmovil","policyNumber":"` + policyActive + `","phoneNumber":"633333333"}`},
		{name: "reconnect200ByPhoneARetryFindsTheActiveOfAnActiveAndAReserved", method: http.MethodPost, target: insurancePath + "/reconnect",
			body: `{"phoneNumber":"633333333"}`, status: http.StatusOK, ceType: events.TypeInsuranceReconnectPolicy, policy: policyActive,
			payload: `{"org":"masmovil","policyNumber":"` + policyActive + `","phoneNumber":"633333333"}`},
		{name: "suspend200ByPhoneTheOneRunningWhenNoneIsActiveOrSuspended", method: http.MethodPost, target: insurancePath + "/suspend",
			body: `{"phoneNumber":"655555555"}`, status: http.StatusOK, ceType: events.TypeInsuranceSuspendPolicy, policy: policyReserved,
			payload: `{"org":"masmovil","policyNumber":"` + policyReserved + `","phoneNumber":"655555555"}`},
		{name: "suspend409ByPhoneOfTwoActivePolicies", method: http.MethodPost, target: insurancePath + "/suspend", body: `{"phoneNumber":"644444444"}`,
			status: http.StatusConflict, code: ports.CodePolicyAmbiguous},
		{name: "reconnect409ByPhoneOfTwoActivePolicies", method: http.MethodPost, target: insurancePath + "/reconnect", body: `{"phoneNumber":"644444444"}`,
			status: http.StatusConflict, code: ports.CodePolicyAmbiguous},
		{name: "suspend404ByPhoneOfAnEndedPolicy", method: http.MethodPost, target: insurancePath + "/suspend", body: `{"phoneNumber":"622222222"}`,
			status: http.StatusNotFound, code: ports.CodePolicyNotFound},
		{name: "suspend400NoCriterion", method: http.MethodPost, target: insurancePath + "/suspend", body: `{"externalReference":"EXT-1"}`,
			status: http.StatusBadRequest, code: ports.CodeInvalidField, fields: []string{"policyNumber", "phoneNumber", "document"}, noInternal: true},
		{name: "reconnect200ByPolicyNumber", method: http.MethodPost, target: insurancePath + "/reconnect", body: `{"policyNumber":"DI0000000043"}`,
			status: http.StatusOK, ceType: events.TypeInsuranceReconnectPolicy, policy: policySuspended,
			payload: `{"org":"masmovil","policyNumber":"DI0000000043"}`},
		{name: "reconnect404ByDocument", method: http.MethodPost, target: insurancePath + "/reconnect", body: `{"document":"00000000T"}`,
			status: http.StatusNotFound, code: ports.CodePolicyNotFound},
		{name: "reconnect403AnotherOrgsToken", method: http.MethodPost, target: insurancePath + "/reconnect", body: `{"policyNumber":"DI0000000043"}`,
			token: tokenYoigo, status: http.StatusForbidden, code: httpx.CodeForbidden, noInternal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			engine, pub, insurance := newInsuranceEnv(t)
			token := tt.token
			if token == "" {
				token = tokenMasmovil
			}
			w := insuranceRequest(engine, tt.method, tt.target, token, tt.body)
			if w.Code != tt.status {
				t.Fatalf("answer %d %s, want %d", w.Code, w.Body, tt.status)
			}
			if tt.code != "" {
				errs := assertSeedErrors(t, w)
				if errs[0].Code != tt.code {
					t.Fatalf("code %s, want %s: %s", errs[0].Code, tt.code, w.Body)
				}
				if tt.count != 0 && len(errs) != tt.count {
					t.Errorf("%d errors, want %d: %s", len(errs), tt.count, w.Body)
				}
				for _, f := range tt.fields {
					if !strings.Contains(w.Body.String(), f) {
						t.Errorf("no error names %s: %s", f, w.Body)
					}
				}
			}
			calls := insurance.calls()
			if tt.noInternal && len(calls) != 0 {
				t.Fatalf("the insurance service was asked %v", calls)
			}
			if tt.internal != "" {
				last := calls[len(calls)-1]
				if !strings.HasPrefix(last, tt.internal+" ") || tt.keyed == strings.HasSuffix(last, " ") {
					t.Fatalf("internal request %q, want %q with a key: %v", last, tt.internal, tt.keyed)
				}
			}
			got := pub.events()
			if tt.ceType == "" {
				if len(got) != 0 {
					t.Fatalf("%d commands written, want none", len(got))
				}
				return
			}
			if len(got) != 1 || got[0].topic != events.TopicInsuranceCommands || got[0].event.Type() != tt.ceType {
				t.Fatalf("written %+v, want one %s on %s", got, tt.ceType, events.TopicInsuranceCommands)
			}
			if err := events.Validate(got[0].event.Type(), got[0].event.Data()); err != nil {
				t.Fatalf("the command does not meet its schema: %v", err)
			}
			assertJSONEqual(t, "payload", got[0].event.Data(), []byte(tt.payload))
			if key := string(got[0].msg.Key); key != tt.policy {
				t.Errorf("record key %q, want the policy number %s", key, tt.policy)
			}
			var answer struct{ Message, ProcessID string }
			if err := json.Unmarshal(w.Body.Bytes(), &answer); err != nil || answer.Message == "" ||
				answer.ProcessID == "" || answer.ProcessID != w.Header().Get(ports.HeaderWorkflowID) {
				t.Fatalf("answer %s (%v), want {message, processId} with the Workflow-Id header's id", w.Body, err)
			}
			// processId is followed like any workflowId: ACCEPTED until the service has a record.
			wf := insuranceRequest(engine, http.MethodGet, "/v2/orgs/masmovil/workflows/"+answer.ProcessID, tokenMasmovil, "")
			if wf.Code != http.StatusOK || !strings.Contains(wf.Body.String(), `"ACCEPTED"`) {
				t.Fatalf("workflow of the processId: %d %s", wf.Code, wf.Body)
			}
		})
	}
}

// A retried suspend that named its policy by phone number is the same command (same processId)
// while the phone resolves to the same policy.
func TestInsuranceSuspendByPhoneIsIdempotent(t *testing.T) {
	engine, pub, _ := newInsuranceEnv(t)
	first := insuranceRequest(engine, http.MethodPost, insurancePath+"/suspend", tokenMasmovil, `{"phoneNumber":"666666666"}`)
	again := insuranceRequest(engine, http.MethodPost, insurancePath+"/suspend", tokenMasmovil, `{"phoneNumber":"666666666"}`)
	if first.Code != http.StatusOK || again.Code != http.StatusOK {
		t.Fatalf("answers %d %s, %d %s", first.Code, first.Body, again.Code, again.Body)
	}
	if a, b := first.Header().Get(ports.HeaderWorkflowID), again.Header().Get(ports.HeaderWorkflowID); a == "" || a != b {
		t.Fatalf("processIds %q and %q, want one", a, b)
	}
	if got := pub.events(); len(got) != 2 || got[0].event.ID() != got[1].event.ID() {
		t.Fatalf("%d commands, want the same command twice", len(got))
	}
}
