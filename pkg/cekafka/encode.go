package cekafka

import (
	"fmt"
	"sort"
	"strings"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"
	"github.com/segmentio/kafka-go"
)

// encodeBinaryV1 writes a CloudEvents 1.0 event as a binary-mode record straight from its context,
// the same headers and value WriteMessage produces through the SDK's binding (a test holds the
// two to the same bytes) without the binding's per-attribute dispatch: every accepted command and
// every status event goes through here. ok is false for any other spec version.
func encodeBinaryV1(e *cloudevents.Event) (m kafka.Message, ok bool, err error) {
	c, isV1 := e.Context.(*event.EventContextV1)
	if !isV1 {
		return kafka.Message{}, false, nil
	}
	headers := make([]kafka.Header, 0, 8+len(c.Extensions))
	add := func(name, value string) {
		headers = append(headers, kafka.Header{Key: name, Value: []byte(value)})
	}
	add(HeaderPrefix+"specversion", event.CloudEventsVersionV1)
	add(HeaderPrefix+"id", c.ID)
	add(HeaderPrefix+"source", c.Source.String())
	add(HeaderPrefix+"type", c.Type)
	if c.DataContentType != nil {
		add(HeaderContentType, *c.DataContentType)
	}
	if c.Subject != nil {
		add(HeaderPrefix+"subject", *c.Subject)
	}
	if c.Time != nil {
		add(HeaderPrefix+"time", c.Time.String())
	}
	if c.DataSchema != nil {
		add(HeaderPrefix+"dataschema", c.DataSchema.String())
	}
	for name, v := range c.Extensions {
		s, err := types.Format(v)
		if err != nil {
			return kafka.Message{}, true, fmt.Errorf("extension %s: %w", name, err)
		}
		name = strings.ToLower(name)
		add(HeaderPrefix+name, s)
		if name == ExtPartitionKey {
			m.Key = []byte(s)
		}
	}
	sort.Slice(headers, func(i, j int) bool { return headers[i].Key < headers[j].Key })
	m.Headers = headers
	if data := e.Data(); len(data) > 0 {
		m.Value = data
	}
	return m, true, nil
}
