// Package ledger makes each command take effect at most once on a provider's own data, on a store
// without multi-document transactions.
//
// The unit of atomicity is one aggregate document (a subscription): its state, its version (guarded
// by compare-and-set: a unique claim of the next version), and the outbox of the last commands applied to it, with the status events
// each produced. One write therefore changes the state, marks the command as applied and keeps
// its events for publishing. An operation record (one small document per command, `_id` = the
// command's event id) is appended afterwards: it is the history, the workflow lookup, and the
// deduplication record for commands that did not change an aggregate (failures).
//
// A redelivered command is recognised by its operation record or by the aggregate's outbox, and
// answers with the events stored the first time, so status events keep their ids.
package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
	"github.com/sirupsen/logrus"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"provision.local/pkg/consumer"
	"provision.local/pkg/logging"
	"provision.local/pkg/mongox"
)

// Outcomes of an operation.
const (
	Completed = "COMPLETED"
	Failed    = "FAILED"
	// DeadLettered marks a command the runner gave up on (retries exhausted, or poison); it is
	// executed afresh if it is replayed from the dead-letter topic.
	DeadLettered = "DEAD_LETTERED"
)

// outboxLimit bounds the outbox kept in an aggregate. Only commands whose offsets are not yet
// committed can come back, and the runner commits after every message, so a handful is plenty.
const outboxLimit = 16

// Command identifies one command being executed.
type Command struct {
	ID            string // the command's CloudEvent id
	Type          string // the command's CloudEvent type
	Org           string
	Operation     string
	AggregateID   string // the document the command targets; empty when it targets none
	CorrelationID string
	WorkflowID    string
	// Fingerprint is a digest of the request that issued the command (operation, target, body),
	// so an id reused for a different request can be told from a retry; empty when unknown.
	Fingerprint string
	// IssuedAt is when the command was issued (its CloudEvent time); zero when unknown.
	IssuedAt time.Time
}

// Failure says why an operation failed; it is shown to clients by the workflow endpoint.
type Failure struct {
	Code    string `bson:"code" json:"code"`
	Title   string `bson:"title" json:"title"`
	Details string `bson:"details" json:"details"`
}

func (f *Failure) Error() string { return f.Code + ": " + f.Details }

// Decision is what a provider's decide function concluded for a command.
type Decision[S any] struct {
	// New is the aggregate state after the command, or nil when nothing changes.
	New *S
	// Failure marks the operation FAILED; New must then be nil.
	Failure *Failure
	// Outputs are the status events the command produces.
	Outputs []consumer.Output
}

// Decide computes a command's decision from the current aggregate state (nil if none exists)
// and its version (0 if none). It may call the partner; it must not write the aggregate. An
// error aborts the command (the runner retries transient errors and dead-letters permanent ones).
type Decide[S any] func(ctx context.Context, current *S, version int64) (Decision[S], error)

// StoredOutput is an output event kept for republishing.
type StoredOutput struct {
	Topic string `bson:"topic"`
	Event string `bson:"event"` // the CloudEvent in JSON (structured) form
}

type outboxEntry struct {
	CommandID string         `bson:"commandId"`
	Outputs   []StoredOutput `bson:"outputs"`
	At        time.Time      `bson:"at"`
}

// document is the stored aggregate: the provider's state plus the ledger's bookkeeping.
type document[S any] struct {
	ID      string        `bson:"_id"`
	Version int64         `bson:"version"`
	State   S             `bson:"state"`
	Outbox  []outboxEntry `bson:"outbox"`
}

// Operation is the record of one executed command.
type Operation struct {
	ID            string         `bson:"_id" json:"commandId"`
	Type          string         `bson:"type" json:"type"`
	Org           string         `bson:"org" json:"org"`
	Operation     string         `bson:"operation" json:"operation"`
	AggregateID   string         `bson:"aggregateId,omitempty" json:"aggregateId,omitempty"`
	Outcome       string         `bson:"outcome" json:"outcome"`
	Failure       *Failure       `bson:"failure,omitempty" json:"error,omitempty"`
	Version       int64          `bson:"version,omitempty" json:"version,omitempty"`
	CorrelationID string         `bson:"correlationId,omitempty" json:"correlationId,omitempty"`
	WorkflowID    string         `bson:"workflowId,omitempty" json:"workflowId,omitempty"`
	Fingerprint   string         `bson:"fingerprint,omitempty" json:"fingerprint,omitempty"`
	At            time.Time      `bson:"at" json:"at"`
	Outputs       []StoredOutput `bson:"outputs,omitempty" json:"-"`
}

// Store executes commands against one aggregate collection and the operations collection.
type Store[S any] struct {
	aggregates *mongo.Collection
	claims     *mongo.Collection
	operations *mongo.Collection
	now        func() time.Time
}

// New returns a store over the named aggregate collection and "operations" in db.
func New[S any](db *mongo.Database, aggregates string) *Store[S] {
	return &Store[S]{
		aggregates: db.Collection(aggregates),
		claims:     db.Collection(aggregates + "_versions"),
		operations: db.Collection("operations"),
		now:        func() time.Time { return time.Now().UTC() },
	}
}

// EnsureIndexes creates the secondary indexes the store's queries use. On the embedded store only
// _id lookups are indexed, so hot paths use _id; these serve real MongoDB.
func (s *Store[S]) EnsureIndexes(ctx context.Context, stateIndexes ...mongo.IndexModel) error {
	if err := mongox.EnsureIndexes(ctx, s.operations,
		mongo.IndexModel{Keys: bson.D{{Key: "aggregateId", Value: 1}, {Key: "at", Value: 1}}},
	); err != nil {
		return fmt.Errorf("operations indexes: %w", err)
	}
	if len(stateIndexes) > 0 {
		if err := mongox.EnsureIndexes(ctx, s.aggregates, stateIndexes...); err != nil {
			return fmt.Errorf("aggregate indexes: %w", err)
		}
	}
	return nil
}

// ErrConflict means another writer changed the aggregate between read and write; retry.
var ErrConflict = errors.New("aggregate changed concurrently")

// replay answers a command already executed with the events stored the first time. An id reused
// by a different command (another org, type or target) is refused, never answered with the
// first command's data.
func replay(op Operation, cmd Command) ([]consumer.Output, error) {
	if op.Org != cmd.Org || op.Type != cmd.Type || op.AggregateID != cmd.AggregateID {
		return nil, consumer.Permanent(fmt.Errorf("command id %s was already used by another command", cmd.ID))
	}
	return decodeOutputs(op.Outputs)
}

// Execute runs cmd at most once and returns the events to publish (the stored ones on a
// redelivery).
func (s *Store[S]) Execute(ctx context.Context, cmd Command, decide Decide[S]) ([]consumer.Output, error) {
	if op, err := s.Operation(ctx, cmd.ID); err == nil && op.Outcome != DeadLettered {
		return replay(op, cmd)
	} else if err == nil {
		// A replay of a dead letter: forget the mark and run it.
		if _, err := s.operations.DeleteOne(ctx, bson.D{{Key: "_id", Value: cmd.ID}, {Key: "outcome", Value: DeadLettered}}); err != nil {
			return nil, fmt.Errorf("clear dead-letter mark %s: %w", cmd.ID, err)
		}
	} else if !errors.Is(err, mongox.ErrNotFound) {
		return nil, err
	}

	var current *document[S]
	if cmd.AggregateID != "" {
		doc, err := s.load(ctx, cmd.AggregateID)
		switch {
		case errors.Is(err, mongox.ErrNotFound):
		case err != nil:
			return nil, err
		default:
			current = doc
			// Applied before, but the process died before the operation record was written.
			for _, e := range doc.Outbox {
				if e.CommandID == cmd.ID {
					if err := s.record(ctx, cmd, Completed, nil, doc.Version, e.Outputs); err != nil {
						return nil, err
					}
					return decodeOutputs(e.Outputs)
				}
			}
		}
	}

	var state *S
	var version int64
	if current != nil {
		st := current.State
		state, version = &st, current.Version
	}
	d, err := decide(ctx, state, version)
	if err != nil {
		return nil, err
	}
	stored, err := encodeOutputs(d.Outputs)
	if err != nil {
		return nil, err
	}
	if d.Failure != nil || d.New == nil {
		outcome := Completed
		if d.Failure != nil {
			outcome = Failed
		}
		return s.recordAndAnswer(ctx, cmd, outcome, d.Failure, version, stored, d.Outputs)
	}
	if cmd.AggregateID == "" {
		return nil, fmt.Errorf("command %s changes state but names no aggregate", cmd.ID)
	}

	version, err = s.apply(ctx, cmd, current, *d.New, stored)
	if err != nil {
		return nil, err
	}
	return s.recordAndAnswer(ctx, cmd, Completed, nil, version, stored, d.Outputs)
}

// apply writes the new state, the command id and its outputs in one document write.
func (s *Store[S]) apply(ctx context.Context, cmd Command, current *document[S], state S, outputs []StoredOutput) (int64, error) {
	entry := outboxEntry{CommandID: cmd.ID, Outputs: outputs, At: s.now()}
	if current == nil {
		doc := document[S]{ID: cmd.AggregateID, Version: 1, State: state, Outbox: []outboxEntry{entry}}
		if _, err := s.aggregates.InsertOne(ctx, doc); err != nil {
			if errors.Is(mongox.Translate(err), mongox.ErrAlreadyExists) {
				return 0, ErrConflict
			}
			return 0, fmt.Errorf("insert %s: %w", cmd.AggregateID, err)
		}
		return 1, nil
	}
	outbox := append(current.Outbox, entry)
	if len(outbox) > outboxLimit {
		outbox = outbox[len(outbox)-outboxLimit:]
	}
	next := current.Version + 1
	if err := s.claim(ctx, cmd, next); err != nil {
		return 0, err
	}
	res, err := s.aggregates.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: cmd.AggregateID}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "version", Value: next},
			{Key: "state", Value: state},
			{Key: "outbox", Value: outbox},
		}}})
	if err != nil {
		return 0, fmt.Errorf("update %s: %w", cmd.AggregateID, err)
	}
	if res.MatchedCount == 0 {
		return 0, ErrConflict
	}
	return next, nil
}

// versionClaim reserves one version of an aggregate for one command.
type versionClaim struct {
	ID        string    `bson:"_id"` // <aggregate id>@<version>
	CommandID string    `bson:"commandId"`
	At        time.Time `bson:"at"`
}

// abandonedClaim is how old a claim by another command must be, with the aggregate still not
// written, to be taken as left by a writer that died between its claim and its write: far beyond
// the time between the two, and shorter than the consumer's retry budget.
const abandonedClaim = time.Minute

// claim is the compare-and-set of an aggregate's version: of the writers that read the same
// version, only the one whose insert of the next version's claim succeeds may write. A unique
// insert and a write by _id replace an update filtered on {_id, version}, which the embedded
// store cannot hand to an index (it decodes the whole collection to evaluate it).
func (s *Store[S]) claim(ctx context.Context, cmd Command, version int64) error {
	c := versionClaim{ID: fmt.Sprintf("%s@%d", cmd.AggregateID, version), CommandID: cmd.ID, At: s.now()}
	_, err := s.claims.InsertOne(ctx, c)
	if err == nil {
		return nil
	}
	if !errors.Is(mongox.Translate(err), mongox.ErrAlreadyExists) {
		return fmt.Errorf("claim %s: %w", c.ID, err)
	}
	var held versionClaim
	if err := s.claims.FindOne(ctx, bson.D{{Key: "_id", Value: c.ID}}).Decode(&held); err != nil {
		return fmt.Errorf("read claim %s: %w", c.ID, mongox.Translate(err))
	}
	// Whoever holds it, a claim only counts while the aggregate has not moved past it.
	doc, err := s.load(ctx, cmd.AggregateID)
	if err != nil {
		return fmt.Errorf("reload %s: %w", cmd.AggregateID, err)
	}
	if doc.Version != version-1 {
		return ErrConflict
	}
	if held.CommandID == cmd.ID {
		return nil // this command's own earlier attempt, which died before its write
	}
	// The holder has finished (its record exists) without writing, or died long ago: release.
	_, opErr := s.Operation(ctx, held.CommandID)
	if opErr == nil || s.now().Sub(held.At) > abandonedClaim {
		if _, err := s.claims.DeleteOne(ctx, bson.D{{Key: "_id", Value: c.ID}}); err != nil {
			return fmt.Errorf("release claim %s: %w", c.ID, err)
		}
	}
	return ErrConflict // the retry claims afresh
}

// recordAndAnswer records the operation and returns its outputs, or, when a concurrent delivery
// of the same command recorded it first, that delivery's outputs: one command, one content.
func (s *Store[S]) recordAndAnswer(ctx context.Context, cmd Command, outcome string, failure *Failure, version int64, stored []StoredOutput, outputs []consumer.Output) ([]consumer.Output, error) {
	first, err := s.insertOperation(ctx, cmd, outcome, failure, version, stored)
	if err != nil {
		return nil, err
	}
	if !first {
		op, err := s.Operation(ctx, cmd.ID)
		if err != nil {
			return nil, err
		}
		return replay(op, cmd)
	}
	return outputs, nil
}

// record writes the operation record, once: a later attempt finds it written.
func (s *Store[S]) record(ctx context.Context, cmd Command, outcome string, failure *Failure, version int64, outputs []StoredOutput) error {
	_, err := s.insertOperation(ctx, cmd, outcome, failure, version, outputs)
	return err
}

// insertOperation inserts the operation record; first is false when it existed already.
func (s *Store[S]) insertOperation(ctx context.Context, cmd Command, outcome string, failure *Failure, version int64, outputs []StoredOutput) (first bool, err error) {
	op := Operation{
		ID:            cmd.ID,
		Type:          cmd.Type,
		Org:           cmd.Org,
		Operation:     cmd.Operation,
		AggregateID:   cmd.AggregateID,
		Outcome:       outcome,
		Failure:       failure,
		Version:       version,
		CorrelationID: cmd.CorrelationID,
		WorkflowID:    cmd.WorkflowID,
		Fingerprint:   cmd.Fingerprint,
		At:            s.now(),
		Outputs:       outputs,
	}
	if _, err := s.operations.InsertOne(ctx, op); err != nil {
		if errors.Is(mongox.Translate(err), mongox.ErrAlreadyExists) {
			return false, nil // recorded by an earlier or concurrent attempt
		}
		return false, fmt.Errorf("record operation %s: %w", cmd.ID, err)
	}
	operationsTotal.WithLabelValues(cmd.Operation, outcome).Inc()
	entry := logging.FromContext(ctx).WithFields(logrus.Fields{"operation": cmd.Operation, "outcome": outcome, "version": version})
	if failure != nil {
		entry = entry.WithField("reason", failure.Code)
	}
	entry.Info("operation recorded")
	return true, nil
}

func (s *Store[S]) load(ctx context.Context, id string) (*document[S], error) {
	var doc document[S]
	if err := s.aggregates.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
		return nil, mongox.Translate(err)
	}
	return &doc, nil
}

// Get returns an aggregate's state and version; mongox.ErrNotFound when it does not exist.
func (s *Store[S]) Get(ctx context.Context, id string) (S, int64, error) {
	doc, err := s.load(ctx, id)
	if err != nil {
		var zero S
		return zero, 0, err
	}
	return doc.State, doc.Version, nil
}

// FindIDs returns the ids of the aggregates whose state matches filter (fields under "state.").
func (s *Store[S]) FindIDs(ctx context.Context, filter bson.D) ([]string, error) {
	cur, err := s.aggregates.Find(ctx, filter, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("find: %w", err)
	}
	var rows []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("find: %w", err)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, nil
}

// Operation returns the record of a command; mongox.ErrNotFound when it has not been executed.
func (s *Store[S]) Operation(ctx context.Context, commandID string) (Operation, error) {
	var op Operation
	if err := s.operations.FindOne(ctx, bson.D{{Key: "_id", Value: commandID}}).Decode(&op); err != nil {
		return Operation{}, mongox.Translate(err)
	}
	return op, nil
}

// History returns the operations applied to or attempted on an aggregate, oldest first.
func (s *Store[S]) History(ctx context.Context, aggregateID string, limit int64) ([]Operation, error) {
	cur, err := s.operations.Find(ctx, bson.D{{Key: "aggregateId", Value: aggregateID}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "version", Value: 1}}).SetLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	var ops []Operation
	if err := cur.All(ctx, &ops); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return ops, nil
}

// MarkDeadLettered records that the runner gave up on a command, so the workflow endpoint can
// say so instead of "accepted" for ever. It changes nothing if the command has a record.
func (s *Store[S]) MarkDeadLettered(ctx context.Context, cmd Command, reason string) error {
	_, err := s.insertOperation(ctx, cmd, DeadLettered, &Failure{Code: "DEAD_LETTERED", Title: "NOT_PROCESSED", Details: reason}, 0, nil)
	return err
}

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

// EventID derives the id of the n-th event a command produces, stable across redeliveries.
func EventID(commandID string, n int) string {
	return uuid.NewSHA1(eventNamespace, fmt.Appendf(nil, "%s/%d", commandID, n)).String()
}

// ChildID derives the id of a sub-command that a command runs for one of several aggregates.
func ChildID(commandID, aggregateID string) string {
	return uuid.NewSHA1(childNamespace, []byte(commandID+"\x00"+aggregateID)).String()
}

var childNamespace = uuid.MustParse("0b8f3c1d-7a2e-4f55-8c1b-5d9e2a7f6c30")

var eventNamespace = uuid.MustParse("6f1c0a52-3c1e-4d8e-9a57-0e7f3d1b2c44")

func encodeOutputs(outs []consumer.Output) ([]StoredOutput, error) {
	stored := make([]StoredOutput, len(outs))
	for i, o := range outs {
		b, err := json.Marshal(o.Event)
		if err != nil {
			return nil, fmt.Errorf("encode output %s: %w", o.Event.ID(), err)
		}
		stored[i] = StoredOutput{Topic: o.Topic, Event: string(b)}
	}
	return stored, nil
}

func decodeOutputs(stored []StoredOutput) ([]consumer.Output, error) {
	outs := make([]consumer.Output, len(stored))
	for i, so := range stored {
		e := cloudevents.NewEvent()
		if err := json.Unmarshal([]byte(so.Event), &e); err != nil {
			return nil, fmt.Errorf("decode stored output: %w", err)
		}
		outs[i] = consumer.Output{Topic: so.Topic, Event: e}
	}
	return outs, nil
}
