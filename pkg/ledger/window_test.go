package ledger_test

// The idempotency window: a command id dedupes while the command was issued within the window
// after its record; later it is a new command, and the first use stays in the history.

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
)

const window = 24 * time.Hour

// windowStore is a store with a settable clock; the first command runs at the clock's start.
func windowStore(t *testing.T) (*ledger.Store[counter], *clock) {
	store, _ := newStore(t, ledger.WithIdempotencyWindow(window))
	clk := newClock()
	ledger.SetClock(store, clk.now)
	return store, clk
}

func failing(calls *atomic.Int32) ledger.Decide[counter] {
	return func(context.Context, *counter, int64) (ledger.Decision[counter], error) {
		calls.Add(1)
		return ledger.Decision[counter]{Failure: &ledger.Failure{Code: "NOPE", Title: "T", Details: "d"}}, nil
	}
}

func TestAnIDWithinTheWindowIsADuplicate(t *testing.T) {
	for _, tc := range []struct {
		name        string
		issuedAfter time.Duration // after the first record; -1: unknown issue time
		fingerprint string
	}{
		{"sameRequestAnHourLater", time.Hour, "f1"},
		{"atTheEndOfTheWindow", window, "f1"},
		{"unknownIssueTime", -1, "f1"},
		{"unknownFingerprint", time.Hour, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, clk := windowStore(t)
			var calls atomic.Int32
			cmd := ledger.Command{ID: "k", Org: "o", AggregateID: "o/w", Fingerprint: "f1", IssuedAt: clk.now()}
			first := executeUntilDone(t, store, cmd, stamp(t, "first", &calls))
			again := cmd
			again.Fingerprint = tc.fingerprint
			again.IssuedAt = time.Time{}
			if tc.issuedAfter >= 0 {
				again.IssuedAt = clk.now().Add(tc.issuedAfter)
			}
			clk.advance(window + time.Hour) // the redelivery may come late; its issue time counts
			outs := executeUntilDone(t, store, again, stamp(t, "again", &calls))
			if calls.Load() != 1 || by(t, outs) != by(t, first) {
				t.Fatalf("decided %d times, answered %q: want the first answer", calls.Load(), by(t, outs))
			}
			wantState(t, store, "o/w", 1, 1)
		})
	}
}

func TestAnIDAfterTheWindowIsANewCommand(t *testing.T) {
	for _, tc := range []struct {
		name   string
		decide func(*atomic.Int32) ledger.Decide[counter]
		// lostRecord: the first use's writer died before its operation record.
		lostRecord bool
		wantN      int
	}{
		{"update", func(c *atomic.Int32) ledger.Decide[counter] { return stamp(t, "x", c) }, false, 2},
		{"updateWhoseFirstRecordWasLost", func(c *atomic.Int32) ledger.Decide[counter] { return stamp(t, "x", c) }, true, 2},
		{"failure", failing, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, db := newStore(t, ledger.WithIdempotencyWindow(window))
			clk := newClock()
			ledger.SetClock(store, clk.now)
			var calls atomic.Int32
			cmd := ledger.Command{ID: "k", Org: "o", AggregateID: "o/w", Fingerprint: "f1", IssuedAt: clk.now()}
			if tc.lostRecord {
				p := pauseAt(t, store, cmd.ID, ledger.StepWritten, crash)
				e := start(store, cmd, tc.decide(&calls))
				p.until(t, e)
				p.resume()
				e.wait(t)
				store = storeOn(t, db, ledger.WithIdempotencyWindow(window)) // the next process
				ledger.SetClock(store, clk.now)
			} else {
				executeUntilDone(t, store, cmd, tc.decide(&calls))
			}
			firstAt := clk.now()

			clk.advance(window + time.Hour)
			reused := cmd
			reused.IssuedAt = clk.now()
			reused.Fingerprint = "f2" // another request: after the window that is allowed
			executeUntilDone(t, store, reused, tc.decide(&calls))
			if calls.Load() != 2 {
				t.Fatalf("decided %d times, want 2", calls.Load())
			}
			if tc.wantN > 0 {
				wantState(t, store, "o/w", tc.wantN, int64(tc.wantN))
			}
			op := recordedBy(t, store, "k")
			if !op.At.Equal(clk.now()) || op.Fingerprint != "f2" {
				t.Fatalf("record = %+v, want the new use's", op)
			}
			// The new use dedupes in turn.
			executeUntilDone(t, store, reused, tc.decide(&calls))
			if calls.Load() != 2 {
				t.Fatalf("the new use ran twice")
			}
			history, err := store.History(ctx(t), "o/w", 10)
			if err != nil {
				t.Fatal(err)
			}
			if tc.lostRecord {
				return // the first use left no record to keep
			}
			if len(history) != 2 || history[0].ID != "k" || history[1].ID != "k" || !history[0].At.Equal(firstAt) || history[1].Fingerprint != "f2" {
				t.Fatalf("history = %+v, want both uses of k", history)
			}
		})
	}
}

func TestAnIDReusedForAnotherRequestWithinTheWindowIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		decide func(*atomic.Int32) ledger.Decide[counter]
	}{
		{"answeredByTheAggregate", func(c *atomic.Int32) ledger.Decide[counter] { return stamp(t, "x", c) }},
		{"answeredByTheRecord", failing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, clk := windowStore(t)
			var calls atomic.Int32
			cmd := ledger.Command{ID: "k", Org: "o", AggregateID: "o/w", Fingerprint: "f1", IssuedAt: clk.now()}
			executeUntilDone(t, store, cmd, tc.decide(&calls))
			other := cmd
			other.Fingerprint = "f2"
			other.IssuedAt = clk.now().Add(time.Minute)
			outs, err := store.Execute(ctx(t), other, tc.decide(&calls))
			if !errors.Is(err, ledger.ErrIdempotencyKeyReused) || !consumer.IsPermanent(err) || outs != nil {
				t.Fatalf("outs %v err %v: want a permanent ErrIdempotencyKeyReused", outs, err)
			}
			if calls.Load() != 1 {
				t.Fatalf("decided %d times: the refused command ran", calls.Load())
			}
			if op := recordedBy(t, store, "k"); op.Fingerprint != "f1" {
				t.Fatalf("record = %+v", op)
			}
		})
	}
}
