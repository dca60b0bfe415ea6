package ports

import (
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

func requestWithBody(body string) Request {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	return Request{c: c, body: []byte(body)}
}

// The body passed on to a provider keeps 16-digit (and longer) numbers exact and sorts keys, so a
// request formatted otherwise has the same identity.
func TestCanonicalBodyKeepsNumbersExact(t *testing.T) {
	got, err := requestWithBody(`{"service_id": 12345678901234567, "external_id": "1234567890123456", "a": [1.50, 2]}`).canonicalBody()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":[1.50,2],"external_id":"1234567890123456","service_id":12345678901234567}`; string(got) != want {
		t.Fatalf("canonical body %s, want %s", got, want)
	}
	if got, err := requestWithBody(" \n").canonicalBody(); got != nil || err != nil {
		t.Fatalf("empty body: %q, %v; want nil, nil", got, err)
	}
}

func TestDecodeRefusesTrailingData(t *testing.T) {
	var v map[string]any
	err := requestWithBody(`{"products":["a"]} {"products":["b"]}`).Decode(&v)
	bad, ok := err.(badRequest)
	if !ok || bad.errs[0].Code != "INVALID_BODY" {
		t.Fatalf("Decode = %v, want 400 INVALID_BODY", err)
	}
}
