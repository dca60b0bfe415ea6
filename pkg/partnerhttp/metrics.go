package partnerhttp

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"provision.local/pkg/metrics"
)

// statusNoAnswer is the status label of a call that got no answer (connection refused, timeout).
const statusNoAnswer = "error"

var (
	metricsOnce      sync.Once
	retryableAnswers *prometheus.CounterVec
	callSeconds      *prometheus.HistogramVec
)

// Outcomes of a call, as the duration histogram labels them.
const (
	outcomeOK        = "ok"
	outcomeRefused   = "refused"
	outcomeRetried   = "retried"
	outcomeCancelled = "cancelled"
)

// registerMetrics registers the counter on the default registry once per process, however many
// clients exist.
func registerMetrics() {
	metricsOnce.Do(func() {
		retryableAnswers = metrics.Register(prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "provision_partner_retryable_responses_total",
			Help: "Partner calls whose answer is retried (401, 403, an unknown route's 404, 408, 429, 5xx, " +
				"a 4xx without a partner code, an undecodable 2xx), by partner and status; status=\"error\" when no answer came.",
		}, []string{"partner", "status"}))
		callSeconds = metrics.Register(prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "provision_partner_call_seconds",
			Help: "Duration of partner calls, by partner and outcome: ok, refused (a business refusal), " +
				"retried (any answer or failure that is retried) or cancelled (the caller gave up).",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"partner", "outcome"}))
	})
}

// partnerMetrics are one partner's series.
type partnerMetrics struct {
	partner string
	retried *prometheus.CounterVec
	seconds map[string]prometheus.Observer // by outcome
}

func newPartnerMetrics(partner string) *partnerMetrics {
	registerMetrics()
	m := &partnerMetrics{partner: partner, retried: retryableAnswers, seconds: map[string]prometheus.Observer{}}
	for _, o := range []string{outcomeOK, outcomeRefused, outcomeRetried, outcomeCancelled} {
		m.seconds[o] = callSeconds.WithLabelValues(partner, o)
	}
	return m
}

// inc counts one retried answer with its status.
func (m *partnerMetrics) inc(status string) { m.retried.WithLabelValues(m.partner, status).Inc() }

// observe records how long a call took and how it ended.
func (m *partnerMetrics) observe(outcome string, took time.Duration) {
	m.seconds[outcome].Observe(took.Seconds())
}
