// Package ledgertest is the ledger for unit tests: Store keeps ledger.Store's contract in memory,
// and RunContract is that contract, run against both (write a behaviour once, test it twice).
package ledgertest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/pkg/mongox"
)

// Store is an in-memory ledger.Store: the same answers, deduplication, idempotency window,
// compare-and-set and outbox, with each command's writes made at once under a lock. States are
// kept as BSON round trips make them, as the real store keeps them (times to the millisecond),
// so a test cannot change a stored state through an alias; FindIDs filters them by their BSON
// field names.
type Store[S any] struct {
	mu      sync.Mutex
	docs    map[string]aggregate[S]
	ops     map[string]ledger.Operation
	history []ledger.Operation // records in the order written, earlier uses of an id included
	outbox  []string           // ids of relayed commands whose events are not yet published
	window  time.Duration
	now     func() time.Time
	relayed chan struct{}
	clone   func(S) S
}

type aggregate[S any] struct {
	version int64
	state   S
}

// Option tunes a Store.
type Option func(*settings)

type settings struct {
	window time.Duration
	now    func() time.Time
	clone  any
}

// WithClock makes the store read the time from now.
func WithClock(now func() time.Time) Option { return func(s *settings) { s.now = now } }

// WithClone keeps states as clone copies them instead of as BSON round trips do: exact where the
// real store is not (a time keeps its nanoseconds). clone must be a func(S) S for the store's S.
func WithClone[S any](clone func(S) S) Option { return func(s *settings) { s.clone = clone } }

// WithIdempotencyWindow is ledger.WithIdempotencyWindow.
func WithIdempotencyWindow(d time.Duration) Option { return func(s *settings) { s.window = d } }

// New returns an empty store.
func New[S any](opts ...Option) *Store[S] {
	cfg := settings{window: ledger.DefaultIdempotencyWindow, now: func() time.Time { return time.Now().UTC() }}
	for _, o := range opts {
		o(&cfg)
	}
	clone, ok := cfg.clone.(func(S) S)
	if cfg.clone != nil && !ok {
		panic(fmt.Sprintf("ledgertest: WithClone of %T for a store of %T", cfg.clone, *new(S)))
	}
	return &Store[S]{
		docs: map[string]aggregate[S]{}, ops: map[string]ledger.Operation{},
		window: cfg.window, now: cfg.now, relayed: make(chan struct{}, 1), clone: clone,
	}
}

// copyOf is the copy of a state the store keeps or hands out.
func (s *Store[S]) copyOf(st S) (S, error) {
	if s.clone != nil {
		return s.clone(st), nil
	}
	var c S
	raw, err := bson.Marshal(st)
	if err != nil {
		return c, fmt.Errorf("encode state: %w", err)
	}
	if err := bson.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("decode state: %w", err)
	}
	return c, nil
}

// Seed stores an aggregate at a version, as earlier commands would have.
func (s *Store[S]) Seed(id string, state S, version int64) error {
	kept, err := s.copyOf(state)
	if err != nil {
		return fmt.Errorf("seed %s: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[id] = aggregate[S]{version: version, state: kept}
	return nil
}

// Execute is ledger.Store.Execute.
func (s *Store[S]) Execute(ctx context.Context, cmd ledger.Command, decide ledger.Decide[S]) ([]consumer.Output, error) {
	return s.execute(ctx, cmd, decide, false)
}

// ExecuteRelayed is ledger.Store.ExecuteRelayed: RelayPending publishes the events.
func (s *Store[S]) ExecuteRelayed(ctx context.Context, cmd ledger.Command, decide ledger.Decide[S]) ([]consumer.Output, error) {
	return s.execute(ctx, cmd, decide, true)
}

func (s *Store[S]) execute(ctx context.Context, cmd ledger.Command, decide ledger.Decide[S], relayed bool) ([]consumer.Output, error) {
	s.mu.Lock()
	outs, done, err := s.answerLocked(cmd)
	if done || err != nil {
		s.mu.Unlock()
		return outs, err
	}
	var current *S
	var version int64
	if doc, ok := s.docs[cmd.AggregateID]; ok && cmd.AggregateID != "" {
		st, err := s.copyOf(doc.state)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		current, version = &st, doc.version
	}
	// decide runs unlocked: a command may execute others from it (the activation callback).
	s.mu.Unlock()

	d, err := decide(ctx, current, version)
	if err != nil {
		return nil, err
	}
	stored, err := ledger.EncodeOutputs(d.Outputs)
	if err != nil {
		return nil, err
	}
	var next S
	changes := d.Failure == nil && d.New != nil
	if changes {
		if cmd.AggregateID == "" {
			return nil, fmt.Errorf("command %s changes state but names no aggregate", cmd.ID)
		}
		if next, err = s.copyOf(*d.New); err != nil {
			return nil, err
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if outs, done, err := s.answerLocked(cmd); done || err != nil {
		return outs, err // a concurrent delivery recorded it first
	}
	op := ledger.Operation{
		ID: cmd.ID, Type: cmd.Type, Org: cmd.Org, Operation: cmd.Operation, AggregateID: cmd.AggregateID,
		Outcome: ledger.Completed, Failure: d.Failure, Version: version, CorrelationID: cmd.CorrelationID,
		WorkflowID: cmd.WorkflowID, Fingerprint: cmd.Fingerprint, At: s.now().Truncate(time.Millisecond), Outputs: stored,
	}
	if d.Failure != nil {
		op.Outcome = ledger.Failed
	}
	if changes {
		if s.docs[cmd.AggregateID].version != version {
			return nil, ledger.ErrConflict
		}
		op.Version = version + 1
		s.docs[cmd.AggregateID] = aggregate[S]{version: op.Version, state: next}
	}
	s.recordLocked(op)
	if relayed && len(stored) > 0 {
		s.outbox = append(s.outbox, cmd.ID)
		select {
		case s.relayed <- struct{}{}:
		default:
		}
	}
	return d.Outputs, nil
}

// answerLocked answers cmd from its record, as the real store does: done when it is a duplicate
// (with the stored events), an error when its id was used by another request within the window.
// A dead-letter mark, or a record older than the window, lets the command run.
func (s *Store[S]) answerLocked(cmd ledger.Command) ([]consumer.Output, bool, error) {
	op, ok := s.ops[cmd.ID]
	if !ok || op.Outcome == ledger.DeadLettered {
		return nil, false, nil
	}
	if !cmd.IssuedAt.IsZero() && cmd.IssuedAt.After(op.At.Add(s.window)) {
		return nil, false, nil
	}
	if op.Org != cmd.Org || op.Type != cmd.Type || op.AggregateID != cmd.AggregateID ||
		(op.Fingerprint != "" && cmd.Fingerprint != "" && op.Fingerprint != cmd.Fingerprint) {
		return nil, false, consumer.Permanent(fmt.Errorf("command %s: %w", cmd.ID, ledger.ErrIdempotencyKeyReused))
	}
	outs, err := ledger.DecodeOutputs(op.Outputs)
	return outs, true, err
}

// recordLocked writes op's record; a dead-letter mark it replaces leaves the history, an earlier
// use of the id stays in it.
func (s *Store[S]) recordLocked(op ledger.Operation) {
	if old, ok := s.ops[op.ID]; ok && old.Outcome == ledger.DeadLettered {
		s.history = slices.DeleteFunc(s.history, func(h ledger.Operation) bool { return h.ID == op.ID && h.Outcome == ledger.DeadLettered })
	}
	s.ops[op.ID] = op
	s.history = append(s.history, op)
}

// MarkDeadLettered is ledger.Store.MarkDeadLettered.
func (s *Store[S]) MarkDeadLettered(_ context.Context, cmd ledger.Command, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ops[cmd.ID]; ok {
		return nil
	}
	s.recordLocked(ledger.Operation{
		ID: cmd.ID, Type: cmd.Type, Org: cmd.Org, Operation: cmd.Operation, AggregateID: cmd.AggregateID,
		Outcome: ledger.DeadLettered, Failure: &ledger.Failure{Code: "DEAD_LETTERED", Title: "NOT_PROCESSED", Details: reason},
		CorrelationID: cmd.CorrelationID, WorkflowID: cmd.WorkflowID, Fingerprint: cmd.Fingerprint,
		At: s.now().Truncate(time.Millisecond),
	})
	return nil
}

// Get is ledger.Store.Get.
func (s *Store[S]) Get(_ context.Context, id string) (S, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	doc, ok := s.docs[id]
	if !ok {
		var zero S
		return zero, 0, mongox.ErrNotFound
	}
	st, err := s.copyOf(doc.state)
	return st, doc.version, err
}

// FindIDs is ledger.Store.FindIDs for equality on state fields ("state.<bson name>", dotted into
// subdocuments); any other filter is an error, so a query the fake cannot answer shows. The ids
// come back sorted.
func (s *Store[S]) FindIDs(_ context.Context, filter bson.D) ([]string, error) {
	type condition struct {
		path []string
		typ  bson.Type
		val  []byte
	}
	conds := make([]condition, 0, len(filter))
	for _, e := range filter {
		field, ok := strings.CutPrefix(e.Key, "state.")
		if !ok {
			return nil, fmt.Errorf("ledgertest: filter on %q: only state fields are supported", e.Key)
		}
		if _, isDoc := e.Value.(bson.D); isDoc {
			return nil, fmt.Errorf("ledgertest: filter on %q: only equality is supported", e.Key)
		}
		typ, val, err := bson.MarshalValue(e.Value)
		if err != nil {
			return nil, fmt.Errorf("ledgertest: filter on %q: %w", e.Key, err)
		}
		conds = append(conds, condition{strings.Split(field, "."), typ, val})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := []string{}
	for id, doc := range s.docs {
		raw, err := bson.Marshal(doc.state)
		docRaw := bson.Raw(raw)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", id, err)
		}
		match := true
		for _, c := range conds {
			v, err := docRaw.LookupErr(c.path...)
			match = match && err == nil && v.Type == c.typ && bytes.Equal(v.Value, c.val)
		}
		if match {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// Operation is ledger.Store.Operation.
func (s *Store[S]) Operation(_ context.Context, commandID string) (ledger.Operation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	op, ok := s.ops[commandID]
	if !ok {
		return ledger.Operation{}, mongox.ErrNotFound
	}
	return op, nil
}

// History is ledger.Store.History.
func (s *Store[S]) History(_ context.Context, aggregateID string, limit int64) ([]ledger.Operation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ops []ledger.Operation
	for _, op := range s.history {
		if op.AggregateID == aggregateID {
			ops = append(ops, op)
		}
	}
	sort.SliceStable(ops, func(i, j int) bool {
		if !ops[i].At.Equal(ops[j].At) {
			return ops[i].At.Before(ops[j].At)
		}
		return ops[i].Version < ops[j].Version
	})
	if int64(len(ops)) > limit {
		ops = ops[:limit]
	}
	return ops, nil
}

// RelayPending is ledger.Store.RelayPending.
func (s *Store[S]) RelayPending(ctx context.Context, publish func(context.Context, []consumer.Output) error) (int, error) {
	s.mu.Lock()
	pending := slices.Clone(s.outbox)
	s.mu.Unlock()
	for i, id := range pending {
		op, err := s.Operation(ctx, id)
		if err != nil {
			return i, fmt.Errorf("relay %s: %w", id, err)
		}
		outs, err := ledger.DecodeOutputs(op.Outputs)
		if err != nil {
			return i, err
		}
		if err := publish(ctx, outs); err != nil {
			return i, fmt.Errorf("publish the events of %s: %w", id, err)
		}
		s.mu.Lock()
		if at := slices.Index(s.outbox, id); at >= 0 {
			s.outbox = slices.Delete(s.outbox, at, at+1)
		}
		s.mu.Unlock()
	}
	return len(pending), nil
}

// Relayed is ledger.Store.Relayed.
func (s *Store[S]) Relayed() <-chan struct{} { return s.relayed }
