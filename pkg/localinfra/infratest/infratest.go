// Package infratest starts the embedded infrastructure once per test binary, so each package's
// tests share one broker or one MongoDB-wire server and give each test its own topics or
// database.
package infratest

import (
	"fmt"
	"os"
	"testing"
	"time"

	"provision.local/pkg/localinfra"
	"provision.local/pkg/localstack"
)

// MainWithBroker starts an embedded broker, stores its address in addr, runs the tests and exits.
func MainWithBroker(m *testing.M, addr *string) {
	b, err := localinfra.StartBroker(localinfra.BrokerConfig{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start broker:", err)
		os.Exit(1)
	}
	*addr = b.Addr()
	code := m.Run()
	b.Close()
	os.Exit(code)
}

// MainWithMongo starts an embedded MongoDB-wire server on a temporary directory, stores its URI
// in uri, runs the tests and exits.
func MainWithMongo(m *testing.M, uri *string) {
	dir, err := os.MkdirTemp("", "mongo-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv, err := localinfra.StartMongo(localinfra.MongoConfig{DataDir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start mongo:", err)
		os.Exit(1)
	}
	*uri = srv.URI()
	code := m.Run()
	srv.Close()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// FreeAddr returns a loopback host:port that was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	port, err := localstack.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", port)
}

// Eventually polls cond until it holds, failing the test when timeout passes first.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
