package ledger

import (
	"strconv"
	"sync"
)

// recentRecords bounds how many recorded operations a store remembers: enough for the aggregates
// one process writes within a few seconds, far less memory than one aggregate document per entry.
const recentRecords = 4096

// recentSet remembers the last n keys added, forgetting the oldest first.
type recentSet struct {
	mu   sync.Mutex
	keys map[string]struct{}
	ring []string
	next int
}

func newRecentSet(n int) *recentSet {
	return &recentSet{keys: make(map[string]struct{}, n), ring: make([]string, n)}
}

func (r *recentSet) add(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.keys[key]; ok {
		return
	}
	if old := r.ring[r.next]; old != "" {
		delete(r.keys, old)
	}
	r.ring[r.next] = key
	r.keys[key] = struct{}{}
	r.next = (r.next + 1) % len(r.ring)
}

func (r *recentSet) has(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.keys[key]
	return ok
}

// recordKey names one generation of a command's record: an id reused after the idempotency
// window writes another version, so the key of the old record does not vouch for the new one.
func recordKey(op Operation) string {
	return op.ID + "@" + strconv.FormatInt(op.Version, 10) + "@" + strconv.FormatInt(op.At.UnixMilli(), 10)
}
