package sim

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
)

// Headers of the idempotency protocol.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderReplayed       = "Idempotent-Replayed"
)

// MaxBodyBytes bounds a request body.
const MaxBodyBytes = 1 << 20

// Body error codes.
const (
	CodeBodyTooLarge = "BODY_TOO_LARGE"
	CodeInvalidBody  = "INVALID_BODY"
)

// HandlerFunc is a partner's handler for one operation. It runs under the partner's lock with the
// request body already read, and returns the answer instead of writing it, so the core can store
// and replay it.
type HandlerFunc func(c *gin.Context, body []byte) Response

// Observed is what a partner route leaves on the gin context for the access log and metrics.
type Observed struct {
	Partner string
	Entry   Entry
}

const observedKey = "sim.observed"

// ObservedFrom returns what the partner route recorded for this request, if it was one.
func ObservedFrom(c *gin.Context) (Observed, bool) {
	v, ok := c.Get(observedKey)
	if !ok {
		return Observed{}, false
	}
	o, ok := v.(Observed)
	return o, ok
}

// Route adapts h to gin. Mutating operations require the Idempotency-Key header.
func (p *Partner) Route(op Operation, mutating bool, h HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		// Read the body before taking the partner's lock, so a slow client cannot hold it.
		body, readErr := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes))
		req := Request{
			Method:         c.Request.Method,
			Path:           c.Request.URL.Path,
			Operation:      op,
			IdempotencyKey: c.GetHeader(HeaderIdempotencyKey),
			Mutating:       mutating,
			Body:           body,
		}
		res := p.Handle(c.Request.Context(), req, func() Response {
			if readErr != nil {
				return p.bodyError(readErr)
			}
			return h(c, body)
		})
		c.Set(observedKey, Observed{Partner: p.name, Entry: res.Entry})
		if res.Replayed {
			c.Header(HeaderReplayed, "true")
		}
		c.Data(res.Status, res.ContentType, res.Body)
	}
}

func (p *Partner) bodyError(err error) Response {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return p.Error(http.StatusRequestEntityTooLarge, CodeBodyTooLarge, "the request body is too large")
	}
	return p.Error(http.StatusBadRequest, CodeInvalidBody, "the request body could not be read")
}
