package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"provision.local/events"
	"provision.local/pkg/localstack"
)

// TestInsurancePersonalDataStaysPut runs the insurance suite's requests with a holder whose
// personal values are distinctive (document, names, address, phone, email, IMEI, bank account),
// including refused requests, a failed activation, dead letters (records that are no valid
// command published straight onto the commands topic, and a command whose insurer stays down
// until the retries give up), a query with another org's token and queries while the insurance
// service is down. Then it collects every log line of every
// service of the stack, every record of every provision.*.status topic, every key and header of
// provision.deadletter, every service's metrics and every workflow answer, and finds none of the
// values in them: the commands topic carries them to the insurance service, and nowhere else.
//
// Values shorter than 9 characters (the bank entity, office and control digits, the zip code)
// are not searched for: four digits turn up in any log by chance. The account number and the
// whole 20-digit account are.
func TestInsurancePersonalDataStaysPut(t *testing.T) {
	p := distinctiveInsured()
	run := uuid.NewString()[:8] // correlation ids are logged as they are: they hold no personal data
	corr := func(step string) string { return "e2e-insurance-pii-" + run + "-" + step }
	wrongIMEI := newInsured().IMEI
	values := map[string]string{
		"document": p.Document, "firstName": p.FirstName, "lastName1": p.LastName1, "lastName2": p.LastName2,
		"phone": p.Phone, "email": p.Email, "address": p.Address, "locality": p.Locality, "imei": p.IMEI,
		"wrongImei": wrongIMEI, "accountNumber": p.AccountNumber, "account": p.Entity + p.OfficeCode + p.DC + p.AccountNumber,
	}
	var workflows []workflow

	// The suite: reserve, find by every criterion, a failed then a good activation, suspend by
	// phone, reconnect by document, terminate; a second policy cancelled; refusals.
	res := reserve(t, "masmovil", p, corr("reserve"))
	policy := res.PolicyNumber
	for name, q := range map[string]url.Values{
		"byPolicy": {"policyNumber": {policy}}, "byPhone": {"phoneNumber": {p.Phone}}, "byDocument": {"document": {p.Document}},
	} {
		if _, r := requestInfo(t, "masmovil", corr("find-"+name), q); r.Status != http.StatusOK {
			t.Fatalf("requestinfo %s: %d %s", name, r.Status, r.Body)
		}
	}
	command := func(op, body, outcome string) {
		t.Helper()
		wf := waitWorkflow(t, insuranceCommand(t, op, corr(op+"-"+outcome+"-"+fmt.Sprint(len(workflows))), body))
		if wf.Status != outcome {
			t.Fatalf("%s: workflow %+v, want %s", op, wf, outcome)
		}
		workflows = append(workflows, wf)
	}
	activate := func(imei, document string) string {
		return jsonf(`{"requestId":%q,"policyNumber":%q,"imei":%q,"document":%q}`, res.RequestID, policy, imei, document)
	}
	command("activate", activate(wrongIMEI, p.Document), "FAILED")
	command("activate", activate(p.IMEI, p.Document), "COMPLETED")
	command("suspend", jsonf(`{"phoneNumber":%q}`, p.Phone), "COMPLETED")
	command("reconnect", jsonf(`{"document":%q,"phoneNumber":%q}`, p.Document, p.Phone), "COMPLETED")
	command("terminate", jsonf(`{"policyNumber":%q,"document":%q,"reason":"device sold"}`, policy, p.Document), "COMPLETED")
	command("activate", activate(p.IMEI, p.Document), "FAILED") // a terminated policy
	second := reserve(t, "masmovil", p, corr("reserve-second"))
	command("cancel", jsonf(`{"policyNumber":%q,"document":%q}`, second.PolicyNumber, p.Document), "COMPLETED")
	refusals := []struct{ op, body string }{
		{"reserve", strings.Replace(p.reserveBody(), `"language":"es"`, `"language":"klingon"`, 1)},
		{"reserve", strings.Replace(p.reserveBody(), p.Document, wrongControlLetter(p.Document), 1)},
		{"suspend", jsonf(`{"phoneNumber":%q}`, p.Phone)}, // both policies ended: 404
		{"activate", jsonf(`{"requestId":"x","policyNumber":%q,"imei":%q,"document":%q}`, policy, p.IMEI, p.Document)},
	}
	for i, rf := range refusals {
		if r := insuranceCall(t, "masmovil", http.MethodPost, rf.op, corr(fmt.Sprintf("refused-%d", i)), rf.body); r.Status < 400 {
			t.Fatalf("refusal %d (%s): %d %s", i, rf.op, r.Status, r.Body)
		}
	}
	if _, r := requestInfo(t, "yoigo", corr("yoigo"), url.Values{"document": {p.Document}}); r.Status != http.StatusNotFound {
		t.Fatalf("yoigo's requestinfo: %d %s", r.Status, r.Body)
	}

	// Two dead letters: records that are not valid commands, carrying the values, published
	// straight onto the commands topic, and a suspend whose insurer stays down.
	poisons := publishInsurancePoison(t, run, p)
	third := reserve(t, "masmovil", p, corr("reserve-third"))
	command("activate", jsonf(`{"requestId":%q,"policyNumber":%q,"imei":%q,"document":%q}`, third.RequestID, third.PolicyNumber, p.IMEI, p.Document), "COMPLETED")
	faultInsurer(t, third.PolicyNumber)
	command("suspend", jsonf(`{"phoneNumber":%q,"document":%q}`, p.Phone, p.Document), "FAILED")
	if last := workflows[len(workflows)-1]; last.Error == nil || last.Error.Code != "DEAD_LETTERED" {
		t.Fatalf("the suspend with the insurer down: %+v, want DEAD_LETTERED", last)
	}
	waitDeadLetters(t, poisons)

	// The insurance service down: the ingress's failed lookups by phone and document.
	if err := stack.Kill(localstack.Insurance); err != nil {
		t.Fatal(err)
	}
	for i, q := range []url.Values{{"phoneNumber": {p.Phone}}, {"document": {p.Document}}} {
		if _, r := requestInfo(t, "masmovil", corr(fmt.Sprintf("down-%d", i)), q); r.Status != http.StatusServiceUnavailable {
			t.Fatalf("requestinfo with the insurance service down: %d %s", r.Status, r.Body)
		}
	}
	if r := insuranceCall(t, "masmovil", http.MethodPost, "suspend", corr("down-suspend"), jsonf(`{"phoneNumber":%q}`, p.Phone)); r.Status != http.StatusServiceUnavailable {
		t.Fatalf("suspend with the insurance service down: %d %s", r.Status, r.Body)
	}
	if err := stack.Restart(localstack.Insurance); err != nil {
		t.Fatal(err)
	}

	// Every place personal data must not reach.
	var leaks []string
	find := func(where string, text []byte) {
		for name, v := range values {
			if bytes.Contains(text, []byte(v)) {
				leaks = append(leaks, fmt.Sprintf("%s holds the %s: %s", where, name, excerpt(text, v)))
			}
		}
	}
	for _, wf := range workflows {
		find("workflow "+wf.WorkflowID, []byte(jsonf("%+v", wf.Error)))
	}
	// What is read must hold what the suite caused, or the search proves nothing.
	seen := map[string]bool{}
	for _, topic := range statusTopics(t) {
		for _, m := range readAll(t, topic) {
			seen[string(m.Key)] = true
			find(fmt.Sprintf("%s[%d]@%d key", topic, m.Partition, m.Offset), m.Key)
			find(fmt.Sprintf("%s[%d]@%d value", topic, m.Partition, m.Offset), m.Value)
			for _, h := range m.Headers {
				find(fmt.Sprintf("%s[%d]@%d header %s", topic, m.Partition, m.Offset, h.Key), h.Value)
			}
		}
	}
	for _, m := range readAll(t, events.TopicDeadLetter) {
		seen[string(m.Key)] = true
		find(fmt.Sprintf("%s@%d key", events.TopicDeadLetter, m.Offset), m.Key)
		for _, h := range m.Headers {
			find(fmt.Sprintf("%s@%d header %s", events.TopicDeadLetter, m.Offset, h.Key), h.Value)
		}
	}
	for _, svc := range stack.Services() {
		find(svc.Name+" /metrics", get(t, stack.URL(svc.Name)+"/metrics"))
	}
	for _, key := range append([]string{policy, second.PolicyNumber, third.PolicyNumber}, poisons...) {
		if !seen[key] {
			t.Errorf("no record keyed %s was read from the status and dead-letter topics", key)
		}
	}
	find("the stack's log", stackLogAfter(t, corr("marker"), policy))
	for _, l := range leaks {
		t.Error(l)
	}
}

// distinctiveInsured is a holder whose names and address are drawn letters, found nowhere else.
func distinctiveInsured() insured {
	p := newInsured()
	letters := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + rand.IntN(26))
		}
		return string(b)
	}
	p.FirstName, p.LastName1, p.LastName2 = "Zq"+letters(8), "Xw"+letters(9), "Vk"+letters(9)
	p.Address, p.Locality = "Calle "+letters(10)+" 7, 3B", "Villa"+letters(8)
	p.Email = letters(10) + "@" + letters(6) + ".example.org"
	p.Entity, p.OfficeCode, p.DC = "2085", "9371", "62"
	return p
}

// publishInsurancePoison writes two records onto the insurance commands topic that the service
// must dead-letter, both holding the holder's values: a command whose IMEI and document break
// their formats around the real values, and a record that is not JSON. It returns their keys.
func publishInsurancePoison(t *testing.T, run string, p insured) []string {
	t.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(stack.BrokerAddr()), Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	keys := []string{"POISON-" + strings.ToUpper(run) + "-1", "POISON-" + strings.ToUpper(run) + "-2"}
	values := []string{
		jsonf(`{"org":"masmovil","policyNumber":%q,"requestId":%q,"imei":"%s9","document":"%s-%s","phoneNumber":%q}`,
			keys[0], uuid.NewString(), p.IMEI, p.Document, p.Email, p.Phone),
		jsonf(`{"org":"masmovil","policyNumber":%q,"imei":%q,"document":%q,`, keys[1], p.IMEI, p.Document),
	}
	for i, key := range keys {
		err := w.WriteMessages(ctx, kafka.Message{
			Topic: events.TopicInsuranceCommands, Key: []byte(key), Value: []byte(values[i]),
			Headers: []kafka.Header{
				{Key: "content-type", Value: []byte("application/json")},
				{Key: "ce_specversion", Value: []byte("1.0")},
				{Key: "ce_id", Value: []byte(uuid.NewString())},
				{Key: "ce_type", Value: []byte(events.TypeInsuranceActivatePolicy)},
				{Key: "ce_source", Value: []byte("/e2e/billing")},
				{Key: "ce_time", Value: []byte(time.Now().UTC().Format(time.RFC3339))},
				{Key: "ce_partitionkey", Value: []byte(key)},
				{Key: "ce_correlationid", Value: []byte("e2e-insurance-pii-" + run + "-poison")},
				{Key: "ce_org", Value: []byte("masmovil")},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// waitDeadLetters waits until every record keyed by one of keys is on the dead-letter topic,
// with its reason.
func waitDeadLetters(t *testing.T, keys []string) {
	t.Helper()
	missing := map[string]bool{}
	for _, k := range keys {
		missing[k] = true
	}
	readUntil(t, events.TopicDeadLetter, 60*time.Second, func(m kafka.Message) bool {
		if missing[string(m.Key)] {
			if h := headers(m); h["dlq_reason"] == "" || h["dlq_original_topic"] != events.TopicInsuranceCommands {
				t.Fatalf("dead letter %s: headers %v", m.Key, h)
			}
			delete(missing, string(m.Key))
		}
		return len(missing) == 0
	})
}

// faultInsurer makes the simulated insurer answer 503 to every request about the policy, until
// the test ends.
func faultInsurer(t *testing.T, policy string) {
	t.Helper()
	admin := func(method, body string) {
		req, err := http.NewRequest(method, partner+"/admin/faults/insurance", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("%s insurer fault: %d", method, resp.StatusCode)
		}
	}
	admin(http.MethodPut, jsonf(`{"status":503,"rate":1.0,"match":%q}`, policy))
	t.Cleanup(func() { admin(http.MethodDelete, "") })
}

// statusTopics are the provision.*.status topics of the stack's broker.
func statusTopics(t *testing.T) []string {
	t.Helper()
	conn, err := kafka.Dial("tcp", stack.BrokerAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	parts, err := conn.ReadPartitions()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var topics []string
	for _, p := range parts {
		if strings.HasPrefix(p.Topic, "provision.") && strings.HasSuffix(p.Topic, ".status") && !seen[p.Topic] {
			seen[p.Topic] = true
			topics = append(topics, p.Topic)
		}
	}
	if !seen[events.TopicInsuranceStatus] {
		t.Fatalf("no %s among the topics %v", events.TopicInsuranceStatus, topics)
	}
	return topics
}

// readAll reads every record a topic holds now, partition by partition.
func readAll(t *testing.T, topic string) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := kafka.Dial("tcp", stack.BrokerAddr())
	if err != nil {
		t.Fatal(err)
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		t.Fatalf("partitions of %s: %v", topic, err)
	}
	var out []kafka.Message
	for _, p := range parts {
		leader, err := kafka.DialLeader(ctx, "tcp", stack.BrokerAddr(), topic, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		first, last, err := leader.ReadOffsets()
		leader.Close()
		if err != nil {
			t.Fatalf("offsets of %s[%d]: %v", topic, p.ID, err)
		}
		if last <= first {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{stack.BrokerAddr()}, Topic: topic, Partition: p.ID, MaxWait: 200 * time.Millisecond})
		if err := r.SetOffset(first); err != nil {
			t.Fatal(err)
		}
		for {
			m, err := r.FetchMessage(ctx)
			if err != nil {
				r.Close()
				t.Fatalf("read %s[%d]: %v", topic, p.ID, err)
			}
			out = append(out, m)
			if m.Offset >= last-1 {
				break
			}
		}
		r.Close()
	}
	return out
}

// stackLogAfter sends a last request with the marker correlation id and returns the stack's log
// once both the ingress and the insurance service have logged it: every line they wrote before
// is in the file then.
func stackLogAfter(t *testing.T, marker, policy string) []byte {
	t.Helper()
	if _, r := requestInfo(t, "masmovil", marker, url.Values{"policyNumber": {policy}}); r.Status != http.StatusOK {
		t.Fatalf("marker request: %d %s", r.Status, r.Body)
	}
	var log []byte
	eventually(t, 30*time.Second, "the marker in the ingress's and the insurance service's logs", func() bool {
		b, err := os.ReadFile(logFile)
		if err != nil {
			t.Fatal(err)
		}
		log = b
		seen := map[string]bool{}
		for line := range strings.Lines(string(b)) {
			if strings.Contains(line, marker) {
				name, _, _ := strings.Cut(line, " ")
				seen[name] = true
			}
		}
		return seen[localstack.Ingress] && seen[localstack.Insurance]
	})
	return log
}

func get(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// excerpt is the text around the first v in text.
func excerpt(text []byte, v string) string {
	i := bytes.Index(text, []byte(v))
	from, to := max(0, i-120), min(len(text), i+len(v)+120)
	return string(text[from:to])
}
