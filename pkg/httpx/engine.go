package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/sirupsen/logrus"

	"provision.local/pkg/logging"
)

// HeaderCorrelationID is the seed's request header that ties a request to everything it causes.
const HeaderCorrelationID = "Request-Correlation-Id"

// DefaultBodyLimit caps request bodies when Options.BodyLimit is zero.
const DefaultBodyLimit int64 = 1 << 20

// unmatchedRoute labels requests that matched no route, so that scanners probing random paths
// cannot blow up metric cardinality.
const unmatchedRoute = "unmatched"

// Options configures NewEngine.
type Options struct {
	// Service names the service in metrics.
	Service string
	// Log receives access lines and panics; nil means a logging.New logger for Service.
	Log *logrus.Logger
	// BodyLimit is the largest request body accepted, in bytes (default 1 MiB).
	BodyLimit int64
}

// NewEngine returns a gin engine in release mode with recovery, correlation ids, an access log,
// metrics and a body limit installed, and 404/405 answered with the seed's error body.
func NewEngine(o Options) *gin.Engine {
	if o.Log == nil {
		o.Log = logging.New(o.Service, "info")
	}
	if o.BodyLimit <= 0 {
		o.BodyLimit = DefaultBodyLimit
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	// Lets handlers pass the *gin.Context itself as a context.Context and still see the request's
	// values (the logger) and cancellation.
	e.ContextWithFallback = true
	e.Use(
		correlation(o.Log),
		accessLog(),
		metrics(o.Service),
		recovery(),
		bodyLimit(o.BodyLimit),
	)
	e.NoRoute(func(c *gin.Context) {
		Fail(c, http.StatusNotFound, CodeNotFound, "no such resource")
	})
	e.NoMethod(func(c *gin.Context) {
		Fail(c, http.StatusMethodNotAllowed, CodeMethodNotAllowed, "method not allowed on this resource")
	})
	return e
}

const ctxCorrelationID = "httpx.correlation_id"

// CorrelationID returns the request's correlation id: the client's Request-Correlation-Id, or the
// one generated for it when the header was missing, blank or too long.
func CorrelationID(c *gin.Context) string {
	return c.GetString(ctxCorrelationID)
}

// Log returns the request's log entry, which carries its correlation id.
func Log(c *gin.Context) *logrus.Entry {
	return logging.FromContext(c.Request.Context())
}

// MaxCorrelationIDLen bounds the client's correlation id, which is echoed, logged on every line
// and carried in every event the request causes.
const MaxCorrelationIDLen = 255

// clientCorrelationID returns the request's usable correlation id, or "" when it has none.
func clientCorrelationID(c *gin.Context) string {
	id := strings.TrimSpace(c.GetHeader(HeaderCorrelationID))
	if len(id) > MaxCorrelationIDLen {
		return ""
	}
	return id
}

func correlation(log *logrus.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := clientCorrelationID(c)
		if id == "" {
			id = uuid.NewString()
		}
		c.Set(ctxCorrelationID, id)
		c.Header(HeaderCorrelationID, id)
		entry := log.WithField(logging.FieldCorrelationID, id)
		c.Request = c.Request.WithContext(logging.WithLogger(c.Request.Context(), entry))
		c.Next()
	}
}

// routeTemplate is a route as the code registered it (/v2/orgs/:org/...), never a client's path.
// The redaction hook scans string values for personal data and passes other types through; a
// template has none to find, and scanning it with every pattern on every request was a tenth of
// the accept path's CPU.
type routeTemplate string

// probePaths are polled every few seconds by orchestrators; their successes are logged at debug
// level only.
var probePaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// accessLog writes one line per request. It leaves out the query string and the body on purpose:
// both can carry personal data.
func accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		route := c.FullPath()
		if route == "" {
			route = unmatchedRoute
		}
		entry := Log(c).WithFields(logrus.Fields{
			"method":     c.Request.Method,
			"route":      routeTemplate(route),
			"status":     status,
			"latency_ms": float64(time.Since(start).Microseconds()) / 1000,
		})
		// Handlers attach the cause of a failure with c.Error so that it is logged once, here.
		if err := lastError(c); err != nil {
			entry = entry.WithError(err)
			var pe *panicError
			if errors.As(err, &pe) {
				entry = entry.WithField("stack", string(pe.stack))
			}
		}
		switch {
		// 501 is the answer of an operation not built yet, not a fault.
		case status >= http.StatusInternalServerError && status != http.StatusNotImplemented:
			entry.Error("request")
		case probePaths[route] && status < http.StatusBadRequest:
			entry.Debug("request")
		default:
			entry.Info("request")
		}
	}
}

func lastError(c *gin.Context) error {
	for i := len(c.Errors) - 1; i >= 0; i-- {
		// A client that went away is not an error of ours.
		if err := c.Errors[i].Err; !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return nil
}

type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// recovery turns a panic into a 500 with the seed's body. The panic and its stack reach the log
// once, on the request's access line, and never the client.
func recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				// net/http's own signal to drop the connection; let the server handle it.
				panic(p)
			}
			_ = c.Error(&panicError{value: p, stack: debug.Stack()})
			Fail(c, http.StatusInternalServerError, CodeInternal, "internal error")
		}()
		c.Next()
	}
}

func bodyLimit(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}
