package service_test

// Component tests: the Disney service runs as in production, against the embedded
// Kafka-protocol broker and MongoDB-wire server, with the partner simulator as the partner.
// Each test gets its own broker (cheap, in memory) and database; the store is shared.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"provision.local/events"
	"provision.local/pkg/cekafka"
	"provision.local/pkg/kafkaio"
	"provision.local/pkg/localinfra"
	"provision.local/pkg/localinfra/infratest"
	"provision.local/pkg/logging"
	"provision.local/services/disney/internal/service"
	"provision.local/services/partnersim/simulator"
)

var mongoURI string

func TestMain(m *testing.M) { infratest.MainWithMongo(m, &mongoURI) }

var dbSeq atomic.Int32

// stack is one running Disney service with its own broker, database and partner.
type stack struct {
	t       testing.TB
	broker  string
	http    string
	partner string
	pub     *kafkaio.Publisher
}

func start(t testing.TB) *stack { return startWith(t, nil) }

// startWith is start with the configuration adjusted by adjust.
func startWith(t testing.TB, adjust func(*service.Config)) *stack {
	t.Helper()
	b, err := localinfra.StartBroker(localinfra.BrokerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)

	log := logging.New("partnersim", "error")
	h, err := simulator.NewHandler(log)
	if err != nil {
		t.Fatal(err)
	}
	partner := httptest.NewServer(h)
	t.Cleanup(partner.Close)

	cfg, err := service.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Kafka.Brokers = []string{b.Addr()}
	cfg.Kafka.Partitions = 4
	cfg.Mongo.URI = mongoURI
	cfg.Mongo.Database = fmt.Sprintf("disney_c%d", dbSeq.Add(1))
	cfg.HTTP.Addr = infratest.FreeAddr(t)
	cfg.PartnerURL = partner.URL + "/disney"
	cfg.Consumer.RetryInitial = 20 * time.Millisecond
	cfg.Consumer.RetryMax = 200 * time.Millisecond
	cfg.Consumer.RetryMaxElapsed = 30 * time.Second
	if adjust != nil {
		adjust(&cfg)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- service.Run(ctx, cfg, logging.NewWithOutput("disney", "warn", io.Discard)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("service stopped with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("service did not stop within 30s")
		}
	})

	s := &stack{t: t, broker: b.Addr(), http: "http://" + cfg.HTTP.Addr, partner: partner.URL, pub: kafkaio.NewPublisher(cfg.Kafka)}
	t.Cleanup(func() { _ = s.pub.Close() })
	s.eventually("service ready", func() bool { return s.get("/readyz", nil) == http.StatusOK })
	return s
}

// eventually polls cond until it holds or the deadline passes.
func (s *stack) eventually(what string, cond func() bool) {
	s.t.Helper()
	infratest.Eventually(s.t, 45*time.Second, what, cond)
}

func (s *stack) get(path string, out any) int {
	resp, err := http.Get(s.http + path)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func (s *stack) partnerCall(method, path string, body any, out any) int {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, s.partner+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", uuid.NewString())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

type partnerRequests struct {
	Counts  map[string]int `json:"counts"`
	Effects map[string]int `json:"effects"`
	Faulted map[string]int `json:"faulted"`
}

func (s *stack) partnerRequests() partnerRequests {
	var r partnerRequests
	s.partnerCall(http.MethodGet, "/admin/requests/disney", nil, &r)
	return r
}

// command builds a Disney command as the ingress (or upstream billing) would.
func command(t *testing.T, ceType, key string, payload any) cloudevents.Event {
	t.Helper()
	e, err := events.New(uuid.NewString(), ceType, "/test", key, payload)
	if err != nil {
		t.Fatal(err)
	}
	events.SetExtensions(&e, "corr-"+e.ID()[:8], "", "masmovil")
	return e
}

func (s *stack) send(es ...cloudevents.Event) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.pub.Publish(ctx, events.TopicDisneyCommands, es...); err != nil {
		s.t.Fatal(err)
	}
}

type status struct {
	Entitled     string   `json:"entitled"`
	Cancellation string   `json:"cancellation"`
	Products     []string `json:"products"`
	Activated    string   `json:"activated"`
	LastUpdated  string   `json:"lastUpdated"`
}

func (s *stack) status(user, sub string) (status, int) {
	var st status
	code := s.get("/internal/v1/orgs/masmovil/users/"+user+"/subscriptions/"+sub, &st)
	return st, code
}

type operation struct {
	Status string `json:"status"`
	Error  *struct {
		Code    string `json:"code"`
		Details string `json:"details"`
	} `json:"error"`
}

// waitOperation waits until the command has an outcome and returns it.
func (s *stack) waitOperation(id string) operation {
	s.t.Helper()
	var op operation
	s.eventually("operation "+id, func() bool {
		op = operation{}
		return s.get("/internal/v1/orgs/masmovil/operations/"+id, &op) == http.StatusOK &&
			(op.Status == "COMPLETED" || op.Status == "FAILED")
	})
	return op
}

// topicRecords reads every record on a topic, waiting until at least n are there.
func (s *stack) topicRecords(topic string, n int) []kafka.Message {
	s.t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{s.broker}, Topic: topic, GroupID: "reader-" + uuid.NewString(), MaxWait: 100 * time.Millisecond, StartOffset: kafka.FirstOffset})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	var out []kafka.Message
	for len(out) < n {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			s.t.Fatalf("read %s: got %d of %d records: %v", topic, len(out), n, err)
		}
		out = append(out, m)
	}
	return out
}

var products = []string{"com.disney.yoigo.es.bundle.basic", "com.disney.yoigo.es.bundle.premium"}

func create(t *testing.T, user, sub string) cloudevents.Event {
	return command(t, events.TypeDisneyCreateSubscription, sub, events.DisneyCreateSubscription{Org: "masmovil", UserID: user, SubscriptionID: sub, Products: products})
}

func TestLifecycleRunsAgainstThePartner(t *testing.T) {
	s := start(t)
	user, sub := "MOO1", "ENT1"

	steps := []struct {
		name         string
		cmd          cloudevents.Event
		wantOutcome  string
		wantEntitled string
		wantProducts []string
		wantError    string
	}{
		{"create200Active", create(t, user, sub), "COMPLETED", "ACTIVE", products, ""},
		{"createAgainByOtherUserFails", create(t, "MOO2", sub), "FAILED", "ACTIVE", products, "SUBSCRIPTION_ALREADY_EXISTS"},
		{"modifyReplacesProducts", command(t, events.TypeDisneyModifySubscription, sub, events.DisneyModifySubscription{Org: "masmovil", UserID: user, SubscriptionID: sub, Products: products[:1]}), "COMPLETED", "ACTIVE", products[:1], ""},
		{"suspendHolds", command(t, events.TypeDisneySuspendSubscription, sub, events.DisneySuspendSubscription{Org: "masmovil", UserID: user, SubscriptionID: sub, Products: products[:1]}), "COMPLETED", "BILLING_HOLD", products[:1], ""},
		{"suspendTwiceFails", command(t, events.TypeDisneySuspendSubscription, sub, events.DisneySuspendSubscription{Org: "masmovil", UserID: user, SubscriptionID: sub, Products: products[:1]}), "FAILED", "BILLING_HOLD", products[:1], "INVALID_TRANSITION"},
		{"reactivateActivates", command(t, events.TypeDisneyReactivateSubscription, sub, events.DisneyReactivateSubscription{Org: "masmovil", UserID: user, SubscriptionID: sub, Products: products[:1]}), "COMPLETED", "ACTIVE", products[:1], ""},
		{"terminateUnknownProductFails", command(t, events.TypeDisneyTerminateSubscription, sub, events.DisneyTerminateSubscription{Org: "masmovil", UserID: user, SubscriptionID: sub, Product: "disney.bundle.basic"}), "FAILED", "ACTIVE", products[:1], "PRODUCT_NOT_FOUND"},
		{"otherUserCannotTerminate", command(t, events.TypeDisneyTerminateSubscription, sub, events.DisneyTerminateSubscription{Org: "masmovil", UserID: "MOO2", SubscriptionID: sub}), "FAILED", "ACTIVE", products[:1], "SUBSCRIPTION_NOT_FOUND"},
		{"terminateCancels", command(t, events.TypeDisneyTerminateSubscription, sub, events.DisneyTerminateSubscription{Org: "masmovil", UserID: user, SubscriptionID: sub}), "COMPLETED", "CANCELED", products[:1], ""},
		{"suspendCanceledFails", command(t, events.TypeDisneySuspendSubscription, sub, events.DisneySuspendSubscription{Org: "masmovil", UserID: user, SubscriptionID: sub, Products: products[:1]}), "FAILED", "CANCELED", products[:1], "INVALID_TRANSITION"},
	}
	for _, st := range steps {
		s.send(st.cmd)
		op := s.waitOperation(st.cmd.ID())
		if op.Status != st.wantOutcome {
			t.Fatalf("%s: outcome %s, want %s (%+v)", st.name, op.Status, st.wantOutcome, op.Error)
		}
		if st.wantError != "" && (op.Error == nil || op.Error.Code != st.wantError) {
			t.Fatalf("%s: error %+v, want %s", st.name, op.Error, st.wantError)
		}
		got, code := s.status(user, sub)
		if code != http.StatusOK || got.Entitled != st.wantEntitled || strings.Join(got.Products, ",") != strings.Join(st.wantProducts, ",") {
			t.Fatalf("%s: status %d %+v, want %s %v", st.name, code, got, st.wantEntitled, st.wantProducts)
		}
	}
	if got, _ := s.status(user, sub); got.Cancellation != "VOLUNTARY" {
		t.Fatalf("cancellation = %q, want VOLUNTARY", got.Cancellation)
	}
	// Refused transitions never reached the partner.
	r := s.partnerRequests()
	if r.Counts["suspend"] != 1 || r.Effects["create"] != 1 || r.Effects["cancel"] != 1 {
		t.Fatalf("partner saw %+v, want 1 suspend, 1 create, 1 cancel", r)
	}
	// Every step produced one status event, each valid against its schema and keyed by the subscription.
	recs := s.topicRecords(events.TopicDisneyStatus, len(steps))
	for _, m := range recs {
		e, err := cekafka.FromMessage(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := events.Validate(e.Type(), e.Data()); err != nil {
			t.Fatalf("status event %s invalid: %v", e.Type(), err)
		}
		if string(m.Key) != sub {
			t.Fatalf("status event key %q, want %q", m.Key, sub)
		}
	}
	// The other user does not see the subscription.
	if _, code := s.status("MOO2", sub); code != http.StatusNotFound {
		t.Fatalf("another user's GET = %d, want 404", code)
	}
}

func TestRedeliveredCommandTakesEffectOnce(t *testing.T) {
	s := start(t)
	c := create(t, "MOO1", "ENT-dup")
	s.send(c, c) // upstream sent it twice, with the same ce_id
	s.waitOperation(c.ID())
	recs := s.topicRecords(events.TopicDisneyStatus, 2)
	ids := map[string]bool{}
	for _, m := range recs {
		e, err := cekafka.FromMessage(m)
		if err != nil {
			t.Fatal(err)
		}
		ids[e.ID()] = true
		// The second delivery republishes the first outcome; it is not run again (which would
		// fail as "already exists").
		var p events.StatusEvent[events.DisneyStatusDetails]
		if e.Type() != events.TypeDisneySubscriptionStatusV2 || events.Decode(*e, &p) != nil || p.Version != 1 || p.Status != events.StatusActive {
			t.Fatalf("redelivery produced %s %s, want the create's status event at version 1", e.Type(), e.Data())
		}
	}
	if len(ids) != 1 {
		t.Fatalf("the status event of one command has %d ids, want 1 stable id", len(ids))
	}
	if r := s.partnerRequests(); r.Effects["create"] != 1 {
		t.Fatalf("partner created %d entitlements, want 1", r.Effects["create"])
	}
}

func TestPoisonMessagesGoToTheDeadLetterTopic(t *testing.T) {
	s := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	badPayload := create(t, "MOO1", "ENT-bad")
	_ = badPayload.SetData(cloudevents.ApplicationJSON, map[string]any{"org": "masmovil", "userId": "MOO1", "subscriptionId": "ENT-bad", "products": []string{}})
	unknown := command(t, "com.provision.disney.unknown.v1", "ENT-x", map[string]string{"a": "b"})
	badMsg, err := cekafka.ToMessage(ctx, badPayload)
	if err != nil {
		t.Fatal(err)
	}
	unknownMsg, err := cekafka.ToMessage(ctx, unknown)
	if err != nil {
		t.Fatal(err)
	}
	notCE := kafka.Message{Key: []byte("ENT-y"), Value: []byte("{not json")}
	for _, m := range []kafka.Message{notCE, badMsg, unknownMsg} {
		m.Topic = events.TopicDisneyCommands
		if err := s.pub.PublishMessages(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	good := create(t, "MOO1", "ENT-good")
	s.send(good)
	if op := s.waitOperation(good.ID()); op.Status != "COMPLETED" {
		t.Fatalf("the consumer did not carry on: %+v", op)
	}
	dead := s.topicRecords(events.TopicDeadLetter, 3)
	for _, m := range dead {
		h := map[string]string{}
		for _, x := range m.Headers {
			h[x.Key] = string(x.Value)
		}
		if h["dlq_reason"] == "" || h["dlq_original_topic"] != events.TopicDisneyCommands || h["dlq_original_offset"] == "" {
			t.Fatalf("dead letter headers %v", h)
		}
	}
}

func TestTransientPartnerFailuresAreRetried(t *testing.T) {
	s := start(t)
	if code := s.partnerCall(http.MethodPut, "/admin/faults/disney", map[string]any{"status": 503, "rate": 1.0}, nil); code != http.StatusOK {
		t.Fatalf("inject fault: %d", code)
	}
	c := create(t, "MOO1", "ENT-retry")
	s.send(c)
	s.eventually("retries against the failing partner", func() bool { return s.partnerRequests().Faulted["create"] >= 2 })
	if code := s.partnerCall(http.MethodDelete, "/admin/faults/disney", nil, nil); code != http.StatusNoContent {
		t.Fatalf("clear fault: %d", code)
	}
	if op := s.waitOperation(c.ID()); op.Status != "COMPLETED" {
		t.Fatalf("outcome %+v, want COMPLETED after the partner recovered", op)
	}
	if r := s.partnerRequests(); r.Effects["create"] != 1 {
		t.Fatalf("partner created %d, want 1", r.Effects["create"])
	}
}

func TestPartnerRejectionFailsTheOperation(t *testing.T) {
	s := start(t)
	// The partner already has this entitlement (made by someone else).
	if code := s.partnerCall(http.MethodPost, "/disney/v1/entitlements", map[string]any{"entitlementId": "ENT-taken", "userId": "X", "provider": "masmovil", "products": products}, nil); code != http.StatusCreated {
		t.Fatalf("seed partner: %d", code)
	}
	c := create(t, "MOO1", "ENT-taken")
	s.send(c)
	op := s.waitOperation(c.ID())
	if op.Status != "FAILED" || op.Error == nil || op.Error.Code != "PARTNER_REJECTED" {
		t.Fatalf("outcome %+v, want FAILED PARTNER_REJECTED", op)
	}
	if _, code := s.status("MOO1", "ENT-taken"); code != http.StatusNotFound {
		t.Fatalf("a rejected create left a subscription (GET %d)", code)
	}
	recs := s.topicRecords(events.TopicDisneyStatus, 1)
	e, err := cekafka.FromMessage(recs[0])
	if err != nil || e.Type() != events.TypeDisneyOperationFailedV2 {
		t.Fatalf("status event %v (%v), want operation.failed", e, err)
	}
}

func TestActivationCallbackLinksTheUsersSubscriptions(t *testing.T) {
	s := start(t)
	c := create(t, "MOO9", "ENT-link")
	s.send(c)
	s.waitOperation(c.ID())
	cb := command(t, events.TypeDisneyActivationCallback, "MOO9", events.DisneyActivationCallback{Org: "masmovil", UserID: "MOO9"})
	s.send(cb)
	if op := s.waitOperation(cb.ID()); op.Status != "COMPLETED" {
		t.Fatalf("callback outcome %+v", op)
	}
	if st, _ := s.status("MOO9", "ENT-link"); st.Activated != "LINKED" {
		t.Fatalf("activated = %q, want LINKED", st.Activated)
	}
	var ent struct {
		Linked bool `json:"linked"`
	}
	s.partnerCall(http.MethodGet, "/disney/v1/entitlements/ENT-link", nil, &ent)
	if !ent.Linked {
		t.Fatal("the partner was not told of the activation")
	}
}

func TestExhaustedRetriesAreDeadLetteredAndReplayable(t *testing.T) {
	s := startWith(t, func(cfg *service.Config) { cfg.Consumer.RetryMaxElapsed = 500 * time.Millisecond })
	if code := s.partnerCall(http.MethodPut, "/admin/faults/disney", map[string]any{"status": 503, "rate": 1.0}, nil); code != http.StatusOK {
		t.Fatalf("inject fault: %d", code)
	}
	c := create(t, "MOO1", "ENT-dlq")
	s.send(c)
	op := s.waitOperation(c.ID())
	if op.Status != "FAILED" || op.Error == nil || op.Error.Code != "DEAD_LETTERED" {
		t.Fatalf("outcome %+v, want FAILED DEAD_LETTERED", op)
	}
	dead := s.topicRecords(events.TopicDeadLetter, 1)[0]
	// The partner is back; an operator replays the dead letter onto the commands topic.
	if code := s.partnerCall(http.MethodDelete, "/admin/faults/disney", nil, nil); code != http.StatusNoContent {
		t.Fatalf("clear fault: %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	replay := kafka.Message{Topic: events.TopicDisneyCommands, Key: dead.Key, Value: dead.Value}
	for _, h := range dead.Headers {
		if !strings.HasPrefix(h.Key, "dlq_") {
			replay.Headers = append(replay.Headers, h)
		}
	}
	if err := s.pub.PublishMessages(ctx, replay); err != nil {
		t.Fatal(err)
	}
	s.eventually("the replayed command to complete", func() bool {
		var o operation
		return s.get("/internal/v1/orgs/masmovil/operations/"+c.ID(), &o) == http.StatusOK && o.Status == "COMPLETED"
	})
	if st, _ := s.status("MOO1", "ENT-dlq"); st.Entitled != "ACTIVE" {
		t.Fatalf("after the replay: %+v", st)
	}
}
