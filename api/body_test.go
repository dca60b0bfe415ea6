package api_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"provision.local/api"
)

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name, body string
		want       any // nil: refused
	}{
		{"json", `{"service_id": 1234567890123456, "country": "ES"}`,
			map[string]any{"service_id": json.Number("1234567890123456"), "country": "ES"}},
		{"singleQuotedStrings", "{\n 'service_id': 1234567890123456,\n 'products': [{'code': 'MAX_AVOD'}]\n}",
			map[string]any{"service_id": json.Number("1234567890123456"), "products": []any{map[string]any{"code": "MAX_AVOD"}}}},
		{"doubleQuoteInsideSingleQuotes", `{'name': 'say "hi"'}`, map[string]any{"name": `say "hi"`}},
		{"escapedSingleQuote", `{'name': 'O\'Brien'}`, map[string]any{"name": "O'Brien"}},
		{"apostropheInsideJSONString", `{"name": "O'Brien"}`, map[string]any{"name": "O'Brien"}},
		{"mixedQuotes", `{"a": 'x', 'b': "y"}`, map[string]any{"a": "x", "b": "y"}},
		{"notJSONEither", `{'a': x}`, nil},
		{"unterminatedSingleQuote", `{'a': 'x}`, nil},
		{"trailingComma", `{'a': 'x',}`, nil},
		{"twoValues", `{"a": 1} {"a": 2}`, nil},
		{"empty", ``, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := api.DecodeJSON([]byte(tc.body))
			if tc.want == nil {
				if err == nil {
					t.Fatalf("accepted %q as %#v", tc.body, got)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("DecodeJSON(%q) = %#v, %v; want %#v", tc.body, got, err, tc.want)
			}
		})
	}
	if _, err := api.DecodeJSON([]byte(`{"a": 1} {"a": 2}`)); !errors.Is(err, api.ErrTrailingData) {
		t.Fatalf("two values: %v, want ErrTrailingData", err)
	}
}
