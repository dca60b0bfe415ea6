// Package consumer runs a Kafka consumer group with the platform's delivery guarantees.
//
// A handler receives one decoded CloudEvent and returns the events it wants published; the runner
// owns acknowledgement. For every record the runner does, in order:
//
//	fetch → decode → middleware chain + handler → publish outputs → mark done → commit (batched)
//
// An offset is committed only after the handler succeeded (it stores its own effects before
// returning) and all of its outputs are on Kafka. A record that cannot be handled (it does not
// decode, the handler reports a permanent error, or transient errors outlast the retries) goes to
// the dead-letter topic and counts as done, so the partition moves on. Delivery is at least once:
// handlers must be idempotent.
//
// Partition ownership follows the consumer-group generation. Each generation starts, for every
// partition it assigns to this member, one worker with its own reader of that partition alone, from
// the offset the group committed. Records of one partition are handled one at a time, in offset
// order; partitions never wait for each other. When the generation ends (a member joined or left,
// or this member lost its session), the work of its partitions is cancelled: the handler in hand
// sees its context done, records fetched but not started are dropped, and nothing is committed for
// them; the partition's next owner reads them again. Offsets are committed only through the
// generation that owns the partition, which the broker refuses once a newer generation exists.
package consumer

import (
	"context"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/segmentio/kafka-go"
)

// Message is what a handler receives: the decoded event and the record it came from.
type Message struct {
	Event  cloudevents.Event
	Record kafka.Message
}

// Output is an event the runner publishes to Topic before committing the input.
type Output struct {
	Topic string
	Event cloudevents.Event
}

// Handler handles one message. It returns the events to publish, or an error: a Permanent one
// is never retried; any other is retried with backoff.
type Handler func(ctx context.Context, msg Message) ([]Output, error)

// Middleware wraps a handler.
type Middleware func(Handler) Handler

// Publisher writes events and raw records synchronously; *kafkaio.Publisher implements it.
type Publisher interface {
	Publish(ctx context.Context, topic string, events ...cloudevents.Event) error
	PublishMessages(ctx context.Context, msgs ...kafka.Message) error
}
