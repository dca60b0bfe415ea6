package consumer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

// scripted returns a handler that answers from results in turn (the last one repeats).
func scripted(calls *int, results ...error) Handler {
	return func(context.Context, Message) ([]Output, error) {
		i := min(*calls, len(results)-1)
		*calls++
		if results[i] == nil {
			return []Output{{Topic: "out"}}, nil
		}
		return nil, results[i]
	}
}

func TestRetry(t *testing.T) {
	transient := errors.New("partner 503")
	poison := Permanent(errors.New("bad payload"))
	tests := []struct {
		name       string
		results    []error
		maxElapsed time.Duration
		wantCalls  int
		wantErr    error // errors.Is target; nil means success
		wantWarns  int
		wantText   string
	}{
		{"first attempt succeeds", []error{nil}, time.Second, 1, nil, 0, ""},
		{"succeeds on the third attempt", []error{transient, transient, nil}, 5 * time.Second, 3, nil, 2, ""},
		{"permanent is not retried", []error{poison}, 5 * time.Second, 1, poison, 0, "bad payload"},
		{"permanent after a transient", []error{transient, poison}, 5 * time.Second, 2, poison, 1, "bad payload"},
		{"gives up after maxElapsed", []error{transient}, 60 * time.Millisecond, -1, transient, -1, "gave up after"},
		{"no budget means one attempt", []error{transient}, 0, 1, transient, 0, "gave up after 1 attempts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, _, hook := loggedCtx()
			var retries int
			ctx = withTracker(ctx, &tracker{retry: func() { retries++ }})
			calls := 0
			start := time.Now()
			outs, err := Retry(5*time.Millisecond, 20*time.Millisecond, tc.maxElapsed)(scripted(&calls, tc.results...))(ctx, Message{})
			if tc.wantErr == nil {
				if err != nil || len(outs) != 1 {
					t.Fatalf("outs %v err %v", outs, err)
				}
			} else if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantText) {
				t.Fatalf("err = %v, want %v containing %q", err, tc.wantErr, tc.wantText)
			}
			if tc.wantCalls >= 0 && calls != tc.wantCalls {
				t.Fatalf("calls = %d, want %d", calls, tc.wantCalls)
			}
			if tc.wantCalls < 0 {
				// Bounded by maxElapsed: several attempts, and it stopped in time.
				if calls < 3 || time.Since(start) > tc.maxElapsed+time.Second {
					t.Fatalf("calls = %d in %s", calls, time.Since(start))
				}
			}
			warns := entriesAt(hook, logrus.WarnLevel)
			if tc.wantWarns >= 0 && len(warns) != tc.wantWarns {
				t.Fatalf("warn lines = %d, want %d", len(warns), tc.wantWarns)
			}
			if retries != calls-1 && tc.wantErr == nil {
				t.Fatalf("retries noted = %d, calls = %d", retries, calls)
			}
			if len(entriesAt(hook, logrus.ErrorLevel)) != 0 {
				t.Fatal("Retry logged at error; the caller reports the final failure")
			}
			for _, w := range warns {
				if w.Data["attempt"] == nil || w.Data[logrus.ErrorKey] == nil {
					t.Fatalf("warn line lacks attempt/error: %v", w.Data)
				}
			}
		})
	}
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	h := Retry(time.Hour, time.Hour, 10*time.Hour)(func(context.Context, Message) ([]Output, error) {
		calls++
		cancel() // shutdown begins while the first attempt fails
		return nil, errors.New("transient")
	})
	done := make(chan error, 1)
	go func() { _, err := h(ctx, Message{}); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "transient") {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Retry kept waiting after its context was cancelled")
	}
	if calls != 1 {
		t.Fatalf("calls = %d", calls)
	}

	// Cancelled during the backoff wait.
	ctx, cancel = context.WithCancel(context.Background())
	h = Retry(time.Hour, time.Hour, 10*time.Hour)(func(context.Context, Message) ([]Output, error) {
		return nil, errors.New("transient")
	})
	go func() { _, err := h(ctx, Message{}); done <- err }()
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("no error after cancellation")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Retry slept through cancellation")
	}
}

func TestRetryBackoffGrowsAndIsCapped(t *testing.T) {
	var stamps []time.Time
	h := Retry(10*time.Millisecond, 40*time.Millisecond, 10*time.Second)(func(context.Context, Message) ([]Output, error) {
		stamps = append(stamps, time.Now())
		if len(stamps) == 6 {
			return nil, nil
		}
		return nil, errors.New("transient")
	})
	if _, err := h(context.Background(), Message{}); err != nil {
		t.Fatal(err)
	}
	// Nominal delays 10, 20, 40, 40, 40 ms, each jittered into [d/2, d].
	nominal := []time.Duration{10, 20, 40, 40, 40}
	for i, d := range nominal {
		gap := stamps[i+1].Sub(stamps[i])
		lo, hi := d*time.Millisecond/2, d*time.Millisecond+250*time.Millisecond
		if gap < lo || gap > hi {
			t.Errorf("wait %d = %s, want within [%s, %s]", i+1, gap, lo, hi)
		}
	}
}

func TestJitter(t *testing.T) {
	for _, d := range []time.Duration{0, 1, 2, 3, time.Millisecond, time.Second} {
		seen := map[time.Duration]bool{}
		for i := 0; i < 200; i++ {
			j := jitter(d)
			if j < d/2 || j > d {
				t.Fatalf("jitter(%s) = %s", d, j)
			}
			seen[j] = true
		}
		if d >= time.Millisecond && len(seen) < 10 {
			t.Fatalf("jitter(%s) barely varies: %d values", d, len(seen))
		}
	}
}
