// Package cekafka maps CloudEvents to kafka-go records and back, following the CloudEvents Kafka
// protocol binding. It is built on the sdk-go v2 binding package, which has no kafka-go binding of
// its own.
//
// Outgoing records use binary content mode: the event data is the record value, datacontenttype is
// the `content-type` header and every other attribute and extension is a `ce_<name>` header. The
// `partitionkey` extension is also the record key, so one subscription stays on one partition.
// Incoming records may be binary or structured (`application/cloudevents+json`).
package cekafka

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/binding/format"
	"github.com/cloudevents/sdk-go/v2/binding/spec"
	"github.com/cloudevents/sdk-go/v2/types"
	"github.com/segmentio/kafka-go"
)

// Extension names the platform puts on every event.
const (
	// ExtPartitionKey holds the subscription id; it is also the record key.
	ExtPartitionKey = "partitionkey"
	// ExtCorrelationID holds the Request-Correlation-Id of the originating HTTP request.
	ExtCorrelationID = "correlationid"
)

// Header names of the Kafka protocol binding.
const (
	HeaderPrefix      = "ce_"
	HeaderContentType = "content-type"
)

// ErrNotCloudEvent is wrapped by FromMessage when a record carries neither ce_ headers nor a
// structured CloudEvents content type.
var ErrNotCloudEvent = errors.New("record is not a CloudEvent")

// Attribute lookup is case-insensitive on input, so a producer writing `ce_ID` is still understood.
var specs = spec.WithPrefix(HeaderPrefix)

// ToMessage validates e and encodes it as a binary-mode record. The topic is left to the caller.
func ToMessage(ctx context.Context, e cloudevents.Event) (kafka.Message, error) {
	if err := e.Validate(); err != nil {
		return kafka.Message{}, fmt.Errorf("encode event: invalid: %w", err)
	}
	if m, ok, err := encodeBinaryV1(&e); ok {
		if err != nil {
			return kafka.Message{}, fmt.Errorf("encode event %s: %w", e.ID(), err)
		}
		return m, nil
	}
	var m kafka.Message
	// Force binary: structured mode would hide the attributes from plain Kafka tooling.
	if err := WriteMessage(binding.WithForceBinary(ctx), binding.ToMessage(&e), &m); err != nil {
		return kafka.Message{}, fmt.Errorf("encode event %s: %w", e.ID(), err)
	}
	return m, nil
}

// FromMessage decodes a binary- or structured-mode record into a validated event.
func FromMessage(rec kafka.Message) (*cloudevents.Event, error) {
	m := NewMessage(rec)
	switch m.ReadEncoding() {
	case binding.EncodingBinary, binding.EncodingStructured:
	case binding.EncodingBatch:
		return nil, fmt.Errorf("decode: batched CloudEvents are not supported: %w", ErrNotCloudEvent)
	default:
		return nil, fmt.Errorf("decode: no %sspecversion header and no structured content type: %w",
			HeaderPrefix, ErrNotCloudEvent)
	}
	e, err := binding.ToEvent(context.Background(), m)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if err := e.Validate(); err != nil {
		return nil, fmt.Errorf("decode: invalid event: %w", err)
	}
	return e, nil
}

// Message is a kafka-go record seen as a binding.Message. It can be read several times: the
// record value is a byte slice, not a stream.
type Message struct {
	Record kafka.Message

	contentType string
	format      format.Format
	version     spec.Version
}

var (
	_ binding.Message               = (*Message)(nil)
	_ binding.MessageMetadataReader = (*Message)(nil)
)

// NewMessage wraps rec. The encoding is decided here: a CloudEvents content type means
// structured mode, otherwise a known ce_specversion header means binary mode.
func NewMessage(rec kafka.Message) *Message {
	m := &Message{Record: rec}
	if v, ok := header(rec, HeaderContentType); ok {
		m.contentType = v
	}
	if ft := format.Lookup(m.contentType); ft != nil {
		m.format = ft
		return m
	}
	if v, ok := header(rec, specs.PrefixedSpecVersionName()); ok {
		m.version = specs.Version(v)
	}
	return m
}

// ReadEncoding implements binding.MessageReader.
func (m *Message) ReadEncoding() binding.Encoding {
	switch {
	case m.version != nil:
		return binding.EncodingBinary
	case m.format == format.JSONBatch:
		return binding.EncodingBatch
	case m.format != nil:
		return binding.EncodingStructured
	}
	return binding.EncodingUnknown
}

// ReadStructured implements binding.MessageReader.
func (m *Message) ReadStructured(ctx context.Context, w binding.StructuredWriter) error {
	if m.format == nil {
		return binding.ErrNotStructured
	}
	return w.SetStructuredEvent(ctx, m.format, bytes.NewReader(m.Record.Value))
}

// ReadBinary implements binding.MessageReader.
func (m *Message) ReadBinary(_ context.Context, w binding.BinaryWriter) error {
	if m.version == nil {
		return binding.ErrNotBinary
	}
	if m.contentType != "" {
		if err := w.SetAttribute(m.version.AttributeFromKind(spec.DataContentType), m.contentType); err != nil {
			return err
		}
	}
	for _, h := range m.Record.Headers {
		if len(h.Key) <= len(HeaderPrefix) || !strings.EqualFold(h.Key[:len(HeaderPrefix)], HeaderPrefix) {
			continue
		}
		var err error
		if attr := m.version.Attribute(h.Key); attr != nil {
			err = w.SetAttribute(attr, string(h.Value))
		} else {
			err = w.SetExtension(strings.ToLower(h.Key[len(HeaderPrefix):]), string(h.Value))
		}
		if err != nil {
			return err
		}
	}
	if len(m.Record.Value) > 0 {
		return w.SetData(bytes.NewReader(m.Record.Value))
	}
	return nil
}

// GetAttribute implements binding.MessageMetadataReader.
func (m *Message) GetAttribute(k spec.Kind) (spec.Attribute, interface{}) {
	if m.version == nil {
		return nil, nil
	}
	attr := m.version.AttributeFromKind(k)
	if attr == nil {
		return nil, nil
	}
	if k == spec.DataContentType {
		if m.contentType == "" {
			return attr, nil
		}
		return attr, m.contentType
	}
	if v, ok := header(m.Record, attr.PrefixedName()); ok {
		return attr, v
	}
	return attr, nil
}

// GetExtension implements binding.MessageMetadataReader.
func (m *Message) GetExtension(name string) interface{} {
	if v, ok := header(m.Record, HeaderPrefix+name); ok {
		return v
	}
	return nil
}

// Finish implements binding.Message; a record holds no resources.
func (m *Message) Finish(error) error { return nil }

// WriteMessage writes any binding message into rec in binary mode, or in structured mode when the
// source is already structured (forwarding it unchanged). Existing headers of rec are kept.
func WriteMessage(ctx context.Context, in binding.MessageReader, rec *kafka.Message, transformers ...binding.Transformer) error {
	w := (*recordWriter)(rec)
	_, err := binding.Write(ctx, in, w, w, transformers...)
	return err
}

// recordWriter fills a kafka.Message; it is both the structured and the binary writer.
type recordWriter kafka.Message

var (
	_ binding.StructuredWriter = (*recordWriter)(nil)
	_ binding.BinaryWriter     = (*recordWriter)(nil)
)

func (w *recordWriter) SetStructuredEvent(_ context.Context, f format.Format, event io.Reader) error {
	v, err := io.ReadAll(event)
	if err != nil {
		return err
	}
	w.Value = v
	w.setHeader(HeaderContentType, f.MediaType())
	return nil
}

func (w *recordWriter) Start(context.Context) error { return nil }

// End sorts the headers so that one event always encodes to the same bytes; extensions come out of
// a map in random order otherwise.
func (w *recordWriter) End(context.Context) error {
	sort.SliceStable(w.Headers, func(i, j int) bool { return w.Headers[i].Key < w.Headers[j].Key })
	return nil
}

func (w *recordWriter) SetData(data io.Reader) error {
	v, err := io.ReadAll(data)
	if err != nil {
		return err
	}
	w.Value = v
	return nil
}

func (w *recordWriter) SetAttribute(attr spec.Attribute, value interface{}) error {
	name := HeaderPrefix + attr.Name()
	if attr.Kind() == spec.DataContentType {
		name = HeaderContentType
	}
	if value == nil {
		w.deleteHeader(name)
		return nil
	}
	s, err := types.Format(value)
	if err != nil {
		return fmt.Errorf("attribute %s: %w", attr.Name(), err)
	}
	w.setHeader(name, s)
	return nil
}

func (w *recordWriter) SetExtension(name string, value interface{}) error {
	name = strings.ToLower(name)
	if value == nil {
		w.deleteHeader(HeaderPrefix + name)
		if name == ExtPartitionKey {
			w.Key = nil
		}
		return nil
	}
	s, err := types.Format(value)
	if err != nil {
		return fmt.Errorf("extension %s: %w", name, err)
	}
	w.setHeader(HeaderPrefix+name, s)
	if name == ExtPartitionKey {
		w.Key = []byte(s)
	}
	return nil
}

func (w *recordWriter) setHeader(name, value string) {
	for i := range w.Headers {
		if w.Headers[i].Key == name {
			w.Headers[i].Value = []byte(value)
			return
		}
	}
	w.Headers = append(w.Headers, kafka.Header{Key: name, Value: []byte(value)})
}

func (w *recordWriter) deleteHeader(name string) {
	out := w.Headers[:0]
	for _, h := range w.Headers {
		if h.Key != name {
			out = append(out, h)
		}
	}
	w.Headers = out
}

// header returns the first header named name (case-insensitive, as attribute lookup is).
func header(rec kafka.Message, name string) (string, bool) {
	for _, h := range rec.Headers {
		if strings.EqualFold(h.Key, name) {
			return string(h.Value), true
		}
	}
	return "", false
}
