package consumer_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"provision.local/pkg/consumer"
	"provision.local/pkg/localinfra/infratest"
)

// handledBy records which member finished which record.
type handledBy struct {
	mu  sync.Mutex
	ids map[string][]string // event id → members, in order
}

func (h *handledBy) add(member, id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ids == nil {
		h.ids = map[string][]string{}
	}
	h.ids[id] = append(h.ids[id], member)
}

func (h *handledBy) members(id string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.ids[id]...)
}

func (h *handledBy) count(member string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, ms := range h.ids {
		for _, m := range ms {
			if m == member {
				n++
			}
		}
	}
	return n
}

func (h *handledBy) missing(want []string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, id := range want {
		if len(h.ids[id]) == 0 {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// receive waits for a value on ch until the test's deadline.
func receive[T any](t *testing.T, ch <-chan T, within time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(within):
		t.Fatalf("timed out after %s waiting for %s", within, what)
		panic("unreachable")
	}
}

// TestPartitionMovesMidHandler: member A is in the middle of a record of partition P when
// member B joins the group. The generation A got P from ends: A's handler sees its context
// cancelled, and although it then reports success (its effect landed just as the work was
// cancelled), A commits nothing for the record. What A had finished is committed, by its
// commit interval or, at the latest, through the ending generation. B, once it owns P, starts at
// the record A held and handles it, and every record of the topic is handled with none skipped.
func TestPartitionMovesMidHandler(t *testing.T) {
	tests := []struct {
		name string
		// commitsAtEnd: A's interval and batch are never reached, so only the generation's end
		// commits what A finished.
		commitsAtEnd bool
	}{
		{"finished records committed by the interval", false},
		{"finished records committed as the generation ends", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { testPartitionMovesMidHandler(t, tc.commitsAtEnd) })
	}
}

func testPartitionMovesMidHandler(t *testing.T, commitsAtEnd bool) {
	const (
		partitions   = 4
		perPartition = 3
		p            = 0 // the partition A is stuck on
		stuck        = 1 // the offset A is stuck on; the records before it A finishes
	)
	e := newEnv(t, partitions)
	keys := keysOnPartitions(partitions)
	var batch []cloudevents.Event
	var all []string
	finisher := map[string]string{} // who finishes each record, once
	for i := range perPartition {
		for q, k := range keys {
			id := fmt.Sprintf("p%d-%d", q, i) // record i of partition q, at offset i
			batch = append(batch, ev(id, k))
			all = append(all, id)
			finisher[id] = "A"
			if q == p && i >= stuck {
				finisher[id] = "B"
			}
		}
	}
	e.produce(batch...)

	var handled handledBy
	aHolds := make(chan struct{}, 8)
	aCancelled := make(chan error, 8)
	memberA := func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		if msg.Record.Partition == p && msg.Record.Offset >= stuck {
			// A never finishes these: it holds them until its work is cancelled.
			aHolds <- struct{}{}
			<-ctx.Done()
			aCancelled <- ctx.Err()
			return nil, nil
		}
		handled.add("A", msg.Event.ID())
		return nil, nil
	}
	type firstOnP struct {
		offset    int64
		committed int64
		err       error
	}
	bFirstOnP := make(chan firstOnP, 1)
	var bOnce sync.Once
	memberB := func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		if msg.Record.Partition == p {
			bOnce.Do(func() {
				c, err := e.fetchCommitted()
				bFirstOnP <- firstOnP{offset: msg.Record.Offset, committed: c[p], err: err}
			})
		}
		handled.add("B", msg.Event.ID())
		return nil, nil
	}

	// A alone owns every partition. It finishes all but P's records from offset 1 on.
	runA := e.start(memberA, nil, func(c *consumer.Config) {
		c.HandlerTimeout = 5 * time.Minute // only the generation's end may cut the hold short
		c.DrainTimeout = 200 * time.Millisecond
		if commitsAtEnd {
			c.CommitInterval, c.CommitBatch = time.Hour, 1000
		}
	})
	receive(t, aHolds, 30*time.Second, "A to hold P's record")
	finished := (partitions-1)*perPartition + stuck
	infratest.Eventually(t, 30*time.Second, "A to finish the other records", func() bool {
		return handled.count("A") == finished
	})
	if commitsAtEnd {
		for q, off := range e.committed() {
			if off >= 0 {
				t.Fatalf("partition %d committed %d before the generation ended", q, off)
			}
		}
	} else {
		infratest.Eventually(t, 30*time.Second, "A's commits", func() bool {
			c := e.committed()
			for q := range partitions {
				if q != p && c[q] != perPartition {
					return false
				}
			}
			return c[p] == stuck
		})
	}
	select {
	case err := <-aCancelled:
		t.Fatalf("A's handler was cancelled (%v) before anyone joined", err)
	default:
	}

	// B joins: the generation ends, and with it A's hold on P.
	runB := e.start(memberB, nil)
	if err := receive(t, aCancelled, 30*time.Second, "A's handler to be cancelled"); !errors.Is(err, context.Canceled) {
		t.Fatalf("A's handler context ended with %v, want cancellation by the generation's end", err)
	}
	// If the new generation gave P back to A, A holds it again; stopping A moves it to B.
	if _, err := runA.stop(t); err != nil {
		t.Fatalf("A: Run = %v", err)
	}

	first := receive(t, bFirstOnP, 30*time.Second, "B to handle a record of P")
	if first.err != nil {
		t.Fatal(first.err)
	}
	if first.offset != stuck || first.committed != stuck {
		t.Fatalf("B's first record of P is at offset %d with %d committed; want both %d: "+
			"A committed the record it did not finish, or not the ones it did", first.offset, first.committed, stuck)
	}
	infratest.Eventually(t, 30*time.Second, "every record handled and committed", func() bool {
		c := e.committed()
		for q := range partitions {
			if c[q] != perPartition {
				return false
			}
		}
		return len(handled.missing(all)) == 0
	})
	if _, err := runB.stop(t); err != nil {
		t.Fatalf("B: Run = %v", err)
	}
	// A's commits landed, so nobody handled A's records again.
	for _, id := range all {
		if got := handled.members(id); len(got) != 1 || got[0] != finisher[id] {
			t.Errorf("%s finished by %v, want by %s once", id, got, finisher[id])
		}
	}
	if n := e.count(e.dlq); n != 0 {
		t.Fatalf("%d dead letters", n)
	}
}

// TestStuckPartitionDoesNotHoldUpOthers: a record whose handler keeps failing with a retryable
// error (its partner answers 503 for that subscription only) delays its own partition; records
// of the other partitions, produced while it is failing behind a backlog of its own partition,
// are handled and committed meanwhile, and the stuck partition completes once the failure is
// lifted.
func TestStuckPartitionDoesNotHoldUpOthers(t *testing.T) {
	const (
		partitions = 4
		p          = 2   // the stuck partition
		behind     = 300 // records queued behind the stuck one, more than a fetch buffers
		others     = 20  // records on every other partition
	)
	e := newEnv(t, partitions)
	keys := keysOnPartitions(partitions)
	fixed := make(chan struct{})
	var mu sync.Mutex
	failing := 0
	h := func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
		if msg.Event.ID() != "stuck" {
			return nil, nil
		}
		select {
		case <-fixed:
			return nil, nil
		default:
		}
		mu.Lock()
		failing++
		mu.Unlock()
		return nil, errors.New("partner answered 503")
	}
	failures := func() int {
		mu.Lock()
		defer mu.Unlock()
		return failing
	}
	batch := []cloudevents.Event{ev("stuck", keys[p])}
	for i := range behind {
		batch = append(batch, ev(fmt.Sprintf("behind-%d", i), keys[p]))
	}
	e.produce(batch...)
	run := e.start(h, nil, func(c *consumer.Config) { c.RetryMaxElapsed = 10 * time.Minute })
	infratest.Eventually(t, 30*time.Second, "the stuck record retried", func() bool { return failures() >= 2 })

	batch = batch[:0]
	for q, k := range keys {
		for i := 0; q != p && i < others; i++ {
			batch = append(batch, ev(fmt.Sprintf("p%d-%d", q, i), k))
		}
	}
	e.produce(batch...)
	infratest.Eventually(t, 30*time.Second, "the other partitions handled and committed", func() bool {
		c := e.committed()
		for q := range partitions {
			if q != p && c[q] != others {
				return false
			}
		}
		return true
	})
	if got := e.committed()[p]; got >= 0 {
		t.Fatalf("stuck partition committed %d while its first record was failing", got)
	}
	close(fixed)
	infratest.Eventually(t, 30*time.Second, "the stuck partition completed", func() bool {
		return e.committed()[p] == behind+1
	})
	if _, err := run.stop(t); err != nil {
		t.Fatal(err)
	}
	if n := e.count(e.dlq); n != 0 {
		t.Fatalf("%d dead letters", n)
	}
}
