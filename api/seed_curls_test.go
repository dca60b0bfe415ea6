package api_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"provision.local/api"
)

// readSeedCurls parses testdata/seed-curls.sh.
func readSeedCurls(t *testing.T) []api.SeedCurl {
	t.Helper()
	f, err := os.Open("testdata/seed-curls.sh")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	curls, err := api.ParseSeedCurls(f)
	if err != nil {
		t.Fatal(err)
	}
	return curls
}

// refusedSeedCurls are the seed examples the document refuses (decision 4): the device insurance
// bodies hold placeholders ("string", a language that is a sentence). Each refusal must name every
// field listed, and the same body with realistic values in those fields must pass.
var refusedSeedCurls = map[string][]string{
	"insuranceReserve":   {"language", "imei", "entity", "officeCode", "dc", "accountNumber"},
	"insuranceCancel":    {"policyNumber", "document"},
	"insuranceActivate":  {"requestId", "policyNumber", "imei", "document"},
	"insuranceTerminate": {"policyNumber", "document"},
	"insuranceSuspend":   {"policyNumber", "phoneNumber", "document"},
	"insuranceReconnect": {"policyNumber", "phoneNumber", "document"},
}

// realisticValues replace the placeholders of the refused seed examples.
var realisticValues = map[string]any{
	"language": "eu", "imei": "356938035643809", "entity": "2100", "officeCode": "0418", "dc": "45",
	"accountNumber": "0200051332", "policyNumber": "DI0000000042", "document": "00000000T",
	"requestId": "0b7e3c1a-5d2f-4c8e-9a41-6f3d2b1e7c05", "phoneNumber": "666666666",
}

// TestSeedCurlsAreAccepted sends every curl example of the seeds through kin-openapi's router and
// request validation: each reaches its operation and is valid, so none is refused before its
// provider answers, except the device insurance examples, which are refused naming each
// placeholder field, and pass once those fields hold realistic values.
func TestSeedCurlsAreAccepted(t *testing.T) {
	doc := load(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	curls := readSeedCurls(t)
	if len(curls) != 52 {
		t.Fatalf("parsed %d curl examples, want the seeds' 52", len(curls))
	}
	reached := map[string]bool{}
	for _, c := range curls {
		t.Run(c.Operation, func(t *testing.T) {
			route, err := validateSeedRequest(router, c, c.Body)
			if route != nil {
				reached[route.Operation.OperationID] = true
			}
			fields, refused := refusedSeedCurls[c.Operation]
			switch {
			case route == nil:
				t.Fatalf("%s %s: %v", c.Method, c.Path, err)
			case route.Operation.OperationID != c.Operation:
				t.Fatalf("%s %s reached %s, want %s", c.Method, c.Path, route.Operation.OperationID, c.Operation)
			case !refused && err != nil:
				t.Errorf("%s %s is refused: %v", c.Method, c.Path, err)
			case refused && err == nil:
				t.Fatalf("%s %s with the seed's placeholders is accepted", c.Method, c.Path)
			case refused:
				for _, f := range fields {
					if !strings.Contains(err.Error(), `"/`+f+`"`) {
						t.Errorf("the refusal does not name %s: %v", f, err)
					}
				}
				if _, err := validateSeedRequest(router, c, withValues(t, c.Body, fields)); err != nil {
					t.Errorf("the seed's body with realistic values is refused: %v", err)
				}
			}
		})
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID != "getWorkflow" && !reached[op.OperationID] {
				t.Errorf("no curl example reaches %s (%s %s)", op.OperationID, method, path)
			}
		}
	}
}

// validateSeedRequest routes the seed request c, with body, and validates it against its
// operation; the route is nil when it reaches none.
func validateSeedRequest(router routers.Router, c api.SeedCurl, body string) (*routers.Route, error) {
	// As the ingress receives it: a server-side request, whose URL is only path and query.
	req := httptest.NewRequest(c.Method, c.Path, strings.NewReader(body))
	for k, v := range c.Headers {
		req.Header.Set(k, v)
	}
	if req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer seed-token")
	}
	openapi3filter.RegisterBodyDecoder("application/json", api.JSONBodyDecoder)
	route, params, err := router.FindRoute(req)
	if err != nil {
		return nil, err
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	return route, openapi3filter.ValidateRequest(context.Background(), in)
}

// withValues is body with fields set to their realistic values.
func withValues(t *testing.T, body string, fields []string) string {
	t.Helper()
	v, err := api.DecodeJSON([]byte(body))
	obj, ok := v.(map[string]any)
	if err != nil || !ok {
		t.Fatalf("seed body %s: %v", body, err)
	}
	for _, f := range fields {
		obj[f] = realisticValues[f]
	}
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
