package service_test

// Benchmark of the accept path against its limit, both measured in the same run by the same
// client harness:
//
//   - the ingress: the seed's Disney create over HTTP through the real ingress (service.Run on a
//     free port) to an acknowledged (acks=all) write on the package's embedded broker, the way a
//     REST client sees it: the time until the 202 arrives;
//   - bare gin: a gin engine with nothing but the same route, the same body decode and the same
//     validation, answering 202 without writing anywhere.
//
//	go test -run '^$' -bench AcceptDisneyCreate -benchtime=10000x ./internal/service/
//
// benchClients clients send at once, each on keep-alive connections; every request carries its
// own subscriptionId and Request-Correlation-Id, so every one is a distinct command with its own
// event id. Each side gets b.N requests, in interleaved rounds. Reported: req/s of both and the
// ingress's share of the bare rate, the p50/p99 of the per-request latencies of both, and the
// process's CPU time per request of both (client, server and, for the ingress, the embedded
// broker: the figure that other load on the machine disturbs least). Any answer other than 202
// fails the benchmark. ns/op and the allocations are the ingress side's.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"provision.local/pkg/benchref"
	"provision.local/pkg/config"
	"provision.local/pkg/httpx"
	"provision.local/pkg/localinfra/infratest"
	"provision.local/pkg/logging"
	"provision.local/services/ingress/internal/service"
)

// benchClients is the number of concurrent HTTP clients of both sides.
const benchClients = 32

// startBenchIngress runs the ingress against broker until the benchmark run ends. Its log goes
// nowhere but is still produced at info level (one access-log line per request), as in production.
func startBenchIngress(b *testing.B, broker string) string {
	b.Helper()
	b.Setenv("AUTH_TOKENS", "dev-masmovil=masmovil,dev-yoigo=yoigo")
	b.Setenv("WORKFLOW_KEY", "bench-workflow-key")
	var cfg service.Config
	if err := config.Load(&cfg); err != nil {
		b.Fatal(err)
	}
	cfg.HTTP.Addr = infratest.FreeAddr(b)
	cfg.Kafka.Brokers = []string{broker}
	cfg.DisneyURL = "http://" + infratest.FreeAddr(b) // commands only: no Disney service behind
	cfg.UpstreamTimeout = 2 * time.Second

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- service.Run(ctx, cfg, logging.NewWithOutput("ingress", "info", io.Discard)) }()
	b.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				b.Errorf("service stopped with %v", err)
			}
		case <-time.After(30 * time.Second):
			b.Error("service did not stop within 30s")
		}
	})

	base := "http://" + cfg.HTTP.Addr
	infratest.Eventually(b, 30*time.Second, "ingress ready", func() bool {
		select {
		case err := <-done:
			done <- err // for the cleanup
			b.Fatalf("service stopped early: %v", err)
		default:
		}
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return base
}

// Bare gin: the ingress's create route reduced to what any gin handler of it must do.
var (
	bareIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)
	errBareBody   = errors.New("invalid body")
)

type bareCreateBody struct {
	SubscriptionID string   `json:"subscriptionId"`
	Products       []string `json:"products"`
}

// bareValidate checks what the ingress checks of a create: path ids, the subscription id and
// the products list (1-32 non-blank, distinct identifiers of at most 128 characters).
func bareValidate(c *gin.Context, body bareCreateBody) error {
	if !bareIDPattern.MatchString(c.Param("user_id")) || !bareIDPattern.MatchString(body.SubscriptionID) {
		return errBareBody
	}
	if len(body.Products) == 0 || len(body.Products) > 32 {
		return errBareBody
	}
	seen := make(map[string]bool, len(body.Products))
	for _, p := range body.Products {
		if strings.TrimSpace(p) == "" || len(p) > 128 || seen[p] {
			return errBareBody
		}
		seen[p] = true
	}
	return nil
}

// startBareGin serves the bare create route until the benchmark run ends.
func startBareGin(b *testing.B) string {
	b.Helper()
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.POST("/v2/orgs/:org/tv/disney/users/:user_id", func(c *gin.Context) {
		var body bareCreateBody
		if !httpx.BindJSON(c, &body) {
			return
		}
		if err := bareValidate(c, body); err != nil {
			httpx.Fail(c, http.StatusBadRequest, httpx.CodeInvalidBody, err.Error())
			return
		}
		c.JSON(http.StatusAccepted, struct {
			Message    string `json:"message"`
			WorkflowID string `json:"workflowId"`
			RunID      string `json:"runId"`
		}{"Subscription creation accepted", "wf-bare", "run-bare"})
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	b.Cleanup(func() { _ = srv.Close() })
	return "http://" + l.Addr().String()
}

// loadResult is what one side of the benchmark measured, over one or more rounds.
type loadResult struct {
	n       int
	elapsed time.Duration
	cpu     time.Duration // user+system CPU time of the whole process: client, server and broker
	all     []time.Duration
}

func (r *loadResult) add(o loadResult) {
	r.n += o.n
	r.elapsed += o.elapsed
	r.cpu += o.cpu
	r.all = append(r.all, o.all...)
}

func (r *loadResult) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

// cpuPerRequest is the process's CPU time per request, in microseconds: unlike the rate, other
// work on the machine hardly changes it.
func (r *loadResult) cpuPerRequest() float64 { return float64(r.cpu.Microseconds()) / float64(r.n) }

// quantile returns the q-quantile (nearest rank) of the latencies.
func (r *loadResult) quantile(q float64) time.Duration {
	if len(r.all) == 0 {
		return 0
	}
	slices.Sort(r.all)
	i := int(q*float64(len(r.all))+0.5) - 1
	return r.all[min(max(i, 0), len(r.all)-1)]
}

// processCPU is the CPU time the process has used so far.
func processCPU() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// loadClient sends the seed create to one server from benchClients goroutines.
type loadClient struct {
	http  *http.Client
	url   string
	nonce int64
	seq   atomic.Int64
}

func newLoadClient(b *testing.B, base string) *loadClient {
	client := &http.Client{
		Timeout: 20 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        4 * benchClients,
			MaxIdleConnsPerHost: 4 * benchClients,
			IdleConnTimeout:     time.Minute,
		},
	}
	b.Cleanup(client.CloseIdleConnections)
	// Ids are unique across the runs of one process (the broker is shared) and across processes.
	return &loadClient{http: client, url: base + seedPath, nonce: time.Now().UnixNano()}
}

// post sends one create and fails unless it is answered 202.
func (l *loadClient) post() error {
	n := l.seq.Add(1)
	body := fmt.Sprintf(`{"subscriptionId":"ENT-b%d-%d","products":["com.disney.yoigo.es.bundle.basic","com.disney.yoigo.es.bundle.premium"]}`, l.nonce, n)
	req, err := http.NewRequest(http.MethodPost, l.url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer dev-masmovil")
	req.Header.Set(httpx.HeaderCorrelationID, fmt.Sprintf("bench-%d-%d", l.nonce, n))
	resp, err := l.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body) // read to the end so the connection is reused
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("status %d: %s", resp.StatusCode, answer)
	}
	return nil
}

// run sends n requests from benchClients goroutines and measures them. Before the timed part,
// every client sends one request: the connections are open and the server warm.
func (l *loadClient) run(n int) (loadResult, error) {
	var warm sync.WaitGroup
	warmErr := make(chan error, benchClients)
	for range benchClients {
		warm.Go(func() {
			if err := l.post(); err != nil {
				warmErr <- fmt.Errorf("warm-up: %w", err)
			}
		})
	}
	warm.Wait()
	close(warmErr)
	if err := <-warmErr; err != nil {
		return loadResult{}, err
	}

	var (
		next     atomic.Int64
		mu       sync.Mutex
		all      = make([]time.Duration, 0, n)
		firstErr error
		wg       sync.WaitGroup
	)
	start, cpu := time.Now(), processCPU()
	for range benchClients {
		wg.Go(func() {
			mine := make([]time.Duration, 0, n/benchClients+1)
			var err error
			for next.Add(1) <= int64(n) {
				began := time.Now()
				if err = l.post(); err != nil {
					break
				}
				mine = append(mine, time.Since(began))
			}
			mu.Lock()
			all = append(all, mine...)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), processCPU()-cpu
	if firstErr != nil {
		return loadResult{}, firstErr
	}
	return loadResult{n: n, elapsed: elapsed, cpu: cpu, all: all}, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// benchRounds interleaves the two sides, so that a change of load on the shared machine falls on
// both alike.
const benchRounds = 10

func BenchmarkAcceptDisneyCreate(b *testing.B) {
	ingress := newLoadClient(b, startBenchIngress(b, brokerAddr))
	bare := newLoadClient(b, startBareGin(b))

	var got, limit loadResult
	b.ReportAllocs()
	b.ResetTimer()
	for round := range benchRounds {
		n := b.N*(round+1)/benchRounds - b.N*round/benchRounds // b.N in all
		if n == 0 {
			continue
		}
		b.StartTimer()
		r, err := ingress.run(n)
		b.StopTimer()
		if err != nil {
			b.Fatalf("ingress: %v", err)
		}
		got.add(r)
		if r, err = bare.run(n); err != nil {
			b.Fatalf("bare gin: %v", err)
		}
		limit.add(r)
	}

	benchref.Report(b, "accepts", got.rate(), "bare_gin", limit.rate())
	b.ReportMetric(ms(got.quantile(0.50)), "p50-ms")
	b.ReportMetric(ms(got.quantile(0.99)), "p99-ms")
	b.ReportMetric(ms(limit.quantile(0.50)), "bare_p50-ms")
	b.ReportMetric(ms(limit.quantile(0.99)), "bare_p99-ms")
	b.ReportMetric(got.cpuPerRequest(), "cpu-us/accept")
	b.ReportMetric(limit.cpuPerRequest(), "bare_cpu-us/req")
}
