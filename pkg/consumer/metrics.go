package consumer

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"provision.local/pkg/metrics"
)

var (
	metricsOnce      sync.Once
	messagesTotal    *prometheus.CounterVec
	retriesTotal     *prometheus.CounterVec
	handleSeconds    *prometheus.HistogramVec
	commitsTotal     *prometheus.CounterVec
	generationsTotal *prometheus.CounterVec
	partitionsOwned  *prometheus.GaugeVec
)

// registerMetrics registers the collectors on the default registry once per process, however
// many runners exist; collectors already registered by another copy are reused.
func registerMetrics() {
	metricsOnce.Do(func() {
		messagesTotal = metrics.Register(prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "provision_consumer_messages_total",
			Help: "Messages committed, by topic, group and outcome (processed, deadlettered).",
		}, []string{"topic", "group", "outcome"}))
		retriesTotal = metrics.Register(prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "provision_consumer_retries_total",
			Help: "Repeated attempts: handler retries, output publish retries and dead-letter write retries.",
		}, []string{"topic", "group"}))
		handleSeconds = metrics.Register(prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "provision_consumer_handle_seconds",
			Help:    "Time from handing a message to the handler until it is done (outputs published); its commit follows within the commit interval.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"topic", "group"}))
		commitsTotal = metrics.Register(prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "provision_consumer_commits_total",
			Help: "Offset commit requests (each covers every partition that moved), by topic, group and outcome (ok, failed).",
		}, []string{"topic", "group", "outcome"}))
		generationsTotal = metrics.Register(prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "provision_consumer_generations_total",
			Help: "Consumer-group generations joined (one per rebalance), by topic and group.",
		}, []string{"topic", "group"}))
		partitionsOwned = metrics.Register(prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "provision_consumer_partitions_owned",
			Help: "Partitions this process is consuming, by topic and group.",
		}, []string{"topic", "group"}))
	})
}

// runnerMetrics are the series of one runner.
type runnerMetrics struct {
	messages    *prometheus.CounterVec
	commits     *prometheus.CounterVec
	retries     prometheus.Counter
	handle      prometheus.Observer
	generations prometheus.Counter
	owned       prometheus.Gauge
}

func newRunnerMetrics(topic, group string) *runnerMetrics {
	registerMetrics()
	return &runnerMetrics{
		messages:    messagesTotal,
		commits:     commitsTotal,
		retries:     retriesTotal.WithLabelValues(topic, group),
		handle:      handleSeconds.WithLabelValues(topic, group),
		generations: generationsTotal.WithLabelValues(topic, group),
		owned:       partitionsOwned.WithLabelValues(topic, group),
	}
}
