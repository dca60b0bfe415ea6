package provider_test

// Component tests of the runtime: a provider of tallies runs as a service does, against the
// embedded Kafka-protocol broker and MongoDB-wire server, with an extra consumer (a projection of
// its status events) and background jobs.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"provision.local/events"
	"provision.local/pkg/config"
	"provision.local/pkg/consumer"
	"provision.local/pkg/kafkaio"
	"provision.local/pkg/ledger"
	"provision.local/pkg/localinfra"
	"provision.local/pkg/localinfra/infratest"
	"provision.local/pkg/logging"
	"provision.local/pkg/provider"
	"provision.local/pkg/submit"
)

var mongoURI string

func TestMain(m *testing.M) { infratest.MainWithMongo(m, &mongoURI) }

const (
	name    = "tally"
	addType = "test.tally.add"
)

var dbSeq atomic.Int32

type tally struct {
	N int `bson:"n"`
}

// service is one running tally provider.
type service struct {
	cfg  provider.Config
	pub  *kafkaio.Publisher
	base string
	stop func() error // cancels the service and waits for Run to return
}

// startService runs spec's provider on its own broker and database.
func startService(t *testing.T, wire func(ctx context.Context, deps provider.Deps) (provider.Wiring, error)) *service {
	t.Helper()
	b, err := localinfra.StartBroker(localinfra.BrokerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	var cfg provider.Config
	cfg.Defaults(name, infratest.FreeAddr(t))
	if err := config.Load(&cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Kafka.Brokers = []string{b.Addr()}
	cfg.Kafka.Partitions = 2
	cfg.Mongo.URI = mongoURI
	cfg.Mongo.Database = fmt.Sprintf("tally_%d_%d", time.Now().UnixNano()%1e9, dbSeq.Add(1))
	cfg.Consumer.RetryInitial = 20 * time.Millisecond
	cfg.Consumer.RetryMax = 100 * time.Millisecond

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- provider.Run(ctx, provider.Spec{Name: name, Wire: wire}, cfg, logging.NewWithOutput(name, "panic", io.Discard))
	}()
	var once sync.Once
	var runErr error
	s := &service{cfg: cfg, pub: kafkaio.NewPublisher(cfg.Kafka), base: "http://" + cfg.HTTP.Addr}
	s.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(45 * time.Second):
				runErr = errors.New("the service did not stop within 45s")
			}
		})
		return runErr
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Error(err)
		}
		_ = s.pub.Close()
	})
	infratest.Eventually(t, 45*time.Second, "service ready", func() bool { return s.get("/readyz", nil) == http.StatusOK })
	return s
}

func (s *service) get(path string, out any) int {
	resp, err := http.Get(s.base + path)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// add publishes a command that adds one to the tally key of org.
func (s *service) add(t *testing.T, id, org, key string) {
	t.Helper()
	e, err := events.New(id, addType, "/test", key, map[string]string{"org": org})
	if err != nil {
		t.Fatal(err)
	}
	events.SetExtensions(&e, "corr-"+id, "", org)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.pub.Publish(ctx, events.CommandsTopic(name), e); err != nil {
		t.Fatal(err)
	}
}

// tallyWiring is the provider under test: each command adds one to a tally through the ledger
// and produces one status event.
func tallyWiring(extra func(w *provider.Wiring)) func(ctx context.Context, deps provider.Deps) (provider.Wiring, error) {
	return func(ctx context.Context, deps provider.Deps) (provider.Wiring, error) {
		store, err := ledger.New[tally](ctx, deps.DB, "tallies", deps.Ledger...)
		if err != nil {
			return provider.Wiring{}, err
		}
		w := provider.Wiring{
			Handler: func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
				e := msg.Event
				org := events.Extension(e, events.ExtOrg)
				key := events.Extension(e, events.ExtPartitionKey)
				cmd := ledger.Command{ID: e.ID(), Type: e.Type(), Org: org, Operation: "add", AggregateID: org + "/" + key}
				return store.Execute(ctx, cmd, addOne(cmd.ID, key))
			},
			Operations: store,
			// A synchronous add, as insurance's reserve is: the runtime relays its status event.
			Routes: func(r *gin.Engine) {
				r.POST("/internal/v1/orgs/:org/tallies/:key", func(c *gin.Context) {
					org, key, id := c.Param("org"), c.Param("key"), c.GetHeader("Idempotency-Key")
					cmd := ledger.Command{ID: id, Type: addType, Org: org, Operation: "add", AggregateID: org + "/" + key}
					if _, err := store.ExecuteRelayed(c.Request.Context(), cmd, addOne(id, key)); err != nil {
						c.Status(http.StatusInternalServerError)
						return
					}
					c.Status(http.StatusNoContent)
				})
			},
			Outboxes: []provider.Outbox{store},
		}
		if extra != nil {
			extra(&w)
		}
		return w, nil
	}
}

// addOne adds one to a tally and produces its status event.
func addOne(cmdID, key string) ledger.Decide[tally] {
	return func(_ context.Context, cur *tally, _ int64) (ledger.Decision[tally], error) {
		next := tally{N: 1}
		if cur != nil {
			next.N = cur.N + 1
		}
		st, err := events.New(ledger.EventID(cmdID, 0), "test.tally.status", "/test", key, next)
		if err != nil {
			return ledger.Decision[tally]{}, err
		}
		return ledger.Decision[tally]{New: &next, Outputs: []consumer.Output{{Topic: events.StatusTopic(name), Event: st}}}, nil
	}
}

// seen is a projection: the ids of the events its consumer handled.
type seen struct{ ids sync.Map }

func (p *seen) handler(_ context.Context, msg consumer.Message) ([]consumer.Output, error) {
	p.ids.Store(msg.Event.ID(), true)
	return nil, nil
}

func (p *seen) has(id string) bool { _, ok := p.ids.Load(id); return ok }

func TestTheOperationsEndpointAnswersFromTheLedger(t *testing.T) {
	s := startService(t, tallyWiring(nil))
	s.add(t, "cmd-1", "yoigo", "k1")
	var op submit.OperationView
	infratest.Eventually(t, 45*time.Second, "cmd-1 completed", func() bool {
		return s.get("/internal/v1/orgs/yoigo/operations/cmd-1", &op) == http.StatusOK && op.Status == ledger.Completed
	})
	if op.CommandID != "cmd-1" || op.Operation != "add" || op.SubscriptionID != "k1" || op.At == nil {
		t.Errorf("answer %+v", op)
	}
	if code := s.get("/internal/v1/orgs/masmovil/operations/cmd-1", nil); code != http.StatusNotFound {
		t.Errorf("another org's command: %d, want 404", code)
	}
}

func TestExtraConsumersProjectStatusEvents(t *testing.T) {
	var projection, second seen
	s := startService(t, tallyWiring(func(w *provider.Wiring) {
		w.Consumers = []provider.Consumer{
			{Topic: events.StatusTopic(name), GroupID: name + "-projection", Handler: projection.handler},
			{Topic: events.StatusTopic(name), GroupID: name + "-analytics", Handler: second.handler},
		}
	}))
	for i := range 3 {
		s.add(t, fmt.Sprintf("cmd-%d", i), "yoigo", fmt.Sprintf("k%d", i%2))
	}
	infratest.Eventually(t, 45*time.Second, "both projections saw the three status events", func() bool {
		for i := range 3 {
			id := ledger.EventID(fmt.Sprintf("cmd-%d", i), 0)
			if !projection.has(id) || !second.has(id) {
				return false
			}
		}
		return true
	})
}

func TestTheOutboxRelayPublishesSynchronousChanges(t *testing.T) {
	var projection seen
	s := startService(t, tallyWiring(func(w *provider.Wiring) {
		w.Consumers = []provider.Consumer{{Topic: events.StatusTopic(name), GroupID: name + "-projection", Handler: projection.handler}}
	}))
	req, err := http.NewRequest(http.MethodPost, s.base+"/internal/v1/orgs/yoigo/tallies/k1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Idempotency-Key", "sync-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status %d", resp.StatusCode)
	}
	infratest.Eventually(t, 45*time.Second, "the relayed status event", func() bool { return projection.has(ledger.EventID("sync-1", 0)) })
}

// A route that turns its input into a command publishes it with the runtime's publisher; the
// command consumer then runs it.
func TestARouteSubmitsCommandsWithTheRuntimesPublisher(t *testing.T) {
	var projection seen
	s := startService(t, func(ctx context.Context, deps provider.Deps) (provider.Wiring, error) {
		w, err := tallyWiring(func(w *provider.Wiring) {
			w.Consumers = []provider.Consumer{{Topic: events.StatusTopic(name), GroupID: name + "-projection", Handler: projection.handler}}
		})(ctx, deps)
		w.Routes = func(r *gin.Engine) {
			r.POST("/reports/:key", func(c *gin.Context) {
				e, err := events.New("report-"+c.Param("key"), addType, "/test", c.Param("key"), map[string]string{"org": "yoigo"})
				if err == nil {
					events.SetExtensions(&e, "", "", "yoigo")
					err = deps.Publisher.Publish(c.Request.Context(), events.CommandsTopic(name), e)
				}
				if err != nil {
					c.Status(http.StatusServiceUnavailable)
					return
				}
				c.Status(http.StatusAccepted)
			})
		}
		return w, err
	})
	resp, err := http.Post(s.base+"/reports/k1", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d", resp.StatusCode)
	}
	infratest.Eventually(t, 45*time.Second, "the submitted command's status event", func() bool { return projection.has(ledger.EventID("report-k1", 0)) })
}

func TestJobsRunUntilShutdownAndRestartAfterAFailure(t *testing.T) {
	var runs atomic.Int32
	var after atomic.Int32 // the HTTP status the job got once cancelled
	var s *service
	ready := make(chan struct{})
	s = startService(t, tallyWiring(func(w *provider.Wiring) {
		w.Jobs = []provider.Job{{Name: "scheduler", Run: func(ctx context.Context) error {
			switch runs.Add(1) {
			case 1:
				return errors.New("store unavailable")
			case 2:
				panic("a bug")
			}
			<-ctx.Done()
			<-ready
			after.Store(int32(s.get("/healthz", nil)))
			return nil
		}}}
	}))
	close(ready)
	infratest.Eventually(t, 45*time.Second, "the job restarted twice", func() bool { return runs.Load() == 3 })
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if after.Load() != http.StatusOK {
		t.Errorf("the job's shutdown saw HTTP %d: the server must outlive the jobs", after.Load())
	}
	if runs.Load() != 3 {
		t.Errorf("ran %d times, want 3", runs.Load())
	}
}

func TestAWiringWithoutAnOperationsSourceIsRefused(t *testing.T) {
	var cfg provider.Config
	cfg.Defaults(name, infratest.FreeAddr(t))
	if err := config.Load(&cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Mongo.URI = mongoURI
	wire := func(context.Context, provider.Deps) (provider.Wiring, error) {
		return provider.Wiring{Handler: func(context.Context, consumer.Message) ([]consumer.Output, error) { return nil, nil }}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := provider.Run(ctx, provider.Spec{Name: name, Wire: wire}, cfg, logging.NewWithOutput(name, "panic", io.Discard))
	if err == nil || !strings.Contains(err.Error(), "no operations source") {
		t.Fatalf("Run = %v, want the wiring refused for want of an operations source", err)
	}
}
