package ports

import (
	"encoding/json"
	"errors"
	"net/http"
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
	r := requestWithBody(t, `{"n": 12345678901234567, "s": "12345678901234567", "small": 123, "quoted": "123", "zero": 0, "other": true}`)
	digits := func(name string) string {
		t.Helper()
		d, err := r.Digits(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return d
	}
	if digits("n") != "12345678901234567" || digits("s") != digits("n") {
		t.Fatalf("n = %q, s = %q, want 12345678901234567 for both", digits("n"), digits("s"))
	}
	if digits("small") != "123" || digits("quoted") != "123" || digits("zero") != "0" {
		t.Fatalf("small = %q, quoted = %q, zero = %q, want 123, 123, 0", digits("small"), digits("quoted"), digits("zero"))
	}
	if digits("other") != "" || digits("absent") != "" {
		t.Fatalf("a boolean or an absent field: %q, %q, want empty", digits("other"), digits("absent"))
	}
}

// Validation takes 1e3, 1.0 and -0 for integers; as ids they would reach a provider as those
// characters, so a number must be plain digits within int64, and the refusal names the field.
func TestDigitsRefuseNumbersNotWrittenAsPlainDigits(t *testing.T) {
	for _, n := range []string{"1e3", "1E3", "1.0", "-0", "-1", "1616425200.0", "1.6164252e9", "9223372036854775808"} {
		r := requestWithBody(t, `{"partner_account_id": `+n+`}`)
		d, err := r.Digits("partner_account_id")
		var bad badRequest
		if !errors.As(err, &bad) || bad.status != http.StatusBadRequest || bad.errs[0].Code != CodeInvalidField ||
			!strings.HasPrefix(bad.errs[0].Details, "partner_account_id: ") {
			t.Errorf("%s: %q, %v; want a 400 INVALID_FIELD naming partner_account_id", n, d, err)
		}
	}
}
