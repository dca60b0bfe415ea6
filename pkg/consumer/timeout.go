package consumer

import (
	"context"
	"time"
)

// Timeout gives each call of the wrapped handler its own deadline d. Inside Retry it bounds one
// attempt, so a hung partner call becomes a retryable failure rather than a stuck partition.
// d <= 0 disables it.
func Timeout(d time.Duration) Middleware {
	return func(next Handler) Handler {
		if d <= 0 {
			return next
		}
		return func(ctx context.Context, msg Message) ([]Output, error) {
			ctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			return next(ctx, msg)
		}
	}
}
