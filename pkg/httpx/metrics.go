package httpx

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

var (
	metricsOnce     sync.Once
	requestsTotal   *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
)

// metrics counts requests by route template, never the raw path, which would put ids (and so
// personal data and unbounded cardinality) into label values.
func metrics(service string) gin.HandlerFunc {
	metricsOnce.Do(func() {
		requestsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "provision_http_requests_total",
			Help: "HTTP requests handled, by route template, method and status.",
		}, []string{"service", "route", "method", "status"})
		requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "provision_http_request_seconds",
			Help:    "HTTP request latency by route template.",
			Buckets: prometheus.DefBuckets,
		}, []string{"service", "route"})
		prometheus.MustRegister(requestsTotal, requestDuration)
	})
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = unmatchedRoute
		}
		requestsTotal.WithLabelValues(service, route, methodLabel(c.Request.Method), strconv.Itoa(c.Writer.Status())).Inc()
		requestDuration.WithLabelValues(service, route).Observe(time.Since(start).Seconds())
	}
}

// methodLabel folds methods nobody routes to into one value; clients choose the method freely.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}
