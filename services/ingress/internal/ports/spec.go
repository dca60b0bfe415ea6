package ports

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"provision.local/api"
)

// Spec is the public API document, loaded and validated, and its operations as the ingress
// mounts them.
type Spec struct {
	Doc        *openapi3.T
	Operations []Operation // sorted by path, then method
}

// Operation is one operation of the document.
type Operation struct {
	ID     string
	Method string
	Path   string // as the document writes it: /v2/orgs/{org}/...
	Route  *routers.Route
	Family Family
	// Success is the operation's 2xx answer; a command answers with it.
	Success Success
}

// Success is an operation's success answer as the document describes it.
type Success struct {
	Status int
	// Body is the schema of the answer's body: "" for none, else the name of a components schema
	// (WorkflowResponse, InsuranceProcessResponse, ...).
	Body string
}

var registerOnce sync.Once

// LoadSpec parses and validates the document. Its string formats are checked with the validators
// package api defines, as the document's own tests check its examples, and JSON bodies are read
// by strictJSON.
func LoadSpec(raw []byte) (*Spec, error) {
	registerOnce.Do(func() {
		api.DefineFormats()
		openapi3filter.RegisterBodyDecoder("application/json", strictJSON)
	})
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("load api document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("api document: %w", err)
	}
	s := &Spec{Doc: doc}
	// Routes see the document without its security requirements: httpx.Authenticate has checked
	// the token before validation, and kin-openapi would only walk them to call a no-op.
	authenticated := *doc
	authenticated.Security = nil
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			o := Operation{ID: op.OperationID, Method: method, Path: path,
				Route: &routers.Route{Spec: &authenticated, Path: path, PathItem: item, Method: method, Operation: op}}
			if o.Family, err = familyOf(op); err != nil {
				return nil, fmt.Errorf("%s: %w", o.ID, err)
			}
			if o.Success, err = successOf(op); err != nil {
				return nil, fmt.Errorf("%s: %w", o.ID, err)
			}
			s.Operations = append(s.Operations, o)
		}
	}
	sort.Slice(s.Operations, func(i, j int) bool {
		a, b := s.Operations[i], s.Operations[j]
		return a.Path < b.Path || a.Path == b.Path && a.Method < b.Method
	})
	return s, nil
}

// schemaName is the components schema a reference names: "#/components/schemas/X" → X.
func schemaName(ref string) string {
	name, _ := strings.CutPrefix(ref, "#/components/schemas/")
	return name
}

// familyOf tells the operation's API family by the error body its default answer documents.
func familyOf(op *openapi3.Operation) (Family, error) {
	d := op.Responses.Default()
	if d == nil || d.Value == nil {
		return 0, fmt.Errorf("no default response")
	}
	mt := d.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return 0, fmt.Errorf("default response has no JSON schema")
	}
	switch name := schemaName(mt.Schema.Ref); name {
	case "ProvisionErrors":
		return FamilyProvision, nil
	case "ErrorMessage":
		return FamilySubscriptionsV1, nil
	case "ErrorResponse":
		return FamilySubscriptionsV2, nil
	default:
		return 0, fmt.Errorf("default response schema %q is no known error body", name)
	}
}

// successOf finds the operation's one 2xx answer.
func successOf(op *openapi3.Operation) (Success, error) {
	var found []Success
	for code, r := range op.Responses.Map() {
		var status int
		if _, err := fmt.Sscanf(code, "%d", &status); err != nil || status < 200 || status > 299 {
			continue
		}
		s := Success{Status: status}
		if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			s.Body = schemaName(mt.Schema.Ref)
		}
		found = append(found, s)
	}
	if len(found) != 1 {
		return Success{}, fmt.Errorf("%d success answers, want one", len(found))
	}
	return found[0], nil
}

var pathVariable = regexp.MustCompile(`\{([^}]+)\}`)

// ginPath writes a document path the way gin routes it: {org} → :org.
func ginPath(path string) string {
	return pathVariable.ReplaceAllString(path, ":$1")
}

// strictJSON decodes the JSON bodies as package api says (api.DecodeJSON): one value, numbers
// kept as sent, nothing after it (the handlers read the value validation decoded, and a second
// value would be silently dropped), and the seeds' single-quoted strings read as strings.
func strictJSON(body io.Reader, h http.Header, s *openapi3.SchemaRef, fn openapi3filter.EncodingFn) (any, error) {
	return api.JSONBodyDecoder(body, h, s, fn)
}
