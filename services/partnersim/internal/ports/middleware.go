package ports

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"

	"provision.local/services/partnersim/internal/sim"
)

// accessLog writes one line per request. Bodies are never logged: they carry personal data.
func accessLog(log *logrus.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		path := c.FullPath()
		if path == "" {
			path = "unmatched"
		}
		fields := logrus.Fields{
			"method":     c.Request.Method,
			"path":       path,
			"status":     c.Writer.Status(),
			"latency_ms": time.Since(start).Milliseconds(),
		}
		if key := c.GetHeader(sim.HeaderIdempotencyKey); key != "" {
			fields["idempotency_key"] = key
		}
		level := logrus.InfoLevel
		if o, ok := sim.ObservedFrom(c); ok {
			fields["partner"] = o.Partner
			fields["operation"] = o.Entry.Operation
			fields["replayed"] = o.Entry.Replayed
			fields["faulted"] = o.Entry.Faulted
		} else if path == "/healthz" || path == "/readyz" || path == "/metrics" {
			level = logrus.DebugLevel
		}
		log.WithFields(fields).Log(level, "request")
	}
}

// countRequests counts partner API requests; admin, probe and metrics requests are not counted.
func countRequests(requests *prometheus.CounterVec) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if o, ok := sim.ObservedFrom(c); ok {
			requests.WithLabelValues(o.Partner, string(o.Entry.Operation), strconv.Itoa(o.Entry.Status)).Inc()
		}
	}
}

// recovery answers 500 to a panicking handler and logs the panic once, without gin's text output.
func recovery(log *logrus.Logger) gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, v any) {
		log.WithFields(logrus.Fields{"method": c.Request.Method, "path": c.FullPath()}).
			Error(fmt.Sprintf("panic: %v", v))
		writeError(c, http.StatusInternalServerError, "INTERNAL", "internal error")
	})
}
