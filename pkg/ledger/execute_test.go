package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/pkg/localinfra/infratest"
)

var (
	mongoURI   string
	clientOnce sync.Once
	client     *mongo.Client
)

func TestMain(m *testing.M) { infratest.MainWithMongo(m, &mongoURI) }

// connect returns the package's client of the shared server, connected on first use.
func connect(t testing.TB) *mongo.Client {
	t.Helper()
	clientOnce.Do(func() {
		c, err := mongo.Connect(options.Client().ApplyURI(mongoURI))
		if err != nil {
			t.Fatal(err)
		}
		client = c
	})
	return client
}

type counter struct {
	N int `bson:"n"`
}

// newDB returns a database of its own for the test, dropped at its end.
func newDB(t *testing.T) *mongo.Database {
	t.Helper()
	db := connect(t).Database(fmt.Sprintf("ledger_%d_%d", time.Now().UnixNano()%1e9, dbSeq.Add(1)))
	t.Cleanup(func() { _ = db.Drop(context.Background()) })
	return db
}

var dbSeq atomic.Int64

// storeOn returns a store over db, as one process of a provider opens it.
func storeOn(t *testing.T, db *mongo.Database, opts ...ledger.Option) *ledger.Store[counter] {
	t.Helper()
	store, err := ledger.New[counter](ctx(t), db, "counters", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return store
}

func newStore(t *testing.T, opts ...ledger.Option) (*ledger.Store[counter], *mongo.Database) {
	t.Helper()
	db := newDB(t)
	return storeOn(t, db, opts...), db
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func event(t *testing.T, id string) consumer.Output {
	t.Helper()
	e := cloudevents.NewEvent()
	e.SetID(id)
	e.SetType("test.counter.changed")
	e.SetSource("/test")
	if err := e.SetData(cloudevents.ApplicationJSON, map[string]string{"id": id}); err != nil {
		t.Fatal(err)
	}
	return consumer.Output{Topic: "status", Event: e}
}

// increment is a decide function that counts its calls.
func increment(t *testing.T, calls *atomic.Int32, cmdID string) ledger.Decide[counter] {
	return func(_ context.Context, cur *counter, version int64) (ledger.Decision[counter], error) {
		calls.Add(1)
		next := counter{N: 1}
		if cur != nil {
			next.N = cur.N + 1
		}
		return ledger.Decision[counter]{New: &next, Outputs: []consumer.Output{event(t, ledger.EventID(cmdID, 0))}}, nil
	}
}

func TestExecuteAppliesOnceAndReplaysOutputs(t *testing.T) {
	store, _ := newStore(t)
	var calls atomic.Int32
	cmd := ledger.Command{ID: "cmd-1", Org: "masmovil", Operation: "inc", AggregateID: "masmovil/a"}
	first, err := store.Execute(ctx(t), cmd, increment(t, &calls, cmd.ID))
	if err != nil {
		t.Fatal(err)
	}
	again, err := store.Execute(ctx(t), cmd, increment(t, &calls, cmd.ID))
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 {
		t.Fatalf("decide ran %d times, want 1", calls.Load())
	}
	if len(first) != 1 || len(again) != 1 || first[0].Event.ID() != again[0].Event.ID() || again[0].Topic != "status" {
		t.Fatalf("replayed outputs differ: %v vs %v", first, again)
	}
	st, version, err := store.Get(ctx(t), "masmovil/a")
	if err != nil || st.N != 1 || version != 1 {
		t.Fatalf("state = %+v v%d (%v), want n=1 v1", st, version, err)
	}
	op, err := store.Operation(ctx(t), "cmd-1")
	if err != nil || op.Outcome != ledger.Completed || op.Version != 1 {
		t.Fatalf("operation = %+v (%v)", op, err)
	}
}

func TestExecuteRecordsFailureWithoutChangingState(t *testing.T) {
	store, _ := newStore(t)
	var calls atomic.Int32
	if _, err := store.Execute(ctx(t), ledger.Command{ID: "c1", Org: "o", AggregateID: "o/c"}, increment(t, &calls, "c1")); err != nil {
		t.Fatal(err)
	}
	fail := func(context.Context, *counter, int64) (ledger.Decision[counter], error) {
		return ledger.Decision[counter]{Failure: &ledger.Failure{Code: "NOPE", Title: "T", Details: "d"}, Outputs: []consumer.Output{event(t, "f")}}, nil
	}
	outs, err := store.Execute(ctx(t), ledger.Command{ID: "c2", Org: "o", AggregateID: "o/c"}, fail)
	if err != nil || len(outs) != 1 {
		t.Fatalf("outs %v err %v", outs, err)
	}
	op, err := store.Operation(ctx(t), "c2")
	if err != nil || op.Outcome != ledger.Failed || op.Failure == nil || op.Failure.Code != "NOPE" {
		t.Fatalf("operation = %+v (%v)", op, err)
	}
	if st, v, _ := store.Get(ctx(t), "o/c"); st.N != 1 || v != 1 {
		t.Fatalf("state changed by a failed command: %+v v%d", st, v)
	}
}

func TestExecuteDetectsConcurrentWriter(t *testing.T) {
	store, _ := newStore(t)
	var calls atomic.Int32
	if _, err := store.Execute(ctx(t), ledger.Command{ID: "c1", Org: "o", AggregateID: "o/d"}, increment(t, &calls, "c1")); err != nil {
		t.Fatal(err)
	}
	// Another writer (say, the owner of another partition) changes the aggregate while this
	// command's decide runs: this command's write must be refused, not lost or lose the other.
	racing := func(ctx context.Context, cur *counter, v int64) (ledger.Decision[counter], error) {
		if _, err := store.Execute(ctx, ledger.Command{ID: "other", Org: "o", AggregateID: "o/d"}, increment(t, &calls, "other")); err != nil {
			return ledger.Decision[counter]{}, err
		}
		next := counter{N: cur.N + 10}
		return ledger.Decision[counter]{New: &next}, nil
	}
	_, err := store.Execute(ctx(t), ledger.Command{ID: "c2", Org: "o", AggregateID: "o/d"}, racing)
	if !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
	if _, err := store.Operation(ctx(t), "c2"); err == nil {
		t.Fatal("a conflicting command was recorded as done")
	}
	if st, v, _ := store.Get(ctx(t), "o/d"); st.N != 2 || v != 2 {
		t.Fatalf("state = %+v v%d, want the other writer's n=2 v2", st, v)
	}
	// Retried, the command applies on top of the other writer's change.
	if _, err := store.Execute(ctx(t), ledger.Command{ID: "c2", Org: "o", AggregateID: "o/d"}, increment(t, &calls, "c2")); err != nil {
		t.Fatal(err)
	}
	if st, v, _ := store.Get(ctx(t), "o/d"); st.N != 3 || v != 3 {
		t.Fatalf("state = %+v v%d, want n=3 v3", st, v)
	}
}

func TestHistoryListsOperationsInOrder(t *testing.T) {
	store, _ := newStore(t)
	var calls atomic.Int32
	for i := range 3 {
		id := fmt.Sprintf("h%d", i)
		if _, err := store.Execute(ctx(t), ledger.Command{ID: id, Org: "o", Operation: "inc", AggregateID: "o/h"}, increment(t, &calls, id)); err != nil {
			t.Fatal(err)
		}
	}
	ops, err := store.History(ctx(t), "o/h", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 3 || ops[0].ID != "h0" || ops[2].ID != "h2" || ops[2].Version != 3 {
		t.Fatalf("history = %+v", ops)
	}
}

func TestExecuteRefusesAnIDReusedByAnotherOrg(t *testing.T) {
	store, _ := newStore(t)
	var calls atomic.Int32
	if _, err := store.Execute(ctx(t), ledger.Command{ID: "same", Org: "masmovil", AggregateID: "masmovil/x"}, increment(t, &calls, "same")); err != nil {
		t.Fatal(err)
	}
	outs, err := store.Execute(ctx(t), ledger.Command{ID: "same", Org: "yoigo", AggregateID: "yoigo/x"}, increment(t, &calls, "same"))
	if !consumer.IsPermanent(err) || outs != nil {
		t.Fatalf("outs %v err %v: want a permanent error and none of masmovil's events", outs, err)
	}
}

func TestADeadLetteredCommandRunsWhenReplayed(t *testing.T) {
	store, _ := newStore(t)
	var calls atomic.Int32
	cmd := ledger.Command{ID: "dl", Org: "o", Operation: "inc", AggregateID: "o/g"}
	if err := store.MarkDeadLettered(ctx(t), cmd, "partner unavailable"); err != nil {
		t.Fatal(err)
	}
	op, err := store.Operation(ctx(t), "dl")
	if err != nil || op.Outcome != ledger.DeadLettered || op.Failure == nil || op.Failure.Details != "partner unavailable" {
		t.Fatalf("mark = %+v (%v)", op, err)
	}
	if _, err := store.Execute(ctx(t), cmd, increment(t, &calls, "dl")); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 {
		t.Fatalf("decide ran %d times, want 1: the replay must run", calls.Load())
	}
	if op, _ := store.Operation(ctx(t), "dl"); op.Outcome != ledger.Completed {
		t.Fatalf("after the replay: %+v", op)
	}
	// A mark never overwrites an outcome.
	if err := store.MarkDeadLettered(ctx(t), cmd, "late"); err != nil {
		t.Fatal(err)
	}
	if op, _ := store.Operation(ctx(t), "dl"); op.Outcome != ledger.Completed {
		t.Fatalf("a late mark overwrote the outcome: %+v", op)
	}
}
