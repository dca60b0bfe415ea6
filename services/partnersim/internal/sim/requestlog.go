package sim

import (
	"maps"
	"sync"
	"time"
)

// LastRequests is how many requests a partner's log keeps.
const LastRequests = 100

// Entry is one request as the partner saw it.
type Entry struct {
	At             time.Time `json:"at"`
	Method         string    `json:"method"`
	Path           string    `json:"path"`
	Operation      Operation `json:"operation"`
	IdempotencyKey string    `json:"idempotencyKey"`
	Status         int       `json:"status"`
	Replayed       bool      `json:"replayed"`
	Faulted        bool      `json:"faulted"`
	// InjectedLatencyMS is the latency a fault added, when it added any.
	InjectedLatencyMS int64 `json:"injectedLatencyMs,omitempty"`
}

// Report is a snapshot of a partner's request log.
type Report struct {
	Partner string `json:"partner"`
	// Counts is every request per operation.
	Counts map[Operation]int `json:"counts"`
	// Effects is requests that changed state for the first time: not replays, not faulted, not
	// errors.
	Effects map[Operation]int `json:"effects"`
	// Faulted is requests answered by an injected fault.
	Faulted map[Operation]int `json:"faulted"`
	// Last is the most recent requests, newest first.
	Last []Entry `json:"last"`
}

// requestLog counts requests and keeps the last LastRequests of them in a ring.
type requestLog struct {
	mu      sync.Mutex
	counts  map[Operation]int
	effects map[Operation]int
	faulted map[Operation]int
	ring    []Entry
	next    int
}

func newRequestLog() *requestLog {
	l := &requestLog{}
	l.reset()
	return l
}

func (l *requestLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counts = map[Operation]int{}
	l.effects = map[Operation]int{}
	l.faulted = map[Operation]int{}
	l.ring = make([]Entry, 0, LastRequests)
	l.next = 0
}

func (l *requestLog) record(e Entry, effect bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counts[e.Operation]++
	if effect {
		l.effects[e.Operation]++
	}
	if e.Faulted {
		l.faulted[e.Operation]++
	}
	if len(l.ring) < LastRequests {
		l.ring = append(l.ring, e)
		return
	}
	l.ring[l.next] = e
	l.next = (l.next + 1) % LastRequests
}

func (l *requestLog) report(partner string) Report {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := Report{
		Partner: partner,
		Counts:  maps.Clone(l.counts),
		Effects: maps.Clone(l.effects),
		Faulted: maps.Clone(l.faulted),
		Last:    make([]Entry, 0, len(l.ring)),
	}
	// Walk backwards from the newest entry; once the ring is full, next points at the oldest.
	newest := len(l.ring) - 1
	if len(l.ring) == LastRequests {
		newest = (l.next - 1 + LastRequests) % LastRequests
	}
	for i := range len(l.ring) {
		r.Last = append(r.Last, l.ring[(newest-i+len(l.ring))%len(l.ring)])
	}
	return r
}
