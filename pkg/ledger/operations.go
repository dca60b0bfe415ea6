package ledger

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sirupsen/logrus"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"provision.local/pkg/logging"
	"provision.local/pkg/mongox"
)

// newOperation is the record of cmd with the given outcome, stamped now (to the millisecond the
// store keeps, so the copy in memory equals the one read back).
func (s *Store[S]) newOperation(cmd Command, outcome string, failure *Failure, outputs []StoredOutput) Operation {
	return Operation{
		ID:            cmd.ID,
		Type:          cmd.Type,
		Org:           cmd.Org,
		Operation:     cmd.Operation,
		AggregateID:   cmd.AggregateID,
		Outcome:       outcome,
		Failure:       failure,
		CorrelationID: cmd.CorrelationID,
		WorkflowID:    cmd.WorkflowID,
		Fingerprint:   cmd.Fingerprint,
		At:            s.now().Truncate(time.Millisecond),
		Outputs:       outputs,
	}
}

// insertOperation inserts an operation record; first is false when one exists under its id.
func (s *Store[S]) insertOperation(ctx context.Context, op Operation) (first bool, err error) {
	if _, err := s.operations.InsertOne(ctx, op); err != nil {
		if errors.Is(mongox.Translate(err), mongox.ErrAlreadyExists) {
			return false, nil // recorded by an earlier or concurrent attempt
		}
		return false, fmt.Errorf("record operation %s: %w", op.ID, err)
	}
	s.recorded.add(recordKey(op))
	s.logRecorded(ctx, op)
	return true, nil
}

func (s *Store[S]) logRecorded(ctx context.Context, op Operation) {
	operationsTotal.WithLabelValues(op.Operation, op.Outcome).Inc()
	entry := logging.FromContext(ctx).WithFields(logrus.Fields{"operation": op.Operation, "outcome": op.Outcome, "version": op.Version})
	if op.Failure != nil {
		entry = entry.WithField("reason", op.Failure.Code)
	}
	entry.Info("operation recorded")
}

// supersede replaces the record old, of an earlier use of the id (a dead-letter mark, or a use
// before the idempotency window), by op, keeping old in the history under another _id.
// Two executors of the same new use may both replace; they write the same command's record.
func (s *Store[S]) supersede(ctx context.Context, old, op Operation) error {
	if old.Outcome != DeadLettered {
		archived := old
		archived.ID = old.ID + "@" + strconv.FormatInt(old.At.UnixMilli(), 10)
		archived.ArchivedFrom = old.ID
		if _, err := s.operations.InsertOne(ctx, archived); err != nil && !errors.Is(mongox.Translate(err), mongox.ErrAlreadyExists) {
			return fmt.Errorf("archive operation %s: %w", old.ID, err)
		}
	}
	if _, err := s.operations.ReplaceOne(ctx, bson.D{{Key: "_id", Value: op.ID}}, op); err != nil {
		return fmt.Errorf("replace operation %s: %w", op.ID, err)
	}
	s.recorded.add(recordKey(op))
	s.logRecorded(ctx, op)
	return nil
}

// ensureRecorded makes sure the record of an aggregate's last command exists before anything
// relies on it: before that command's entry is overwritten by the next write (its record is
// then the only trace that it was applied), and before it is answered from the aggregate. The
// writer of the aggregate may have died before inserting the record.
func (s *Store[S]) ensureRecorded(ctx context.Context, last Operation) error {
	if s.recorded.has(recordKey(last)) {
		return nil
	}
	existing, err := s.Operation(ctx, last.ID)
	switch {
	case errors.Is(err, mongox.ErrNotFound):
		if _, err := s.insertOperation(ctx, last); err != nil {
			return err
		}
		return nil
	case err != nil:
		return err
	case existing.Outcome == DeadLettered || existing.At.Before(last.At):
		// A mark written while the command was in fact applied, or an earlier use of the id.
		return s.supersede(ctx, existing, last)
	}
	s.recorded.add(recordKey(last))
	return nil
}

// Operation returns the record of a command; mongox.ErrNotFound when it has not been executed.
func (s *Store[S]) Operation(ctx context.Context, commandID string) (Operation, error) {
	var op Operation
	if err := s.operations.FindOne(ctx, bson.D{{Key: "_id", Value: commandID}}).Decode(&op); err != nil {
		return Operation{}, mongox.Translate(err)
	}
	return op, nil
}

// History returns the operations applied to or attempted on an aggregate, oldest first, including
// earlier uses of a command id (under that id).
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
	for i := range ops {
		if ops[i].ArchivedFrom != "" {
			ops[i].ID, ops[i].ArchivedFrom = ops[i].ArchivedFrom, ""
		}
	}
	return ops, nil
}

// MarkDeadLettered records that the runner gave up on a command, so the workflow endpoint can
// say so instead of "accepted" for ever. It changes nothing if the command has a record.
func (s *Store[S]) MarkDeadLettered(ctx context.Context, cmd Command, reason string) error {
	op := s.newOperation(cmd, DeadLettered, &Failure{Code: "DEAD_LETTERED", Title: "NOT_PROCESSED", Details: reason}, nil)
	_, err := s.insertOperation(ctx, op)
	return err
}
