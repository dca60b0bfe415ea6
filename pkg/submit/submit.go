// Package submit accepts commands for the providers: it derives each command's id from the
// request or from the client's idempotency key, issues its workflow id, refuses a reused key, and
// writes the command's CloudEvent to its provider's commands topic before answering. The ingress
// uses it for HTTP requests; any service that turns its own input into commands can too.
package submit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"provision.local/events"
	"provision.local/pkg/command"
)

// Publisher writes events durably (acks=all) or returns an error.
type Publisher interface {
	Publish(ctx context.Context, topic string, events ...cloudevents.Event) error
}

// Command is a request turned into a command for a provider.
type Command struct {
	Provider      string
	Org           string
	Operation     string // e.g. "create"; part of the command's identity
	Target        string // what the command acts on, e.g. the user and subscription ids
	CorrelationID string
	// IdempotencyKey is the client's Idempotency-Key (already parsed), or "" when it sent none.
	IdempotencyKey string
	Type           string // the CloudEvent type from the catalog
	PartitionKey   string // the record key: keeps one subscription's commands in order
	Payload        any
}

// Accepted is what the client is told about an accepted command.
type Accepted struct {
	WorkflowID string
	RunID      string
}

// ErrUnavailable means the command could not be written to Kafka: nothing was accepted.
var ErrUnavailable = errors.New("command store unavailable")

// Submitter accepts commands: it writes each to its provider's commands topic and answers only
// once the write is acknowledged by all in-sync replicas.
type Submitter struct {
	source    string
	pub       Publisher
	workflows command.Workflows
	keys      *keyGuard
}

// NewSubmitter returns a Submitter publishing with pub, as CloudEvents source source (the
// submitting service, e.g. /provision/ingress), and making command ids, request digests and
// workflow ids with workflows (the platform's shared secret). records are the providers'
// operation records, asked about idempotency keys this process has not accepted itself.
func NewSubmitter(source string, pub Publisher, workflows command.Workflows, records map[string]OperationSource, keys KeyConfig) *Submitter {
	return &Submitter{source: source, pub: pub, workflows: workflows, keys: newKeyGuard(keys, records, func() time.Time { return time.Now().UTC() })}
}

// Submit publishes the command. Its id is derived from the request (org, operation, target,
// correlation id and payload, keyed with the platform's secret) or, when the client sent an
// idempotency key, from the key: either way a client's retry is the same command, with the same
// workflow id, and the consumer deduplicates it. A key reused for another request is
// ErrKeyReused.
func (s *Submitter) Submit(ctx context.Context, c Command) (Accepted, error) {
	id, data, err := s.identify(c)
	if err != nil {
		return Accepted{}, err
	}
	fingerprint := s.workflows.Fingerprint(c.Provider+"."+c.Operation, c.Target, data)
	if c.IdempotencyKey != "" {
		if err := s.keys.check(ctx, c, id, fingerprint); err != nil {
			return Accepted{}, err
		}
	}
	wf := s.workflows.Issue(c.Provider, c.Org, id)
	e := commandEvent(s.source, id, c, data)
	events.SetExtensions(&e, c.CorrelationID, wf, c.Org)
	e.SetExtension(events.ExtRequestDigest, fingerprint)
	if err := s.pub.Publish(ctx, events.CommandsTopic(c.Provider), e); err != nil {
		return Accepted{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if c.IdempotencyKey != "" {
		s.keys.accepted(id, fingerprint)
	}
	return Accepted{WorkflowID: wf, RunID: id}, nil
}

// CommandID is the id Submit gives c: a check made before submitting can tell the command's own
// earlier effect (a retry) from another command's.
func (s *Submitter) CommandID(c Command) (string, error) {
	id, _, err := s.identify(c)
	return id, err
}

// RequestID is the id of a request answered synchronously by its owning service rather than
// submitted (sent to it as the Idempotency-Key): made as Submit makes a command's id from the
// request, so a retry gets the same id and the id tells nothing of the request.
func (s *Submitter) RequestID(org, operation, target, correlationID string, canonicalBody []byte) string {
	return s.workflows.NewID(org, operation, target, correlationID, canonicalBody)
}

// identify returns the command's id and its payload encoded.
func (s *Submitter) identify(c Command) (string, []byte, error) {
	data, err := json.Marshal(c.Payload)
	if err != nil {
		return "", nil, fmt.Errorf("encode %s: %w", c.Type, err)
	}
	if c.IdempotencyKey != "" {
		return command.NewKeyedID(c.Org, c.Provider, c.IdempotencyKey), data, nil
	}
	return s.workflows.NewID(c.Org, c.Provider+"."+c.Operation, c.Target, c.CorrelationID, data), data, nil
}

// commandEvent is the CloudEvent of an accepted command, timed now, with data, the payload as
// encoded JSON.
//
// It is events.New without its schema check: callers submit only payloads that pass their type's
// schema (the ingress validates requests against the public API's rules, which are at least as
// strict, and its tests validate every accepted payload against the event schema), and checking
// again cost about a tenth of the accept path's CPU. Data is set encoded, not re-marshalled.
func commandEvent(source, id string, c Command, data []byte) cloudevents.Event {
	e := cloudevents.NewEvent(cloudevents.VersionV1)
	e.SetID(id)
	e.SetType(c.Type)
	e.SetSource(source)
	e.SetTime(time.Now().UTC())
	e.SetDataSchema(events.SchemaURI(c.Type))
	e.SetExtension(events.ExtPartitionKey, c.PartitionKey)
	e.SetDataContentType(cloudevents.ApplicationJSON)
	e.DataEncoded = data
	return e
}
