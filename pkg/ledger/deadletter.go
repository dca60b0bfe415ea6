package ledger

import (
	"context"
	"time"

	"provision.local/pkg/consumer"
	"provision.local/pkg/logging"
)

// DeadLetterMarker is consumer middleware that marks, with MarkDeadLettered, each command whose
// handling failed for good; commandOf says which command a message is. Place it inside the
// dead-letter middleware and outside the retries, as extra middleware is.
func (s *Store[S]) DeadLetterMarker(commandOf func(consumer.Message) Command) consumer.Middleware {
	return func(next consumer.Handler) consumer.Handler {
		return func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
			outs, err := next(ctx, msg)
			if err == nil || ctx.Err() != nil {
				return outs, err
			}
			mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if merr := s.MarkDeadLettered(mctx, commandOf(msg), err.Error()); merr != nil {
				logging.FromContext(ctx).WithError(merr).Warn("cannot mark the command as dead-lettered")
			}
			return outs, err
		}
	}
}
