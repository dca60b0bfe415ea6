// Package partnerhttp is the HTTP plumbing every provider's partner adapter uses: a JSON call
// that carries the command's idempotency key and classifies the partner's answer by what it
// means. A business refusal is a *Rejection and fails the operation; any other failure is a
// plain error, which the consumer retries, and a retried partner answer is counted in
// provision_partner_retryable_responses_total{partner,status}.
package partnerhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config configures a Client.
type Config struct {
	// Partner names the partner in errors and in the metric's partner label ("disney").
	Partner string
	// BaseURL is put before every call's path, for example http://127.0.0.1:8090/disney.
	BaseURL string
	// Timeout bounds one call, from connecting to reading the answer's body; 0 means none.
	Timeout time.Duration
	// NotFoundCodes are the partner error codes with which a 404 means "this resource does not
	// exist", a refusal. A 404 with another code or none (an unknown route, a proxy's page)
	// means a wrong URL and is retried.
	NotFoundCodes []string
}

// Client calls one partner's JSON API. It is safe for concurrent use.
type Client struct {
	partner  string
	base     string
	notFound []string
	http     *http.Client
	metrics  *partnerMetrics
}

// maxIdleConnsPerHost keeps a connection per concurrently handled partition open to the
// partner; net/http's default of 2 closes the others after each call, and every call then pays
// a new connection.
const maxIdleConnsPerHost = 64

// New returns a client for cfg.
func New(cfg Config) *Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = maxIdleConnsPerHost
	return &Client{
		partner:  cfg.Partner,
		base:     strings.TrimSuffix(cfg.BaseURL, "/"),
		notFound: slices.Clone(cfg.NotFoundCodes),
		http:     &http.Client{Timeout: cfg.Timeout, Transport: transport},
		metrics:  newPartnerMetrics(cfg.Partner),
	}
}

// Bounds on what is read of an answer: a 2xx body to decode, and an error body.
const (
	maxAnswerBytes = 1 << 20
	maxErrorBytes  = 64 << 10
)

// Call sends one request and classifies the answer:
//   - 2xx: the body is decoded into out (unless out is nil); an undecodable body is retried;
//   - 400, 409 or 422 with a partner error code, or 404 with one of Config.NotFoundCodes: a
//     *Rejection;
//   - anything else (401, 403, another 404, 408, 429, 5xx, a 4xx without a code, no answer): a
//     plain error, to be retried.
//
// body, unless nil, is sent as JSON. idempotencyKey, unless empty, is sent as Idempotency-Key.
func (c *Client) Call(ctx context.Context, method, path, idempotencyKey string, body, out any) error {
	start := time.Now()
	err := c.call(ctx, method, path, idempotencyKey, body, out)
	c.metrics.observe(outcomeOf(ctx, err), time.Since(start))
	return err
}

// outcomeOf names how a call ended for the duration histogram.
func outcomeOf(ctx context.Context, err error) string {
	var refused *Rejection
	switch {
	case err == nil:
		return outcomeOK
	case errors.As(err, &refused):
		return outcomeRefused
	case ctx.Err() != nil:
		return outcomeCancelled
	}
	return outcomeRetried
}

func (c *Client) call(ctx context.Context, method, path, idempotencyKey string, body, out any) error {
	req, err := c.request(ctx, method, path, idempotencyKey, body)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.noAnswer(ctx, method, path, err)
	}
	defer resp.Body.Close()

	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
		if err != nil {
			return c.noAnswer(ctx, method, path, fmt.Errorf("read answer: %w", err))
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(raw, out); err != nil {
			c.metrics.inc(strconv.Itoa(resp.StatusCode))
			return fmt.Errorf("%s partner %s %s: decode %d answer: %w", c.partner, method, path, resp.StatusCode, err)
		}
		return nil
	}

	// An unreadable error body leaves no code, so the answer is retried: that is the safe side.
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
	code, message := errorOf(raw)
	if c.refusal(resp.StatusCode, code) {
		return &Rejection{Partner: c.partner, Status: resp.StatusCode, Code: code, Message: message}
	}
	c.metrics.inc(strconv.Itoa(resp.StatusCode))
	if code != "" {
		return fmt.Errorf("%s partner %s %s: status %d %s", c.partner, method, path, resp.StatusCode, code)
	}
	return fmt.Errorf("%s partner %s %s: status %d", c.partner, method, path, resp.StatusCode)
}

func (c *Client) request(ctx context.Context, method, path, idempotencyKey string, body any) (*http.Request, error) {
	var payload io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("%s partner %s %s: encode request: %w", c.partner, method, path, err)
		}
		payload = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, payload)
	if err != nil {
		return nil, fmt.Errorf("%s partner %s %s: %w", c.partner, method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", idempotencyKey)
	}
	return req, nil
}

// noAnswer wraps a transport failure. It is counted unless the caller gave up (its context is
// done: shutdown, a lost partition), which says nothing about the partner.
func (c *Client) noAnswer(ctx context.Context, method, path string, err error) error {
	if ctx.Err() == nil {
		c.metrics.inc(statusNoAnswer)
	}
	return fmt.Errorf("%s partner %s %s: %w", c.partner, method, path, err)
}
