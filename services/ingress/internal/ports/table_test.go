package ports_test

// Tests of what the table and the document give every operation: 501 for providers not built,
// errors in each family's shape, the document and its reference page.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"provision.local/pkg/httpx"
	"provision.local/services/ingress/internal/ports"
)

// Operations of providers not built answer 501 NOT_IMPLEMENTED in their family's shape, after
// authentication and validation; so do those of a provider whose internal API is not configured
// (this engine has only Disney's, so HBO's and Netflix's operations stand for them).
func TestNotBuiltOperations(t *testing.T) {
	e := newEnv(t)
	hbo := `{"service_id": 4567890123456789, "external_id": 1234567890123456, "country": "ES", "products": [{"code": "MAX_AVOD"}]}`
	tests := []struct {
		name, method, path, token, corrID, body string
		status                                  int
		check                                   func(t *testing.T, body []byte)
	}{
		{name: "netflixStatus501", method: http.MethodGet, path: "/v2/orgs/masmovil/tv/netflix/subscriptions/4567890123456789/status",
			token: tokenMasmovil, corrID: seedCorrID, status: http.StatusNotImplemented, check: provisionCode("NOT_IMPLEMENTED")},
		{name: "hboCreate501WithoutItsService", method: http.MethodPost, path: "/v2/orgs/masmovil/tv/hbo/subscriptions",
			token: tokenMasmovil, corrID: seedCorrID, body: hbo, status: http.StatusNotImplemented, check: provisionCode("NOT_IMPLEMENTED")},
		{name: "hboCreate400BeforeThe501WithoutItsService", method: http.MethodPost, path: "/v2/orgs/masmovil/tv/hbo/subscriptions",
			token: tokenMasmovil, corrID: seedCorrID, body: `{"country": "es"}`, status: http.StatusBadRequest, check: provisionCode("INVALID_FIELD")},
		{name: "hboCreate401BeforeThe501WithoutItsService", method: http.MethodPost, path: "/v2/orgs/masmovil/tv/hbo/subscriptions",
			corrID: seedCorrID, body: hbo, status: http.StatusUnauthorized, check: provisionCode(httpx.CodeUnauthorized)},
		{name: "subscriptionsV1Get501", method: http.MethodGet, path: "/v1/orgs/masmovil/subscriptions/5652763",
			token: tokenMasmovil, status: http.StatusNotImplemented, check: func(t *testing.T, body []byte) {
				var b struct{ Errors []httpx.Error }
				if err := json.Unmarshal(body, &b); err != nil || len(b.Errors) != 1 || b.Errors[0].Code != "NOT_IMPLEMENTED" {
					t.Fatalf("body %s, want {errors: [NOT_IMPLEMENTED]} (%v)", body, err)
				}
			}},
		{name: "subscriptionsV1Get403InItsShape", method: http.MethodGet, path: "/v1/orgs/masmovil/subscriptions/5652763",
			token: tokenYoigo, status: http.StatusForbidden, check: func(t *testing.T, body []byte) {
				var b struct{ Errors []httpx.Error }
				if err := json.Unmarshal(body, &b); err != nil || len(b.Errors) != 1 || b.Errors[0].Code != httpx.CodeForbidden {
					t.Fatalf("body %s, want {errors: [FORBIDDEN]} (%v)", body, err)
				}
			}},
		{name: "subscriptionsV2Get501", method: http.MethodGet, path: "/v2/orgs/masmovil/subscriptions/disney/ce2f20cb-35df-4ffe-bca6-c0ed0c28cb39",
			token: tokenMasmovil, status: http.StatusNotImplemented, check: v2Code("NOT_IMPLEMENTED")},
		{name: "subscriptionsV2Get400BadUUID", method: http.MethodGet, path: "/v2/orgs/masmovil/subscriptions/disney/not-a-uuid",
			token: tokenMasmovil, status: http.StatusBadRequest, check: v2Code(codeInvalidPathParameter)},
		{name: "subscriptionsV2List400LimitNamed", method: http.MethodGet, path: "/v2/orgs/masmovil/subscriptions/disney?limit=500",
			token: tokenMasmovil, status: http.StatusBadRequest, check: func(t *testing.T, body []byte) {
				v2Code("INVALID_QUERY_PARAMETER")(t, body)
				if !strings.Contains(string(body), "limit") {
					t.Errorf("message does not name limit: %s", body)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := e.do(tc.method, tc.path, tc.token, tc.corrID, tc.body)
			if w.Code != tc.status {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body.String(), tc.status)
			}
			tc.check(t, w.Body.Bytes())
			if n := len(e.pub.events()); n != 0 {
				t.Errorf("published %d events", n)
			}
		})
	}
}

const codeInvalidPathParameter = "INVALID_PATH_PARAMETER"

func provisionCode(code string) func(t *testing.T, body []byte) {
	return func(t *testing.T, body []byte) {
		t.Helper()
		var errs []httpx.Error
		if err := json.Unmarshal(body, &errs); err != nil || len(errs) == 0 || errs[0].Code != code || errs[0].Details == "" {
			t.Fatalf("body %s, want [{code: %s, ...}] (%v)", body, code, err)
		}
	}
}

func v2Code(code string) func(t *testing.T, body []byte) {
	return func(t *testing.T, body []byte) {
		t.Helper()
		var b struct {
			Error struct{ Code, Message, Reference string }
		}
		if err := json.Unmarshal(body, &b); err != nil || b.Error.Code != code || b.Error.Message == "" || b.Error.Reference == "" {
			t.Fatalf("body %s, want {error: {code: %s, message, reference}} (%v)", body, code, err)
		}
	}
}

// A validation failure names every field it finds wrong, one error each.
func TestValidationNamesEachField(t *testing.T) {
	e := newEnv(t)
	w := e.do(http.MethodPost, subPath+"/activation_url", tokenMasmovil, seedCorrID,
		`{"products":["a","a"],"country":"es","expireDate":"yesterday"}`)
	if w.Code != http.StatusBadRequest {
		t.Fatalf("status %d %s", w.Code, w.Body.String())
	}
	errs := assertSeedErrors(t, w)
	var details []string
	for _, e := range errs {
		if e.Code != "INVALID_FIELD" {
			t.Errorf("code %q, want INVALID_FIELD", e.Code)
		}
		details = append(details, e.Details)
	}
	for _, field := range []string{"products", "country", "expireDate"} {
		if !strings.Contains(strings.Join(details, "\n"), field+":") {
			t.Errorf("no error names %s: %q", field, details)
		}
	}
	if strings.Contains(w.Body.String(), "yesterday") {
		t.Errorf("the answer quotes the value: %s", w.Body.String())
	}
	if calls := e.disney.calls(); len(calls) != 0 {
		t.Errorf("an invalid request reached the Disney service: %+v", calls)
	}
}

// A 404 of a provider service without a code the ingress knows (a route missing there) is the
// service's fault: 503, not "not found".
func TestInternal404WithoutKnownCodeIs503(t *testing.T) {
	e := newEnv(t)
	e.disney.setSubscription("masmovil", seedUser, seedSub, seedSubscriptionStatus)
	e.disney.setFailStatus(http.StatusNotFound)
	w := e.do(http.MethodGet, subPath, tokenMasmovil, seedCorrID, "")
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d %s, want 503", w.Code, w.Body.String())
	}
	if errs := assertSeedErrors(t, w); errs[0].Code != "UPSTREAM_UNAVAILABLE" {
		t.Errorf("code %q", errs[0].Code)
	}
}

func TestDocument(t *testing.T) {
	e := newEnv(t)
	w := e.do(http.MethodGet, "/openapi.json", "", "", "")
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, Content-Type %q", w.Code, w.Header().Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, item := range doc.Paths {
		for method, raw := range item {
			var op struct {
				OperationID string `json:"operationId"`
			}
			if method != "parameters" && json.Unmarshal(raw, &op) == nil && op.OperationID != "" {
				ids = append(ids, op.OperationID)
			}
		}
	}
	if doc.OpenAPI != "3.0.3" || len(ids) != 45 {
		t.Fatalf("openapi %q with %d operations, want 3.0.3 with 45", doc.OpenAPI, len(ids))
	}

	page := e.do(http.MethodGet, "/docs", "", "", "")
	if page.Code != http.StatusOK || !strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("docs: status %d, Content-Type %q", page.Code, page.Header().Get("Content-Type"))
	}
	html := page.Body.String()
	for _, id := range ids {
		if !strings.Contains(html, `id="`+id+`"`) {
			t.Errorf("the page does not show %s", id)
		}
	}
	for _, schema := range []string{"DisneyProducts", "ProvisionErrors", "WorkflowResponse"} {
		if !strings.Contains(html, `id="schema-`+schema+`"`) {
			t.Errorf("the page does not show schema %s", schema)
		}
	}
	// Nothing is fetched from the network at run time.
	for _, remote := range []string{"<script", "src=\"http", "href=\"http", "@import"} {
		if strings.Contains(html, remote) {
			t.Errorf("the page loads %q", remote)
		}
	}
}

// A table entry for an operation the document does not have is refused at start, and every
// command of the table is an operation the document answers with a workflow.
func TestRoutesMatchTheDocument(t *testing.T) {
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]ports.Operation{}
	for _, op := range spec.Operations {
		ops[op.ID] = op
	}
	for id, rt := range ports.Routes {
		op, ok := ops[id]
		if !ok {
			t.Errorf("route %s: no such operation", id)
			continue
		}
		if _, command := rt.(ports.Command); command && op.Route.Operation.Responses.Status(op.Success.Status).Value.Headers[ports.HeaderWorkflowID] == nil {
			t.Errorf("%s is a command but its %d answer names no workflow", id, op.Success.Status)
		}
	}
	routes := map[string]ports.Route{"noSuchOperation": ports.Query{}}
	if err := ports.Register(gin.New(), &ports.API{Spec: spec}, nil, routes); err == nil || !strings.Contains(err.Error(), "noSuchOperation") {
		t.Fatalf("Register = %v, want an error naming noSuchOperation", err)
	}
}

func TestBodyRefusals(t *testing.T) {
	e := newEnv(t)
	t.Run("create413TooLarge", func(t *testing.T) {
		big := `{"subscriptionId":"E1","products":["` + strings.Repeat("p", int(httpx.DefaultBodyLimit)) + `"]}`
		w := e.do(http.MethodPost, userPath, tokenMasmovil, seedCorrID, big)
		if w.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d %s, want 413", w.Code, w.Body.String())
		}
		if errs := assertSeedErrors(t, w); errs[0].Code != httpx.CodeBodyTooLarge {
			t.Errorf("code %q", errs[0].Code)
		}
	})
	t.Run("create400NotJSONContentType", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, userPath, strings.NewReader(seedCreateBody))
		req.Header.Set("Authorization", "Bearer "+tokenMasmovil)
		req.Header.Set(httpx.HeaderCorrelationID, seedCorrID)
		req.Header.Set("Content-Type", "text/plain")
		w := httptest.NewRecorder()
		e.engine.ServeHTTP(w, req)
		if w.Code != http.StatusBadRequest {
			t.Fatalf("status %d %s, want 400", w.Code, w.Body.String())
		}
		if errs := assertSeedErrors(t, w); errs[0].Code != httpx.CodeInvalidBody || !strings.Contains(errs[0].Details, "Content-Type") {
			t.Errorf("errors %+v, want INVALID_BODY naming Content-Type", errs)
		}
	})
	t.Run("create400TrailingData", func(t *testing.T) {
		w := e.do(http.MethodPost, userPath, tokenMasmovil, seedCorrID, seedCreateBody+` {}`)
		if w.Code != http.StatusBadRequest {
			t.Fatalf("status %d %s, want 400", w.Code, w.Body.String())
		}
		if errs := assertSeedErrors(t, w); errs[0].Code != httpx.CodeInvalidBody {
			t.Errorf("code %q", errs[0].Code)
		}
	})
	if n := len(e.pub.events()); n != 0 {
		t.Errorf("published %d events", n)
	}
}
