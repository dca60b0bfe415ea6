package ledger

import (
	"context"
	"sync"

	"provision.local/pkg/consumer"
)

// InFlight remembers which commands this process is handling right now, so a workflow query can
// answer RUNNING between "accepted" and the operation record. It is per process: with several
// replicas, only the one that owns the command's partition knows.
type InFlight struct {
	mu  sync.Mutex
	ids map[string]struct{}
}

// NewInFlight returns an empty registry.
func NewInFlight() *InFlight { return &InFlight{ids: make(map[string]struct{})} }

// Middleware registers each message's event id for the time its handler runs.
func (f *InFlight) Middleware() consumer.Middleware {
	return func(next consumer.Handler) consumer.Handler {
		return func(ctx context.Context, msg consumer.Message) ([]consumer.Output, error) {
			id := msg.Event.ID()
			f.mu.Lock()
			f.ids[id] = struct{}{}
			f.mu.Unlock()
			defer func() {
				f.mu.Lock()
				delete(f.ids, id)
				f.mu.Unlock()
			}()
			return next(ctx, msg)
		}
	}
}

// Running reports whether the command is being handled now.
func (f *InFlight) Running(commandID string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.ids[commandID]
	return ok
}
