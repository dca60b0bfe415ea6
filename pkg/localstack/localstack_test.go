package localstack_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"provision.local/pkg/localstack"
	"provision.local/pkg/sealbox"
)

// The test binary doubles as the fake service: with fakeServiceEnv set, TestMain serves /readyz
// on HTTP_ADDR instead of running the tests.
const fakeServiceEnv = "LOCALSTACK_FAKE_SERVICE"

func TestMain(m *testing.M) {
	if os.Getenv(fakeServiceEnv) == "1" {
		os.Exit(fakeService())
	}
	os.Exit(m.Run())
}

// fakeService serves GET /readyz = 200 and GET /env?key=K (the value of K), prints a line on
// start and one on SIGTERM, and exits 3 at once when FAKE_EXIT is set.
func fakeService() int {
	name := os.Getenv("FAKE_NAME")
	if os.Getenv("FAKE_EXIT") != "" {
		fmt.Println(name, "boom: cannot start")
		return 3
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") })
	mux.HandleFunc("GET /env", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, os.Getenv(r.URL.Query().Get("key"))) })
	l, err := net.Listen("tcp", os.Getenv("HTTP_ADDR"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(l) }()
	fmt.Println(name, "started")
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	fmt.Println(name, "got SIGTERM")
	_ = srv.Close()
	return 0
}

func fakeServices(t *testing.T, names ...string) []localstack.Service {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var svcs []localstack.Service
	for _, n := range names {
		port, err := localstack.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		svcs = append(svcs, localstack.Service{
			Name:   n,
			Binary: exe,
			Addr:   addr,
			Env:    []string{fakeServiceEnv + "=1", "FAKE_NAME=" + n, "HTTP_ADDR=" + addr, "LOG_LEVEL=info"},
		})
	}
	return svcs
}

func baseConfig(t *testing.T, out *safeBuffer, svcs []localstack.Service) localstack.Config {
	return localstack.Config{
		DataDir:      t.TempDir(),
		BrokerAddr:   "127.0.0.1:0",
		MongoAddr:    "127.0.0.1:0",
		Services:     svcs,
		Out:          out,
		ReadyTimeout: 20 * time.Second,
		StopTimeout:  5 * time.Second,
	}
}

func TestStackKillRestartStop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := &safeBuffer{}
	cfg := baseConfig(t, out, fakeServices(t, "first", "second"))
	s, err := localstack.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("start: %v\n%s", err, out)
	}
	t.Cleanup(s.Stop)

	for _, n := range []string{"first", "second"} {
		mustBeReady(t, s.URL(n))
	}
	if got := get(t, s.URL("second")+"/env?key=HTTP_ADDR"); "http://"+got != s.URL("second") {
		t.Errorf("child env HTTP_ADDR = %q, want the address of %s", got, s.URL("second"))
	}
	mustDial(t, s.BrokerAddr())
	if !strings.HasPrefix(s.MongoURI(), "mongodb://127.0.0.1:") {
		t.Errorf("MongoURI = %q", s.MongoURI())
	}
	mustDial(t, strings.TrimSuffix(strings.TrimPrefix(s.MongoURI(), "mongodb://"), "/"))

	if err := s.Kill("second"); err != nil {
		t.Fatalf("kill: %v", err)
	}
	mustBeDown(t, s.URL("second"))
	if err := s.Kill("second"); err == nil {
		t.Error("killing a dead service: want an error")
	}
	if err := s.Restart("second"); err != nil {
		t.Fatalf("restart after kill: %v", err)
	}
	mustBeReady(t, s.URL("second"))
	if err := s.Restart("first"); err != nil {
		t.Fatalf("restart while running: %v", err)
	}
	mustBeReady(t, s.URL("first"))
	if err := s.Kill("nope"); err == nil {
		t.Error("kill of an unknown service: want an error")
	}

	s.Stop()
	s.Stop()
	for _, n := range []string{"first", "second"} {
		mustBeDown(t, s.URL(n))
	}
	logs := out.String()
	for _, want := range []string{"first      | first started", "second     | second got SIGTERM", "second killed"} {
		if !strings.Contains(logs, want) {
			t.Errorf("output lacks %q:\n%s", want, logs)
		}
	}
	// Reverse start order: second gets SIGTERM before first on Stop.
	tail := logs[strings.LastIndex(logs, "first      | first started"):]
	if i, j := strings.Index(tail, "second got SIGTERM"), strings.Index(tail, "first got SIGTERM"); i < 0 || j < 0 || i > j {
		t.Errorf("stop order: want second before first:\n%s", tail)
	}
	if err := s.Restart("first"); err == nil {
		t.Error("restart after Stop: want an error")
	}
}

func TestStartFailsWhenAChildExitsEarly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := &safeBuffer{}
	svcs := fakeServices(t, "good", "broken")
	svcs[1].Env = append(svcs[1].Env, "FAKE_EXIT=1")
	cfg := baseConfig(t, out, svcs)
	s, err := localstack.Start(ctx, cfg)
	if err == nil {
		s.Stop()
		t.Fatal("start succeeded, want an error")
	}
	for _, want := range []string{"broken exited before it was ready", "exit status 3", "broken boom: cannot start"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	// The healthy child started before it was stopped again.
	mustBeDown(t, "http://"+svcs[0].Addr)
	if !strings.Contains(out.String(), "good got SIGTERM") {
		t.Errorf("good was not stopped:\n%s", out)
	}
}

func TestStartChecksBinaries(t *testing.T) {
	svcs := fakeServices(t, "ghost")
	svcs[0].Binary = "./no/such/binary"
	_, err := localstack.Start(context.Background(), baseConfig(t, &safeBuffer{}, svcs))
	if err == nil || !strings.Contains(err.Error(), "make build") {
		t.Fatalf("err = %v, want a hint to build", err)
	}
}

func TestDefaultServices(t *testing.T) {
	svcs := localstack.DefaultServices("bin", "127.0.0.1:9092", "mongodb://127.0.0.1:27017/")
	var names []string
	for _, s := range svcs {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, ","); got != "partnersim,disney,netflix,insurance,ingress" {
		t.Fatalf("start order = %s", got)
	}
	env := func(s localstack.Service, key string) string {
		for _, kv := range s.Env {
			if k, v, _ := strings.Cut(kv, "="); k == key {
				return v
			}
		}
		return ""
	}
	tests := []struct {
		svc, key, want string
	}{
		{"partnersim", "HTTP_ADDR", "127.0.0.1:8090"},
		{"disney", "HTTP_ADDR", "127.0.0.1:8081"},
		{"disney", "KAFKA_BROKERS", "127.0.0.1:9092"},
		{"disney", "MONGODB_URI", "mongodb://127.0.0.1:27017/"},
		{"disney", "MONGODB_DATABASE", "disney"},
		{"disney", "DISNEY_PARTNER_URL", "http://127.0.0.1:8090/disney"},
		{"partnersim", "NETFLIX_CALLBACK_URL", "http://127.0.0.1:8082/internal/v1/netflix/reports"},
		{"netflix", "HTTP_ADDR", "127.0.0.1:8082"},
		{"netflix", "KAFKA_BROKERS", "127.0.0.1:9092"},
		{"netflix", "MONGODB_URI", "mongodb://127.0.0.1:27017/"},
		{"netflix", "MONGODB_DATABASE", "netflix"},
		{"netflix", "NETFLIX_PARTNER_URL", "http://127.0.0.1:8090/netflix"},
		{"netflix", "WORKFLOW_KEY", "local-only-workflow-key"},
		{"ingress", "NETFLIX_URL", "http://127.0.0.1:8082"},
		{"insurance", "HTTP_ADDR", "127.0.0.1:8084"},
		{"insurance", "KAFKA_BROKERS", "127.0.0.1:9092"},
		{"insurance", "MONGODB_URI", "mongodb://127.0.0.1:27017/"},
		{"insurance", "MONGODB_DATABASE", "insurance"},
		{"insurance", "INSURER_URL", "http://127.0.0.1:8090/insurance"},
		{"insurance", localstack.DataKeyEnv, ""}, // Start adds it, from the data directory
		{"ingress", "INSURANCE_URL", "http://127.0.0.1:8084"},
		{"ingress", "HTTP_ADDR", "127.0.0.1:8080"},
		{"ingress", "KAFKA_BROKERS", "127.0.0.1:9092"},
		{"ingress", "AUTH_TOKENS", "dev-masmovil=masmovil,dev-yoigo=yoigo"},
		{"ingress", "WORKFLOW_KEY", "local-only-workflow-key"},
		{"ingress", "DISNEY_URL", "http://127.0.0.1:8081"},
		{"ingress", "LOG_LEVEL", "info"},
	}
	for _, tt := range tests {
		for _, s := range svcs {
			if s.Name == tt.svc {
				if got := env(s, tt.key); got != tt.want {
					t.Errorf("%s %s = %q, want %q", tt.svc, tt.key, got, tt.want)
				}
				if s.Binary != "bin/"+s.Name {
					t.Errorf("%s binary = %q", s.Name, s.Binary)
				}
			}
		}
	}
}

func mustBeReady(t *testing.T, base string) {
	t.Helper()
	if got := get(t, base+"/readyz"); got != "ok" {
		t.Fatalf("%s/readyz = %q", base, got)
	}
}

func mustBeDown(t *testing.T, base string) {
	t.Helper()
	c := &http.Client{Timeout: time.Second}
	resp, err := c.Get(base + "/readyz")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("%s still answers after it was stopped", base)
	}
}

func mustDial(t *testing.T, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	c.Close()
}

func get(t *testing.T, url string) string {
	t.Helper()
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	return b.String()
}

type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLoadOrCreateDataKey_DrawsOnceThenReuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", localstack.DataKeyFile)
	first, err := localstack.LoadOrCreateDataKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sealbox.ParseKey(first); err != nil {
		t.Fatalf("drawn key %v", err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v, %v: want mode 0600", info, err)
	}
	if again, err := localstack.LoadOrCreateDataKey(path); err != nil || again != first {
		t.Errorf("second start got %q, %v; want the first key", again, err)
	}
	if err := os.WriteFile(path, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := localstack.LoadOrCreateDataKey(path); err == nil {
		t.Error("a damaged key file was accepted")
	}
}

func TestStart_GivesTheInsuranceServiceTheDataDirectorysKey(t *testing.T) {
	svcs := fakeServices(t, localstack.Insurance, "other")
	cfg := baseConfig(t, &safeBuffer{}, svcs)
	s, err := localstack.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	want, err := localstack.LoadOrCreateDataKey(filepath.Join(cfg.DataDir, localstack.DataKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := get(t, s.URL(localstack.Insurance)+"/env?key="+localstack.DataKeyEnv); got != want {
		t.Errorf("the insurance service got key %q, want the data directory's %q", got, want)
	}
	if got := get(t, s.URL("other")+"/env?key="+localstack.DataKeyEnv); got != "" {
		t.Errorf("another service got the data key")
	}
	if len(svcs[0].Env) != 4 {
		t.Errorf("Start changed the caller's services: %v", svcs[0].Env)
	}
}
