package api_test

import (
	"context"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
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

// TestSeedCurlsAreAccepted sends every curl example of the seeds through kin-openapi's router and
// request validation: each reaches its operation and is valid, so none is refused before its
// provider answers.
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
			// As the ingress receives it: a server-side request, whose URL is only path and query.
			req := httptest.NewRequest(c.Method, c.Path, strings.NewReader(c.Body))
			for k, v := range c.Headers {
				req.Header.Set(k, v)
			}
			if req.Header.Get("Authorization") == "" {
				req.Header.Set("Authorization", "Bearer seed-token")
			}
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("%s %s: %v", c.Method, req.URL, err)
			}
			if got := route.Operation.OperationID; got != c.Operation {
				t.Fatalf("%s %s reached %s, want %s", c.Method, req.URL, got, c.Operation)
			}
			reached[c.Operation] = true
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
			if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
				t.Errorf("%s %s is refused: %v", c.Method, req.URL, err)
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
