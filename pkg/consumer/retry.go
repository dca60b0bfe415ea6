package consumer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/sirupsen/logrus"

	"provision.local/pkg/logging"
)

// Retry calls the wrapped handler again after a non-permanent error, with exponential backoff
// (initial, doubling, capped at max, with jitter) until it succeeds, the error is permanent, the
// next wait would pass maxElapsed since the first attempt, or ctx is done. Each failed attempt
// that is retried is logged at warn; the final error is returned unlogged for the caller to
// report once.
func Retry(initial, max, maxElapsed time.Duration) Middleware {
	if initial <= 0 {
		initial = defaultRetryInitial
	}
	if max < initial {
		max = initial
	}
	return func(next Handler) Handler {
		return func(ctx context.Context, msg Message) ([]Output, error) {
			start := time.Now()
			delay := initial
			for attempt := 1; ; attempt++ {
				outs, err := next(ctx, msg)
				if err == nil || IsPermanent(err) {
					return outs, err
				}
				if ctx.Err() != nil {
					return nil, err
				}
				wait := jitter(delay)
				if time.Since(start)+wait > maxElapsed {
					return nil, fmt.Errorf("gave up after %d attempts in %s: %w",
						attempt, time.Since(start).Round(time.Millisecond), err)
				}
				logging.FromContext(ctx).WithError(err).WithFields(logrus.Fields{
					"attempt": attempt, "retry_in": wait.String(),
				}).Warn("handler failed; retrying")
				noteRetry(ctx)
				if !sleep(ctx, wait) {
					return nil, fmt.Errorf("retry stopped: %w (last error: %v)", ctx.Err(), err)
				}
				delay = min(2*delay, max)
			}
		}
	}
}

// jitter spreads d over [d/2, d] so that consumers failing together do not retry together.
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// sleep waits d or until ctx is done; it reports whether the full wait elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
