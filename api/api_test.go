package api_test

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"provision.local/api"
)

// seedOperations are the operations of the seed documents, as "METHOD path" with the seeds' path
// variable names, plus the workflow endpoint: Disney 8, Netflix 10, HBO 8 and device insurance 7
// (Provision API v2), Subscriptions v1 6 and v2 5. The document names the variables alike in every
// path, so paths are compared as templates, the way OpenAPI tells two paths apart.
var seedOperations = []string{
	"POST /v2/orgs/{org_id}/tv/disney/users/{user_id}",
	"GET /v2/orgs/{org_id}/tv/disney/users/{user_id}/subscriptions/{subscription_id}",
	"PATCH /v2/orgs/{org_id}/tv/disney/users/{user_id}/subscriptions/{subscription_id}",
	"DELETE /v2/orgs/{org_id}/tv/disney/users/{user_id}/subscriptions/{subscription_id}",
	"POST /v2/orgs/{org_id}/tv/disney/users/{user_id}/subscriptions/{subscription_id}/suspend",
	"POST /v2/orgs/{org_id}/tv/disney/users/{user_id}/subscriptions/{subscription_id}/reactivate",
	"POST /v2/orgs/{org_id}/tv/disney/users/{user_id}/subscriptions/{subscription_id}/activation_url",
	"POST /v2/orgs/{org_id}/tv/disney/users/{user_id}/callbacks/activate",

	"POST /v2/orgs/{org_id}/tv/netflix/subscriptions",
	"PATCH /v2/orgs/{org_id}/tv/netflix/subscriptions/{subscription_id}",
	"DELETE /v2/orgs/{org_id}/tv/netflix/subscriptions/{subscription_id}",
	"POST /v2/orgs/{org_id}/tv/netflix/subscriptions/{subscription_id}/geturl",
	"GET /v2/orgs/{org_id}/tv/netflix/subscriptions/{subscription_id}/status",
	"GET /v2/orgs/{org_id}/tv/netflix/subscriptions/events",
	"POST /v2/orgs/{org_id}/tv/netflix/subscriptions/{subscription_id}/suspend",
	"POST /v2/orgs/{org_id}/tv/netflix/subscriptions/{subscription_id}/reactivate",
	"POST /v2/orgs/{org_id}/tv/netflix/subscriptions/{subscription_id}/digitalvirgo",
	"DELETE /v2/orgs/{org_id}/tv/netflix/subscriptions/{subscription_id}/digitalvirgo/{phone_number}",

	"POST /v2/orgs/{org_id}/tv/hbo/subscriptions",
	"PUT /v2/orgs/{org_id}/tv/hbo/subscriptions/{service_id}/cancel",
	"GET /v2/orgs/{org_id}/tv/hbo/subscriptions/{service_id}",
	"PATCH /v2/orgs/{org_id}/tv/hbo/subscriptions/{service_id}",
	"POST /v2/orgs/{org_id}/tv/hbo/subscriptions/{service_id}/activation_url",
	"POST /v2/orgs/{org_id}/tv/hbo/subscriptions/{service_id}/activate",
	"POST /v2/orgs/{org_id}/tv/hbo/subscriptions/{service_id}/reactivate",
	"POST /v2/orgs/{org_id}/tv/hbo/subscriptions/{service_id}/suspend",

	"POST /v2/orgs/{organization}/insurance/device/reserve",
	"POST /v2/orgs/{organization}/insurance/device/cancel",
	"POST /v2/orgs/{organization}/insurance/device/activate",
	"POST /v2/orgs/{organization}/insurance/device/terminate",
	"GET /v2/orgs/{organization}/insurance/device/requestinfo",
	"POST /v2/orgs/{organization}/insurance/device/suspend",
	"POST /v2/orgs/{organization}/insurance/device/reconnect",

	"POST /v1/orgs/{org_id}/netflix/{subscription_id}/deactivate",
	"POST /v1/orgs/{org_id}/netflix/{id}/cancel",
	"GET /v1/orgs/{org_id}/subscriptions/{id}",
	"PATCH /v1/orgs/{org_id}/subscriptions/{id}",
	"GET /v1/orgs/{org_id}/subscriptions",
	"GET /v1/orgs/{org_id}/subscriptions/{id}/shippings",

	"POST /v2/orgs/{org}/bundles/{id}/subscriptions/disney",
	"GET /v2/orgs/{org}/bundles/{id}/subscriptions/disney",
	"GET /v2/orgs/{org}/subscriptions/disney",
	"GET /v2/orgs/{org}/subscriptions/disney/{id}",
	"PATCH /v2/orgs/{org}/subscriptions/disney/{id}",

	"GET /v2/orgs/{org}/workflows/{workflowId}",
}

// load parses the embedded document and validates it fully: its structure, every schema, and every
// example against its schema (requests as requests, responses as responses). Formats are checked
// too, with uuid and email given validators, so an example with a malformed UUID fails.
func load(t *testing.T) *openapi3.T {
	t.Helper()
	api.DefineFormats()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background(),
		openapi3.EnableExamplesValidation(),
		openapi3.EnableSchemaFormatValidation(),
		openapi3.EnableSchemaPatternValidation(),
		openapi3.EnableSchemaDefaultsValidation(),
		openapi3.EnableMultiError(),
	); err != nil {
		t.Fatalf("validate: %v", err)
	}
	return doc
}

// TestHeaderExamplesMatchTheirSchemas covers what Validate leaves out: kin-openapi checks the
// examples of parameters, media types and schemas, not those of response headers.
func TestHeaderExamplesMatchTheirSchemas(t *testing.T) {
	doc := load(t)
	check := func(where string, headers openapi3.Headers) {
		for name, h := range headers {
			if h.Value == nil || h.Value.Example == nil || h.Value.Schema == nil {
				continue
			}
			if err := h.Value.Schema.Value.VisitJSON(h.Value.Example); err != nil {
				t.Errorf("%s header %s: example: %v", where, name, err)
			}
		}
	}
	check("components", doc.Components.Headers)
	for name, r := range doc.Components.Responses {
		check("response "+name, r.Value.Headers)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for code, r := range op.Responses.Map() {
				check(method+" "+path+" "+code, r.Value.Headers)
			}
		}
	}
}

func TestDocumentIsValid(t *testing.T) {
	doc := load(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	if len(doc.Security) == 0 || doc.Components.SecuritySchemes["bearerAuth"] == nil {
		t.Error("the bearer scheme is not applied globally")
	}
}

var pathVariable = regexp.MustCompile(`\{[^}]+\}`)

// template blanks the variable names of "METHOD path".
func template(operation string) string {
	return pathVariable.ReplaceAllString(operation, "{}")
}

func TestEverySeedOperationIsPresent(t *testing.T) {
	doc := load(t)
	var got []string
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			got = append(got, template(key))
			switch {
			case op.OperationID == "":
				t.Errorf("%s has no operationId", key)
			case ids[op.OperationID] != "":
				t.Errorf("operationId %s is used by %s and %s", op.OperationID, ids[op.OperationID], key)
			case strings.ToLower(op.OperationID[:1]) != op.OperationID[:1] || strings.ContainsAny(op.OperationID, "_- "):
				t.Errorf("operationId %s of %s is not lowerCamel", op.OperationID, key)
			}
			ids[op.OperationID] = key
			if len(op.Tags) != 1 {
				t.Errorf("%s has tags %v, want its provider's", key, op.Tags)
			}
		}
	}
	if len(got) != 45 {
		t.Errorf("%d operations, want 45", len(got))
	}
	var want []string
	for _, op := range seedOperations {
		want = append(want, template(op))
		if !slices.Contains(got, template(op)) {
			t.Errorf("missing %s", op)
		}
	}
	for _, key := range got {
		if !slices.Contains(want, key) {
			t.Errorf("%s is not a seed operation", key)
		}
	}
}

// TestOperationsDocumentTheirErrors checks what every operation must answer: its family's errors
// for bad requests and tokens, a default, 501 while its provider is not built, and, for commands
// (the operations whose success answer names a workflow), the Idempotency-Key header and its 422.
func TestOperationsDocumentTheirErrors(t *testing.T) {
	doc := load(t)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			command := false
			for code, r := range op.Responses.Map() {
				if strings.HasPrefix(code, "2") && r.Value.Headers["Workflow-Id"] != nil {
					command = true
				}
			}
			idempotent := false
			for _, p := range op.Parameters {
				if p.Value.In == openapi3.ParameterInHeader && p.Value.Name == "Idempotency-Key" {
					idempotent = true
				}
			}
			if command != idempotent {
				t.Errorf("%s %s: command %v but takes Idempotency-Key %v", method, path, command, idempotent)
			}
			if command && op.Responses.Status(http.StatusUnprocessableEntity) == nil {
				t.Errorf("%s %s does not document 422 IDEMPOTENCY_KEY_REUSED", method, path)
			}
			for _, code := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusInternalServerError} {
				if op.Responses.Status(code) == nil {
					t.Errorf("%s %s does not document %d", method, path, code)
				}
			}
			if op.Responses.Default() == nil {
				t.Errorf("%s %s has no default response", method, path)
			}
			builtToday := strings.HasPrefix(op.OperationID, "disney") || op.OperationID == "getWorkflow" ||
				strings.HasPrefix(op.OperationID, "hbo") || strings.HasPrefix(op.OperationID, "insurance") ||
				strings.HasPrefix(op.OperationID, "netflix")
			if notImpl := op.Responses.Status(http.StatusNotImplemented); notImpl == nil && !builtToday {
				t.Errorf("%s %s does not document 501", method, path)
			} else if notImpl != nil && builtToday {
				t.Errorf("%s %s is built but documents 501", method, path)
			}
		}
	}
}
