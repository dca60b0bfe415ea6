package ports_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"provision.local/events"
	"provision.local/pkg/httpx"
	"provision.local/pkg/logging"
	"provision.local/pkg/submit"
	"provision.local/services/netflix/internal/ports"
)

// submitter records the commands it is given and answers err.
type submitter struct {
	got []submit.Command
	err error
}

func (s *submitter) Submit(_ context.Context, c submit.Command) (submit.Accepted, error) {
	s.got = append(s.got, c)
	return submit.Accepted{}, s.err
}

const activation = `{"cursor":"1","netflix_event_id":"nf-1","event_type":"BUNDLE_ACTIVATION","org":"masmovil",
 "partner_account_id":%s,"bundle_id":"b1","occurred_at":"2026-01-02T03:04:05Z","timestamp":1767323045}`

func TestReports(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		submitErr error
		status    int
		submitted bool
	}{
		{"activation204", strings.Replace(activation, "%s", "4567890123456789", 1), nil, http.StatusNoContent, true},
		{"activationPAIAsString204", strings.Replace(activation, "%s", `"4567890123456789"`, 1), nil, http.StatusNoContent, true},
		{"brokerDown503", strings.Replace(activation, "%s", "4567890123456789", 1), submit.ErrUnavailable, http.StatusServiceUnavailable, true},
		{"otherTypeIgnored204", `{"netflix_event_id":"nf-2","event_type":"BUNDLE_PLAN_CHANGE","org":"masmovil","partner_account_id":1}`, nil, http.StatusNoContent, false},
		{"noEventID400", `{"event_type":"BUNDLE_ACTIVATION","org":"masmovil","partner_account_id":1,"occurred_at":"2026-01-02T03:04:05Z"}`, nil, http.StatusBadRequest, false},
		{"badPAI400", strings.Replace(activation, "%s", "12.5", 1), nil, http.StatusBadRequest, false},
		{"malformed400", `{"netflix_event_id":`, nil, http.StatusBadRequest, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &submitter{err: tt.submitErr}
			engine := httpx.NewEngine(httpx.Options{Service: "netflix", Log: logging.NewWithOutput("netflix", "panic", io.Discard)})
			ports.RegisterReports(engine, s)
			w := httptest.NewRecorder()
			engine.ServeHTTP(w, httptest.NewRequest(http.MethodPost, ports.ReportsPath, strings.NewReader(tt.body)))
			if w.Code != tt.status {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, tt.status)
			}
			if !tt.submitted {
				if len(s.got) != 0 {
					t.Fatalf("submitted %+v, want nothing", s.got)
				}
				return
			}
			if len(s.got) != 1 {
				t.Fatalf("submitted %d commands, want one", len(s.got))
			}
			c := s.got[0]
			want := events.NetflixActivationCallback{Org: "masmovil", PartnerAccountID: "4567890123456789", NetflixEventID: "nf-1",
				ActivatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
			if c.Type != events.TypeNetflixActivationCallback || c.PartitionKey != want.PartnerAccountID || c.IdempotencyKey != "nf-1" ||
				c.Provider != events.ProviderNetflix || c.Payload != want {
				t.Errorf("submitted %+v, want an activation callback keyed by the PAI, deduplicated by the event id", c)
			}
		})
	}
}
