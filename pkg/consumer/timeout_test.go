package consumer

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestTimeout(t *testing.T) {
	tests := []struct {
		name         string
		d            time.Duration
		wantDeadline bool
	}{
		{"sets a deadline", 50 * time.Millisecond, true},
		{"zero disables", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var deadline time.Time
			var hasDeadline bool
			h := Timeout(tc.d)(func(ctx context.Context, _ Message) ([]Output, error) {
				deadline, hasDeadline = ctx.Deadline()
				return nil, nil
			})
			start := time.Now()
			if _, err := h(context.Background(), Message{}); err != nil {
				t.Fatal(err)
			}
			if hasDeadline != tc.wantDeadline {
				t.Fatalf("deadline set = %v, want %v", hasDeadline, tc.wantDeadline)
			}
			if tc.wantDeadline && (deadline.Before(start.Add(tc.d)) || deadline.After(time.Now().Add(tc.d))) {
				t.Fatalf("deadline %s not about %s from the call", deadline, tc.d)
			}
		})
	}
}

func TestTimeoutCancelsHungHandler(t *testing.T) {
	h := Timeout(30 * time.Millisecond)(func(ctx context.Context, _ Message) ([]Output, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := h(ctx, Message{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("the caller's context was affected")
	}
	// Each call gets a fresh deadline: a second call is not born expired.
	_, err = Timeout(time.Second)(func(ctx context.Context, _ Message) ([]Output, error) { return nil, ctx.Err() })(ctx, Message{})
	if err != nil {
		t.Fatalf("second call: %v", err)
	}
}
