package simulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"provision.local/pkg/logging"
	"provision.local/services/partnersim/simulator"
)

// TestStartPushesNetflixReports runs the in-process simulator as another module's test would:
// enrol, issue a token, open the securitized URL it points at, and receive the report.
func TestStartPushesNetflixReports(t *testing.T) {
	got := make(chan map[string]any, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var report map[string]any
		if err := json.NewDecoder(r.Body).Decode(&report); err == nil {
			got <- report
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	h, err := simulator.Start(t.Context(), logging.NewWithOutput("partnersim", "error", io.Discard),
		simulator.Options{NetflixCallbackURL: receiver.URL})
	if err != nil {
		t.Fatal(err)
	}
	sim := httptest.NewServer(h)
	defer sim.Close()

	call := func(method, path, body string, want int) []byte {
		t.Helper()
		req, err := http.NewRequest(method, sim.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Idempotency-Key", method+path)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			t.Fatalf("%s %s: %d %s, want %d", method, path, res.StatusCode, b, want)
		}
		return b
	}
	const account = "/netflix/v1/orgs/masmovil/accounts/4567890123456789"
	call(http.MethodPost, "/netflix/v1/orgs/masmovil/accounts",
		`{"partner_account_id":4567890123456789,"netflix_offer_id":"2106f808-36e9-402d-bf37-f1f7fa04776b","bundle_id":"b1"}`, http.StatusCreated)
	var token struct {
		URL string `json:"requested_securitized_url"`
	}
	if err := json.Unmarshal(call(http.MethodPost, account+"/tokens", `{"token_error_url":"https://e.example/err","type":"BUNDLE"}`, http.StatusCreated), &token); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token.URL, sim.URL+"/netflix/activate?token=") {
		t.Fatalf("securitized URL %q, want one on the simulator %s", token.URL, sim.URL)
	}
	res, err := http.Get(token.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("open: %d", res.StatusCode)
	}
	select {
	case report := <-got:
		if report["event_type"] != "BUNDLE_ACTIVATION" || report["bundle_id"] != "b1" {
			t.Fatalf("report %v", report)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no report pushed")
	}
}
