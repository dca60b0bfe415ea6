package ports

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"provision.local/api"
	"provision.local/services/hbo/internal/domain"
)

// The internal GET answers in the shape of the HTTP API's HBO subscription, which the ingress
// passes on: it validates against the document's schema, the big ids and trx_id digit for digit.
func TestView_IsTheHTTPAPIsSubscription(t *testing.T) {
	api.DefineFormats()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	schema := doc.Components.Schemas["HboSubscription"]
	if schema == nil {
		t.Fatal("the document has no HboSubscription schema")
	}
	s, err := domain.New("masmovil", "9999999999999999999", "1234567890123456", "ES", []domain.Product{
		{Code: "MAX_AVOD", Name: "MAX Ad VOD", Starts: 1616425200, Renews: 1616425200, Expires: 1616425200,
			SubID: "1d732753-ae1f-45f8-82f7-7243d395b1ac", TrxID: "9223372036854775807"},
		{Code: "MAX_HD"},
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(view(s))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if err := schema.Value.VisitJSON(v); err != nil {
		t.Errorf("%s: %v", b, err)
	}
	want := `{"service_id":"9999999999999999999","external_id":1234567890123456,"country":"ES","status":"PENDING_ACTIVATION","products":[` +
		`{"code":"MAX_AVOD","name":"MAX Ad VOD","starts":1616425200,"renews":1616425200,"expires":1616425200,"sub_id":"1d732753-ae1f-45f8-82f7-7243d395b1ac","status":"PENDING_ACTIVATION","trx_id":9223372036854775807},` +
		`{"code":"MAX_HD","status":"PENDING_ACTIVATION"}]}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

func TestInteger_KeepsTheDigits(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"", "null"},
		{"0", "0"},
		{"42", "42"},
		{"0042", `"0042"`},
		{"9223372036854775807", "9223372036854775807"},
		{"9223372036854775808", `"9223372036854775808"`},
	} {
		b, _ := json.Marshal(integer(tc.in))
		if string(b) != tc.want {
			t.Errorf("integer(%q) = %s, want %s", tc.in, b, tc.want)
		}
	}
}

// The HTTP API refuses what the service would: its bound on a list of products is the service's.
func TestHTTPAPIBoundsProductsAsTheService(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	s := doc.Components.Schemas["HboProducts"]
	if s == nil || s.Value.MaxItems == nil || *s.Value.MaxItems != domain.MaxProducts {
		t.Fatalf("HboProducts maxItems is not the service's %d", domain.MaxProducts)
	}
}
