package api_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// seedCurl is one curl example of the seeds and the operation it must reach.
type seedCurl struct {
	Operation string
	Method    string
	URL       string
	Headers   http.Header
	Body      string
}

var (
	operationLine = regexp.MustCompile(`^# ([a-z][A-Za-z0-9]+)$`)
	curlCommand   = regexp.MustCompile(`^curl -X (\w+) (\S+)`)
	headerOption  = regexp.MustCompile(`^-H (['"])([^:]+): (.*)['"]`)
	// The seeds leave placeholders in some paths; they are filled in as a reader would.
	placeholders = strings.NewReplacer(":organization", "masmovil", "{org}", "yoigo", "{id}", "ce2f20cb-35df-4ffe-bca6-c0ed0c28cb39")
)

// readSeedCurls parses testdata/seed-curls.sh the way a shell would read the examples: quotes
// around and inside the URL are removed, and a body written in double quotes holds JSON with
// single quotes.
func readSeedCurls(t *testing.T) []seedCurl {
	t.Helper()
	f, err := os.Open("testdata/seed-curls.sh")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		curls     []seedCurl
		operation string
		body      *strings.Builder
		bodyQuote string
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if body != nil {
			if line == "}"+bodyQuote || line == "]"+bodyQuote {
				body.WriteString(line[:1])
				b := body.String()
				if bodyQuote == `"` {
					b = strings.ReplaceAll(b, "'", `"`)
				}
				curls[len(curls)-1].Body = b
				body = nil
				continue
			}
			body.WriteString(line + "\n")
			continue
		}
		if m := operationLine.FindStringSubmatch(line); m != nil {
			operation = m[1]
			continue
		}
		if m := curlCommand.FindStringSubmatch(line); m != nil {
			url := strings.NewReplacer("'", "", `"`, "").Replace(m[2])
			curls = append(curls, seedCurl{Operation: operation, Method: m[1], URL: url, Headers: http.Header{}})
			operation = ""
			continue
		}
		if len(curls) == 0 {
			continue
		}
		if m := headerOption.FindStringSubmatch(line); m != nil {
			curls[len(curls)-1].Headers.Set(m[2], m[3])
			continue
		}
		if rest, ok := strings.CutPrefix(line, "--data-raw "); ok {
			bodyQuote = rest[:1]
			body = &strings.Builder{}
			body.WriteString(rest[1:] + "\n")
		}
	}
	if err := sc.Err(); err != nil {
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
			_, rest, _ := strings.Cut(c.URL, "://")
			_, path, _ := strings.Cut(rest, "/")
			// As the ingress receives it: a server-side request, whose URL is only path and query.
			req := httptest.NewRequest(c.Method, "/"+placeholders.Replace(path), strings.NewReader(c.Body))
			req.Header = c.Headers
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
