// Package ports is the HTTP side of the simulator: the router that mounts every partner's API,
// the admin API (faults, request log), probes and metrics.
package ports

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sirupsen/logrus"

	"provision.local/services/partnersim/internal/sim"
)

// Partner is a simulated partner API built on the sim core.
type Partner interface {
	// Partner is the partner's sim core; its name is the URL prefix of its API.
	Partner() *sim.Partner
	// Register mounts the partner API on its /<name> group.
	Register(r gin.IRouter)
}

// AdminRegistrar is implemented by partners with debugging endpoints under /admin.
type AdminRegistrar interface {
	RegisterAdmin(r gin.IRouter)
}

// Options are the router's dependencies.
type Options struct {
	Logger *logrus.Logger
	// Registry receives the request counter and is served on /metrics.
	Registry *prometheus.Registry
	Partners []Partner
}

// NewRouter returns the simulator's HTTP handler.
func NewRouter(o Options) (*gin.Engine, error) {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "partnersim_requests_total",
		Help: "Requests to the simulated partner APIs by partner, operation and status.",
	}, []string{"partner", "operation", "status"})
	if err := o.Registry.Register(requests); err != nil {
		return nil, fmt.Errorf("register metrics: %w", err)
	}

	r := gin.New()
	if err := r.SetTrustedProxies(nil); err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	r.Use(accessLog(o.Logger), countRequests(requests), recovery(o.Logger))
	r.NoRoute(func(c *gin.Context) { writeError(c, http.StatusNotFound, "NOT_FOUND", "no such route") })
	r.HandleMethodNotAllowed = true
	r.NoMethod(func(c *gin.Context) {
		writeError(c, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "method not allowed on this route")
	})

	ok := func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }
	r.GET("/healthz", ok)
	r.GET("/readyz", ok)
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{})))

	a := &admin{partners: map[string]*sim.Partner{}}
	adminGroup := r.Group("/admin")
	for _, p := range o.Partners {
		name := p.Partner().Name()
		if _, dup := a.partners[name]; dup {
			return nil, fmt.Errorf("partner %q registered twice", name)
		}
		a.partners[name] = p.Partner()
		p.Register(r.Group("/" + name))
		if ar, ok := p.(AdminRegistrar); ok {
			ar.RegisterAdmin(adminGroup)
		}
	}
	adminGroup.PUT("/faults/:partner", a.putFault)
	adminGroup.GET("/faults/:partner", a.getFault)
	adminGroup.DELETE("/faults/:partner", a.deleteFault)
	adminGroup.GET("/requests/:partner", a.getRequests)
	adminGroup.DELETE("/requests/:partner", a.deleteRequests)
	return r, nil
}

// admin serves the admin API. It is never subject to faults.
type admin struct {
	partners map[string]*sim.Partner
}

// faultRequest is the body of PUT /admin/faults/{partner}. An absent rate means every request;
// an absent match, every request of the partner.
type faultRequest struct {
	Status     int      `json:"status"`
	Rate       *float64 `json:"rate"`
	LatencyMS  int64    `json:"latency_ms"`
	ForSeconds int64    `json:"for_seconds"`
	Match      string   `json:"match"`
}

func (a *admin) putFault(c *gin.Context) {
	p, ok := a.partner(c)
	if !ok {
		return
	}
	var in faultRequest
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, sim.MaxBodyBytes))
	// Unknown fields are refused: a misspelt "latencyMs" must not silently inject nothing.
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeError(c, http.StatusBadRequest, "INVALID_FAULT", "body must be a JSON fault: "+err.Error())
		return
	}
	spec := sim.FaultSpec{Status: in.Status, Rate: 1, LatencyMS: in.LatencyMS, ForSeconds: in.ForSeconds, Match: in.Match}
	if in.Rate != nil {
		spec.Rate = *in.Rate
	}
	f, err := p.SetFault(spec)
	if errors.Is(err, sim.ErrInvalidFault) {
		writeError(c, http.StatusBadRequest, "INVALID_FAULT", err.Error())
		return
	}
	if err != nil {
		writeError(c, http.StatusInternalServerError, "INTERNAL", err.Error())
		return
	}
	c.JSON(http.StatusOK, f)
}

func (a *admin) getFault(c *gin.Context) {
	p, ok := a.partner(c)
	if !ok {
		return
	}
	f, ok := p.Fault()
	if !ok {
		writeError(c, http.StatusNotFound, "FAULT_NOT_FOUND", "no fault is set for "+p.Name())
		return
	}
	c.JSON(http.StatusOK, f)
}

func (a *admin) deleteFault(c *gin.Context) {
	if p, ok := a.partner(c); ok {
		p.ClearFault()
		c.Status(http.StatusNoContent)
	}
}

func (a *admin) getRequests(c *gin.Context) {
	if p, ok := a.partner(c); ok {
		c.JSON(http.StatusOK, p.Requests())
	}
}

func (a *admin) deleteRequests(c *gin.Context) {
	if p, ok := a.partner(c); ok {
		p.ResetRequests()
		c.Status(http.StatusNoContent)
	}
}

// partner resolves the :partner parameter, answering 404 when it names no partner.
func (a *admin) partner(c *gin.Context) (*sim.Partner, bool) {
	name := c.Param("partner")
	p, ok := a.partners[name]
	if !ok {
		writeError(c, http.StatusNotFound, "PARTNER_NOT_FOUND", fmt.Sprintf("no partner %q", name))
	}
	return p, ok
}

func writeError(c *gin.Context, status int, code, message string) {
	c.AbortWithStatusJSON(status, sim.ErrorBody{Error: sim.ErrorDetail{Code: code, Message: message}})
}
