package ledgertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/pkg/mongox"
)

// Ledger is what the contract exercises: *ledger.Store and *Store implement it.
type Ledger[S any] interface {
	Execute(ctx context.Context, cmd ledger.Command, decide ledger.Decide[S]) ([]consumer.Output, error)
	ExecuteRelayed(ctx context.Context, cmd ledger.Command, decide ledger.Decide[S]) ([]consumer.Output, error)
	RelayPending(ctx context.Context, publish func(context.Context, []consumer.Output) error) (int, error)
	Relayed() <-chan struct{}
	Get(ctx context.Context, id string) (S, int64, error)
	FindIDs(ctx context.Context, filter bson.D) ([]string, error)
	Operation(ctx context.Context, commandID string) (ledger.Operation, error)
	History(ctx context.Context, aggregateID string, limit int64) ([]ledger.Operation, error)
	MarkDeadLettered(ctx context.Context, cmd ledger.Command, reason string) error
}

// Item is the aggregate state the contract uses.
type Item struct {
	Owner string `bson:"owner"`
	N     int    `bson:"n"`
}

// Factory returns an empty ledger of items that reads the time from now, with the default
// idempotency window (ledger.DefaultIdempotencyWindow).
type Factory func(t *testing.T, now func() time.Time) Ledger[Item]

// RunContract runs the ledger's contract against the ledgers newLedger returns.
func RunContract(t *testing.T, newLedger Factory) {
	for _, c := range contract {
		t.Run(c.name, func(t *testing.T) {
			clk := &clock{}
			clk.ns.Store(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC).UnixNano())
			c.run(t, newLedger(t, clk.now), clk)
		})
	}
}

type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

var contract = []struct {
	name string
	run  func(t *testing.T, l Ledger[Item], clk *clock)
}{
	{"aCommandTakesEffectOnceAndReplaysItsEvents", func(t *testing.T, l Ledger[Item], _ *clock) {
		var calls atomic.Int32
		cmd := ledger.Command{ID: "c1", Type: "add", Org: "o", Operation: "add", AggregateID: "o/a",
			CorrelationID: "corr", WorkflowID: "wf", Fingerprint: "f1"}
		first := execute(t, l, cmd, add(t, "alice", &calls))
		again := execute(t, l, cmd, add(t, "alice", &calls))
		if calls.Load() != 1 || ids(first) != ids(again) || again[0].Topic != "status" {
			t.Fatalf("decided %d times; answers %s and %s", calls.Load(), ids(first), ids(again))
		}
		wantItem(t, l, "o/a", 1, 1)
		op := operation(t, l, "c1")
		if op.Outcome != ledger.Completed || op.Version != 1 || op.Org != "o" || op.Operation != "add" || op.AggregateID != "o/a" ||
			op.CorrelationID != "corr" || op.WorkflowID != "wf" || op.Fingerprint != "f1" || op.At.IsZero() {
			t.Fatalf("record = %+v", op)
		}
	}},
	{"aFailureIsRecordedWithoutChangingState", func(t *testing.T, l Ledger[Item], _ *clock) {
		var calls atomic.Int32
		execute(t, l, ledger.Command{ID: "c1", Org: "o", AggregateID: "o/a"}, add(t, "alice", &calls))
		outs := execute(t, l, ledger.Command{ID: "c2", Org: "o", AggregateID: "o/a"}, fail(t, &calls))
		again := execute(t, l, ledger.Command{ID: "c2", Org: "o", AggregateID: "o/a"}, fail(t, &calls))
		if calls.Load() != 2 || ids(outs) != ids(again) {
			t.Fatalf("decided %d times; answers %s and %s", calls.Load(), ids(outs), ids(again))
		}
		op := operation(t, l, "c2")
		if op.Outcome != ledger.Failed || op.Failure == nil || op.Failure.Code != "NOPE" || op.Version != 1 {
			t.Fatalf("record = %+v", op)
		}
		wantItem(t, l, "o/a", 1, 1)
	}},
	{"aCommandThatChangesNothingIsCompletedWithoutAWrite", func(t *testing.T, l Ledger[Item], _ *clock) {
		var calls atomic.Int32
		execute(t, l, ledger.Command{ID: "c1", Org: "o", AggregateID: "o/a"}, add(t, "alice", &calls))
		execute(t, l, ledger.Command{ID: "c2", Org: "o", AggregateID: "o/a"}, func(context.Context, *Item, int64) (ledger.Decision[Item], error) {
			return ledger.Decision[Item]{}, nil
		})
		if op := operation(t, l, "c2"); op.Outcome != ledger.Completed || op.Version != 1 {
			t.Fatalf("record = %+v", op)
		}
		wantItem(t, l, "o/a", 1, 1)
	}},
	{"anErrorFromDecideRecordsNothing", func(t *testing.T, l Ledger[Item], _ *clock) {
		boom := errors.New("partner down")
		_, err := l.Execute(ctx(t), ledger.Command{ID: "c1", Org: "o", AggregateID: "o/a"}, func(context.Context, *Item, int64) (ledger.Decision[Item], error) {
			return ledger.Decision[Item]{}, boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want the decide error", err)
		}
		if _, err := l.Operation(ctx(t), "c1"); !errors.Is(err, mongox.ErrNotFound) {
			t.Fatalf("record: %v, want none", err)
		}
		var calls atomic.Int32
		execute(t, l, ledger.Command{ID: "c1", Org: "o", AggregateID: "o/a"}, add(t, "alice", &calls))
		wantItem(t, l, "o/a", 1, 1)
	}},
	{"aConcurrentWriterMakesTheWriteConflict", func(t *testing.T, l Ledger[Item], _ *clock) {
		var calls atomic.Int32
		execute(t, l, ledger.Command{ID: "c1", Org: "o", AggregateID: "o/a"}, add(t, "alice", &calls))
		racing := func(ctx context.Context, cur *Item, _ int64) (ledger.Decision[Item], error) {
			if _, err := l.Execute(ctx, ledger.Command{ID: "other", Org: "o", AggregateID: "o/a"}, add(t, "alice", &calls)); err != nil {
				return ledger.Decision[Item]{}, err
			}
			next := Item{Owner: cur.Owner, N: cur.N + 10}
			return ledger.Decision[Item]{New: &next}, nil
		}
		if _, err := l.Execute(ctx(t), ledger.Command{ID: "c2", Org: "o", AggregateID: "o/a"}, racing); !errors.Is(err, ledger.ErrConflict) {
			t.Fatalf("err = %v, want ErrConflict", err)
		}
		if _, err := l.Operation(ctx(t), "c2"); !errors.Is(err, mongox.ErrNotFound) {
			t.Fatal("a conflicting command was recorded")
		}
		wantItem(t, l, "o/a", 2, 2)
		execute(t, l, ledger.Command{ID: "c2", Org: "o", AggregateID: "o/a"}, add(t, "alice", &calls))
		wantItem(t, l, "o/a", 3, 3)
	}},
	{"aStateChangeWithoutAnAggregateIsRefused", func(t *testing.T, l Ledger[Item], _ *clock) {
		var calls atomic.Int32
		if _, err := l.Execute(ctx(t), ledger.Command{ID: "c1", Org: "o"}, add(t, "alice", &calls)); err == nil {
			t.Fatal("a state change without an aggregate was accepted")
		}
	}},
	{"anIDReusedByAnotherRequestIsRefusedForGood", func(t *testing.T, l Ledger[Item], clk *clock) {
		var calls atomic.Int32
		cmd := ledger.Command{ID: "k", Type: "add", Org: "o", AggregateID: "o/a", Fingerprint: "f1", IssuedAt: clk.now()}
		execute(t, l, cmd, add(t, "alice", &calls))
		for _, other := range []ledger.Command{
			{ID: "k", Type: "add", Org: "p", AggregateID: "p/a", Fingerprint: "f1"},
			{ID: "k", Type: "add", Org: "o", AggregateID: "o/b", Fingerprint: "f1"},
			{ID: "k", Type: "remove", Org: "o", AggregateID: "o/a", Fingerprint: "f1"},
			{ID: "k", Type: "add", Org: "o", AggregateID: "o/a", Fingerprint: "f2", IssuedAt: clk.now().Add(time.Hour)},
		} {
			outs, err := l.Execute(ctx(t), other, add(t, "alice", &calls))
			if !errors.Is(err, ledger.ErrIdempotencyKeyReused) || !consumer.IsPermanent(err) || outs != nil {
				t.Fatalf("%+v: outs %v err %v, want a permanent ErrIdempotencyKeyReused", other, outs, err)
			}
		}
		if calls.Load() != 1 {
			t.Fatalf("decided %d times", calls.Load())
		}
	}},
	{"anIDAfterTheWindowIsANewCommand", func(t *testing.T, l Ledger[Item], clk *clock) {
		var calls atomic.Int32
		cmd := ledger.Command{ID: "k", Type: "add", Org: "o", AggregateID: "o/a", Fingerprint: "f1", IssuedAt: clk.now()}
		execute(t, l, cmd, add(t, "alice", &calls))
		firstAt := clk.now()
		clk.advance(ledger.DefaultIdempotencyWindow + time.Hour)
		// Late, but issued within the window: a redelivery.
		execute(t, l, cmd, add(t, "alice", &calls))
		reused := cmd
		reused.IssuedAt, reused.Fingerprint = clk.now(), "f2"
		execute(t, l, reused, add(t, "alice", &calls))
		execute(t, l, reused, add(t, "alice", &calls))
		if calls.Load() != 2 {
			t.Fatalf("decided %d times, want 2", calls.Load())
		}
		wantItem(t, l, "o/a", 2, 2)
		if op := operation(t, l, "k"); op.Fingerprint != "f2" || !op.At.Equal(clk.now()) {
			t.Fatalf("record = %+v, want the new use's", op)
		}
		h := history(t, l, "o/a")
		if len(h) != 2 || h[0].ID != "k" || h[1].ID != "k" || !h[0].At.Equal(firstAt) || h[1].Fingerprint != "f2" {
			t.Fatalf("history = %+v, want both uses of k", h)
		}
	}},
	{"aDeadLetteredCommandRunsWhenReplayed", func(t *testing.T, l Ledger[Item], _ *clock) {
		cmd := ledger.Command{ID: "dl", Org: "o", Operation: "add", AggregateID: "o/a"}
		if err := l.MarkDeadLettered(ctx(t), cmd, "partner unavailable"); err != nil {
			t.Fatal(err)
		}
		if op := operation(t, l, "dl"); op.Outcome != ledger.DeadLettered || op.Failure == nil || op.Failure.Code != "DEAD_LETTERED" || op.Failure.Details != "partner unavailable" {
			t.Fatalf("mark = %+v", op)
		}
		var calls atomic.Int32
		execute(t, l, cmd, add(t, "alice", &calls))
		if calls.Load() != 1 || operation(t, l, "dl").Outcome != ledger.Completed {
			t.Fatalf("decided %d times, record %+v", calls.Load(), operation(t, l, "dl"))
		}
		if err := l.MarkDeadLettered(ctx(t), cmd, "late"); err != nil {
			t.Fatal(err)
		}
		if op := operation(t, l, "dl"); op.Outcome != ledger.Completed {
			t.Fatalf("a late mark overwrote the outcome: %+v", op)
		}
		if h := history(t, l, "o/a"); len(h) != 1 || h[0].Outcome != ledger.Completed {
			t.Fatalf("history = %+v, want the completed command alone", h)
		}
	}},
	{"unknownThingsAreNotFound", func(t *testing.T, l Ledger[Item], _ *clock) {
		if _, _, err := l.Get(ctx(t), "o/none"); !errors.Is(err, mongox.ErrNotFound) {
			t.Errorf("Get: %v", err)
		}
		if _, err := l.Operation(ctx(t), "none"); !errors.Is(err, mongox.ErrNotFound) {
			t.Errorf("Operation: %v", err)
		}
		if h := history(t, l, "o/none"); len(h) != 0 {
			t.Errorf("History: %+v", h)
		}
	}},
	{"findIDsMatchesStateFields", func(t *testing.T, l Ledger[Item], _ *clock) {
		var calls atomic.Int32
		for i, owner := range []string{"alice", "bob", "alice"} {
			id := fmt.Sprintf("o/%d", i)
			execute(t, l, ledger.Command{ID: "c" + id, Org: "o", AggregateID: id}, add(t, owner, &calls))
		}
		got, err := l.FindIDs(ctx(t), bson.D{{Key: "state.owner", Value: "alice"}})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if !slices.Equal(got, []string{"o/0", "o/2"}) {
			t.Fatalf("ids = %v", got)
		}
		got, err = l.FindIDs(ctx(t), bson.D{{Key: "state.owner", Value: "alice"}, {Key: "state.n", Value: 2}})
		if err != nil || len(got) != 0 {
			t.Fatalf("ids = %v (%v), want none", got, err)
		}
	}},
	{"historyListsOperationsInOrder", func(t *testing.T, l Ledger[Item], clk *clock) {
		var calls atomic.Int32
		for i := range 3 {
			execute(t, l, ledger.Command{ID: fmt.Sprintf("h%d", i), Org: "o", AggregateID: "o/a"}, add(t, "alice", &calls))
			clk.advance(time.Second)
		}
		execute(t, l, ledger.Command{ID: "h3", Org: "o", AggregateID: "o/a"}, fail(t, &calls))
		h := history(t, l, "o/a")
		if len(h) != 4 || h[0].ID != "h0" || h[2].ID != "h2" || h[2].Version != 3 || h[3].Outcome != ledger.Failed {
			t.Fatalf("history = %+v", h)
		}
		if h, _ := l.History(ctx(t), "o/a", 2); len(h) != 2 || h[1].ID != "h1" {
			t.Fatalf("limited history = %+v", h)
		}
	}},
	{"theEventsOfARelayedCommandArePublishedOnce", func(t *testing.T, l Ledger[Item], _ *clock) {
		var calls atomic.Int32
		cmd := ledger.Command{ID: "r1", Org: "o", AggregateID: "o/a"}
		execute(t, l, ledger.Command{ID: "plain", Org: "o", AggregateID: "o/b"}, add(t, "alice", &calls))
		first, err := l.ExecuteRelayed(ctx(t), cmd, add(t, "alice", &calls))
		if err != nil {
			t.Fatal(err)
		}
		second, err := l.ExecuteRelayed(ctx(t), ledger.Command{ID: "r2", Org: "o", AggregateID: "o/a"}, fail(t, &calls))
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-l.Relayed():
		default:
			t.Fatal("the relay was not signalled")
		}
		var pub publications
		for range 2 {
			if _, err := l.RelayPending(ctx(t), pub.publish); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := pub.got(), []string{first[0].Event.ID(), second[0].Event.ID()}; !slices.Equal(got, want) {
			t.Fatalf("published %v, want %v", got, want)
		}
	}},
}

// publications records what a relay published.
type publications struct {
	mu  sync.Mutex
	ids []string
}

func (p *publications) publish(_ context.Context, outs []consumer.Output) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, o := range outs {
		p.ids = append(p.ids, o.Event.ID())
	}
	return nil
}

func (p *publications) got() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.ids)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// event is a status event named after the decide call that made it, so two answers tell who
// decided them.
func event(t *testing.T, by string, data any) consumer.Output {
	t.Helper()
	e := cloudevents.NewEvent()
	e.SetID(by)
	e.SetType("test.item.status")
	e.SetSource("/test")
	if err := e.SetData(cloudevents.ApplicationJSON, data); err != nil {
		t.Fatal(err)
	}
	return consumer.Output{Topic: "status", Event: e}
}

// add is a decide function that adds one to an item owned by owner, counting its calls.
func add(t *testing.T, owner string, calls *atomic.Int32) ledger.Decide[Item] {
	return func(ctx context.Context, cur *Item, _ int64) (ledger.Decision[Item], error) {
		n := calls.Add(1)
		next := Item{Owner: owner, N: 1}
		if cur != nil {
			next.N = cur.N + 1
		}
		return ledger.Decision[Item]{New: &next, Outputs: []consumer.Output{event(t, fmt.Sprintf("call-%d", n), next)}}, nil
	}
}

// fail is a decide function that fails the command, with a failure event.
func fail(t *testing.T, calls *atomic.Int32) ledger.Decide[Item] {
	return func(context.Context, *Item, int64) (ledger.Decision[Item], error) {
		n := calls.Add(1)
		return ledger.Decision[Item]{
			Failure: &ledger.Failure{Code: "NOPE", Title: "T", Details: "d"},
			Outputs: []consumer.Output{event(t, fmt.Sprintf("call-%d", n), map[string]string{"failed": "yes"})},
		}, nil
	}
}

func execute(t *testing.T, l Ledger[Item], cmd ledger.Command, decide ledger.Decide[Item]) []consumer.Output {
	t.Helper()
	outs, err := l.Execute(ctx(t), cmd, decide)
	if err != nil {
		t.Fatalf("execute %s: %v", cmd.ID, err)
	}
	return outs
}

func ids(outs []consumer.Output) string {
	s := ""
	for _, o := range outs {
		s += o.Event.ID() + " "
	}
	return s
}

func operation(t *testing.T, l Ledger[Item], id string) ledger.Operation {
	t.Helper()
	op, err := l.Operation(ctx(t), id)
	if err != nil {
		t.Fatalf("record of %s: %v", id, err)
	}
	return op
}

func history(t *testing.T, l Ledger[Item], aggregateID string) []ledger.Operation {
	t.Helper()
	h, err := l.History(ctx(t), aggregateID, 100)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func wantItem(t *testing.T, l Ledger[Item], id string, n int, version int64) {
	t.Helper()
	it, v, err := l.Get(ctx(t), id)
	if err != nil || it.N != n || v != version {
		t.Fatalf("%s = %+v v%d (%v), want n=%d v%d", id, it, v, err, n, version)
	}
}
