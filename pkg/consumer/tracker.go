package consumer

import (
	"context"
	"sync/atomic"
)

// tracker lets middleware report to the runner about the message it is handling (for metrics)
// without the middleware signatures knowing about the runner.
type tracker struct {
	retry        func()
	deadLettered atomic.Bool
}

type trackerKey struct{}

func withTracker(ctx context.Context, t *tracker) context.Context {
	return context.WithValue(ctx, trackerKey{}, t)
}

func trackerFrom(ctx context.Context) *tracker {
	t, _ := ctx.Value(trackerKey{}).(*tracker)
	return t
}

// noteRetry counts one more attempt; a no-op outside a runner.
func noteRetry(ctx context.Context) {
	if t := trackerFrom(ctx); t != nil && t.retry != nil {
		t.retry()
	}
}

// noteDeadLettered records that the message went to the dead-letter topic.
func noteDeadLettered(ctx context.Context) {
	if t := trackerFrom(ctx); t != nil {
		t.deadLettered.Store(true)
	}
}
