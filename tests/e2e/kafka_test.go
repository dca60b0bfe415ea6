package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"provision.local/events"
)

// headers turns record headers into a map.
func headers(m kafka.Message) map[string]string {
	h := make(map[string]string, len(m.Headers))
	for _, x := range m.Headers {
		h[x.Key] = string(x.Value)
	}
	return h
}

// readUntil reads a topic from the beginning with a plain kafka-go consumer until done says so.
func readUntil(t *testing.T, topic string, timeout time.Duration, done func(kafka.Message) bool) {
	t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: []string{stack.BrokerAddr()}, Topic: topic, GroupID: "e2e-" + uuid.NewString(),
		StartOffset: kafka.FirstOffset, MaxWait: 200 * time.Millisecond,
	})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("read %s: %v", topic, err)
		}
		if done(m) {
			return
		}
	}
}

// TestBillingPublishesStraightToKafka is upstream billing: a plain Kafka producer writes a
// Disney create in CloudEvents binary mode, as events/README.md documents, with no HTTP.
func TestBillingPublishesStraightToKafka(t *testing.T) {
	const user, sub = "MOO-BILLING-1", "ENT-BILLING-1"
	id := uuid.NewString()
	payload := fmt.Sprintf(`{"org":"masmovil","userId":%q,"subscriptionId":%q,"products":["com.disney.yoigo.es.bundle.basic"]}`, user, sub)
	w := &kafka.Writer{Addr: kafka.TCP(stack.BrokerAddr()), Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := w.WriteMessages(ctx, kafka.Message{
		Topic: events.TopicDisneyCommands,
		Key:   []byte(sub),
		Value: []byte(payload),
		Headers: []kafka.Header{
			{Key: "content-type", Value: []byte("application/json")},
			{Key: "ce_specversion", Value: []byte("1.0")},
			{Key: "ce_id", Value: []byte(id)},
			{Key: "ce_type", Value: []byte(events.TypeDisneyCreateSubscription)},
			{Key: "ce_source", Value: []byte("/billing")},
			{Key: "ce_time", Value: []byte(time.Now().UTC().Format(time.RFC3339))},
			{Key: "ce_partitionkey", Value: []byte(sub)},
			{Key: "ce_correlationid", Value: []byte("billing-corr-1")},
			{Key: "ce_org", Value: []byte("masmovil")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, "the billing create to take effect", func() bool {
		s, code := status(t, user, sub)
		return code == http.StatusOK && s.Entitled == "ACTIVE"
	})
	// Its status event is readable by any Kafka client: ce_ headers, the key, a valid payload.
	readUntil(t, events.TopicDisneyStatus, 30*time.Second, func(m kafka.Message) bool {
		h := headers(m)
		if h["ce_type"] != events.TypeDisneySubscriptionStatusV2 || string(m.Key) != sub {
			return false
		}
		for _, k := range []string{"ce_id", "ce_source", "ce_specversion", "ce_time", "ce_partitionkey", "ce_correlationid", "content-type"} {
			if h[k] == "" {
				t.Fatalf("status event lacks header %s: %v", k, h)
			}
		}
		if h["ce_correlationid"] != "billing-corr-1" {
			t.Fatalf("correlation id %q not carried to the status event", h["ce_correlationid"])
		}
		if err := events.Validate(h["ce_type"], m.Value); err != nil {
			t.Fatalf("status event does not validate: %v", err)
		}
		// The envelope every provider shares, read without knowing Disney's details.
		var p events.StatusEvent[json.RawMessage]
		if err := json.Unmarshal(m.Value, &p); err != nil || p.CommandID != id {
			t.Fatalf("status payload %s: commandId want %s (%v)", m.Value, id, err)
		}
		if p.Org != "masmovil" || p.Provider != events.ProviderDisney || p.SubscriptionID != sub || p.Status != events.StatusActive ||
			p.PreviousStatus != "" || p.Operation != events.OpCreate || p.CorrelationID != "billing-corr-1" || p.WorkflowID != "" ||
			p.Version != 1 || p.OccurredAt.IsZero() || p.Error != nil {
			t.Fatalf("status envelope %s, want masmovil/disney %s ACTIVE v1 created by the billing command", m.Value, sub)
		}
		var d events.DisneyStatusDetails
		if err := json.Unmarshal(p.Details, &d); err != nil || d.UserID != user || d.Entitled != events.EntitledActive ||
			d.Activated != events.ActivatedUnlinked || len(d.Products) != 1 {
			t.Fatalf("status details %s (%v), want the user's ACTIVE, UNLINKED subscription", p.Details, err)
		}
		return true
	})
}

func TestMalformedCommandGoesToTheDeadLetterTopic(t *testing.T) {
	w := &kafka.Writer{Addr: kafka.TCP(stack.BrokerAddr()), Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	marker := "poison-" + uuid.NewString()
	if err := w.WriteMessages(ctx, kafka.Message{Topic: events.TopicDisneyCommands, Key: []byte(marker), Value: []byte("this is not a CloudEvent")}); err != nil {
		t.Fatal(err)
	}
	readUntil(t, events.TopicDeadLetter, 60*time.Second, func(m kafka.Message) bool {
		if string(m.Key) != marker {
			return false
		}
		h := headers(m)
		if h["dlq_reason"] == "" || h["dlq_original_topic"] != events.TopicDisneyCommands || h["dlq_original_partition"] == "" || h["dlq_original_offset"] == "" {
			t.Fatalf("dead letter headers %v", h)
		}
		return true
	})
	// The consumer carried on.
	r := call(t, http.MethodPost, "/v2/orgs/masmovil/tv/disney/users/MOO-AFTER-POISON",
		map[string]string{"Request-Correlation-Id": "after-poison"}, jsonf(createBody, "ENT-AFTER-POISON"))
	if r.Status != http.StatusAccepted {
		t.Fatalf("create after poison: %d", r.Status)
	}
	if wf := waitWorkflow(t, r.Header.Get("Workflow-Id")); wf.Status != "COMPLETED" {
		t.Fatalf("create after poison: %+v", wf)
	}
}

// TestKcatReadsStatusEvents shows the status topic with kcat, the Kafka CLI from Debian, when
// it is installed.
func TestKcatReadsStatusEvents(t *testing.T) {
	path, err := exec.LookPath("kcat")
	if err != nil {
		t.Skip("kcat is not installed (apt-get install kcat)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// One record per line: key, headers, then the value (JSON, so it holds no newline).
	out, err := exec.CommandContext(ctx, path, "-C", "-b", stack.BrokerAddr(), "-t", events.TopicDisneyStatus,
		"-o", "beginning", "-e", "-c", "5", "-f", "key=%k headers=%h value=%s\n").CombinedOutput()
	if err != nil {
		t.Fatalf("kcat: %v\n%s", err, out)
	}
	seen := 0
	for line := range strings.Lines(string(out)) {
		head, value, ok := strings.Cut(strings.TrimSuffix(line, "\n"), " value=")
		if !ok || !strings.HasPrefix(head, "key=") {
			continue // kcat's own messages
		}
		ceType := ""
		for h := range strings.SplitSeq(head[strings.Index(head, " headers=")+len(" headers="):], ",") {
			if v, ok := strings.CutPrefix(h, "ce_type="); ok {
				ceType = v
			}
		}
		if !events.HasEnvelope(ceType) {
			t.Fatalf("kcat shows a record of type %q, want a status type with the envelope:\n%s", ceType, line)
		}
		if err := events.Validate(ceType, []byte(value)); err != nil {
			t.Fatalf("kcat shows a %s value that does not validate: %v\n%s", ceType, err, value)
		}
		seen++
	}
	if seen == 0 || !strings.Contains(string(out), "ce_type="+events.TypeDisneySubscriptionStatusV2) {
		t.Fatalf("kcat output lacks the status events, their ce_ headers or key:\n%s", out)
	}
}

// TestCrashDrill sends 200 creates in a burst while the disney service is SIGKILLed and
// restarted: every one must end ACTIVE, the partner must see 200 distinct creations, and each
// must have its status event.
func TestCrashDrill(t *testing.T) {
	resetPartnerStats(t)
	const n = 200
	run := uuid.NewString()[:8]
	subs := make([]string, n)
	for i := range subs {
		subs[i] = fmt.Sprintf("ENT-CRASH-%s-%03d", run, i)
	}
	var accepted atomic.Int32
	var wg sync.WaitGroup
	work := make(chan int)
	errs := make(chan string, n)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				r := call(t, http.MethodPost, "/v2/orgs/masmovil/tv/disney/users/MOO-CRASH-"+run,
					map[string]string{"Request-Correlation-Id": "crash-" + subs[i]}, jsonf(createBody, subs[i]))
				if r.Status != http.StatusAccepted {
					errs <- fmt.Sprintf("%s: %d %s", subs[i], r.Status, r.Body)
					continue
				}
				accepted.Add(1)
			}
		}()
	}
	killed := make(chan error, 1)
	go func() {
		for accepted.Load() < n/4 {
			time.Sleep(5 * time.Millisecond)
		}
		killed <- stack.Kill("disney")
	}()
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error("create refused:", e)
	}
	if err := <-killed; err != nil {
		t.Fatalf("kill disney: %v", err)
	}
	if err := stack.Restart("disney"); err != nil {
		t.Fatalf("restart disney: %v", err)
	}
	for _, sub := range subs {
		eventually(t, 3*time.Minute, sub+" ACTIVE", func() bool {
			s, code := status(t, "MOO-CRASH-"+run, sub)
			return code == http.StatusOK && s.Entitled == "ACTIVE"
		})
	}
	if got := partnerStats(t).Effects["create"]; got != n {
		t.Fatalf("the partner saw %d creations, want %d", got, n)
	}
	missing := make(map[string]bool, n)
	for _, s := range subs {
		missing[s] = true
	}
	readUntil(t, events.TopicDisneyStatus, 60*time.Second, func(m kafka.Message) bool {
		if headers(m)["ce_type"] == events.TypeDisneySubscriptionStatusV2 {
			delete(missing, string(m.Key))
		}
		return len(missing) == 0
	})
}
