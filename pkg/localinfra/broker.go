// Package localinfra starts real-protocol stand-ins for Kafka and MongoDB inside the current
// process: kfake (Kafka wire protocol) and FerretDB on SQLite (MongoDB wire protocol). The local
// stack and the component tests use them; production points the same clients at real servers.
package localinfra

import (
	"fmt"
	"net"
	"strconv"

	"github.com/twmb/franz-go/pkg/kfake"
)

// BrokerConfig says where the embedded broker listens and keeps its log.
type BrokerConfig struct {
	// Addr is host:port; port 0 picks a free port. kfake always binds 127.0.0.1.
	Addr string
	// DataDir keeps the log on disk so a restart finds the topics and offsets again.
	// Empty means in memory only.
	DataDir string
	// SeedTopics are created at start with Partitions partitions each.
	SeedTopics []string
	Partitions int32
}

// Broker is a running in-process Kafka-protocol broker.
type Broker struct {
	cluster *kfake.Cluster
}

// StartBroker starts a single-node kfake cluster.
func StartBroker(cfg BrokerConfig) (*Broker, error) {
	port := 0
	if cfg.Addr != "" {
		_, p, err := net.SplitHostPort(cfg.Addr)
		if err != nil {
			return nil, fmt.Errorf("broker address %q: %w", cfg.Addr, err)
		}
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("broker port %q: %w", p, err)
		}
	}
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.Ports(port)}
	if cfg.DataDir != "" {
		opts = append(opts, kfake.DataDir(cfg.DataDir))
	}
	if len(cfg.SeedTopics) > 0 {
		partitions := cfg.Partitions
		if partitions <= 0 {
			partitions = 1
		}
		opts = append(opts, kfake.SeedTopics(partitions, cfg.SeedTopics...))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("start kfake: %w", err)
	}
	return &Broker{cluster: c}, nil
}

// Addr is the bootstrap address for clients.
func (b *Broker) Addr() string { return b.cluster.ListenAddrs()[0] }

// Close stops the broker and, with a DataDir, flushes its log.
func (b *Broker) Close() { b.cluster.Close() }
