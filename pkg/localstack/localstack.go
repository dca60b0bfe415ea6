// Package localstack runs the whole system on one machine without Docker: the embedded
// Kafka-protocol broker and MongoDB-wire server (pkg/localinfra) inside this process, and every
// service as a child process started from a prebuilt binary, one after the other, each waited for
// until its GET /readyz answers 200.
//
// Children's stdout and stderr go to Config.Out, one line at a time, prefixed with the service
// name ("disney     | ..."), the way docker compose shows them. Children run in their own process
// group, so a Ctrl-C in the terminal reaches only the parent, which stops them in reverse start
// order; on Linux a child also gets SIGTERM if the parent dies without stopping it.
package localstack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"provision.local/pkg/localinfra"
)

// SeedTopics are created when the broker starts. The services also create the topics they use;
// seeding them means a client that starts first finds them too.
var SeedTopics = []string{"provision.disney.commands", "provision.disney.status",
	"provision.netflix.commands", "provision.netflix.status", "provision.deadletter"}

// SeedPartitions is the partition count of the seed topics.
const SeedPartitions = 6

const (
	defaultReadyTimeout = 60 * time.Second
	defaultStopTimeout  = 15 * time.Second
	tailLines           = 30
)

// Service is one child process.
type Service struct {
	Name string
	// Binary is the executable's path.
	Binary string
	// Env holds KEY=value entries added on top of os.Environ(); they win over inherited values.
	Env []string
	// Addr is the host:port of the service's HTTP server, where /readyz is polled.
	Addr string
}

// Config says where the stack keeps its data and what it runs.
type Config struct {
	// DataDir holds kafka/ (the broker's log) and mongo/ (one SQLite file per database). Required.
	DataDir string
	// BinDir is where DefaultServices finds the binaries when Services is nil.
	BinDir string
	// BrokerAddr and MongoAddr are host:port; empty means the local defaults
	// (127.0.0.1:9092, 127.0.0.1:27017), port 0 picks a free port.
	BrokerAddr, MongoAddr string
	// Services are started in this order and stopped in reverse.
	// Nil means DefaultServices(BinDir, broker address, MongoDB URI).
	Services []Service
	// Out receives the children's output lines, prefixed with their names, and the stack's own
	// messages. Nil discards them.
	Out io.Writer
	// ReadyTimeout bounds the wait for one service's /readyz; zero means 60s.
	ReadyTimeout time.Duration
	// StopTimeout is how long a child has between SIGTERM and SIGKILL; zero means 15s.
	StopTimeout time.Duration
}

// Stack is a running local system.
type Stack struct {
	cfg      Config
	broker   *localinfra.Broker
	mongo    *localinfra.Mongo
	out      *syncWriter
	width    int
	services []Service

	mu       sync.Mutex // serialises Kill, Restart and Stop
	children map[string]*child
	stopped  bool
}

type child struct {
	svc      Service
	cmd      *exec.Cmd
	out      *lineWriter
	done     chan struct{} // closed when the process has exited and its output is drained
	err      error         // cmd.Wait's result, valid after done
	stopping atomic.Bool   // set before a deliberate SIGTERM or SIGKILL
}

// Start starts the broker, the MongoDB-wire server and then each service, waiting for each one to
// be ready before the next. ctx bounds the start only: once Start returns, the stack runs until
// Stop. On error everything already started is stopped again.
func Start(ctx context.Context, cfg Config) (*Stack, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("data directory is required")
	}
	if cfg.BrokerAddr == "" {
		cfg.BrokerAddr = DefaultBrokerAddr
	}
	if cfg.MongoAddr == "" {
		cfg.MongoAddr = DefaultMongoAddr
	}
	if cfg.ReadyTimeout <= 0 {
		cfg.ReadyTimeout = defaultReadyTimeout
	}
	if cfg.StopTimeout <= 0 {
		cfg.StopTimeout = defaultStopTimeout
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	// Check the binaries before starting anything; the default services' environment needs the
	// infrastructure's addresses, so they are built for real once it runs.
	planned := cfg.Services
	if planned == nil {
		planned = DefaultServices(cfg.BinDir, cfg.BrokerAddr, "")
	}
	if err := checkServices(planned); err != nil {
		return nil, err
	}

	s := &Stack{cfg: cfg, out: &syncWriter{w: cfg.Out}, children: map[string]*child{}}
	s.width = len("localstack")
	for _, svc := range planned {
		s.width = max(s.width, len(svc.Name))
	}
	if err := s.startInfra(); err != nil {
		s.Stop()
		return nil, err
	}
	services := cfg.Services
	if services == nil {
		services = DefaultServices(cfg.BinDir, s.BrokerAddr(), s.MongoURI())
	}
	var err error
	if s.services, err = withDataKey(services, cfg.DataDir); err != nil {
		s.Stop()
		return nil, err
	}
	for _, svc := range s.services {
		if err := s.startService(ctx, svc); err != nil {
			s.Stop()
			return nil, err
		}
	}
	return s, nil
}

func (s *Stack) startInfra() error {
	kafkaDir := filepath.Join(s.cfg.DataDir, "kafka")
	if err := os.MkdirAll(kafkaDir, 0o755); err != nil {
		return fmt.Errorf("create kafka data directory: %w", err)
	}
	b, err := localinfra.StartBroker(localinfra.BrokerConfig{
		Addr:       s.cfg.BrokerAddr,
		DataDir:    kafkaDir,
		SeedTopics: SeedTopics,
		Partitions: SeedPartitions,
	})
	if err != nil {
		return fmt.Errorf("kafka broker on %s: %w", s.cfg.BrokerAddr, err)
	}
	s.broker = b
	s.logf("kafka broker listening on %s", b.Addr())

	// FerretDB warns about routine things (a client closing its connection); only its errors
	// are worth a line here.
	logger := slog.New(slog.NewTextHandler(s.prefixed("mongo"), &slog.HandlerOptions{Level: slog.LevelError}))
	m, err := localinfra.StartMongo(localinfra.MongoConfig{
		Addr:    s.cfg.MongoAddr,
		DataDir: filepath.Join(s.cfg.DataDir, "mongo"),
		Logger:  logger,
	})
	if err != nil {
		return fmt.Errorf("mongodb server on %s: %w", s.cfg.MongoAddr, err)
	}
	s.mongo = m
	s.logf("mongodb server listening on %s", m.URI())
	return nil
}

func (s *Stack) startService(ctx context.Context, svc Service) error {
	began := time.Now()
	c, err := s.spawn(svc)
	if err != nil {
		return err
	}
	s.children[svc.Name] = c
	if err := s.waitReady(ctx, c); err != nil {
		c.stopping.Store(true)
		_ = c.cmd.Process.Kill()
		<-c.done
		return err
	}
	s.logf("%s ready on %s (%s)", svc.Name, s.URL(svc.Name), time.Since(began).Round(time.Millisecond))
	return nil
}

func (s *Stack) spawn(svc Service) (*child, error) {
	w := &lineWriter{prefix: s.prefixFor(svc.Name), out: s.out}
	cmd := exec.Command(svc.Binary)
	cmd.Env = append(os.Environ(), svc.Env...)
	// One writer for both streams: exec then copies them through a single pipe, in order.
	cmd.Stdout = w
	cmd.Stderr = w
	cmd.SysProcAttr = sysProcAttr()
	// Don't let a grandchild holding the pipe open block Wait forever.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", svc.Name, err)
	}
	c := &child{svc: svc, cmd: cmd, out: w, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		w.flush()
		close(c.done)
		if !c.stopping.Load() {
			s.logf("%s exited unexpectedly: %v", svc.Name, exitText(c.err))
		}
	}()
	return c, nil
}

// waitReady polls GET /readyz until it answers 200, the child exits, ReadyTimeout passes or ctx
// ends.
func (s *Stack) waitReady(ctx context.Context, c *child) error {
	client := &http.Client{Timeout: 2 * time.Second}
	url := s.URL(c.svc.Name) + "/readyz"
	deadline := time.NewTimer(s.cfg.ReadyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		last = probe(ctx, client, url)
		if last == nil {
			return nil
		}
		select {
		case <-c.done:
			return fmt.Errorf("%s exited before it was ready: %s%s", c.svc.Name, exitText(c.err), c.out.tailText())
		case <-deadline.C:
			return fmt.Errorf("%s not ready within %s (last: %v)%s", c.svc.Name, s.cfg.ReadyTimeout, last, c.out.tailText())
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", c.svc.Name, ctx.Err())
		case <-tick.C:
		}
	}
}

func probe(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// Stop stops the services in reverse start order (SIGTERM, then SIGKILL after StopTimeout), then
// the MongoDB-wire server and the broker. It is safe to call more than once.
func (s *Stack) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	s.stopped = true
	for i := len(s.services) - 1; i >= 0; i-- {
		if c := s.children[s.services[i].Name]; c != nil {
			s.terminate(c)
		}
	}
	if s.mongo != nil {
		s.mongo.Close()
	}
	if s.broker != nil {
		s.broker.Close()
	}
	s.logf("stopped")
}

// Kill sends SIGKILL to a service and waits for it to exit, as a crash would. Restart brings it
// back.
func (s *Stack) Kill(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return errors.New("the stack is stopped")
	}
	c, ok := s.children[name]
	if !ok {
		return fmt.Errorf("no service %q", name)
	}
	if c.exited() {
		return fmt.Errorf("%s is not running", name)
	}
	c.stopping.Store(true)
	if err := c.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill %s: %w", name, err)
	}
	<-c.done
	s.logf("%s killed", name)
	return nil
}

// Restart stops a service if it still runs (SIGTERM), starts it again and waits until it is ready.
func (s *Stack) Restart(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return errors.New("the stack is stopped")
	}
	c, ok := s.children[name]
	if !ok {
		return fmt.Errorf("no service %q", name)
	}
	s.terminate(c)
	return s.startService(context.Background(), c.svc)
}

// URL is the base URL of a service's HTTP server ("http://127.0.0.1:8080"), or "" for an unknown
// name.
func (s *Stack) URL(name string) string {
	for _, svc := range s.services {
		if svc.Name == name {
			return "http://" + svc.Addr
		}
	}
	return ""
}

// BrokerAddr is the Kafka bootstrap address.
func (s *Stack) BrokerAddr() string { return s.broker.Addr() }

// MongoURI is the MongoDB connection string.
func (s *Stack) MongoURI() string { return s.mongo.URI() }

// Services are the services the stack runs, in start order.
func (s *Stack) Services() []Service { return append([]Service(nil), s.services...) }

// terminate sends SIGTERM and waits up to StopTimeout, then SIGKILL. An exited child is left as is.
func (s *Stack) terminate(c *child) {
	if c.exited() {
		return
	}
	c.stopping.Store(true)
	if err := c.cmd.Process.Signal(terminateSignal); err != nil {
		_ = c.cmd.Process.Kill()
	}
	t := time.NewTimer(s.cfg.StopTimeout)
	defer t.Stop()
	select {
	case <-c.done:
		s.logf("%s stopped", c.svc.Name)
	case <-t.C:
		s.logf("%s did not stop within %s: killing it", c.svc.Name, s.cfg.StopTimeout)
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func checkServices(svcs []Service) error {
	seen := map[string]bool{}
	for _, svc := range svcs {
		switch {
		case svc.Name == "":
			return errors.New("a service has no name")
		case seen[svc.Name]:
			return fmt.Errorf("service %q listed twice", svc.Name)
		case svc.Addr == "":
			return fmt.Errorf("service %s has no address", svc.Name)
		}
		seen[svc.Name] = true
		if _, err := exec.LookPath(svc.Binary); err != nil {
			return fmt.Errorf("service %s: %w (build it first: make build)", svc.Name, err)
		}
	}
	return nil
}

func (s *Stack) logf(format string, args ...any) {
	w := &lineWriter{prefix: s.prefixFor("localstack"), out: s.out}
	fmt.Fprintf(w, format+"\n", args...)
}

func (s *Stack) prefixed(name string) io.Writer {
	return &lineWriter{prefix: s.prefixFor(name), out: s.out}
}

func (s *Stack) prefixFor(name string) string {
	return fmt.Sprintf("%-*s | ", s.width, name)
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// syncWriter serialises whole lines from several children onto one writer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) writeLine(line []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = s.w.Write(line)
}

// lineWriter prefixes every complete line and remembers the last few for error messages.
type lineWriter struct {
	prefix string
	out    *syncWriter

	mu      sync.Mutex
	partial []byte
	tail    []string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		w.emit(string(w.partial[:i]))
		w.partial = w.partial[i+1:]
	}
	return len(p), nil
}

func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.partial) > 0 {
		w.emit(string(w.partial))
		w.partial = nil
	}
}

func (w *lineWriter) emit(line string) {
	line = strings.TrimSuffix(line, "\r")
	w.out.writeLine([]byte(w.prefix + line + "\n"))
	w.tail = append(w.tail, line)
	if len(w.tail) > tailLines {
		w.tail = w.tail[len(w.tail)-tailLines:]
	}
}

// tailText is the last output lines, formatted to follow an error message.
func (w *lineWriter) tailText() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.tail) == 0 {
		return " (no output)"
	}
	return "; last output:\n\t" + strings.Join(w.tail, "\n\t")
}
