package ledger_test

// The outbox relay, on the embedded store: the events of a relayed command are published at
// least once, with their ids, whatever the process dies between.

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
)

// published records what a relay published, in order.
type published struct {
	mu  sync.Mutex
	ids []string
	err error // returned by publish when set
}

func (p *published) publish(_ context.Context, outs []consumer.Output) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	for _, o := range outs {
		p.ids = append(p.ids, o.Event.ID())
	}
	return nil
}

func (p *published) got() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.ids)
}

func relay(t *testing.T, store *ledger.Store[counter], p *published) int {
	t.Helper()
	n, err := store.RelayPending(ctx(t), p.publish)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func outboxLen(t *testing.T, db *mongo.Database) int64 {
	t.Helper()
	n, err := db.Collection("counters_outbox").CountDocuments(ctx(t), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func wantPublished(t *testing.T, p *published, ids ...string) {
	t.Helper()
	if got := p.got(); !slices.Equal(got, ids) {
		t.Fatalf("published %v, want %v", got, ids)
	}
}

func startRelayed(store *ledger.Store[counter], cmd ledger.Command, decide ledger.Decide[counter]) *execution {
	e := &execution{done: make(chan struct{})}
	go func() {
		defer close(e.done)
		e.crashed = true
		e.outs, e.err = store.ExecuteRelayed(context.Background(), cmd, decide)
		e.crashed = false
	}()
	return e
}

func TestARelayedCommandsEventsArePublishedOnce(t *testing.T) {
	store, db := newStore(t)
	var calls atomic.Int32
	cmd := ledger.Command{ID: "r1", Org: "o", Operation: "inc", AggregateID: "o/r"}
	outs, err := store.ExecuteRelayed(ctx(t), cmd, increment(t, &calls, cmd.ID))
	if err != nil || len(outs) != 1 {
		t.Fatalf("outs %v err %v", outs, err)
	}
	select {
	case <-store.Relayed():
	default:
		t.Fatal("the relay was not signalled")
	}
	var p published
	if n := relay(t, store, &p); n != 1 {
		t.Fatalf("settled %d entries, want 1", n)
	}
	wantPublished(t, &p, ledger.EventID(cmd.ID, 0))
	if n := relay(t, store, &p); n != 0 || outboxLen(t, db) != 0 {
		t.Fatalf("a second pass settled %d, outbox %d: want nothing left", n, outboxLen(t, db))
	}
	wantPublished(t, &p, ledger.EventID(cmd.ID, 0))

	// A redelivery of the same command answers from the ledger and relays nothing more.
	if _, err := store.ExecuteRelayed(ctx(t), cmd, increment(t, &calls, cmd.ID)); err != nil {
		t.Fatal(err)
	}
	if relay(t, store, &p); calls.Load() != 1 || outboxLen(t, db) != 0 {
		t.Fatalf("decided %d times, outbox %d", calls.Load(), outboxLen(t, db))
	}
	wantPublished(t, &p, ledger.EventID(cmd.ID, 0))
}

func TestARelayedFailurePublishesItsEvents(t *testing.T) {
	store, _ := newStore(t)
	fail := func(context.Context, *counter, int64) (ledger.Decision[counter], error) {
		return ledger.Decision[counter]{Failure: &ledger.Failure{Code: "NOPE", Title: "T", Details: "d"}, Outputs: []consumer.Output{event(t, "failed-event")}}, nil
	}
	if _, err := store.ExecuteRelayed(ctx(t), ledger.Command{ID: "f1", Org: "o", AggregateID: "o/f"}, fail); err != nil {
		t.Fatal(err)
	}
	var p published
	relay(t, store, &p)
	wantPublished(t, &p, "failed-event")
}

// The process dies after writing the aggregate, before the operation record: the events are in
// the aggregate's last command, and the next process's relay publishes them.
func TestTheRelayPublishesAfterACrashBetweenWriteAndRecord(t *testing.T) {
	store, db := newStore(t)
	var calls atomic.Int32
	cmd := ledger.Command{ID: "r1", Org: "o", AggregateID: "o/r"}
	p := pauseAt(t, store, cmd.ID, ledger.StepWritten, crash)
	e := startRelayed(store, cmd, increment(t, &calls, cmd.ID))
	p.until(t, e)
	p.resume()
	if e.wait(t); !e.crashed {
		t.Fatal("the writer did not crash")
	}
	if _, err := store.Operation(ctx(t), cmd.ID); err == nil {
		t.Fatal("the record exists: the crash came too late")
	}
	next := storeOn(t, db)
	var pub published
	if n := relay(t, next, &pub); n != 1 {
		t.Fatalf("settled %d, want 1", n)
	}
	wantPublished(t, &pub, ledger.EventID(cmd.ID, 0))
}

// The relay dies between publishing and marking published: the next pass publishes the same
// events again, with the same ids.
func TestACrashBetweenPublishingAndMarkingRepublishes(t *testing.T) {
	store, db := newStore(t)
	var calls atomic.Int32
	cmd := ledger.Command{ID: "r1", Org: "o", AggregateID: "o/r"}
	if _, err := store.ExecuteRelayed(ctx(t), cmd, increment(t, &calls, cmd.ID)); err != nil {
		t.Fatal(err)
	}
	var pub published
	pauseAt(t, store, cmd.ID, ledger.StepPublished, crash).resume()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = store.RelayPending(context.Background(), pub.publish)
	}()
	select {
	case <-done:
	case <-time.After(waitLimit):
		t.Fatal("the relay did not end")
	}
	wantPublished(t, &pub, ledger.EventID(cmd.ID, 0))
	if outboxLen(t, db) != 1 {
		t.Fatal("the entry was marked published: the crash came too late")
	}

	next := storeOn(t, db)
	if n := relay(t, next, &pub); n != 1 {
		t.Fatalf("settled %d, want 1", n)
	}
	wantPublished(t, &pub, ledger.EventID(cmd.ID, 0), ledger.EventID(cmd.ID, 0))
	if relay(t, next, &pub); outboxLen(t, db) != 0 || len(pub.got()) != 2 {
		t.Fatalf("outbox %d, published %v: want it settled", outboxLen(t, db), pub.got())
	}
}

// A writer dies before its write: its entry names a command that was not applied. The relay
// keeps it while the writer could still write, then drops it without publishing.
func TestAnEntryOfAWriterThatDiedBeforeWritingIsDropped(t *testing.T) {
	store, db := newStore(t)
	clk := newClock()
	ledger.SetClock(store, clk.now)
	var calls atomic.Int32
	cmd := ledger.Command{ID: "r1", Org: "o", AggregateID: "o/r"}
	p := pauseAt(t, store, cmd.ID, ledger.StepWrite, crash)
	e := startRelayed(store, cmd, increment(t, &calls, cmd.ID))
	p.until(t, e)
	p.resume()
	e.wait(t)

	var pub published
	if n := relay(t, store, &pub); n != 0 || outboxLen(t, db) != 1 {
		t.Fatalf("settled %d, outbox %d: the entry must stay while its writer may write", n, outboxLen(t, db))
	}
	clk.advance(ledger.DefaultHandlerTimeout + time.Minute) // past the claim release age
	if n := relay(t, store, &pub); n != 1 || outboxLen(t, db) != 0 {
		t.Fatalf("settled %d, outbox %d: want the entry dropped", n, outboxLen(t, db))
	}
	wantPublished(t, &pub)
}

func TestAConflictingRelayedWriteLeavesNoEntry(t *testing.T) {
	store, db := newStore(t)
	var calls atomic.Int32
	if _, err := store.Execute(ctx(t), ledger.Command{ID: "c1", Org: "o", AggregateID: "o/d"}, increment(t, &calls, "c1")); err != nil {
		t.Fatal(err)
	}
	racing := func(ctx context.Context, cur *counter, _ int64) (ledger.Decision[counter], error) {
		if _, err := store.Execute(ctx, ledger.Command{ID: "other", Org: "o", AggregateID: "o/d"}, increment(t, &calls, "other")); err != nil {
			return ledger.Decision[counter]{}, err
		}
		next := counter{N: cur.N + 10}
		return ledger.Decision[counter]{New: &next, Outputs: []consumer.Output{event(t, "lost")}}, nil
	}
	if _, err := store.ExecuteRelayed(ctx(t), ledger.Command{ID: "c2", Org: "o", AggregateID: "o/d"}, racing); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
	if outboxLen(t, db) != 0 {
		t.Fatal("the conflicting attempt left its entry")
	}
}

// A publish that fails leaves the entry for the next pass.
func TestAFailedPublishIsRetriedByTheNextPass(t *testing.T) {
	store, db := newStore(t)
	var calls atomic.Int32
	cmd := ledger.Command{ID: "r1", Org: "o", AggregateID: "o/r"}
	if _, err := store.ExecuteRelayed(ctx(t), cmd, increment(t, &calls, cmd.ID)); err != nil {
		t.Fatal(err)
	}
	pub := published{err: errors.New("broker down")}
	if _, err := store.RelayPending(ctx(t), pub.publish); err == nil || outboxLen(t, db) != 1 {
		t.Fatalf("err %v, outbox %d: want the error and the entry kept", err, outboxLen(t, db))
	}
	pub.err = nil
	relay(t, store, &pub)
	wantPublished(t, &pub, ledger.EventID(cmd.ID, 0))
}

// Relayed commands on one aggregate written within one millisecond are published in the order
// of their versions.
func TestOneAggregatesEventsAreRelayedInVersionOrder(t *testing.T) {
	store, _ := newStore(t)
	clk := newClock()
	ledger.SetClock(store, clk.now) // frozen: every entry has the same time
	var calls atomic.Int32
	var want []string
	for _, id := range []string{"r6", "r5", "r4", "r3", "r2", "r1"} { // against the order of their ids
		cmd := ledger.Command{ID: id, Org: "o", AggregateID: "o/r"}
		if _, err := store.ExecuteRelayed(ctx(t), cmd, increment(t, &calls, id)); err != nil {
			t.Fatal(err)
		}
		want = append(want, ledger.EventID(id, 0))
	}
	var pub published
	relay(t, store, &pub)
	wantPublished(t, &pub, want...)
}
