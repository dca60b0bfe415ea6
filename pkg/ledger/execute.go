package ledger

import (
	"context"
	"errors"
	"fmt"

	"provision.local/pkg/consumer"
	"provision.local/pkg/mongox"
)

// Execute runs cmd at most once and returns the events to publish (the stored ones on a
// redelivery). It runs for at most the handler timeout (WithHandlerTimeout): the compare-and-set
// relies on no write of it landing later than that.
func (s *Store[S]) Execute(ctx context.Context, cmd Command, decide Decide[S]) ([]consumer.Output, error) {
	return s.execute(ctx, cmd, decide, false)
}

func (s *Store[S]) execute(ctx context.Context, cmd Command, decide Decide[S], relayed bool) ([]consumer.Output, error) {
	ctx, cancel := context.WithTimeout(ctx, s.handlerTimeout)
	defer cancel()

	// The aggregate is read before the operation record: a command missing from both was not
	// applied before the aggregate read, because whoever overwrites an aggregate's last command
	// makes sure its record exists first.
	var current *document[S]
	if cmd.AggregateID != "" {
		doc, err := s.load(ctx, cmd.AggregateID)
		switch {
		case errors.Is(err, mongox.ErrNotFound):
		case err != nil:
			return nil, err
		default:
			current = doc
		}
		if last := current.last(); last != nil && last.ID == cmd.ID {
			dup, err := s.duplicate(*last, cmd)
			if err != nil {
				return nil, err
			}
			if dup {
				// Applied before; the record may be missing if the writer died before it.
				if err := s.ensureRecorded(ctx, *last); err != nil {
					return nil, err
				}
				return DecodeOutputs(last.Outputs)
			}
		}
	}
	if op, err := s.Operation(ctx, cmd.ID); err == nil {
		if op.Outcome != DeadLettered {
			dup, err := s.duplicate(op, cmd)
			if err != nil {
				return nil, err
			}
			if dup {
				return DecodeOutputs(op.Outputs)
			}
		}
		// A replayed dead letter, or the id's new use after the window: run it; its record
		// replaces this one.
	} else if !errors.Is(err, mongox.ErrNotFound) {
		return nil, err
	}
	s.at(ctx, stepRead, cmd)

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
	stored, err := EncodeOutputs(d.Outputs)
	if err != nil {
		return nil, err
	}
	if relayed && len(stored) > 0 {
		return s.relayedWrite(ctx, cmd, func() ([]consumer.Output, error) { return s.write(ctx, cmd, current, version, d, stored) })
	}
	return s.write(ctx, cmd, current, version, d, stored)
}

// write applies a decision: the aggregate (when the state changes), then the operation record.
func (s *Store[S]) write(ctx context.Context, cmd Command, current *document[S], version int64, d Decision[S], stored []StoredOutput) ([]consumer.Output, error) {
	if d.Failure != nil || d.New == nil {
		outcome := Completed
		if d.Failure != nil {
			outcome = Failed
		}
		op := s.newOperation(cmd, outcome, d.Failure, stored)
		op.Version = version
		return s.recordAndAnswer(ctx, cmd, op, d.Outputs)
	}
	if cmd.AggregateID == "" {
		return nil, fmt.Errorf("command %s changes state but names no aggregate", cmd.ID)
	}
	op := s.newOperation(cmd, Completed, nil, stored)
	if err := s.apply(ctx, cmd, current, *d.New, &op); err != nil {
		return nil, err
	}
	s.at(ctx, stepWritten, cmd)
	return s.recordAndAnswer(ctx, cmd, op, d.Outputs)
}

// duplicate reports whether op, an earlier record of cmd's id, makes cmd a duplicate: cmd was
// issued within the idempotency window after op (or its issue time is unknown). Within the
// window, an id used by a different request is refused for good, never answered with the first
// request's data.
func (s *Store[S]) duplicate(op Operation, cmd Command) (bool, error) {
	if !cmd.IssuedAt.IsZero() && cmd.IssuedAt.After(op.At.Add(s.window)) {
		return false, nil
	}
	if op.Org != cmd.Org || op.Type != cmd.Type || op.AggregateID != cmd.AggregateID ||
		(op.Fingerprint != "" && cmd.Fingerprint != "" && op.Fingerprint != cmd.Fingerprint) {
		return false, consumer.Permanent(fmt.Errorf("command %s: %w", cmd.ID, ErrIdempotencyKeyReused))
	}
	return true, nil
}

// recordAndAnswer records the operation and returns its outputs, or, when a concurrent delivery
// of the same command recorded it first, that delivery's outputs: one command, one content.
func (s *Store[S]) recordAndAnswer(ctx context.Context, cmd Command, op Operation, outputs []consumer.Output) ([]consumer.Output, error) {
	first, err := s.insertOperation(ctx, op)
	if err != nil {
		return nil, err
	}
	if first {
		return outputs, nil
	}
	existing, err := s.Operation(ctx, cmd.ID)
	if err != nil {
		return nil, err
	}
	if existing.Outcome != DeadLettered {
		dup, err := s.duplicate(existing, cmd)
		if err != nil {
			return nil, err
		}
		if dup {
			return DecodeOutputs(existing.Outputs)
		}
	}
	// A dead-letter mark, or the record of the id's use before the window: this one replaces it.
	if err := s.supersede(ctx, existing, op); err != nil {
		return nil, err
	}
	return outputs, nil
}
