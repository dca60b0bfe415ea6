package e2e

import (
	"bufio"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
)

// seedCurl is one curl example of a seed document.
type seedCurl struct {
	Method  string
	Path    string // path and query, host dropped
	Headers map[string]string
	Body    string
}

var (
	curlLine   = regexp.MustCompile(`^curl -X (\w+) '([^']+)'`)
	headerLine = regexp.MustCompile(`^-H '([^:]+): ([^']*)'`)
)

// readSeedCurls parses the verbatim curl examples in testdata.
func readSeedCurls(t *testing.T, file string) []seedCurl {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var curls []seedCurl
	var body *strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case body != nil:
			if strings.HasPrefix(line, "}'") {
				body.WriteString("}")
				curls[len(curls)-1].Body = body.String()
				body = nil
				continue
			}
			body.WriteString(line + "\n")
		case curlLine.MatchString(line):
			m := curlLine.FindStringSubmatch(line)
			u, err := url.Parse(m[2])
			if err != nil {
				t.Fatal(err)
			}
			curls = append(curls, seedCurl{Method: m[1], Path: u.RequestURI(), Headers: map[string]string{}})
		case headerLine.MatchString(line):
			m := headerLine.FindStringSubmatch(line)
			curls[len(curls)-1].Headers[m[1]] = m[2]
		case strings.HasPrefix(line, "--data-raw '"):
			body = &strings.Builder{}
			body.WriteString(strings.TrimPrefix(line, "--data-raw '") + "\n")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return curls
}

// TestSeedDisneyCurls runs every Disney curl example of seed 000 against the local stack, host
// replaced and the masmovil token added, and checks the seed's status codes and bodies and what
// each command did.
//
// The seed creates ENT1664367665579 but then addresses subscription 4567890123456789 (the
// examples were written independently), so the test also creates that one first; and the seed's
// terminate names product "disney.bundle.basic", which is not on the subscription: it is accepted
// (204) and its workflow FAILS with PRODUCT_NOT_FOUND, leaving the subscription as it was.
func TestSeedDisneyCurls(t *testing.T) {
	curls := readSeedCurls(t, "testdata/seed-000-disney.sh")
	if len(curls) != 8 {
		t.Fatalf("parsed %d curls, want the 8 Disney endpoints", len(curls))
	}
	const user, sub = "MOO1664367665504", "4567890123456789"
	pre := call(t, http.MethodPost, "/v2/orgs/masmovil/tv/disney/users/"+user,
		map[string]string{"Request-Correlation-Id": "e2e-seed-pre"},
		`{"subscriptionId":"4567890123456789","products":["com.disney.yoigo.es.bundle.basic","com.disney.yoigo.es.bundle.premium"]}`)
	if pre.Status != http.StatusAccepted {
		t.Fatalf("create %s: %d %s", sub, pre.Status, pre.Body)
	}
	var preWF workflow
	pre.json(t, &preWF)
	if wf := waitWorkflow(t, preWF.WorkflowID); wf.Status != "COMPLETED" {
		t.Fatalf("create %s: %+v", sub, wf)
	}

	type expect struct {
		status   int
		workflow string // outcome of the command's workflow, for commands
		check    func(t *testing.T, r response)
	}
	want := map[string]expect{
		"POST /v2/orgs/masmovil/tv/disney/users/MOO1664367665504": {http.StatusAccepted, "COMPLETED", func(t *testing.T, r response) {
			var body struct{ Message, WorkflowID, RunID string }
			r.json(t, &body)
			if body.Message == "" || body.WorkflowID == "" || body.RunID == "" {
				t.Fatalf("202 body %s lacks message/workflowId/runId", r.Body)
			}
			if s, _ := status(t, user, "ENT1664367665579"); s.Entitled != "ACTIVE" || len(s.Products) != 2 {
				t.Fatalf("ENT1664367665579 = %+v, want ACTIVE with 2 products", s)
			}
		}},
		"GET /v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789": {http.StatusOK, "", func(t *testing.T, r response) {
			var s map[string]any
			r.json(t, &s)
			for _, k := range []string{"entitled", "products", "activated", "lastUpdated"} {
				if _, ok := s[k]; !ok {
					t.Fatalf("status %s lacks required %s", r.Body, k)
				}
			}
			if s["entitled"] != "ACTIVE" || s["activated"] != "UNLINKED" {
				t.Fatalf("status %s, want ACTIVE/UNLINKED", r.Body)
			}
		}},
		"PATCH /v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789": {http.StatusNoContent, "COMPLETED", nil},
		"DELETE /v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789?product=disney.bundle.basic": {http.StatusNoContent, "FAILED", func(t *testing.T, r response) {
			if s, _ := status(t, user, sub); s.Entitled != "ACTIVE" || len(s.Products) != 2 {
				t.Fatalf("a failed terminate changed the subscription: %+v", s)
			}
		}},
		"POST /v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789/suspend": {http.StatusNoContent, "COMPLETED", func(t *testing.T, r response) {
			if s, _ := status(t, user, sub); s.Entitled != "BILLING_HOLD" {
				t.Fatalf("after suspend: %+v", s)
			}
		}},
		"POST /v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789/reactivate": {http.StatusNoContent, "COMPLETED", func(t *testing.T, r response) {
			if s, _ := status(t, user, sub); s.Entitled != "ACTIVE" {
				t.Fatalf("after reactivate: %+v", s)
			}
		}},
		"POST /v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789/activation_url": {http.StatusCreated, "", func(t *testing.T, r response) {
			var u struct{ URL, ExpiryDate string }
			r.json(t, &u)
			if u.URL == "" {
				t.Fatalf("activation url body %s has no url", r.Body)
			}
		}},
		"POST /v2/orgs/masmovil/tv/disney/users/MOO1664367665504/callbacks/activate": {http.StatusNoContent, "COMPLETED", func(t *testing.T, r response) {
			if s, _ := status(t, user, sub); s.Activated != "LINKED" {
				t.Fatalf("after the activation callback: %+v", s)
			}
		}},
	}
	for _, c := range curls {
		name := c.Method + " " + c.Path
		t.Run(name, func(t *testing.T) {
			exp, ok := want[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			r := call(t, c.Method, c.Path, c.Headers, c.Body)
			if r.Status != exp.status {
				t.Fatalf("%s: status %d %s, want %d", name, r.Status, r.Body, exp.status)
			}
			if exp.workflow != "" {
				id := r.Header.Get("Workflow-Id")
				if id == "" {
					t.Fatalf("%s: no Workflow-Id header", name)
				}
				if wf := waitWorkflow(t, id); wf.Status != exp.workflow {
					t.Fatalf("%s: workflow %+v, want %s", name, wf, exp.workflow)
				}
			}
			if exp.check != nil {
				exp.check(t, r)
			}
		})
	}
}
