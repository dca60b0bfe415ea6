package consumer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/sirupsen/logrus"
)

func headers(m kafka.Message) map[string]string {
	out := map[string]string{}
	for _, h := range m.Headers {
		out[h.Key] = string(h.Value)
	}
	return out
}

func TestDeadLetter(t *testing.T) {
	failing := func(err error) Handler {
		return func(context.Context, Message) ([]Output, error) { return nil, err }
	}
	tests := []struct {
		name        string
		handler     Handler
		pubFails    int
		cancelled   bool
		wantErr     bool
		wantDLQ     bool
		wantOutputs int
		wantReason  string
	}{
		{"success passes through", func(context.Context, Message) ([]Output, error) {
			return []Output{{Topic: "out"}}, nil
		}, 0, false, false, false, 1, ""},
		{"permanent error is dead-lettered", failing(Permanent(errors.New("bad payload"))), 0, false, false, true, 0, "bad payload"},
		{"exhausted transient error is dead-lettered", failing(errors.New("gave up after 5 attempts: 503")), 0, false, false, true, 0, "gave up after 5 attempts: 503"},
		{"shutdown: not dead-lettered, error kept", failing(context.Canceled), 0, true, true, false, 0, ""},
		{"dead-letter write fails twice: the write alone is retried", failing(errors.New("boom")), 2, false, false, true, 0, "boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pub := &fakePublisher{failN: tc.pubFails, err: errors.New("broker down")}
			ctx, _, hook := loggedCtx()
			tr := &countingTracker{}
			ctx = withTracker(ctx, &tr.tracker)
			tr.tracker.retry = func() { tr.retries++ }
			if tc.cancelled {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				cancel()
			}
			msg := testMessage(t, "dl-1", map[string]string{"partitionkey": "sub-1"})
			msg.Record.Headers = append(msg.Record.Headers, kafka.Header{Key: "dlq_reason", Value: []byte("an older failure")})
			origHeaders := append([]kafka.Header(nil), msg.Record.Headers...)
			before := time.Now().UTC().Truncate(time.Second)

			calls := 0
			counted := func(ctx context.Context, msg Message) ([]Output, error) {
				calls++
				return tc.handler(ctx, msg)
			}
			outs, err := DeadLetter(pub, "dlq", time.Millisecond, time.Millisecond)(counted)(ctx, msg)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if len(outs) != tc.wantOutputs {
				t.Fatalf("outputs = %v", outs)
			}
			if calls != 1 {
				t.Fatalf("handler ran %d times, want 1", calls)
			}
			if pub.calls != tc.pubFails+btoi(tc.wantDLQ) {
				t.Fatalf("dead-letter writes = %d, want %d", pub.calls, tc.pubFails+btoi(tc.wantDLQ))
			}
			if tr.retries != tc.pubFails {
				t.Fatalf("retries noted = %d, want %d", tr.retries, tc.pubFails)
			}
			recs := pub.published()
			if tc.wantDLQ != (len(recs) == 1) || len(recs) > 1 {
				t.Fatalf("dead letters = %d, want %v", len(recs), tc.wantDLQ)
			}
			if tr.deadLettered.Load() != tc.wantDLQ {
				t.Fatalf("tracker deadLettered = %v", tr.deadLettered.Load())
			}
			if len(msg.Record.Headers) != len(origHeaders) {
				t.Fatal("the original record's headers were modified")
			}
			if !tc.wantDLQ {
				if len(entriesAt(hook, logrus.ErrorLevel)) != 0 {
					t.Fatal("logged an error without dead-lettering")
				}
				return
			}
			if n := len(entriesAt(hook, logrus.ErrorLevel)); n != 1 {
				t.Fatalf("error lines = %d, want exactly 1", n)
			}
			rec := recs[0]
			if rec.Topic != "dlq" || string(rec.Key) != string(msg.Record.Key) || string(rec.Value) != string(msg.Record.Value) {
				t.Fatalf("record = topic %s key %q value %q", rec.Topic, rec.Key, rec.Value)
			}
			h := headers(rec)
			for _, oh := range origHeaders {
				if oh.Key != "dlq_reason" && h[oh.Key] != string(oh.Value) {
					t.Errorf("original header %s = %q, want %q", oh.Key, h[oh.Key], oh.Value)
				}
			}
			if h[HeaderDLQReason] != tc.wantReason {
				t.Errorf("reason = %q, want %q", h[HeaderDLQReason], tc.wantReason)
			}
			if strings.Count(headerKeys(rec), HeaderDLQReason) != 1 {
				t.Errorf("dlq_reason repeated: %s", headerKeys(rec))
			}
			if h[HeaderDLQOriginalTopic] != "in" || h[HeaderDLQOriginalPartition] != "2" || h[HeaderDLQOriginalOffset] != "41" {
				t.Errorf("origin headers = %v", h)
			}
			at, err := time.Parse(time.RFC3339, h[HeaderDLQFailedAt])
			if err != nil || at.Before(before) || at.After(time.Now().Add(time.Second)) {
				t.Errorf("dlq_failed_at = %q (%v)", h[HeaderDLQFailedAt], err)
			}
		})
	}
}

// countingTracker counts the retries middleware reports.
type countingTracker struct {
	tracker
	retries int
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestDeadLetterWriteStopsWithTheWork: a dead-letter write that keeps failing is retried until
// the work is cancelled, then reported as an error (the runner does not commit); the handler
// ran once.
func TestDeadLetterWriteStopsWithTheWork(t *testing.T) {
	base, _, _ := loggedCtx()
	ctx, cancel := context.WithCancel(base)
	defer cancel()
	pub := &fakePublisher{failN: 1 << 30, err: errors.New("broker down")}
	tr := &tracker{}
	retries := 0
	tr.retry = func() {
		if retries++; retries == 3 {
			cancel()
		}
	}
	calls := 0
	h := func(context.Context, Message) ([]Output, error) {
		calls++
		return nil, Permanent(errors.New("bad payload"))
	}
	_, err := DeadLetter(pub, "dlq", time.Millisecond, time.Millisecond)(h)(withTracker(ctx, tr), testMessage(t, "dl-2", nil))
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the cancellation", err)
	}
	if calls != 1 || retries != 3 || tr.deadLettered.Load() {
		t.Fatalf("handler calls %d, write retries %d, dead-lettered %v; want 1, 3, false", calls, retries, tr.deadLettered.Load())
	}
}

func headerKeys(m kafka.Message) string {
	var keys []string
	for _, h := range m.Headers {
		keys = append(keys, h.Key)
	}
	return strings.Join(keys, ",")
}

func TestDeadLetterReasonIsBounded(t *testing.T) {
	rec := deadLetterRecord(kafka.Message{Topic: "in"}, "dlq", strings.Repeat("x", 10*maxReasonBytes), time.Now())
	if got := len(headers(rec)[HeaderDLQReason]); got != maxReasonBytes {
		t.Fatalf("reason length = %d", got)
	}
}
