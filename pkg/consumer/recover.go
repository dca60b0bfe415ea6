package consumer

import (
	"context"
	"fmt"
	"runtime/debug"

	"provision.local/pkg/logging"
)

// Recover turns a panic in the wrapped handler into a Permanent error whose text carries the
// panic value, so the message is dead-lettered instead of crashing the service. The stack is
// logged here, the only place that still has it.
func Recover() Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, msg Message) (outs []Output, err error) {
			defer func() {
				if p := recover(); p != nil {
					logging.FromContext(ctx).WithField("stack", string(debug.Stack())).
						Errorf("handler panicked: %v", p)
					outs, err = nil, Permanent(fmt.Errorf("panic: %v", p))
				}
			}()
			return next(ctx, msg)
		}
	}
}
