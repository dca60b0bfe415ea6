package httpx

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ReadyTimeout bounds one /readyz call; a dependency slower than this counts as down.
const ReadyTimeout = 2 * time.Second

// Check is one readiness dependency (a database ping, a broker ping).
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// RegisterProbes adds GET /healthz (the process is up), GET /readyz (every check passes, run
// concurrently within ReadyTimeout) and GET /metrics (the default Prometheus registry).
func RegisterProbes(e *gin.Engine, checks ...Check) {
	e.GET("/healthz", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
	})
	e.GET("/readyz", func(c *gin.Context) {
		results, ok := runChecks(c.Request.Context(), checks)
		if !ok {
			Log(c).WithField("checks", results).Warn("not ready")
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "checks": results})
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready", "checks": results})
	})
	e.GET("/metrics", gin.WrapH(promhttp.Handler()))
}

func runChecks(ctx context.Context, checks []Check) (map[string]string, bool) {
	ctx, cancel := context.WithTimeout(ctx, ReadyTimeout)
	defer cancel()
	type result struct {
		name string
		err  error
	}
	// Buffered so that a check ignoring its context can finish late without blocking forever.
	done := make(chan result, len(checks))
	for _, ch := range checks {
		go func() { done <- result{ch.Name, ch.Run(ctx)} }()
	}
	results := make(map[string]string, len(checks))
	for _, ch := range checks {
		results[ch.Name] = "timeout: " + ReadyTimeout.String()
	}
	ok := true
	for range checks {
		select {
		case r := <-done:
			if r.err != nil {
				results[r.name] = r.err.Error()
				ok = false
			} else {
				results[r.name] = "ok"
			}
		case <-ctx.Done():
			return results, false
		}
	}
	return results, ok
}
