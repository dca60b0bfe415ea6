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
// Two cases return an error instead, and the runner must not commit: ctx is done (shutdown: the
// message is neither dead-lettered nor committed, and is redelivered), or the dead-letter write
// itself failed.
func DeadLetter(pub Publisher, topic string) Middleware {
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
			if perr := pub.PublishMessages(ctx, rec); perr != nil {
				return nil, fmt.Errorf("dead letter to %s: %w (handler error: %v)", topic, perr, err)
			}
			logging.FromContext(ctx).WithError(err).WithField("dlq_topic", topic).
				Error("message failed; sent to the dead-letter topic")
			noteDeadLettered(ctx)
			return nil, nil
		}
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
