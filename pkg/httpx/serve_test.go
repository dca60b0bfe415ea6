package httpx_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"provision.local/pkg/config"
	"provision.local/pkg/httpx"
	"provision.local/pkg/logging"
)

func TestServeErrPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = httpx.Serve(ctx, logging.NewWithOutput("test", "info", io.Discard), ln.Addr().String(), http.NotFoundHandler(), time.Second)
	if err == nil || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("err = %v, want a listen error at once", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Serve blocked until the deadline instead of failing at once")
	}
}

func TestServeDrainsInFlightRequestOnShutdown(t *testing.T) {
	addr := freeAddr(t)
	logs := &syncBuffer{}
	log := logging.NewWithOutput("test", "info", logs)
	e := httpx.NewEngine(httpx.Options{Service: "serve-test", Log: log})
	entered := make(chan struct{})
	release := make(chan struct{})
	e.GET("/slow", func(c *gin.Context) {
		close(entered)
		<-release
		c.String(http.StatusOK, "done")
	})
	httpx.RegisterProbes(e)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- httpx.Serve(ctx, log, addr, e, 10*time.Second) }()

	waitFor(t, 10*time.Second, func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})

	type result struct {
		status int
		body   string
		err    error
	}
	slow := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			slow <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		slow <- result{status: resp.StatusCode, body: string(b), err: err}
	}()
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("slow request never reached the handler")
	}

	cancel()
	// New connections are refused once shutdown has begun, while the slow one is still running.
	waitFor(t, 10*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return true
		}
		c.Close()
		return false
	})
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v before the in-flight request finished", err)
	default:
	}
	close(release)

	select {
	case r := <-slow:
		if r.err != nil || r.status != http.StatusOK || r.body != "done" {
			t.Fatalf("in-flight request: status %d body %q err %v", r.status, r.body, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("in-flight request did not finish")
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve = %v, want nil after a clean shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after shutdown")
	}
	if !strings.Contains(logs.String(), "http server stopped") {
		t.Errorf("no stop line in logs: %s", logs)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", d)
		}
		<-tick.C
	}
}

func TestHTTPConfigDefaults(t *testing.T) {
	t.Setenv("HTTP_ADDR", "")
	t.Setenv("HTTP_SHUTDOWN_TIMEOUT", "")
	cfg := httpx.HTTPConfig{Addr: "127.0.0.1:8081"}
	if err := config.Load(&cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:8081" || cfg.ShutdownTimeout != 15*time.Second {
		t.Fatalf("got %+v, want the service's address kept and a 15s shutdown timeout", cfg)
	}
}
