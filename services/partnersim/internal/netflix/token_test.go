package netflix_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"provision.local/services/partnersim/internal/netflix"
)

func TestIssueToken(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantCode   int
		wantErr    string
		wantExpiry time.Time
	}{
		{"seedBody201", tokenBody, http.StatusCreated, "", t0.Add(12 * time.Hour)},
		{"defaultValidity201", `{"token_error_url":"https://e.example/err","type":"BUNDLE"}`, http.StatusCreated, "", t0.Add(24 * time.Hour)},
		{"maxValidity201", `{"token_error_url":"https://e.example/err","type":"ACCOUNT_RECOVERY","validity_duration_in_seconds":86400}`, http.StatusCreated, "", t0.Add(24 * time.Hour)},
		{"validityOverADay400", `{"token_error_url":"https://e.example/err","type":"BUNDLE","validity_duration_in_seconds":86401}`, http.StatusBadRequest, "INVALID_REQUEST", time.Time{}},
		{"validityZero400", `{"token_error_url":"https://e.example/err","type":"BUNDLE","validity_duration_in_seconds":0}`, http.StatusBadRequest, "INVALID_REQUEST", time.Time{}},
		{"missingType400", `{"token_error_url":"https://e.example/err"}`, http.StatusBadRequest, "INVALID_REQUEST", time.Time{}},
		{"missingErrorURL400", `{"type":"BUNDLE"}`, http.StatusBadRequest, "INVALID_REQUEST", time.Time{}},
		{"relativeErrorURL400", `{"token_error_url":"/error","type":"BUNDLE"}`, http.StatusBadRequest, "INVALID_REQUEST", time.Time{}},
		{"lowercaseCountry400", `{"token_error_url":"https://e.example/err","type":"BUNDLE","partner_charge_country":"es"}`, http.StatusBadRequest, "INVALID_REQUEST", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.enrol(pai)
			w := h.do(http.MethodPost, account+"/tokens", "t1", tt.body)
			if w.Code != tt.wantCode {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, tt.wantCode)
			}
			if tt.wantErr != "" {
				if got := errorCode(t, w); got != tt.wantErr {
					t.Fatalf("code %q, want %q", got, tt.wantErr)
				}
				return
			}
			out := decode[netflix.TokenAnswer](t, w)
			if out.ExpiryDate != tt.wantExpiry.Format(time.RFC3339) || out.Token == "" ||
				out.RequestedSecuritizedURL != "http://partner.test/netflix/activate?token="+out.Token {
				t.Fatalf("answer %+v, want expiry %s and a URL on this host", out, tt.wantExpiry.Format(time.RFC3339))
			}
			if replay := h.do(http.MethodPost, account+"/tokens", "t1", tt.body); replay.Body.String() != w.Body.String() {
				t.Fatalf("replay %s, want the same token %s", replay.Body, w.Body)
			}
		})
	}
}

func TestSecuritizedURLUsesThePublicURL(t *testing.T) {
	h := newHarnessWith(t, netflix.Options{PublicURL: "http://127.0.0.1:8090/"})
	h.enrol(pai)
	out := decode[netflix.TokenAnswer](t, h.do(http.MethodPost, account+"/tokens", "t1", tokenBody))
	if want := "http://127.0.0.1:8090/netflix/activate?token=" + out.Token; out.RequestedSecuritizedURL != want {
		t.Fatalf("url %q, want %q", out.RequestedSecuritizedURL, want)
	}
}

func TestOpenSecuritizedURL(t *testing.T) {
	const validity = 3600
	body := `{"token_error_url":"https://e.example/err","type":"BUNDLE","validity_duration_in_seconds":` + strconv.Itoa(validity) + `}`
	tests := []struct {
		name          string
		advance       time.Duration
		path          func(link string) string
		wantCode      int
		wantErr       string
		wantActivated bool
	}{
		{"open200Activates", validity*time.Second - time.Second, func(l string) string { return l }, http.StatusOK, "", true},
		{"openExpired400", validity * time.Second, func(l string) string { return l }, http.StatusBadRequest, "TOKEN_EXPIRED", false},
		{"openUnknown400", 0, func(string) string { return "/netflix/activate?token=nope" }, http.StatusBadRequest, "TOKEN_INVALID", false},
		{"openWithoutToken400", 0, func(string) string { return "/netflix/activate" }, http.StatusBadRequest, "TOKEN_INVALID", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.enrol(pai)
			link := h.token(pai, body)
			h.clock.Advance(tt.advance)
			w := h.do(http.MethodGet, tt.path(link), "", "")
			if w.Code != tt.wantCode {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, tt.wantCode)
			}
			if tt.wantErr != "" && errorCode(t, w) != tt.wantErr {
				t.Fatalf("code %q, want %q", errorCode(t, w), tt.wantErr)
			}
			if tt.wantErr == "" && !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
				t.Fatalf("content type %q, want an HTML page", w.Header().Get("Content-Type"))
			}
			a := h.account(pai)
			if a.Activated != tt.wantActivated {
				t.Fatalf("activated %v, want %v", a.Activated, tt.wantActivated)
			}
			wantStatus, wantReports := netflix.BundlePendingActivation, 0
			if tt.wantActivated {
				wantStatus, wantReports = netflix.BundleActive, 1
			}
			if s := h.status(pai); s.Bundle.Status != wantStatus {
				t.Fatalf("bundle status %s, want %s", s.Bundle.Status, wantStatus)
			}
			if got := len(h.reports("", "").Reports); got != wantReports {
				t.Fatalf("%d reports, want %d", got, wantReports)
			}
		})
	}
}

func TestOpenTwiceReportsOnce(t *testing.T) {
	h := newHarness(t)
	h.enrol(pai)
	first, second := h.token(pai, tokenBody), h.token(pai, tokenBody)
	if first == second {
		t.Fatalf("two token requests gave one URL %s", first)
	}
	for _, link := range []string{first, first, second} {
		if w := h.do(http.MethodGet, link, "", ""); w.Code != http.StatusOK {
			t.Fatalf("open: %d %s", w.Code, w.Body)
		}
	}
	if n := len(h.reports("", "").Reports); n != 1 {
		t.Fatalf("%d reports, want 1", n)
	}
	if r := h.api.Partner().Requests(); r.Counts[netflix.OpActivateLink] != 3 || r.Effects[netflix.OpActivateLink] != 1 {
		t.Fatalf("counts %v effects %v, want 3 opens and 1 effect", r.Counts, r.Effects)
	}
}

func TestOpenRefusedByAccountState(t *testing.T) {
	tests := []struct {
		name     string
		path     string
		body     string
		wantErr  string
		reEnrol  bool
		wantCode int
	}{
		{"suspendedAfterIssue409", account + "/suspend", `{"suspend_event_id":"s1","reason":"R"}`, "ACCOUNT_SUSPENDED", false, http.StatusConflict},
		{"canceledAfterIssue409", account + "/cancel", `{"cancel_event_id":"c1","cancel_reason":"R"}`, "ACCOUNT_CANCELED", false, http.StatusConflict},
		{"enrolmentEndedTokenInvalid400", account + "/cancel", `{"cancel_event_id":"c1","cancel_reason":"R"}`, "TOKEN_INVALID", true, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.enrol(pai)
			link := h.token(pai, tokenBody)
			if w := h.do(http.MethodPost, tt.path, "change", tt.body); w.Code != http.StatusOK {
				t.Fatalf("change: %d %s", w.Code, w.Body)
			}
			if tt.reEnrol {
				if w := h.do(http.MethodPost, accounts, "again", enrolBody(pai)); w.Code != http.StatusCreated {
					t.Fatalf("enrol again: %d %s", w.Code, w.Body)
				}
			}
			w := h.do(http.MethodGet, link, "", "")
			if w.Code != tt.wantCode || errorCode(t, w) != tt.wantErr {
				t.Fatalf("open: %d %s, want %d %s", w.Code, w.Body, tt.wantCode, tt.wantErr)
			}
			if h.account(pai).Activated {
				t.Fatal("account activated by a refused open")
			}
		})
	}
}
