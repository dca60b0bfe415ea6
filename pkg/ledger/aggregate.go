package ledger

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"provision.local/pkg/mongox"
)

// document is the stored aggregate: the provider's state plus the ledger's bookkeeping.
type document[S any] struct {
	ID      string `bson:"_id"`
	Version int64  `bson:"version"`
	State   S      `bson:"state"`
	// Last is the record of the command that wrote this version, written in the same document
	// write as the state: the trace that the command was applied until its operation record
	// exists. One entry is enough because the next writer makes sure that record exists before
	// it overwrites the entry (ensureRecorded).
	Last *Operation `bson:"last,omitempty"`
}

func (d *document[S]) last() *Operation {
	if d == nil {
		return nil
	}
	return d.Last
}

// apply writes the new state and op (the command's record, given its version here) in one
// document write, conditional on the aggregate still being at current's version.
func (s *Store[S]) apply(ctx context.Context, cmd Command, current *document[S], state S, op *Operation) error {
	if current == nil {
		op.Version = 1
		s.at(ctx, stepWrite, cmd)
		if _, err := s.aggregates.InsertOne(ctx, document[S]{ID: cmd.AggregateID, Version: 1, State: state, Last: op}); err != nil {
			if errors.Is(mongox.Translate(err), mongox.ErrAlreadyExists) {
				return ErrConflict
			}
			return fmt.Errorf("insert %s: %w", cmd.AggregateID, err)
		}
		return nil
	}
	if last := current.Last; last != nil {
		if err := s.ensureRecorded(ctx, *last); err != nil {
			return err
		}
	}
	filter := bson.D{{Key: "_id", Value: cmd.AggregateID}}
	switch s.cas {
	case ClaimVersions:
		v, err := s.claim(ctx, cmd, current.Version)
		if err != nil {
			return err
		}
		op.Version = v
	default:
		filter = append(filter, bson.E{Key: "version", Value: current.Version})
		op.Version = current.Version + 1
	}
	s.at(ctx, stepWrite, cmd)
	res, err := s.aggregates.ReplaceOne(ctx, filter, document[S]{ID: cmd.AggregateID, Version: op.Version, State: state, Last: op})
	if err != nil {
		return fmt.Errorf("update %s: %w", cmd.AggregateID, err)
	}
	if res.MatchedCount == 0 {
		return ErrConflict
	}
	if s.cas == ClaimVersions {
		s.maybeSweep(ctx)
	}
	return nil
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
