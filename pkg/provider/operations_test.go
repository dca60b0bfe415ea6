package provider

// Unit tests of the operations endpoint: what it answers from an operation record.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"provision.local/pkg/consumer"
	"provision.local/pkg/httpx"
	"provision.local/pkg/ledger"
	"provision.local/pkg/logging"
	"provision.local/pkg/mongox"
)

// oneRecord answers one operation record, or err for every command.
type oneRecord struct {
	op  ledger.Operation
	err error
}

func (s oneRecord) Operation(_ context.Context, id string) (ledger.Operation, error) {
	if s.err != nil {
		return ledger.Operation{}, s.err
	}
	if id != s.op.ID {
		return ledger.Operation{}, mongox.ErrNotFound
	}
	return s.op, nil
}

const digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

var at = time.Date(2026, 11, 27, 10, 30, 1, 0, time.UTC)

func serveOperation(t *testing.T, src Operations, inflight *ledger.InFlight, path string) (int, map[string]any) {
	t.Helper()
	engine := httpx.NewEngine(httpx.Options{Service: "test", Log: logging.NewWithOutput("test", "panic", io.Discard)})
	registerOperations(engine, src, inflight)
	w := httptest.NewRecorder()
	engine.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	var body map[string]any
	if w.Code == http.StatusOK {
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
	}
	return w.Code, body
}

func TestOperationsEndpoint(t *testing.T) {
	completed := ledger.Operation{ID: "cmd-1", Org: "yoigo", Operation: "create", AggregateID: "yoigo/ENT1",
		Outcome: ledger.Completed, Fingerprint: digest, At: at}
	deadLettered := ledger.Operation{ID: "cmd-1", Org: "yoigo", Operation: "modify", AggregateID: "yoigo/ENT1",
		Outcome: ledger.DeadLettered, Failure: &ledger.Failure{Code: "DEAD_LETTERED", Title: "NOT_PROCESSED", Details: "retries exhausted"}, At: at}
	tests := []struct {
		name     string
		src      Operations
		running  bool
		path     string
		wantCode int
		want     map[string]any
	}{
		{"completed200", oneRecord{op: completed}, false, "/internal/v1/orgs/yoigo/operations/cmd-1", http.StatusOK, map[string]any{
			"commandId": "cmd-1", "status": ledger.Completed, "operation": "create", "subscriptionId": "ENT1",
			"updatedAt": at.Format(time.RFC3339), "fingerprint": digest, "at": at.Format(time.RFC3339),
		}},
		{"deadLetteredIsFailed200", oneRecord{op: deadLettered}, false, "/internal/v1/orgs/yoigo/operations/cmd-1", http.StatusOK, map[string]any{
			"commandId": "cmd-1", "status": ledger.Failed, "operation": "modify", "subscriptionId": "ENT1",
			"updatedAt": at.Format(time.RFC3339), "at": at.Format(time.RFC3339),
			"error": map[string]any{"code": "DEAD_LETTERED", "title": "NOT_PROCESSED", "details": "retries exhausted"},
		}},
		{"running200", oneRecord{op: completed}, true, "/internal/v1/orgs/yoigo/operations/cmd-2", http.StatusOK, map[string]any{
			"commandId": "cmd-2", "status": StatusRunning,
		}},
		{"unknown404", oneRecord{op: completed}, false, "/internal/v1/orgs/yoigo/operations/cmd-2", http.StatusNotFound, nil},
		{"anotherOrgs404", oneRecord{op: completed}, false, "/internal/v1/orgs/masmovil/operations/cmd-1", http.StatusNotFound, nil},
		{"storeDown503", oneRecord{err: errors.New("connection refused")}, false, "/internal/v1/orgs/yoigo/operations/cmd-1", http.StatusServiceUnavailable, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inflight := ledger.NewInFlight()
			release := make(chan struct{})
			done := make(chan struct{})
			if tc.running {
				entered := make(chan struct{})
				h := inflight.Middleware()(func(context.Context, consumer.Message) ([]consumer.Output, error) {
					close(entered)
					<-release
					return nil, nil
				})
				msg := consumer.Message{Event: cloudevents.NewEvent()}
				msg.Event.SetID("cmd-2")
				go func() { defer close(done); _, _ = h(context.Background(), msg) }()
				<-entered
			} else {
				close(done)
			}
			code, body := serveOperation(t, tc.src, inflight, tc.path)
			close(release)
			<-done
			if code != tc.wantCode {
				t.Fatalf("status = %d, want %d", code, tc.wantCode)
			}
			if tc.want == nil {
				return
			}
			wantJSON, _ := json.Marshal(tc.want)
			gotJSON, _ := json.Marshal(body)
			if string(wantJSON) != string(gotJSON) {
				t.Errorf("answer %s, want %s", gotJSON, wantJSON)
			}
		})
	}
}
