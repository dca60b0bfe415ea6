package ports_test

// The ingress publishes commands without checking them against the catalog's schemas again: its
// own rules must accept nothing a schema refuses, or the consumer would dead-letter a command the
// client was told was accepted. These tests hold the rules to that.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"provision.local/events"
	"provision.local/services/ingress/internal/ports"
)

// commandRoutes are the command routes, by the fuzzer's route number.
var commandRoutes = []struct{ method, suffix string }{
	{http.MethodPost, ""},                             // create
	{http.MethodPatch, "/subscriptions/{sub}"},        // modify
	{http.MethodPost, "/subscriptions/{sub}/suspend"}, // suspend
	{http.MethodPost, "/subscriptions/{sub}/reactivate"},
	{http.MethodDelete, "/subscriptions/{sub}"}, // terminate, ?product=
	{http.MethodPost, "/callbacks/activate"},
}

// FuzzAcceptedCommandsPassTheirSchema sends arbitrary ids, bodies and product parameters to every
// command route: whatever is accepted must have published a payload its schema accepts. `go test`
// runs the seeds; `go test -fuzz FuzzAcceptedCommandsPassTheirSchema` explores.
func FuzzAcceptedCommandsPassTheirSchema(f *testing.F) {
	long128, long129 := strings.Repeat("a", 128), strings.Repeat("a", 129)
	accents := strings.Repeat("é", 64) // 128 bytes, 64 characters
	products32 := `["` + strings.Repeat(`p","`, 31) + `q"]`
	seeds := []struct {
		route              uint8
		user, sub, body, q string
	}{
		{0, seedUser, "", seedCreateBody, ""},
		{0, seedUser, "", `{"subscriptionId":"` + long128 + `","products":["a"]}`, ""},
		{0, seedUser, "", `{"subscriptionId":"` + long129 + `","products":["a"]}`, ""},
		{0, long128, "", `{"subscriptionId":"E.1_-","products":["` + accents + `"]}`, ""},
		{0, seedUser, "", `{"subscriptionId":"E1","products":["a","a"]}`, ""},
		{0, seedUser, "", `{"subscriptionId":"E1","products":[" "]}`, ""},
		{0, seedUser, "", `{"subscriptionId":"E1","products":["\u0000"]}`, ""},
		{0, seedUser, "", `{"subscriptionId":"E1","products":` + products32 + `}`, ""},
		{0, seedUser, "", `{"subscriptionId":"E 1","products":["a"]}`, ""},
		{0, seedUser, "", `{"subscriptionId":"E1","products":["a"],"extra":1}`, ""},
		{1, seedUser, seedEntID, seedProductsBody, ""},
		{1, seedUser, seedEntID, `{"products":["` + accents + `"]}`, ""},
		{2, seedUser, seedEntID, `{"products":["a","b"]}`, ""},
		{3, seedUser, long128, `{"products":["a"]}`, ""},
		{4, seedUser, seedEntID, "", ""},
		{4, seedUser, seedEntID, "", accents},
		{4, seedUser, seedEntID, "", " x "},
		{5, seedUser, "", "", ""},
		{5, "MOO.1_-", "", "", ""},
	}
	for _, s := range seeds {
		f.Add(s.route, s.user, s.sub, s.body, s.q)
	}
	e := newEnv(f)
	f.Fuzz(func(t *testing.T, route uint8, user, sub, body, product string) {
		r := commandRoutes[int(route)%len(commandRoutes)]
		target := "/v2/orgs/masmovil/tv/disney/users/" + url.PathEscape(user) + strings.ReplaceAll(r.suffix, "{sub}", url.PathEscape(sub))
		if product != "" {
			target += "?product=" + url.QueryEscape(product)
		}
		before := len(e.pub.events())
		w := e.doKeyed(r.method, target, seedCorrID, body)
		got := e.pub.events()[before:]
		if w.Code >= 300 {
			if len(got) != 0 {
				t.Fatalf("%s %s answered %d but published %d events", r.method, target, w.Code, len(got))
			}
			return
		}
		if len(got) != 1 {
			t.Fatalf("%s %s answered %d and published %d events", r.method, target, w.Code, len(got))
		}
		if err := events.Validate(got[0].event.Type(), got[0].event.Data()); err != nil {
			t.Fatalf("%s %s with body %q was accepted (%d) but its payload fails the schema: %v", r.method, target, body, w.Code, err)
		}
	})
}

func TestCheckOrgs(t *testing.T) {
	tests := []struct {
		name string
		orgs []string
		ok   bool
	}{
		{"lowerCaseOK", []string{"masmovil", "yoigo", "org-2"}, true},
		{"longestOK", []string{strings.Repeat("o", 63)}, true},
		{"upperCaseRefused", []string{"Masmovil"}, false},
		{"leadingHyphenRefused", []string{"-org"}, false},
		{"tooLongRefused", []string{strings.Repeat("o", 64)}, false},
		{"underscoreRefused", []string{"my_org"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := ports.CheckOrgs(map[string][]string{"token": tc.orgs}); (err == nil) != tc.ok {
				t.Fatalf("CheckOrgs(%q) = %v, want ok=%v", tc.orgs, err, tc.ok)
			}
		})
	}
}
