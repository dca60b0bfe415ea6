package ports

import (
	"encoding/json"
	"strings"
	"testing"
)

func requestWithBody(t *testing.T, body string) Request {
	t.Helper()
	v, err := strictJSON(strings.NewReader(body), nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return Request{body: v}
}

// The body passed on to a provider keeps 16-digit (and longer) numbers exact and sorts keys, so a
// request formatted otherwise has the same identity.
func TestCanonicalBodyKeepsNumbersExact(t *testing.T) {
	r := requestWithBody(t, `{"service_id": 12345678901234567, "external_id": "1234567890123456", "a": [1.50, 2]}`)
	got, err := r.canonicalBody()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":[1.50,2],"external_id":"1234567890123456","service_id":12345678901234567}`; string(got) != want {
		t.Fatalf("canonical body %s, want %s", got, want)
	}
	if n, ok := r.Field("service_id").(json.Number); !ok || n.String() != "12345678901234567" {
		t.Fatalf("service_id = %#v, want the json.Number 12345678901234567", r.Field("service_id"))
	}
	if got, err := (Request{}).canonicalBody(); got != nil || err != nil {
		t.Fatalf("no body: %q, %v; want nil, nil", got, err)
	}
}

func TestStrictJSONRefusesTrailingData(t *testing.T) {
	if _, err := strictJSON(strings.NewReader(`{"products":["a"]} {"products":["b"]}`), nil, nil, nil); err == nil {
		t.Fatal("a body with two values was accepted")
	}
}

// An ExactNumericId field reads as its digits whether sent as a number or a string: 123 and
// "123" are the same id, and 17 digits stay exact.
func TestDigitsAreTheSameForANumberAndAString(t *testing.T) {
	r := requestWithBody(t, `{"n": 12345678901234567, "s": "12345678901234567", "small": 123, "quoted": "123", "other": true}`)
	if r.Digits("n") != "12345678901234567" || r.Digits("s") != r.Digits("n") {
		t.Fatalf("n = %q, s = %q, want 12345678901234567 for both", r.Digits("n"), r.Digits("s"))
	}
	if r.Digits("small") != "123" || r.Digits("quoted") != "123" {
		t.Fatalf("small = %q, quoted = %q, want 123", r.Digits("small"), r.Digits("quoted"))
	}
	if r.Digits("other") != "" || r.Digits("absent") != "" {
		t.Fatalf("a boolean or an absent field: %q, %q, want empty", r.Digits("other"), r.Digits("absent"))
	}
}
