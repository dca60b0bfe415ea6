package partnerhttp

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"provision.local/pkg/metrics"
)

// statusNoAnswer is the status label of a call that got no answer (connection refused, timeout).
const statusNoAnswer = "error"

var (
	metricsOnce      sync.Once
	retryableAnswers *prometheus.CounterVec
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
	})
}

// retryCounter counts one partner's retried answers.
type retryCounter struct {
	partner string
	vec     *prometheus.CounterVec
}

func newRetryCounter(partner string) *retryCounter {
	registerMetrics()
	return &retryCounter{partner: partner, vec: retryableAnswers}
}

func (r *retryCounter) inc(status string) { r.vec.WithLabelValues(r.partner, status).Inc() }
