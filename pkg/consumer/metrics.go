package consumer

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"provision.local/pkg/metrics"
)

var (
	metricsOnce   sync.Once
	messagesTotal *prometheus.CounterVec
	retriesTotal  *prometheus.CounterVec
	handleSeconds *prometheus.HistogramVec
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
			Help:    "Time from handing a message to the handler until its commit.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"topic", "group"}))
	})
}

// runnerMetrics are the series of one runner.
type runnerMetrics struct {
	messages *prometheus.CounterVec
	retries  prometheus.Counter
	handle   prometheus.Observer
}

func newRunnerMetrics(topic, group string) *runnerMetrics {
	registerMetrics()
	return &runnerMetrics{
		messages: messagesTotal,
		retries:  retriesTotal.WithLabelValues(topic, group),
		handle:   handleSeconds.WithLabelValues(topic, group),
	}
}
