package ledger

// The outbox: status events of state changes made outside the consumer (a synchronous internal
// call), which no runner publishes before a commit.
//
// A relayed execution inserts an outbox entry (one per attempt) before it writes: the aggregate
// (state, version and `last`, with the events, in one document write) and then the operation
// record, as Execute does. The relay reads the entries, finds each command's events where
// Execute's deduplication finds them (the aggregate's `last`, then the operation record),
// publishes them and only then deletes the entry. So:
//   - a crash after the aggregate write and before the record: `last` has the events;
//   - a crash between publishing and deleting the entry: the next pass publishes the same events,
//     with the same ids, again (at least once);
//   - a writer that died, or conflicted, before writing: its entry names a command that was not
//     applied; once older than the claim release age (the writer is past its deadline) it is
//     deleted, nothing published. A writer that conflicts deletes its own entry at once.
// Entries are few and short-lived, so the relay's scan stays small without an index, on the
// embedded store and on MongoDB alike.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"provision.local/pkg/consumer"
	"provision.local/pkg/logging"
	"provision.local/pkg/mongox"
)

// outboxEntry says that a command's events are to be published by the relay.
type outboxEntry struct {
	ID          string    `bson:"_id"` // <command id>/<attempt>: each attempt owns its entry
	CommandID   string    `bson:"commandId"`
	AggregateID string    `bson:"aggregateId,omitempty"`
	At          time.Time `bson:"at"`
}

// relayBatch bounds the entries one relay pass reads.
const relayBatch = 500

// ExecuteRelayed is Execute for a command run outside the consumer, such as a synchronous internal
// call that changes state: its events are published by the relay (RelayPending), at least once
// and with stable ids, even if this process dies right after the write. The caller must not
// publish the returned events itself; it may use them to answer.
func (s *Store[S]) ExecuteRelayed(ctx context.Context, cmd Command, decide Decide[S]) ([]consumer.Output, error) {
	return s.execute(ctx, cmd, decide, true)
}

// relayedWrite runs write with an outbox entry inserted before it, and signals the relay after.
func (s *Store[S]) relayedWrite(ctx context.Context, cmd Command, write func() ([]consumer.Output, error)) ([]consumer.Output, error) {
	entry := outboxEntry{ID: cmd.ID + "/" + uuid.NewString(), CommandID: cmd.ID, AggregateID: cmd.AggregateID, At: s.now()}
	if _, err := s.outbox.InsertOne(ctx, entry); err != nil {
		return nil, fmt.Errorf("outbox %s: %w", cmd.ID, err)
	}
	outs, err := write()
	if errors.Is(err, ErrConflict) {
		// Nothing of this attempt was written (after any other error a write may have landed:
		// the relay finds out); the relay would drop the entry only after the release age.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, derr := s.outbox.DeleteOne(dctx, bson.D{{Key: "_id", Value: entry.ID}}); derr != nil {
			logging.FromContext(ctx).WithError(derr).Warn("cannot drop the outbox entry of a failed write; the relay will")
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	select {
	case s.relayed <- struct{}{}:
	default: // a signal is pending already
	}
	return outs, nil
}

// Relayed signals, without blocking the writer, that a relayed command was written in this
// process: the relay runs a pass rather than wait for its next tick.
func (s *Store[S]) Relayed() <-chan struct{} { return s.relayed }

// RelayPending publishes the events of the relayed commands in the outbox with publish, one
// aggregate's in the order of its versions, deleting each entry once its events are published;
// it returns how many entries it settled. It stops at the first publish error, leaving that
// entry and the later ones for the next pass. Two relays (two replicas) may publish one
// command's events twice, with the same ids.
func (s *Store[S]) RelayPending(ctx context.Context, publish func(context.Context, []consumer.Output) error) (int, error) {
	cur, err := s.outbox.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(relayBatch))
	if err != nil {
		return 0, fmt.Errorf("read the outbox: %w", err)
	}
	var entries []outboxEntry
	if err := cur.All(ctx, &entries); err != nil {
		return 0, fmt.Errorf("read the outbox: %w", err)
	}
	items := make([]relayItem, 0, len(entries))
	for _, e := range entries {
		op, applied, err := s.applied(ctx, e)
		if err != nil {
			return 0, err
		}
		items = append(items, relayItem{e, op, applied})
	}
	// One aggregate's events go out in the order of its versions, as the command consumer
	// publishes them; entries are in time order, which the millisecond may not settle.
	sort.SliceStable(items, func(i, j int) bool {
		if a, b := items[i].entry.AggregateID, items[j].entry.AggregateID; a != b {
			return a < b
		}
		return items[i].op.Version < items[j].op.Version
	})
	settled := 0
	for _, it := range items {
		e := it.entry
		if !it.applied && s.now().Sub(e.At) <= s.claimRelease {
			continue // its writer may still write
		}
		if it.applied && len(it.op.Outputs) > 0 {
			outs, err := DecodeOutputs(it.op.Outputs)
			if err != nil {
				return settled, err
			}
			if err := publish(ctx, outs); err != nil {
				return settled, fmt.Errorf("publish the events of %s: %w", e.CommandID, err)
			}
			s.at(ctx, stepPublished, Command{ID: e.CommandID, AggregateID: e.AggregateID})
		}
		if _, err := s.outbox.DeleteOne(ctx, bson.D{{Key: "_id", Value: e.ID}}); err != nil {
			return settled, fmt.Errorf("mark the events of %s published: %w", e.CommandID, err)
		}
		settled++
	}
	return settled, nil
}

// relayItem is an outbox entry with the record of its command, if it was applied.
type relayItem struct {
	entry   outboxEntry
	op      Operation
	applied bool
}

// applied finds the record of an entry's command where Execute's deduplication does: the
// aggregate's last command, read first, then the operation record. A command in neither had not
// been applied when the aggregate was read: its writer ensures the record before overwriting
// `last`.
func (s *Store[S]) applied(ctx context.Context, e outboxEntry) (Operation, bool, error) {
	if e.AggregateID != "" {
		doc, err := s.load(ctx, e.AggregateID)
		switch {
		case errors.Is(err, mongox.ErrNotFound):
		case err != nil:
			return Operation{}, false, err
		default:
			if last := doc.last(); last != nil && last.ID == e.CommandID {
				return *last, true, nil
			}
		}
	}
	op, err := s.Operation(ctx, e.CommandID)
	switch {
	case errors.Is(err, mongox.ErrNotFound):
		return Operation{}, false, nil
	case err != nil:
		return Operation{}, false, err
	}
	return op, op.Outcome != DeadLettered, nil
}
