// Package app holds the ingress use cases: accepting commands onto Kafka, and answering queries
// by asking the service that owns the data.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"provision.local/events"
	"provision.local/pkg/command"
)

// Source is the CloudEvents source of the commands the ingress publishes.
const Source = "/provision/ingress"

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
	Type          string // the CloudEvent type from the catalog
	PartitionKey  string // the record key: keeps one subscription's commands in order
	Payload       any
}

// Accepted is what the client is told about an accepted command.
type Accepted struct {
	WorkflowID string
	RunID      string
}

// ErrInvalidPayload means the payload does not match the catalog's schema: the consumer would
// dead-letter it, so it is refused here.
var ErrInvalidPayload = errors.New("invalid command payload")

// ErrUnavailable means the command could not be written to Kafka: nothing was accepted.
var ErrUnavailable = errors.New("command store unavailable")

// Submitter accepts commands: it writes each to its provider's commands topic and answers only
// once the write is acknowledged by all in-sync replicas.
type Submitter struct {
	pub       Publisher
	workflows command.Workflows
}

// NewSubmitter returns a Submitter publishing with pub and issuing workflow ids with workflows.
func NewSubmitter(pub Publisher, workflows command.Workflows) *Submitter {
	return &Submitter{pub: pub, workflows: workflows}
}

// Submit publishes the command. The same request (org, operation, target, correlation id and
// payload) always yields the same event id and workflow id, so a client's retry is harmless.
func (s *Submitter) Submit(ctx context.Context, c Command) (Accepted, error) {
	data, err := json.Marshal(c.Payload)
	if err != nil {
		return Accepted{}, fmt.Errorf("encode %s: %w", c.Type, err)
	}
	if err := events.Validate(c.Type, data); err != nil {
		return Accepted{}, fmt.Errorf("%w: %v", ErrInvalidPayload, err)
	}
	id := command.NewID(c.Org, c.Provider+"."+c.Operation, c.Target, c.CorrelationID, data)
	wf := s.workflows.Issue(c.Provider, c.Org, id)
	e, err := events.New(id, c.Type, Source, c.PartitionKey, c.Payload)
	if err != nil {
		return Accepted{}, fmt.Errorf("build %s: %w", c.Type, err)
	}
	events.SetExtensions(&e, c.CorrelationID, wf, c.Org)
	if err := s.pub.Publish(ctx, events.CommandsTopic(c.Provider), e); err != nil {
		return Accepted{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return Accepted{WorkflowID: wf, RunID: id}, nil
}
