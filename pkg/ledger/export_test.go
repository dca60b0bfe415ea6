package ledger

import (
	"context"
	"time"
)

// Step is a point in Execute where a test can pause a writer.
type Step = step

// The steps, in the order Execute passes them.
const (
	StepRead    = stepRead
	StepClaimed = stepClaimed
	StepWrite   = stepWrite
	StepWritten = stepWritten
	// StepPublished is where the relay stands between publishing and marking published.
	StepPublished = stepPublished
)

// SetHook makes Execute call h at each step.
func SetHook[S any](s *Store[S], h func(ctx context.Context, st Step, cmd Command)) { s.hook = h }

// SetClock makes the store read the time from now.
func SetClock[S any](s *Store[S], now func() time.Time) { s.now = now }

// StopSweeping keeps writes from sweeping claims, so a test counts them.
func StopSweeping[S any](s *Store[S]) { s.sweepEvery = 1<<63 - 1 }

// SweepClaims runs one sweep of spent version claims.
func SweepClaims[S any](ctx context.Context, s *Store[S]) (int, error) { return s.sweepClaims(ctx) }
