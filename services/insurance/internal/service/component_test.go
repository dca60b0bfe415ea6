package service_test

// Component test: the insurance service runs as in production on the embedded Kafka-protocol
// broker and MongoDB-wire server, with the partner simulator in process as the insurer. Besides
// the lifecycle, it collects every log line of the service, every record of the status and
// dead-letter topics and the stored policies, and looks for the personal values it sent.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/v2/bson"

	"provision.local/events"
	"provision.local/pkg/kafkaio"
	"provision.local/pkg/localinfra"
	"provision.local/pkg/localinfra/infratest"
	"provision.local/pkg/logging"
	"provision.local/pkg/mongox"
	"provision.local/pkg/provider/providertest"
	"provision.local/pkg/sealbox"
	"provision.local/services/insurance/internal/adapters"
	"provision.local/services/insurance/internal/app"
	"provision.local/services/insurance/internal/ports"
	"provision.local/services/insurance/internal/service"
	"provision.local/services/partnersim/simulator"
)

var mongoURI string

func TestMain(m *testing.M) { infratest.MainWithMongo(m, &mongoURI) }

var databases atomic.Int32

const (
	org      = "masmovil"
	document = "12345678Z"
	phone    = "612345678"
	imei     = "356938035643809"
	email    = "juan.perez@example.com"
	account  = "0200051332"
	surname  = "Pérez-Castellana"
)

// personal are the values sent that may travel on the commands topic and nowhere else.
var personal = []string{document, phone, imei, email, account, surname}

// reserveBody is a realistic reserve body of the seed's shape.
var reserveBody = map[string]any{
	"documentId": document, "firstName": "Juan", "lastName1": surname, "lastName2": "García", "msisdn": phone,
	"address": "Paseo de la Castellana 4, 2B", "email": email, "zipCode": "28046", "locality": "Madrid",
	"province": "Madrid", "language": "es", "sfid": "1234", "brand": "Acme", "model": "A1", "price": 499.9,
	"clientType": "Autónomo", "invoicePayment": false, "productType": "Móvil", "imei": imei,
	"terminalSaleDate": "2022-01-31T23:00:00Z", "entity": "2100", "officeCode": "0418", "dc": "45",
	"accountNumber": account, "billingCycle": "monthly", "salesChannel": "shop",
}

// lockedBuffer collects the service's log lines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// insurance is one running insurance service with its broker, database and simulated insurer.
type insurance struct {
	t    *testing.T
	base string
	db   string
	pub  *kafkaio.Publisher
	logs *lockedBuffer

	status      *providertest.StatusTopic[events.InsuranceStatusDetails]
	mu          sync.Mutex
	deadLetters []kafka.Message
}

func startInsurance(t *testing.T) *insurance {
	t.Helper()
	broker, err := localinfra.StartBroker(localinfra.BrokerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(broker.Close)
	sim, err := simulator.NewHandler(logging.NewWithOutput("partnersim", "error", io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	partner := httptest.NewServer(sim)
	key, err := sealbox.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("INSURANCE_DATA_KEY", key)
	cfg, err := service.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.HTTP.Addr = infratest.FreeAddr(t)
	cfg.Kafka.Brokers = []string{broker.Addr()}
	cfg.Kafka.Partitions = 2
	cfg.Mongo.URI = mongoURI
	cfg.Mongo.Database = fmt.Sprintf("insurance_c%d", databases.Add(1))
	cfg.PartnerURL = partner.URL + "/insurance"
	cfg.Consumer.RetryInitial, cfg.Consumer.RetryMax = 20*time.Millisecond, 200*time.Millisecond

	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	s := &insurance{t: t, base: "http://" + cfg.HTTP.Addr, db: cfg.Mongo.Database, pub: kafkaio.NewPublisher(cfg.Kafka), logs: logs}
	t.Cleanup(func() {
		cancel()
		partner.Close()
		_ = s.pub.Close()
	})
	providertest.Serve(t, s.base, func(ctx context.Context) error {
		return service.Run(ctx, cfg, logging.NewWithOutput("insurance", "debug", logs))
	})
	s.status = providertest.ReadStatus[events.InsuranceStatusDetails](ctx, t, broker.Addr(), events.TopicInsuranceStatus)
	providertest.ReadTopic(ctx, t, broker.Addr(), events.TopicDeadLetter, func(m kafka.Message) {
		s.mu.Lock()
		s.deadLetters = append(s.deadLetters, m)
		s.mu.Unlock()
	})
	return s
}

// records are the records of the status and dead-letter topics read so far.
func (s *insurance) records() []kafka.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append(s.status.Records(), s.deadLetters...)
}

// waitStatus waits for the status event of a command (or of a reservation's key).
func (s *insurance) waitStatus(commandID string) events.StatusEvent[events.InsuranceStatusDetails] {
	s.t.Helper()
	return s.status.Of(commandID).Event
}

// send publishes a command as the ingress does, keyed by the policy number, and returns its id.
func (s *insurance) send(ceType, policyNumber string, payload any) string {
	s.t.Helper()
	e, err := events.New(uuid.NewString(), ceType, "/test", policyNumber, payload)
	if err != nil {
		s.t.Fatal(err)
	}
	events.SetExtensions(&e, "corr-"+e.ID(), "wf-"+e.ID(), org)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.pub.Publish(ctx, events.TopicInsuranceCommands, []cloudevents.Event{e}...); err != nil {
		s.t.Fatal(err)
	}
	return e.ID()
}

// sendRaw publishes data as a command without checking it against the catalog, as a faulty
// publisher would.
func (s *insurance) sendRaw(ceType, policyNumber, data string) {
	s.t.Helper()
	e := cloudevents.NewEvent()
	e.SetID(uuid.NewString())
	e.SetType(ceType)
	e.SetSource("/test")
	e.SetExtension(events.ExtPartitionKey, policyNumber)
	events.SetExtensions(&e, "", "", org)
	if err := e.SetData(cloudevents.ApplicationJSON, []byte(data)); err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.pub.Publish(ctx, events.TopicInsuranceCommands, e); err != nil {
		s.t.Fatal(err)
	}
}

// call sends a request to the service and returns the answer.
func (s *insurance) call(method, path, key string, body any) (int, []byte) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// expect sends a request and fails the test unless it is answered want; it decodes the answer.
func (s *insurance) expect(want int, method, path, key string, body, out any) {
	s.t.Helper()
	code, answer := s.call(method, path, key, body)
	if code != want {
		s.t.Fatalf("%s %s: %d %s, want %d", method, path, code, answer, want)
	}
	if out != nil {
		if err := json.Unmarshal(answer, out); err != nil {
			s.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

const policies = "/internal/v1/orgs/" + org + "/policies"

func (s *insurance) reserve(key string) app.Reserved {
	s.t.Helper()
	var r app.Reserved
	s.expect(http.StatusOK, http.MethodPost, policies+"/reserve", key, reserveBody, &r)
	return r
}

// state is the policy's state as requestinfo by phone answers it.
func (s *insurance) state(policyNumber string) string {
	s.t.Helper()
	var list []app.PolicyInfo
	s.expect(http.StatusOK, http.MethodGet, policies+"?phoneNumber="+phone, "", nil, &list)
	for _, p := range list {
		if p.PolicyNumber == policyNumber {
			return p.State
		}
	}
	s.t.Fatalf("requestinfo by phone does not list %s: %+v", policyNumber, list)
	return ""
}

// operation is the workflow view of a command.
func (s *insurance) operation(id string) map[string]any {
	s.t.Helper()
	var op map[string]any
	s.expect(http.StatusOK, http.MethodGet, "/internal/v1/orgs/"+org+"/operations/"+id, "", nil, &op)
	return op
}

func TestInsurance_ReserveActivateSuspendReconnectTerminate(t *testing.T) {
	s := startInsurance(t)
	r := s.reserve("reserve-1")
	if r.PolicyNumber == "" || r.RequestID == "" || r.AnnualFee != 48.7 || r.MonthlyFee != 4.06 {
		t.Fatalf("reserved %+v, want a priced policy (the insurer's README: 499.90 for an Autónomo)", r)
	}
	if again := s.reserve("reserve-1"); again != r {
		t.Fatalf("a retry answered %+v, want the same policy %+v", again, r)
	}
	reserved := s.waitStatus("reserve-1")
	if reserved.Operation != events.OpReserve || reserved.Status != events.StatusPending || reserved.Details.PolicyState != events.InsurancePolicyReserved {
		t.Fatalf("reservation event %+v", reserved)
	}
	var st ports.PolicyState
	s.expect(http.StatusOK, http.MethodGet, policies+"/"+r.PolicyNumber, "", nil, &st)
	if st.State != "RESERVED" || s.state(r.PolicyNumber) != "RESERVED" {
		t.Fatalf("policy %+v", st)
	}

	pn := r.PolicyNumber
	activate := events.InsuranceActivatePolicy{Org: org, RequestID: r.RequestID, PolicyNumber: pn, IMEI: "356938035643810", Document: document}
	wrong := s.waitStatus(s.send(events.TypeInsuranceActivatePolicy, pn, activate))
	if wrong.Error == nil || wrong.Error.Code != "DEVICE_MISMATCH" || wrong.Status != events.StatusPending {
		t.Fatalf("activation with another IMEI: %+v", wrong)
	}
	if op := s.operation(wrong.CommandID); op["status"] != "FAILED" || !strings.Contains(fmt.Sprint(op["error"]), "IMEI does not match") {
		t.Fatalf("the workflow of the refused activation: %v", op)
	}

	activate.IMEI = imei
	steps := []struct {
		typ     string
		payload any
		status  string
		state   string
	}{
		{events.TypeInsuranceActivatePolicy, activate, events.StatusActive, "ACTIVE"},
		{events.TypeInsuranceSuspendPolicy, events.InsuranceSuspendPolicy{Org: org, PolicyNumber: pn, PhoneNumber: phone}, events.StatusSuspended, "SUSPENDED"},
		{events.TypeInsuranceReconnectPolicy, events.InsuranceReconnectPolicy{Org: org, PolicyNumber: pn, Document: document}, events.StatusActive, "ACTIVE"},
		{events.TypeInsuranceTerminatePolicy, events.InsuranceTerminatePolicy{Org: org, PolicyNumber: pn, Reason: "device sold"}, events.StatusDeactivated, "TERMINATED"},
	}
	for _, step := range steps {
		ev := s.waitStatus(s.send(step.typ, pn, step.payload))
		if ev.Error != nil || ev.Status != step.status || ev.Details.PolicyState != step.state || ev.SubscriptionID != pn {
			t.Fatalf("%s: %+v", step.typ, ev)
		}
		if op := s.operation(ev.CommandID); op["status"] != "COMPLETED" {
			t.Fatalf("%s: workflow %v", step.typ, op)
		}
		if got := s.state(pn); got != step.state {
			t.Fatalf("%s: requestinfo says %s", step.typ, got)
		}
	}
}

func TestInsurance_CancelAReservedPolicyAndSearches(t *testing.T) {
	s := startInsurance(t)
	r := s.reserve("reserve-1")
	ev := s.waitStatus(s.send(events.TypeInsuranceCancelPolicy, r.PolicyNumber, events.InsuranceCancelPolicy{Org: org, PolicyNumber: r.PolicyNumber, Document: document}))
	if ev.Status != events.StatusCancelled || ev.Details.PolicyState != "CANCELLED" || ev.Details.EndedAt == nil {
		t.Fatalf("cancellation %+v", ev)
	}
	var list []app.PolicyInfo
	s.expect(http.StatusOK, http.MethodGet, policies+"?document="+document+"&policyNumber="+r.PolicyNumber, "", nil, &list)
	if len(list) != 1 || !list[0].Cancelled || list[0].CancellationDate == nil || list[0].Email != email {
		t.Fatalf("requestinfo %+v", list)
	}
	for _, tc := range []struct {
		path string
		want int
	}{
		{policies, http.StatusBadRequest},
		{policies + "?phoneNumber=655555555", http.StatusNotFound},
		{"/internal/v1/orgs/yoigo/policies?document=" + document, http.StatusNotFound},
		{"/internal/v1/orgs/yoigo/policies/" + r.PolicyNumber, http.StatusNotFound},
		{policies + "/DI9999999999", http.StatusNotFound},
	} {
		s.expect(tc.want, http.MethodGet, tc.path, "", nil, nil)
	}
	body := map[string]any{}
	for k, v := range reserveBody {
		body[k] = v
	}
	body["documentId"], body["price"], body["language"] = "00000000F", -1, "allowed values: es => castellano"
	var errs []map[string]string
	s.expect(http.StatusBadRequest, http.MethodPost, policies+"/reserve", "bad-1", body, &errs)
	if len(errs) != 3 || errs[0]["code"] != ports.CodeInvalidDocument {
		t.Fatalf("refused reservation: %v", errs)
	}
}

// The personal values sent reach the commands topic and the sealed store only: no log line, no
// status or dead-letter record (value or header), no plain field of the stored policy.
func TestInsurance_PersonalDataStaysSealed(t *testing.T) {
	s := startInsurance(t)
	r := s.reserve("reserve-1")
	s.waitStatus("reserve-1")
	s.waitStatus(s.send(events.TypeInsuranceActivatePolicy, r.PolicyNumber, events.InsuranceActivatePolicy{
		Org: org, RequestID: r.RequestID, PolicyNumber: r.PolicyNumber, IMEI: "356938035643811", Document: document,
	}))
	// A command that fails its schema goes to the dead-letter topic with its personal values.
	s.sendRaw(events.TypeInsuranceSuspendPolicy, r.PolicyNumber, fmt.Sprintf(
		`{"org":%q,"policyNumber":%q,"phoneNumber":"+34%s","document":%q}`, org, r.PolicyNumber, phone, document))
	infratest.Eventually(t, 45*time.Second, "the malformed command is dead-lettered", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.deadLetters) > 0
	})

	for _, m := range s.records() {
		where := m.Topic + " value"
		text := string(m.Value)
		if m.Topic == events.TopicDeadLetter {
			// The dead letter keeps the original record (the command) as it was; its headers
			// say why, and must not repeat it.
			where, text = m.Topic+" headers", ""
		}
		for _, h := range m.Headers {
			text += " " + h.Key + "=" + string(h.Value)
		}
		for _, v := range personal {
			if strings.Contains(text, v) {
				t.Errorf("%s names %q: %s", where, v, text)
			}
		}
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "dead-letter") {
		t.Errorf("the logs were not collected: %q", logs)
	}
	for _, v := range personal {
		if strings.Contains(logs, v) {
			t.Errorf("a log line names %q", v)
		}
	}

	ctx := context.Background()
	client, db, err := mongox.Connect(ctx, mongox.Config{URI: mongoURI, Database: s.db, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Disconnect(ctx) }()
	var doc bson.M
	if err := db.Collection(adapters.PolicyCollection).FindOne(ctx, bson.D{{Key: "_id", Value: org + "/" + r.PolicyNumber}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	raw := fmt.Sprint(doc)
	for _, v := range append(personal, "2100", "0418") {
		if strings.Contains(raw, v) {
			t.Errorf("the stored policy keeps %q in plain text: %s", v, raw)
		}
	}
	if !strings.Contains(raw, `"sealed":"v1.`) {
		t.Errorf("the stored policy has no sealed insured: %s", raw)
	}
}
