package ledger_test

// Interleavings of writers on one aggregate, run step by step on the embedded store: one writer
// (a store, as one process) pauses at a step of Execute while another proceeds, then resumes.
// Whatever the interleaving, no committed change is lost and each command takes effect once,
// with one answer.

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"provision.local/pkg/ledger"
)

var modes = []ledger.CompareAndSet{ledger.ClaimVersions, ledger.FilterByVersion}

var steps = []struct {
	name string
	step ledger.Step
}{
	{"afterRead", ledger.StepRead},
	{"afterClaim", ledger.StepClaimed},
	{"beforeWrite", ledger.StepWrite},
	{"beforeRecord", ledger.StepWritten},
}

// interleavings runs f for each compare-and-set, each step a writer pauses at (the claim step
// exists only with claims), on a new aggregate (create) and on an existing one (update).
func interleavings(t *testing.T, f func(t *testing.T, mode ledger.CompareAndSet, at ledger.Step, seeded bool)) {
	for _, mode := range modes {
		for _, s := range steps {
			for _, seeded := range []bool{false, true} {
				if s.step == ledger.StepClaimed && (mode != ledger.ClaimVersions || !seeded) {
					continue // no claim: the filter is the compare-and-set, an insert creates
				}
				name := fmt.Sprintf("%s/%s/create", mode, s.name)
				if seeded {
					name = fmt.Sprintf("%s/%s/update", mode, s.name)
				}
				t.Run(name, func(t *testing.T) { f(t, mode, s.step, seeded) })
			}
		}
	}
}

// twoProcesses opens two stores on one database and, when seeded, applies one command first.
func twoProcesses(t *testing.T, mode ledger.CompareAndSet, seeded bool, opts ...ledger.Option) (a, b *ledger.Store[counter], base int) {
	db := newDB(t)
	opts = append(opts, ledger.WithCompareAndSet(mode))
	a, b = storeOn(t, db, opts...), storeOn(t, db, opts...)
	ledger.StopSweeping(a)
	ledger.StopSweeping(b)
	if seeded {
		var calls atomic.Int32
		executeUntilDone(t, a, ledger.Command{ID: "c0", Org: "o", AggregateID: "o/x"}, stamp(t, "seed", &calls))
		base = 1
	}
	return a, b, base
}

func TestSameCommandTwiceConcurrently(t *testing.T) {
	interleavings(t, func(t *testing.T, mode ledger.CompareAndSet, at ledger.Step, seeded bool) {
		a, b, base := twoProcesses(t, mode, seeded)
		cmd := ledger.Command{ID: "c1", Org: "o", AggregateID: "o/x"}
		var calls atomic.Int32
		p := pauseAt(t, a, cmd.ID, at, nil)
		first := start(a, cmd, stamp(t, "a", &calls))
		p.until(t, first)

		// The partition moved: the new owner runs the same command while the old one is stuck.
		second := start(b, cmd, stamp(t, "b", &calls)).wait(t)
		if second.err != nil && !errors.Is(second.err, ledger.ErrConflict) {
			t.Fatalf("second executor: %v", second.err)
		}
		p.resume()
		first.wait(t)
		if first.err != nil && !errors.Is(first.err, ledger.ErrConflict) {
			t.Fatalf("first executor: %v", first.err)
		}
		answerA, answerB := first.outs, second.outs
		if first.err != nil {
			answerA = executeUntilDone(t, a, cmd, stamp(t, "a-retry", &calls))
		}
		if second.err != nil {
			answerB = executeUntilDone(t, b, cmd, stamp(t, "b-retry", &calls))
		}

		wantState(t, a, "o/x", base+1, int64(base+1))
		op := recordedBy(t, a, cmd.ID)
		if op.Outcome != ledger.Completed || op.Version != int64(base+1) {
			t.Fatalf("record = %+v", op)
		}
		if by(t, answerA) != by(t, answerB) {
			t.Fatalf("one command, two answers: %s and %s", by(t, answerA), by(t, answerB))
		}
	})
}

func TestConsecutiveCommandsOnOneAggregate(t *testing.T) {
	interleavings(t, func(t *testing.T, mode ledger.CompareAndSet, at ledger.Step, seeded bool) {
		a, b, base := twoProcesses(t, mode, seeded)
		c1 := ledger.Command{ID: "c1", Org: "o", AggregateID: "o/x"}
		c2 := ledger.Command{ID: "c2", Org: "o", AggregateID: "o/x"}
		var calls1, calls2 atomic.Int32
		p := pauseAt(t, a, c1.ID, at, nil)
		first := start(a, c1, stamp(t, "c1", &calls1))
		p.until(t, first)

		// Another writer of the aggregate (the activation callback's child command, from another
		// partition) runs the next command meanwhile.
		second := start(b, c2, stamp(t, "c2", &calls2)).wait(t)
		if second.err != nil && !errors.Is(second.err, ledger.ErrConflict) {
			t.Fatalf("c2: %v", second.err)
		}
		p.resume()
		first.wait(t)
		if first.err != nil && !errors.Is(first.err, ledger.ErrConflict) {
			t.Fatalf("c1: %v", first.err)
		}
		if first.err != nil {
			executeUntilDone(t, a, c1, stamp(t, "c1", &calls1))
		}
		if second.err != nil {
			executeUntilDone(t, b, c2, stamp(t, "c2", &calls2))
		}

		wantState(t, a, "o/x", base+2, int64(base+2))
		v1, v2 := recordedBy(t, a, c1.ID).Version, recordedBy(t, a, c2.ID).Version
		if v1 == v2 || v1 <= int64(base) || v2 <= int64(base) {
			t.Fatalf("versions recorded: c1 v%d, c2 v%d", v1, v2)
		}
	})
}

// A writer stalls holding its claim (or, with the filter, about to write) past the release age;
// the next command goes through meanwhile; the stalled writer then cannot write over it.
func TestAWriterResumingAfterItsClaimWasReleased(t *testing.T) {
	for _, mode := range modes {
		for _, at := range []ledger.Step{ledger.StepClaimed, ledger.StepWrite} {
			if at == ledger.StepClaimed && mode != ledger.ClaimVersions {
				continue
			}
			t.Run(fmt.Sprintf("%s/step%d", mode, at), func(t *testing.T) {
				clk := newClock()
				const timeout = 300 * time.Millisecond // the stalled writer's deadline comes quickly
				release := timeout + ledger.MinClaimMargin
				a, b, _ := twoProcesses(t, mode, true, ledger.WithHandlerTimeout(timeout), ledger.WithClaimRelease(release))
				ledger.SetClock(a, clk.now)
				ledger.SetClock(b, clk.now)
				c1 := ledger.Command{ID: "c1", Org: "o", AggregateID: "o/x"}
				c2 := ledger.Command{ID: "c2", Org: "o", AggregateID: "o/x"}
				var calls atomic.Int32
				// With claims the stalled writer resumes after its deadline, as any writer whose
				// claim was released does; the filter refuses it even before.
				after := outlive
				if mode == ledger.FilterByVersion {
					after = nil
				}
				p := pauseAt(t, a, c1.ID, at, after)
				stalled := start(a, c1, stamp(t, "c1", &calls))
				p.until(t, stalled)

				clk.advance(release + time.Second)
				executeUntilDone(t, b, c2, stamp(t, "c2", &calls))
				// With claims, c2 skips the stalled writer's version 2.
				wantVersion := int64(2)
				if mode == ledger.ClaimVersions {
					wantVersion = 3
				}
				wantState(t, b, "o/x", 2, wantVersion)

				p.resume()
				if stalled.wait(t).err == nil {
					t.Fatal("the stalled writer wrote after its claim was released")
				}
				st, v, _ := b.Get(ctx(t), "o/x")
				if st.N != 2 {
					t.Fatalf("c2's change was lost: n=%d v%d", st.N, v)
				}
				executeUntilDone(t, a, c1, stamp(t, "c1", &calls))
				st, _, _ = a.Get(ctx(t), "o/x")
				if st.N != 3 {
					t.Fatalf("n=%d, want 3", st.N)
				}
			})
		}
	}
}

// Spent claims are swept; a writer that read before the sweep claims a swept version again and
// must find the aggregate moved on.
func TestAStaleWriterAfterTheSweep(t *testing.T) {
	a, b, _ := twoProcesses(t, ledger.ClaimVersions, true)
	var calls atomic.Int32
	c1 := ledger.Command{ID: "c1", Org: "o", AggregateID: "o/x"}
	p := pauseAt(t, a, c1.ID, ledger.StepRead, nil)
	stale := start(a, c1, stamp(t, "c1", &calls))
	p.until(t, stale)

	executeUntilDone(t, b, ledger.Command{ID: "c2", Org: "o", AggregateID: "o/x"}, stamp(t, "c2", &calls))
	executeUntilDone(t, b, ledger.Command{ID: "c3", Org: "o", AggregateID: "o/x"}, stamp(t, "c3", &calls))
	if n, err := ledger.SweepClaims(ctx(t), b); err != nil || n != 2 {
		t.Fatalf("swept %d claims (%v), want 2", n, err)
	}
	p.resume()
	if err := stale.wait(t).err; !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("stale writer: %v, want ErrConflict", err)
	}
	wantState(t, a, "o/x", 3, 3)
	executeUntilDone(t, a, c1, stamp(t, "c1", &calls))
	wantState(t, a, "o/x", 4, 4)
}

// The writer dies after its aggregate write and before the operation record; the command comes
// back to another process, directly or after another command wrote the aggregate.
func TestARedeliveryAfterACrashBetweenWriteAndRecord(t *testing.T) {
	for _, mode := range modes {
		for _, between := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/anotherWriteBetween=%v", mode, between), func(t *testing.T) {
				a, b, base := twoProcesses(t, mode, true)
				c1 := ledger.Command{ID: "c1", Org: "o", AggregateID: "o/x"}
				var calls atomic.Int32
				p := pauseAt(t, a, c1.ID, ledger.StepWritten, crash)
				crashed := start(a, c1, stamp(t, "a", &calls))
				p.until(t, crashed)
				p.resume()
				if !crashed.wait(t).crashed {
					t.Fatal("the writer did not crash")
				}
				want := base + 1
				if between {
					executeUntilDone(t, b, ledger.Command{ID: "c2", Org: "o", AggregateID: "o/x"}, stamp(t, "c2", &calls))
					want++
				}
				outs := executeUntilDone(t, b, c1, stamp(t, "b", &calls))
				if by(t, outs) != "a" {
					t.Fatalf("the redelivery answered %q, want the crashed writer's stored answer", by(t, outs))
				}
				if n := calls.Load(); n != int32(want-base) {
					t.Fatalf("decided %d times, want %d: c1 ran twice", n, want-base)
				}
				wantState(t, b, "o/x", want, int64(want))
				if op := recordedBy(t, b, c1.ID); op.Version != int64(base+1) {
					t.Fatalf("c1's record = %+v", op)
				}
			})
		}
	}
}

func TestSpentClaimsAreSwept(t *testing.T) {
	store, db := newStore(t, ledger.WithCompareAndSet(ledger.ClaimVersions))
	ledger.StopSweeping(store)
	var calls atomic.Int32
	for i := range 5 {
		executeUntilDone(t, store, ledger.Command{ID: fmt.Sprintf("c%d", i), Org: "o", AggregateID: "o/s"}, stamp(t, "s", &calls))
	}
	if n := countClaims(t, db); n != 4 {
		t.Fatalf("%d claims, want 4 (versions 2 to 5)", n)
	}
	// A claim above the aggregate's version (its writer died before writing) is not spent.
	if _, err := db.Collection("counters_versions").InsertOne(ctx(t), map[string]any{"_id": "o/s@6", "commandId": "dead", "at": newClock().now()}); err != nil {
		t.Fatal(err)
	}
	if n, err := ledger.SweepClaims(ctx(t), store); err != nil || n != 4 {
		t.Fatalf("swept %d (%v), want 4", n, err)
	}
	if n := countClaims(t, db); n != 1 {
		t.Fatalf("%d claims left, want the unwritten one", n)
	}
}

func TestNewChecksTheClaimReleaseAgainstTheHandlerTimeout(t *testing.T) {
	db := newDB(t)
	for _, tc := range []struct {
		name    string
		opts    []ledger.Option
		wantErr bool
	}{
		{"defaults", nil, false},
		{"longHandlerTimeoutDerivesTheRelease", []ledger.Option{ledger.WithHandlerTimeout(5 * time.Minute)}, false},
		{"releaseShorterThanTimeout", []ledger.Option{ledger.WithHandlerTimeout(time.Minute), ledger.WithClaimRelease(30 * time.Second)}, true},
		{"releaseWithoutMargin", []ledger.Option{ledger.WithHandlerTimeout(time.Minute), ledger.WithClaimRelease(time.Minute + time.Second)}, true},
		{"releaseWithMargin", []ledger.Option{ledger.WithHandlerTimeout(time.Minute), ledger.WithClaimRelease(time.Minute + ledger.MinClaimMargin)}, false},
		{"noWindow", []ledger.Option{ledger.WithIdempotencyWindow(0)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ledger.New[counter](ctx(t), db, "counters", tc.opts...)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tc.wantErr)
			}
		})
	}
}

func TestNewDetectsTheEmbeddedStore(t *testing.T) {
	store, _ := newStore(t)
	if got := store.CompareAndSet(); got != ledger.ClaimVersions {
		t.Fatalf("compare-and-set on FerretDB = %s, want %s", got, ledger.ClaimVersions)
	}
}
