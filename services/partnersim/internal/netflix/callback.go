package netflix

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/sirupsen/logrus"
)

// Callback delivery defaults.
const (
	DefaultCallbackTimeout    = 5 * time.Second
	DefaultCallbackBackoffMin = 100 * time.Millisecond
	DefaultCallbackBackoffMax = 30 * time.Second
)

// CallbackConfig says where and how reports are pushed.
type CallbackConfig struct {
	// URL receives each report as a JSON POST; empty means reports are only listed for pulling.
	URL string
	// Timeout bounds one attempt.
	Timeout time.Duration
	// BackoffMin is the wait after the first failed attempt; it doubles up to BackoffMax.
	BackoffMin, BackoffMax time.Duration
}

func (c CallbackConfig) withDefaults() CallbackConfig {
	if c.Timeout <= 0 {
		c.Timeout = DefaultCallbackTimeout
	}
	if c.BackoffMin <= 0 {
		c.BackoffMin = DefaultCallbackBackoffMin
	}
	if c.BackoffMax < c.BackoffMin {
		c.BackoffMax = max(DefaultCallbackBackoffMax, c.BackoffMin)
	}
	return c
}

// deliverer pushes the feed's reports to the callback one at a time, in order: a report is sent
// until the receiver answers 2xx, then the next. Reports wait in the feed while the receiver is
// down, so nothing is lost; a receiver that accepted a report whose answer was lost gets it again,
// so it deduplicates on netflix_event_id.
type deliverer struct {
	cfg    CallbackConfig
	feed   *feed
	client *http.Client
	log    *logrus.Logger
}

// run delivers until ctx is done.
func (d *deliverer) run(ctx context.Context) {
	wait := d.cfg.BackoffMin
	for {
		r, ok := d.feed.pending()
		if !ok {
			select {
			case <-d.feed.wake:
				continue
			case <-ctx.Done():
				return
			}
		}
		err := d.post(ctx, r)
		if ctx.Err() != nil {
			return
		}
		d.feed.attempted(err)
		if err == nil {
			wait = d.cfg.BackoffMin
			continue
		}
		d.log.WithFields(logrus.Fields{"netflix_event_id": r.NetflixEventID, "retry_in_ms": wait.Milliseconds()}).
			WithError(err).Warn("report not delivered")
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
		wait = min(2*wait, d.cfg.BackoffMax)
	}
}

// post sends one report and returns nil when the receiver answered 2xx.
func (d *deliverer) post(ctx context.Context, r Report) error {
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("marshal report: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("callback request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := d.client.Do(req)
	if err != nil {
		return fmt.Errorf("post report: %w", err)
	}
	defer res.Body.Close()
	// Drain a little so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("post report: receiver answered %d", res.StatusCode)
	}
	return nil
}
