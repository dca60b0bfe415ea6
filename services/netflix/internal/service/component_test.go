package service_test

// Component test: the Netflix service runs as in production on the embedded Kafka-protocol
// broker and MongoDB-wire server, with the partner simulator in process as Netflix, its reports
// pushed to the service's receiver.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"

	"provision.local/events"
	"provision.local/pkg/kafkaio"
	"provision.local/pkg/localinfra"
	"provision.local/pkg/localinfra/infratest"
	"provision.local/pkg/logging"
	"provision.local/pkg/provider/providertest"
	"provision.local/services/netflix/internal/ports"
	"provision.local/services/netflix/internal/service"
	"provision.local/services/partnersim/simulator"
)

var mongoURI string

func TestMain(m *testing.M) { infratest.MainWithMongo(m, &mongoURI) }

var databases atomic.Int32

const (
	org     = "masmovil"
	pai     = "4567890123456789"
	offer   = "2106f808-36e9-402d-bf37-f1f7fa04776b"
	premium = "00000000-0000-4000-8000-000000000004"
	phone   = "+525512345678"
)

// netflix is one running Netflix service with its broker, database and simulated partner.
type netflix struct {
	t      *testing.T
	base   string
	pub    *kafkaio.Publisher
	status *providertest.StatusTopic[events.NetflixStatusDetails]
}

func startNetflix(t *testing.T) *netflix {
	t.Helper()
	broker, err := localinfra.StartBroker(localinfra.BrokerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(broker.Close)
	addr := infratest.FreeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())

	sim, err := simulator.Start(ctx, logging.NewWithOutput("partnersim", "error", io.Discard), simulator.Options{
		NetflixCallbackURL: "http://" + addr + ports.ReportsPath, NetflixCallbackBackoffMax: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	partner := httptest.NewServer(sim)

	cfg, err := service.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.HTTP.Addr = addr
	cfg.Kafka.Brokers = []string{broker.Addr()}
	cfg.Kafka.Partitions = 2
	cfg.Mongo.URI = mongoURI
	cfg.Mongo.Database = fmt.Sprintf("netflix_c%d", databases.Add(1))
	cfg.PartnerURL = partner.URL + "/netflix"
	cfg.Consumer.RetryInitial, cfg.Consumer.RetryMax = 20*time.Millisecond, 200*time.Millisecond

	n := &netflix{t: t, base: "http://" + addr, pub: kafkaio.NewPublisher(cfg.Kafka)}
	t.Cleanup(func() {
		cancel()
		partner.Close()
		_ = n.pub.Close()
	})
	providertest.Serve(t, n.base, func(ctx context.Context) error {
		return service.Run(ctx, cfg, logging.NewWithOutput("netflix", "warn", io.Discard))
	})
	n.status = providertest.ReadStatus[events.NetflixStatusDetails](ctx, t, broker.Addr(), events.TopicNetflixStatus)
	return n
}

// waitStatus waits for the status event of a command and returns it.
func (n *netflix) waitStatus(commandID string) events.StatusEvent[events.NetflixStatusDetails] {
	n.t.Helper()
	return n.status.Of(commandID).Event
}

// waitEvent waits for a status event that records a Netflix event of the given type.
func (n *netflix) waitEvent(kind string) events.StatusEvent[events.NetflixStatusDetails] {
	n.t.Helper()
	return n.status.Wait("a status event recording "+kind, func(st providertest.Status[events.NetflixStatusDetails]) bool {
		return st.Event.Details.Event != nil && st.Event.Details.Event.Type == kind
	}).Event
}

// send publishes a command as the ingress does and returns its id.
func (n *netflix) send(ceType string, payload any) string {
	n.t.Helper()
	e, err := events.New(uuid.NewString(), ceType, "/test", pai, payload)
	if err != nil {
		n.t.Fatal(err)
	}
	events.SetExtensions(&e, "corr-"+e.ID(), "", org)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := n.pub.Publish(ctx, events.TopicNetflixCommands, []cloudevents.Event{e}...); err != nil {
		n.t.Fatal(err)
	}
	return e.ID()
}

// call sends a request to the service (or, with an absolute URL, anywhere) and decodes the answer.
func (n *netflix) call(method, path, key string, body any) (int, []byte) {
	n.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			n.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	url := path
	if path[0] == '/' {
		url = n.base + path
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		n.t.Fatal(err)
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

// bundle reads the enrolment check of the PAI.
func (n *netflix) bundle() (int, ports.Enrolment) {
	n.t.Helper()
	code, b := n.call(http.MethodGet, "/internal/v1/orgs/"+org+"/subscriptions/"+pai, "", nil)
	var e ports.Enrolment
	if code == http.StatusOK {
		if err := json.Unmarshal(b, &e); err != nil {
			n.t.Fatal(err)
		}
	}
	return code, e
}

// expect sends a request and fails the test unless it is answered want; it returns the body.
func (n *netflix) expect(want int, method, path, key string, body any) []byte {
	n.t.Helper()
	code, answer := n.call(method, path, key, body)
	if code != want {
		n.t.Fatalf("%s %s: %d %s, want %d", method, path, code, answer, want)
	}
	return answer
}

func TestNetflix_FromEnrolmentThroughActivationToCancellation(t *testing.T) {
	n := startNetflix(t)
	sub := "/internal/v1/orgs/" + org + "/subscriptions/" + pai
	if code, _ := n.bundle(); code != http.StatusNotFound {
		t.Fatalf("before the create: %d, want 404", code)
	}

	created := n.waitStatus(n.send(events.TypeNetflixCreateSubscription, events.NetflixCreateSubscription{
		Org: org, PartnerAccountID: pai, BundleID: "bundle-1", OfferID: offer, Email: "test@email.com", BillingEventID: "billing-1",
	}))
	if created.Status != events.StatusPending || created.Details.BundleStatus != events.NetflixBundlePendingActivation {
		t.Fatalf("created %+v, want pending activation", created)
	}
	if _, e := n.bundle(); !e.Enrolled || e.EnrolledBy != created.CommandID {
		t.Fatalf("enrolment check %+v, want enrolled by %s", e, created.CommandID)
	}

	var token struct {
		URL string `json:"requested_securitized_url"`
	}
	if err := json.Unmarshal(n.expect(http.StatusCreated, http.MethodPost, sub+"/geturl", "geturl-1",
		map[string]any{"token_error_url": "https://e.example/err", "type": "BUNDLE"}), &token); err != nil {
		t.Fatal(err)
	}
	n.expect(http.StatusOK, http.MethodGet, token.URL, "", nil)

	activated := n.waitEvent(events.NetflixEventBundleActivation)
	if activated.Status != events.StatusActive || activated.PreviousStatus != events.StatusPending ||
		activated.Details.Event.PartnerReferenceID != "billing-1" || activated.Details.Event.NetflixEventID == "" {
		t.Fatalf("activation %+v (%+v), want active with the enrolment's billing reference", activated, activated.Details.Event)
	}
	var st struct {
		HasPartnerMOP bool `json:"has_partner_mop"`
		Subscription  struct {
			Plan struct {
				Type string `json:"type"`
			} `json:"plan"`
		} `json:"subscription"`
		Bundle struct {
			Status string `json:"status"`
		} `json:"bundle"`
	}
	if err := json.Unmarshal(n.expect(http.StatusOK, http.MethodGet, sub+"/status", "", nil), &st); err != nil {
		t.Fatal(err)
	}
	if !st.HasPartnerMOP || st.Bundle.Status != events.NetflixBundleActive || st.Subscription.Plan.Type != "STANDARD" {
		t.Fatalf("status %+v, want an active bundle on the STANDARD plan", st)
	}

	changed := n.waitStatus(n.send(events.TypeNetflixUpdateSubscription, events.NetflixUpdateSubscription{
		Org: org, PartnerAccountID: pai, OfferID: premium, BillingEventID: "billing-2",
	}))
	if ev := changed.Details.Event; ev == nil || ev.Type != events.NetflixEventBundlePlanChange || changed.Details.OfferID != premium {
		t.Fatalf("plan change %+v, want BUNDLE_PLAN_CHANGE to the premium offer", changed)
	}

	var enrolled map[string]json.RawMessage
	if err := json.Unmarshal(n.expect(http.StatusCreated, http.MethodPost, sub+"/digitalvirgo", "dv-1",
		map[string]string{"phone_number": phone, "pai": "123456"}), &enrolled); err != nil {
		t.Fatal(err)
	}
	if string(enrolled["id"]) != pai {
		t.Fatalf("digitalvirgo answer %s, want the PAI as a number", enrolled["id"])
	}
	if p := n.waitStatus("dv-1"); p.Operation != events.OpUpdate || p.Version != changed.Version+1 {
		t.Fatalf("digitalvirgo's relayed status event %+v, want the next version", p)
	}
	n.expect(http.StatusNoContent, http.MethodDelete, sub+"/digitalvirgo/%2B525512345678", "dv-2", nil)
	n.expect(http.StatusNotFound, http.MethodDelete, sub+"/digitalvirgo/%2B525512345678", "dv-3", nil)

	cancelled := n.waitStatus(n.send(events.TypeNetflixCancelSubscription, events.NetflixCancelSubscription{
		Org: org, PartnerAccountID: pai, CancelEventID: "cancel-1", CancelReason: "CUSTOMER_REQUESTED_CANCEL",
	}))
	if ev := cancelled.Details.Event; cancelled.Status != events.StatusDeactivated || ev == nil || ev.Type != events.NetflixEventBundleCancellation {
		t.Fatalf("cancel %+v, want deactivated with BUNDLE_CANCELLATION", cancelled)
	}
	if code, e := n.bundle(); code != http.StatusOK || e.Enrolled || e.BundleStatus != "CANCELLED" {
		t.Fatalf("enrolment check after cancel: %d %+v, want a cancelled bundle, not enrolled", code, e)
	}
}

func TestNetflix_InternalAPIAnswersWithCodes(t *testing.T) {
	n := startNetflix(t)
	unknown := "/internal/v1/orgs/" + org + "/subscriptions/42"
	for _, tc := range []struct {
		name, method, path, key string
		body                    any
		status                  int
		code                    string
	}{
		{"statusUnknown404", http.MethodGet, unknown + "/status", "", nil, http.StatusNotFound, "SUBSCRIPTION_NOT_FOUND"},
		{"geturlUnknown404", http.MethodPost, unknown + "/geturl", "k1", map[string]string{"type": "BUNDLE", "token_error_url": "https://e.example"}, http.StatusNotFound, "SUBSCRIPTION_NOT_FOUND"},
		{"geturlWithoutKey400", http.MethodPost, unknown + "/geturl", "", map[string]string{"type": "BUNDLE"}, http.StatusBadRequest, ports.CodeKeyRequired},
		{"digitalvirgoUnknown404", http.MethodPost, unknown + "/digitalvirgo", "k2", map[string]string{"phone_number": phone}, http.StatusNotFound, "SUBSCRIPTION_NOT_FOUND"},
		{"digitalvirgoDeleteUnknown404", http.MethodDelete, unknown + "/digitalvirgo/" + phone, "k3", nil, http.StatusNotFound, "SUBSCRIPTION_NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, b := n.call(tc.method, tc.path, tc.key, tc.body)
			var errs []struct {
				Code string `json:"code"`
			}
			_ = json.Unmarshal(b, &errs)
			if code != tc.status || len(errs) != 1 || errs[0].Code != tc.code {
				t.Fatalf("answer %d %s, want %d %s", code, b, tc.status, tc.code)
			}
		})
	}
}
