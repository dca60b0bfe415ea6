package ports_test

import (
	"net/http"
	"testing"

	"provision.local/pkg/httpx"
	"provision.local/services/ingress/internal/ports"
)

// An org the platform does not serve (no token is tied to it) is 400 INVALID_ORG_ID, as the
// seed's HBO examples say, once the token is known; a served org the token may not act for is
// 403; no token is 401 whatever the org. Nothing is written.
func TestOrgIsServedAndAllowed(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, method, path, token, body string
		status                          int
		code                            string
	}{
		{"unservedOrg400", http.MethodPost, "/v2/orgs/acme/tv/disney/users/" + seedUser, tokenMasmovil, seedCreateBody,
			http.StatusBadRequest, ports.CodeInvalidOrgID},
		{"unservedOrgOfTheWorkflowEndpoint400", http.MethodGet, "/v2/orgs/acme/workflows/wf-1", tokenYoigo, "",
			http.StatusBadRequest, ports.CodeInvalidOrgID},
		{"unservedOrgWithoutToken401", http.MethodPost, "/v2/orgs/acme/tv/disney/users/" + seedUser, "", seedCreateBody,
			http.StatusUnauthorized, httpx.CodeUnauthorized},
		{"otherServedOrg403", http.MethodPost, "/v2/orgs/yoigo/tv/disney/users/" + seedUser, tokenMasmovil, seedCreateBody,
			http.StatusForbidden, httpx.CodeForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := e.do(tc.method, tc.path, tc.token, seedCorrID, tc.body)
			if w.Code != tc.status {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body.String(), tc.status)
			}
			errs := assertSeedErrors(t, w)
			if errs[0].Code != tc.code {
				t.Fatalf("code %s, want %s", errs[0].Code, tc.code)
			}
			// The seed's HBO examples give this error's title and details word for word.
			if tc.code == ports.CodeInvalidOrgID && (errs[0].Title != "Invalid Organization ID" || errs[0].Details != "The provided org_id is not valid.") {
				t.Fatalf("error %+v, want the seed's INVALID_ORG_ID item", errs[0])
			}
			if n := len(e.pub.events()); n != 0 {
				t.Fatalf("published %d events", n)
			}
		})
	}
}
