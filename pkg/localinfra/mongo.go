package localinfra

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// MongoConfig says where the embedded MongoDB-wire server listens and keeps its SQLite files.
type MongoConfig struct {
	// Addr is host:port; port 0 picks a free port.
	Addr string
	// DataDir holds one SQLite file per database. Required.
	DataDir string
	// Logger receives FerretDB's own logs; nil discards them.
	Logger *slog.Logger
}

// Mongo is a running in-process FerretDB.
type Mongo struct {
	uri     string
	cancel  context.CancelFunc
	done    chan struct{}
	indexed chan struct{}
}

// StartMongo starts FerretDB with the SQLite backend and waits until it accepts connections.
func StartMongo(cfg MongoConfig) (*Mongo, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("mongo data directory is required")
	}
	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("mongo data directory: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create mongo data directory: %w", err)
	}
	addr := cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	logger := cfg.Logger
	if logger == nil {
		// DiscardHandler, not a text handler writing nowhere: FerretDB adds attributes per
		// request, and formatting them cost a seventh of its CPU on inserts.
		logger = slog.New(slog.DiscardHandler)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
	})
	if err != nil {
		return nil, fmt.Errorf("start ferretdb: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &Mongo{cancel: cancel, done: make(chan struct{}), indexed: make(chan struct{})}
	go func() {
		defer close(m.done)
		_ = f.Run(ctx)
	}()
	// MongoDBURI blocks until the listener is bound.
	m.uri = f.MongoDBURI()
	if err := waitDial(m.uri, 10*time.Second); err != nil {
		close(m.indexed)
		m.Close()
		return nil, err
	}
	go func() {
		defer close(m.indexed)
		keepIDsIndexed(ctx, dir, func(err error) { logger.Warn("cannot index _id lookups", "error", err) })
	}()
	return m, nil
}

// URI is the connection string for mongo-driver.
func (m *Mongo) URI() string { return m.uri }

// Close stops the server and waits for it to release its files.
func (m *Mongo) Close() {
	m.cancel()
	<-m.indexed
	<-m.done
}

func waitDial(uri string, timeout time.Duration) error {
	host := hostOf(uri)
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.DialTimeout("tcp", host, time.Second)
		if err == nil {
			return conn.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ferretdb did not accept connections on %s: %w", host, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// hostOf extracts host:port from mongodb://host:port/.
func hostOf(uri string) string {
	const prefix = "mongodb://"
	s := uri
	if len(s) > len(prefix) && s[:len(prefix)] == prefix {
		s = s[len(prefix):]
	}
	for i, r := range s {
		if r == '/' || r == '?' {
			return s[:i]
		}
	}
	return s
}
