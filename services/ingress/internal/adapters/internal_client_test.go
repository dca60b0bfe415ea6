package adapters_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"provision.local/services/ingress/internal/adapters"
)

// A service that does not answer is an error naming the path it was asked, never the query,
// which can hold personal data (the insurance search by phone number or document).
func TestUnansweredRequestErrorLeavesTheQueryOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	c := adapters.NewClient(map[string]string{"insurance": "http://" + addr}, time.Second)
	_, err = c.Do(context.Background(), "insurance", http.MethodGet, "/internal/v1/orgs/masmovil/policies?phoneNumber=612345678&document=12345678Z", "", nil)
	if err == nil {
		t.Fatal("no error from a service that does not listen")
	}
	if msg := err.Error(); strings.Contains(msg, "612345678") || strings.Contains(msg, "12345678Z") || !strings.Contains(msg, "/internal/v1/orgs/masmovil/policies") {
		t.Fatalf("error %q, want the path without the query", msg)
	}
}
