package api_test

import (
	"testing"
)

// The HBO country is an assigned ISO 3166-1 alpha-2 code in upper case: the `country` format
// refuses what the pattern alone lets through (XX, ZZ) as well as lower case and alpha-3.
func TestCountryFormat(t *testing.T) {
	doc := load(t)
	schema := doc.Components.Schemas["HboCountry"].Value
	for _, tc := range []struct {
		code string
		ok   bool
	}{
		{"ES", true}, {"GB", true}, {"US", true},
		{"es", false}, {"Es", false}, {"XX", false}, {"ZZ", false}, {"UK", false}, {"EU", false}, {"ESP", false}, {"", false},
	} {
		err := schema.VisitJSON(tc.code)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v, want accepted %v", tc.code, err, tc.ok)
		}
	}
}
