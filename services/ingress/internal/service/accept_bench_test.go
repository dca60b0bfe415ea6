package service_test

// Benchmark of the accept path: the seed's Disney create over HTTP through the real ingress
// (service.Run on a free port) to an acknowledged (acks=all) write on the package's embedded
// broker, the way a REST client sees it: the time until the 202 arrives.
//
//	go test -run '^$' -bench AcceptDisneyCreate -benchtime=2000x ./internal/service/
//
// About 32 clients send at once (b.SetParallelism scaled to GOMAXPROCS), each on keep-alive
// connections; every request carries its own subscriptionId and Request-Correlation-Id, so every
// one is a distinct command with its own event id. Reported: req/s over the timed part and the
// p50/p99 of the per-request latencies. Any answer other than 202 fails the benchmark.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"provision.local/pkg/config"
	"provision.local/pkg/httpx"
	"provision.local/pkg/localinfra/infratest"
	"provision.local/pkg/logging"
	"provision.local/services/ingress/internal/service"
)

// benchClients is the number of concurrent HTTP clients the accept benchmark aims for.
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

// latencies collects request durations from many goroutines.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
}

func (l *latencies) add(ds []time.Duration) {
	l.mu.Lock()
	l.all = append(l.all, ds...)
	l.mu.Unlock()
}

// quantile returns the q-quantile (nearest rank) of the collected durations.
func (l *latencies) quantile(q float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.all) == 0 {
		return 0
	}
	slices.Sort(l.all)
	i := int(q*float64(len(l.all))+0.5) - 1
	return l.all[min(max(i, 0), len(l.all)-1)]
}

func BenchmarkAcceptDisneyCreate(b *testing.B) {
	base := startBenchIngress(b, brokerAddr)
	url := base + seedPath

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
	nonce := time.Now().UnixNano()
	var seq atomic.Int64
	post := func() (int, string, error) {
		n := seq.Add(1)
		body := fmt.Sprintf(`{"subscriptionId":"ENT-b%d-%d","products":["com.disney.yoigo.es.bundle.basic","com.disney.yoigo.es.bundle.premium"]}`, nonce, n)
		req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		if err != nil {
			return 0, "", err
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer dev-masmovil")
		req.Header.Set(httpx.HeaderCorrelationID, fmt.Sprintf("bench-%d-%d", nonce, n))
		resp, err := client.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		answer, err := io.ReadAll(resp.Body) // read to the end so the connection is reused
		return resp.StatusCode, string(answer), err
	}

	// Warm up: open the connections and let the writer learn the topic's layout.
	var warm sync.WaitGroup
	warmErr := make(chan string, benchClients)
	for range benchClients {
		warm.Go(func() {
			if code, body, err := post(); err != nil || code != http.StatusAccepted {
				warmErr <- fmt.Sprintf("warm-up: status %d, error %v: %s", code, err, body)
			}
		})
	}
	warm.Wait()
	close(warmErr)
	for e := range warmErr {
		b.Fatal(e)
	}

	var (
		lat      latencies
		failures atomic.Int64
		firstErr sync.Once
		failure  string
	)
	// RunParallel starts parallelism × GOMAXPROCS goroutines: round up to benchClients.
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((benchClients + procs - 1) / procs)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		mine := make([]time.Duration, 0, 1024)
		for pb.Next() {
			began := time.Now()
			code, body, err := post()
			mine = append(mine, time.Since(began))
			if err != nil || code != http.StatusAccepted {
				failures.Add(1)
				firstErr.Do(func() { failure = fmt.Sprintf("status %d, error %v: %s", code, err, body) })
			}
		}
		lat.add(mine)
	})
	b.StopTimer()

	if n := failures.Load(); n > 0 {
		b.Fatalf("%d of %d requests were not answered 202; first: %s", n, b.N, failure)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64(lat.quantile(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat.quantile(0.99).Microseconds())/1000, "p99-ms")
}
