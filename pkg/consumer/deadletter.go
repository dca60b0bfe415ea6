package consumer

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"provision.local/pkg/logging"
)

// Dead-letter headers added to the original record.
const (
	HeaderDLQReason            = "dlq_reason"
	HeaderDLQOriginalTopic     = "dlq_original_topic"
	HeaderDLQOriginalPartition = "dlq_original_partition"
	HeaderDLQOriginalOffset    = "dlq_original_offset"
	HeaderDLQFailedAt          = "dlq_failed_at"

	dlqHeaderPrefix = "dlq_"
	// maxReasonBytes keeps a pathological error text from making the record too large.
	maxReasonBytes = 4096
)

// DeadLetter publishes the original record (same key, value and headers, plus the dlq_ headers)
// to topic when the wrapped handler fails, then reports success so the runner commits and the
// partition moves on. A replayed dead letter that fails again gets fresh dlq_ headers.
//
// A failed dead-letter write is retried alone, with backoff from initial doubling to max, until
// it lands: the handler does not run again. Only when ctx is done does it return an error, and
// the runner must not commit: at shutdown or when the partition moved, the message is then
// neither dead-lettered nor committed, and is redelivered.
func DeadLetter(pub Publisher, topic string, initial, max time.Duration) Middleware {
	if initial <= 0 {
		initial = defaultRetryInitial
	}
	if max < initial {
		max = initial
	}
	return func(next Handler) Handler {
		return func(ctx context.Context, msg Message) ([]Output, error) {
			outs, err := next(ctx, msg)
			if err == nil {
				return outs, nil
			}
			if ctx.Err() != nil {
				return nil, err
			}
			rec := deadLetterRecord(msg.Record, topic, err.Error(), time.Now())
			if werr := writeDeadLetter(ctx, pub, rec, initial, max); werr != nil {
				return nil, fmt.Errorf("dead letter to %s: %w (handler error: %v)", topic, werr, err)
			}
			logging.FromContext(ctx).WithError(err).WithField("dlq_topic", topic).
				Error("message failed; sent to the dead-letter topic")
			noteDeadLettered(ctx)
			return nil, nil
		}
	}
}

// writeDeadLetter writes rec, retrying with backoff until it succeeds or ctx is done.
func writeDeadLetter(ctx context.Context, pub Publisher, rec kafka.Message, initial, max time.Duration) error {
	delay := initial
	for {
		err := pub.PublishMessages(ctx, rec)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		wait := jitter(delay)
		logging.FromContext(ctx).WithError(err).WithField("retry_in", wait.String()).
			Warn("dead-letter write failed; retrying the write")
		noteRetry(ctx)
		if !sleep(ctx, wait) {
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		}
		delay = min(2*delay, max)
	}
}

// deadLetterRecord copies rec for topic; rec's header slice is not modified.
func deadLetterRecord(rec kafka.Message, topic, reason string, failedAt time.Time) kafka.Message {
	if len(reason) > maxReasonBytes {
		reason = reason[:maxReasonBytes]
	}
	headers := make([]kafka.Header, 0, len(rec.Headers)+5)
	for _, h := range rec.Headers {
		if !strings.HasPrefix(h.Key, dlqHeaderPrefix) {
			headers = append(headers, h)
		}
	}
	headers = append(headers,
		kafka.Header{Key: HeaderDLQReason, Value: []byte(reason)},
		kafka.Header{Key: HeaderDLQOriginalTopic, Value: []byte(rec.Topic)},
		kafka.Header{Key: HeaderDLQOriginalPartition, Value: []byte(strconv.Itoa(rec.Partition))},
		kafka.Header{Key: HeaderDLQOriginalOffset, Value: []byte(strconv.FormatInt(rec.Offset, 10))},
		kafka.Header{Key: HeaderDLQFailedAt, Value: []byte(failedAt.UTC().Format(time.RFC3339))},
	)
	// Only what identifies the data is kept; partition and offset are assigned by the write.
	return kafka.Message{Topic: topic, Key: rec.Key, Value: rec.Value, Headers: headers}
}
