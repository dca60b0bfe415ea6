package service_test

// Component test: the HBO service runs as in production on the embedded Kafka-protocol broker and
// MongoDB-wire server, with the partner simulator in process as HBO.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"provision.local/events"
	"provision.local/pkg/kafkaio"
	"provision.local/pkg/localinfra"
	"provision.local/pkg/localinfra/infratest"
	"provision.local/pkg/logging"
	"provision.local/pkg/provider/providertest"
	"provision.local/services/hbo/internal/service"
	"provision.local/services/partnersim/simulator"
)

var mongoURI string

func TestMain(m *testing.M) { infratest.MainWithMongo(m, &mongoURI) }

var databases atomic.Int32

const (
	org       = "masmovil"
	serviceID = "4567890123456789"
	customer  = "1234567890123456"
)

var avod = events.HBOProduct{Code: "MAX_AVOD", Name: "MAX Ad VOD", Starts: 1616425200, Renews: 1616425200, Expires: 1616425200,
	SubID: "1d732753-ae1f-45f8-82f7-7243d395b1ac", Status: "ACTIVE", TrxID: "1234567890"}

// hbo is one running HBO service with its broker, database and simulated partner.
type hbo struct {
	t       *testing.T
	base    string
	partner string
	pub     *kafkaio.Publisher
	// status are the status events read, raw.
	status *providertest.StatusTopic[json.RawMessage]
}

func startHBO(t *testing.T) *hbo {
	t.Helper()
	broker, err := localinfra.StartBroker(localinfra.BrokerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(broker.Close)
	ctx, cancel := context.WithCancel(context.Background())
	sim, err := simulator.NewHandler(logging.NewWithOutput("partnersim", "error", io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	partner := httptest.NewServer(sim)

	cfg, err := service.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	addr := infratest.FreeAddr(t)
	cfg.HTTP.Addr = addr
	cfg.Kafka.Brokers = []string{broker.Addr()}
	cfg.Kafka.Partitions = 2
	cfg.Mongo.URI = mongoURI
	cfg.Mongo.Database = fmt.Sprintf("hbo_c%d", databases.Add(1))
	cfg.Partner.URL = partner.URL + "/hbo"
	cfg.Consumer.RetryInitial, cfg.Consumer.RetryMax = 20*time.Millisecond, 200*time.Millisecond

	h := &hbo{t: t, base: "http://" + addr, partner: partner.URL, pub: kafkaio.NewPublisher(cfg.Kafka)}
	t.Cleanup(func() {
		cancel()
		partner.Close()
		_ = h.pub.Close()
	})
	providertest.Serve(t, h.base, func(ctx context.Context) error {
		return service.Run(ctx, cfg, logging.NewWithOutput("hbo", "warn", io.Discard))
	})
	h.status = providertest.ReadStatus[json.RawMessage](ctx, t, broker.Addr(), events.TopicHBOStatus)
	return h
}

// wait waits for the status event of a command and checks its type.
func (h *hbo) wait(commandID, wantType string) events.StatusEvent[json.RawMessage] {
	h.t.Helper()
	st := h.status.Of(commandID)
	found, typ := st.Event, st.Type
	if typ != wantType {
		h.t.Fatalf("command %s: %s (error %+v, details %s), want %s", commandID, typ, found.Error, found.Details, wantType)
	}
	return found
}

// send publishes a command as the ingress does and returns its id.
func (h *hbo) send(ceType string, payload any) string {
	h.t.Helper()
	e, err := events.New(uuid.NewString(), ceType, "/test", serviceID, payload)
	if err != nil {
		h.t.Fatal(err)
	}
	events.SetExtensions(&e, "corr-"+e.ID(), "", org)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.pub.Publish(ctx, events.TopicHBOCommands, e); err != nil {
		h.t.Fatal(err)
	}
	return e.ID()
}

// call sends a request to the service (or, with an absolute URL, anywhere).
func (h *hbo) call(method, path, key string, body any) (int, []byte) {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	url := path
	if path[0] == '/' {
		url = h.base + path
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		h.t.Fatal(err)
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

// subscription is the internal GET's answer, the ids and trx_id as the JSON text they are.
type subscription struct {
	ServiceID  json.RawMessage `json:"service_id"`
	ExternalID json.RawMessage `json:"external_id"`
	Country    string          `json:"country"`
	Status     string          `json:"status"`
	Products   []struct {
		Code   string          `json:"code"`
		Status string          `json:"status"`
		TrxID  json.RawMessage `json:"trx_id"`
	} `json:"products"`
}

func (h *hbo) get() (int, subscription, []byte) {
	h.t.Helper()
	code, b := h.call(http.MethodGet, "/internal/v1/orgs/"+org+"/subscriptions/"+serviceID, "", nil)
	var s subscription
	if code == http.StatusOK {
		if err := json.Unmarshal(b, &s); err != nil {
			h.t.Fatal(err)
		}
	}
	return code, s, b
}

func codes(s subscription) []string {
	var out []string
	for _, p := range s.Products {
		out = append(out, p.Code)
	}
	return out
}

func TestHBO_Lifecycle_CreateUpdateActivateSuspendReactivateCancel(t *testing.T) {
	h := startHBO(t)
	if code, _, b := h.get(); code != http.StatusNotFound || !strings.Contains(string(b), `"code":"SUBSCRIPTION_NOT_FOUND"`) {
		t.Fatalf("before the create: %d %s, want 404 SUBSCRIPTION_NOT_FOUND", code, b)
	}
	products := []events.HBOProduct{avod}
	steps := []struct {
		name, ceType string
		payload      any
		status, hbo  string
		codes        []string
	}{
		{"create", events.TypeHBOCreateSubscription, events.HBOCreateSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Country: "ES", Products: products},
			events.StatusPending, events.HBOPendingActivation, []string{"MAX_AVOD", "MAX_HD"}},
		{"update", events.TypeHBOUpdateSubscription, events.HBOUpdateSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Reason: events.HBOReasonProductChanged,
			ProductsToAdd: []events.HBOProduct{{Code: "MAX_SVOD", Name: "MAX Standard"}}, ProductsToRemove: []events.HBOProduct{{Code: "MAX_AVOD"}}},
			events.StatusPending, events.HBOPendingActivation, []string{"MAX_HD", "MAX_SVOD"}},
		{"activate", events.TypeHBOActivateSubscription, events.HBOActivateSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Country: "ES", Products: products},
			events.StatusActive, events.HBOActive, []string{"MAX_HD", "MAX_SVOD"}},
		{"suspend", events.TypeHBOSuspendSubscription, events.HBOSuspendSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Reason: events.HBOReasonOfferExpired, Products: products},
			events.StatusSuspended, events.HBOSuspended, []string{"MAX_HD", "MAX_SVOD"}},
		{"reactivate", events.TypeHBOReactivateSubscription, events.HBOReactivateSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Products: products},
			events.StatusActive, events.HBOActive, []string{"MAX_HD", "MAX_SVOD"}},
		{"cancel", events.TypeHBOCancelSubscription, events.HBOCancelSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Reason: events.HBOReasonProductCanceled, Products: products},
			events.StatusDeactivated, events.HBOCancelled, []string{"MAX_HD", "MAX_SVOD"}},
	}
	steps[0].payload = events.HBOCreateSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Country: "ES", Products: []events.HBOProduct{avod, {Code: "MAX_HD"}}}
	for i, s := range steps {
		p := h.wait(h.send(s.ceType, s.payload), events.TypeHBOSubscriptionStatusV2)
		var d events.HBOStatusDetails
		if err := json.Unmarshal(p.Details, &d); err != nil {
			t.Fatal(err)
		}
		if p.Status != s.status || p.Version != int64(i+1) || d.SubscriptionStatus != s.hbo {
			t.Fatalf("%s: event %s v%d %s, want %s/%s at version %d", s.name, p.Status, p.Version, p.Details, s.status, s.hbo, i+1)
		}
		code, got, b := h.get()
		if code != http.StatusOK || got.Status != s.hbo || !slices.Equal(codes(got), s.codes) {
			t.Fatalf("%s: GET %d %s, want %s with %v", s.name, code, b, s.hbo, s.codes)
		}
		for _, pr := range got.Products {
			if pr.Status != s.hbo {
				t.Errorf("%s: product %s is %s, want %s", s.name, pr.Code, pr.Status, s.hbo)
			}
		}
	}
	_, got, b := h.get()
	if string(got.ServiceID) != serviceID || string(got.ExternalID) != customer || got.Country != "ES" {
		t.Errorf("ids and country, digit for digit as JSON integers: %s", b)
	}
	code, hist := h.call(http.MethodGet, "/internal/v1/orgs/"+org+"/subscriptions/"+serviceID+"/history", "", nil)
	var history struct {
		Changes []struct {
			From      string `json:"from"`
			To        string `json:"to"`
			Operation string `json:"operation"`
			Reason    string `json:"reason"`
		} `json:"changes"`
	}
	if code != http.StatusOK || json.Unmarshal(hist, &history) != nil || len(history.Changes) != 5 {
		t.Fatalf("history %d %s, want the creation and four changes of status", code, hist)
	}
	var walk []string
	for _, ch := range history.Changes {
		walk = append(walk, ch.From+">"+ch.To+":"+ch.Operation+":"+ch.Reason)
	}
	if want := []string{
		">PENDING_ACTIVATION:create:", "PENDING_ACTIVATION>ACTIVE:activate:", "ACTIVE>SUSPENDED:suspend:OFFER_EXPIRED",
		"SUSPENDED>ACTIVE:reactivate:", "ACTIVE>CANCELLED:cancel:PRODUCT_CANCELED",
	}; !slices.Equal(walk, want) {
		t.Errorf("history %v, want %v", walk, want)
	}
	// The partner holds the same subscription.
	code, partner := h.call(http.MethodGet, h.partner+"/hbo/v1/orgs/"+org+"/subscriptions/"+serviceID, "", nil)
	if code != http.StatusOK || !strings.Contains(string(partner), `"state":"CANCELLED"`) || !strings.Contains(string(partner), `"MAX_SVOD"`) {
		t.Errorf("partner view %d %s", code, partner)
	}
}

func TestHBO_Failures_AreEventsWithTheirReason(t *testing.T) {
	h := startHBO(t)
	unknown := h.wait(h.send(events.TypeHBOSuspendSubscription, events.HBOSuspendSubscription{
		Org: org, ServiceID: serviceID, ExternalID: customer, Reason: events.HBOReasonOfferExpired, Products: []events.HBOProduct{avod},
	}), events.TypeHBOOperationFailedV2)
	if unknown.Error == nil || unknown.Error.Code != "SUBSCRIPTION_NOT_FOUND" || unknown.Status != "" {
		t.Errorf("suspend of an unknown subscription: %+v", unknown)
	}
	h.wait(h.send(events.TypeHBOCreateSubscription, events.HBOCreateSubscription{
		Org: org, ServiceID: serviceID, ExternalID: customer, Country: "ES", Products: []events.HBOProduct{avod},
	}), events.TypeHBOSubscriptionStatusV2)
	for _, tc := range []struct {
		name, ceType string
		payload      any
		code         string
	}{
		{"suspendPending", events.TypeHBOSuspendSubscription, events.HBOSuspendSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Reason: events.HBOReasonOfferExpired, Products: []events.HBOProduct{avod}}, "INVALID_TRANSITION"},
		{"reactivatePending", events.TypeHBOReactivateSubscription, events.HBOReactivateSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Products: []events.HBOProduct{avod}}, "INVALID_TRANSITION"},
		{"removeTheLastProduct", events.TypeHBOUpdateSubscription, events.HBOUpdateSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, ProductsToRemove: []events.HBOProduct{{Code: "MAX_AVOD"}}}, "LAST_PRODUCT"},
		{"unassignedCountry", events.TypeHBOActivateSubscription, events.HBOActivateSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Country: "QO", Products: []events.HBOProduct{avod}}, "INVALID_FIELD"},
		{"anotherCountry", events.TypeHBOActivateSubscription, events.HBOActivateSubscription{Org: org, ServiceID: serviceID, ExternalID: customer, Country: "FR", Products: []events.HBOProduct{avod}}, "COUNTRY_MISMATCH"},
		{"anotherCustomer", events.TypeHBOActivateSubscription, events.HBOActivateSubscription{Org: org, ServiceID: serviceID, ExternalID: "42", Products: []events.HBOProduct{avod}}, "EXTERNAL_ID_MISMATCH"},
	} {
		p := h.wait(h.send(tc.ceType, tc.payload), events.TypeHBOOperationFailedV2)
		if p.Error == nil || p.Error.Code != tc.code || p.Status != events.StatusPending || p.Version != 1 {
			t.Errorf("%s: %+v (error %+v), want %s keeping PENDING at version 1", tc.name, p, p.Error, tc.code)
		}
	}
	if _, got, b := h.get(); got.Status != events.HBOPendingActivation || len(got.Products) != 1 {
		t.Errorf("the failures changed the subscription: %s", b)
	}
}

func TestHBO_ActivationURL(t *testing.T) {
	h := startHBO(t)
	path := "/internal/v1/orgs/" + org + "/subscriptions/" + serviceID + "/activation_url"
	body := map[string]any{"external_id": json.Number(customer), "country": "ES", "products": []events.HBOProduct{avod}}
	if code, b := h.call(http.MethodPost, path, "k1", body); code != http.StatusNotFound || !strings.Contains(string(b), "SUBSCRIPTION_NOT_FOUND") {
		t.Fatalf("unknown subscription: %d %s", code, b)
	}
	if code, _ := h.call(http.MethodPost, path, "", body); code != http.StatusBadRequest {
		t.Fatalf("without Idempotency-Key: %d, want 400", code)
	}
	h.wait(h.send(events.TypeHBOCreateSubscription, events.HBOCreateSubscription{
		Org: org, ServiceID: serviceID, ExternalID: customer, Country: "ES", Products: []events.HBOProduct{avod},
	}), events.TypeHBOSubscriptionStatusV2)
	// The link is the subscription's customer's, in the subscription's country: a body naming
	// another customer or country, or an id written otherwise than as plain digits, gets none.
	for _, tc := range []struct {
		name       string
		externalID any
		country    string
		status     int
		code       string
	}{
		{"anotherCustomer", json.Number("999"), "ES", http.StatusConflict, "EXTERNAL_ID_MISMATCH"},
		{"anotherCustomerAsAString", "999", "ES", http.StatusConflict, "EXTERNAL_ID_MISMATCH"},
		{"anotherCountry", json.Number(customer), "FR", http.StatusConflict, "COUNTRY_MISMATCH"},
		{"externalIDWithAnExponent", json.Number("1e3"), "ES", http.StatusBadRequest, "INVALID_FIELD"},
	} {
		other := map[string]any{"external_id": tc.externalID, "country": tc.country, "products": []events.HBOProduct{avod}}
		if code, b := h.call(http.MethodPost, path, "k-"+tc.name, other); code != tc.status || !strings.HasPrefix(string(b), `[{"code":"`+tc.code+`"`) {
			t.Errorf("%s: %d %s, want %d %s in the seed's error body", tc.name, code, b, tc.status, tc.code)
		}
	}
	code, b := h.call(http.MethodPost, path, "k2", body)
	var link struct{ URL string }
	if code != http.StatusOK || json.Unmarshal(b, &link) != nil || !strings.Contains(link.URL, "/hbo/activate/") {
		t.Fatalf("activation url: %d %s", code, b)
	}
	if again, b2 := h.call(http.MethodPost, path, "k2", body); again != http.StatusOK || string(b2) != string(b) {
		t.Errorf("a repeated request: %d %s, want the same link %s", again, b2, b)
	}
	// The customer opens the link: HBO activates; the activate command then records it.
	if code, page := h.call(http.MethodGet, link.URL, "", nil); code != http.StatusOK {
		t.Fatalf("open the link: %d %s", code, page)
	}
	p := h.wait(h.send(events.TypeHBOActivateSubscription, events.HBOActivateSubscription{
		Org: org, ServiceID: serviceID, ExternalID: customer, Products: []events.HBOProduct{avod},
	}), events.TypeHBOSubscriptionStatusV2)
	if p.Status != events.StatusActive {
		t.Errorf("activate after the link: %+v", p)
	}
	// HBO down: the seed's error body with 502.
	req, _ := http.NewRequest(http.MethodPut, h.partner+"/admin/faults/hbo", strings.NewReader(`{"status":503}`))
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("set fault: %v", err)
	}
	if code, b := h.call(http.MethodPost, path, "k3", body); code != http.StatusBadGateway || !strings.HasPrefix(string(b), `[{"code":"UPSTREAM_UNAVAILABLE"`) {
		t.Errorf("partner down: %d %s, want 502 in the seed's error body", code, b)
	}
}

func TestHBO_Operations_TellWhatBecameOfACommand(t *testing.T) {
	h := startHBO(t)
	id := h.send(events.TypeHBOCreateSubscription, events.HBOCreateSubscription{
		Org: org, ServiceID: serviceID, ExternalID: customer, Country: "ES", Products: []events.HBOProduct{avod},
	})
	h.wait(id, events.TypeHBOSubscriptionStatusV2)
	infratest.Eventually(t, 30*time.Second, "the operation is recorded", func() bool {
		code, b := h.call(http.MethodGet, "/internal/v1/orgs/"+org+"/operations/"+id, "", nil)
		return code == http.StatusOK && strings.Contains(string(b), "COMPLETED")
	})
}
