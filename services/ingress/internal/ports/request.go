package ports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/gin-gonic/gin"

	"provision.local/pkg/httpx"
)

// Request is what a table entry reads from a request that passed validation.
type Request struct {
	Org           string
	CorrelationID string
	c             *gin.Context
	body          []byte
}

func newRequest(c *gin.Context) (Request, error) {
	r := Request{Org: c.Param("org"), CorrelationID: httpx.CorrelationID(c), c: c}
	if c.Request.Body != nil {
		// Validation read the body and left it readable again, within the body limit.
		b, err := io.ReadAll(c.Request.Body)
		if err != nil {
			return r, fmt.Errorf("read body: %w", err)
		}
		r.body = b
	}
	return r, nil
}

// Param is a path parameter.
func (r Request) Param(name string) string { return r.c.Param(name) }

// Query is a query parameter, "" when absent.
func (r Request) Query(name string) string { return r.c.Query(name) }

// Decode reads the body into v. Numbers are kept as sent (json.Number in an any), so 16-digit
// ids stay exact; a body with more after its JSON value is refused, as validation reads only the
// first.
func (r Request) Decode(v any) error {
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return invalid(httpx.CodeInvalidBody, "request body is not valid JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalid(httpx.CodeInvalidBody, "unexpected data after the JSON value")
	}
	return nil
}

// canonicalBody is the body re-encoded with its object keys sorted, so that the same request
// formatted otherwise has the same identity. Nil for a request without a body.
func (r Request) canonicalBody() ([]byte, error) {
	if len(bytes.TrimSpace(r.body)) == 0 {
		return nil, nil
	}
	var v any
	if err := r.Decode(&v); err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	return b, nil
}
