package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"provision.local/api"
)

// contract is the public API document and a router over it: every answer of the ingress is
// checked against it, so the code and the document cannot drift apart.
type contract struct {
	doc    *openapi3.T
	router routers.Router
}

var loadContract = sync.OnceValues(func() (*contract, error) {
	api.DefineFormats()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("load the API document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the API document: %w", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("router: %w", err)
	}
	return &contract{doc: doc, router: router}, nil
})

// errNotInDocument means the request reaches no operation of the document.
var errNotInDocument = errors.New("no operation of the API document")

// checkResponse validates an answer of the ingress against the operation the request reached:
// its status must be one the operation documents (or its default), and its headers and body must
// match that response's schemas.
func checkResponse(method, pathAndQuery string, reqHeader http.Header, r response) error {
	c, err := loadContract()
	if err != nil {
		return err
	}
	// Routed as the ingress receives it: a server-side request, whose URL is path and query.
	req := httptest.NewRequest(method, pathAndQuery, nil)
	req.Header = reqHeader.Clone()
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("%w: %v", errNotInDocument, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 r.Status,
		Header:                 r.Header,
		Body:                   io.NopCloser(bytes.NewReader(r.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("%s answered %d %s: %w", route.Operation.OperationID, r.Status, truncate(r.Body), err)
	}
	return nil
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// A response that breaks the document fails the check every call makes: one with a field
// missing, one with a status the operation does not document, one whose body has the wrong
// shape, and a command answer without its Workflow-Id header. The real answer passes.
func TestResponseCheckFailsAResponseBreakingTheDocument(t *testing.T) {
	path := "/v2/orgs/masmovil/tv/disney/users/MOO-CONTRACT-1"
	hdr := map[string]string{"Request-Correlation-Id": "contract-1"}
	real := call(t, http.MethodPost, path, hdr, jsonf(createBody, "ENT-CONTRACT-1"))
	if real.Status != http.StatusAccepted {
		t.Fatalf("create: %d %s", real.Status, real.Body)
	}
	reqHeader := http.Header{"Authorization": {"Bearer dev-masmovil"}, "Request-Correlation-Id": {"contract-1"}}
	if err := checkResponse(http.MethodPost, path, reqHeader, real); err != nil {
		t.Fatalf("the real answer fails: %v", err)
	}
	withoutHeader := real
	withoutHeader.Header = real.Header.Clone()
	withoutHeader.Header.Del("Workflow-Id")
	broken := map[string]response{
		"bodyWithoutRunID":        {Status: real.Status, Header: real.Header, Body: []byte(strings.Replace(string(real.Body), `"runId"`, `"run"`, 1))},
		"undocumentedStatus":      {Status: http.StatusOK, Header: real.Header, Body: real.Body},
		"errorBodyNotTheArray":    {Status: http.StatusBadRequest, Header: real.Header, Body: []byte(`{"code":"INVALID_FIELD"}`)},
		"withoutWorkflowIDHeader": withoutHeader,
	}
	for name, r := range broken {
		t.Run(name, func(t *testing.T) {
			if err := checkResponse(http.MethodPost, path, reqHeader, r); err == nil {
				t.Fatalf("a response breaking the document passed: %d %s", r.Status, r.Body)
			}
		})
	}
	t.Run("requestOutsideTheDocument", func(t *testing.T) {
		if err := checkResponse(http.MethodGet, "/v2/orgs/masmovil/nothing", reqHeader, real); !errors.Is(err, errNotInDocument) {
			t.Fatalf("err = %v, want errNotInDocument", err)
		}
	})
	// The creation is waited for, so that it does not reach the partner during a later test that
	// counts the partner's creations.
	var wf workflow
	real.json(t, &wf)
	if got := waitWorkflow(t, wf.WorkflowID); got.Status != "COMPLETED" {
		t.Fatalf("create workflow %+v", got)
	}
}
