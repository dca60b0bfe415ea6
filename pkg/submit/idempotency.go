package submit

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"provision.local/pkg/logging"
)

// ErrKeyReused means the request's Idempotency-Key was used, within the idempotency window, for
// a request with another body or target: nothing was accepted.
var ErrKeyReused = errors.New("idempotency key reused for a different request")

// KeyConfig configures the ingress's side of client idempotency keys.
type KeyConfig struct {
	// Window is how long a key (and a derived id) dedupes; the providers' ledgers use the same.
	Window time.Duration
	// CacheSize bounds the keys remembered in process; the oldest go first.
	CacheSize int
	// LookupTimeout bounds the question to the owning service on a cache miss.
	LookupTimeout time.Duration
}

// keyGuard tells a reused key from a retry before a keyed command is accepted. The accept path
// writes only to Kafka, so it knows a key from the keys this process accepted (a cache) and,
// failing that, from the owning service's operation record of the command.
type keyGuard struct {
	cfg     KeyConfig
	records map[string]OperationSource // by provider
	cache   *keyCache
	now     func() time.Time
}

func newKeyGuard(cfg KeyConfig, records map[string]OperationSource, now func() time.Time) *keyGuard {
	return &keyGuard{cfg: cfg, records: records, cache: newKeyCache(cfg.CacheSize), now: now}
}

// check returns ErrKeyReused when commandID was accepted, or recorded by its provider, within the
// window for a request whose fingerprint differs. When the provider cannot be asked, the command
// is accepted: its ledger still refuses a second effect, and the client gets its answer.
func (g *keyGuard) check(ctx context.Context, c Command, commandID, fingerprint string) error {
	now := g.now()
	if seen, ok := g.cache.get(commandID, now.Add(-g.cfg.Window)); ok {
		if seen != fingerprint {
			return ErrKeyReused
		}
		return nil
	}
	src, ok := g.records[c.Provider]
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, g.cfg.LookupTimeout)
	defer cancel()
	st, found, err := src.Operation(ctx, c.Org, commandID)
	if err != nil {
		logging.FromContext(ctx).WithError(err).WithField(logging.FieldOrg, c.Org).WithField(logging.FieldEventID, commandID).
			Warn("idempotency key not checked against the provider's record; accepted")
		return nil
	}
	if found && st.Fingerprint != "" && st.Fingerprint != fingerprint && !st.At.Before(now.Add(-g.cfg.Window)) {
		return fmt.Errorf("%w: recorded at %s", ErrKeyReused, st.At.Format(time.RFC3339))
	}
	return nil
}

// accepted remembers that commandID was written to Kafka for the request with fingerprint.
func (g *keyGuard) accepted(commandID, fingerprint string) {
	now := g.now()
	g.cache.add(commandID, fingerprint, now, now.Add(-g.cfg.Window))
}

// keyCache remembers recently accepted keyed commands: command id → fingerprint and accept
// time. It holds at most size entries; entries are kept in accept order, so the oldest is evicted
// first and expired ones are dropped from the front.
type keyCache struct {
	mu    sync.Mutex
	size  int
	order *list.List               // of *keyEntry, oldest first
	byID  map[string]*list.Element // command id → element of order
}

type keyEntry struct {
	id, fingerprint string
	at              time.Time
}

func newKeyCache(size int) *keyCache {
	return &keyCache{size: max(size, 1), order: list.New(), byID: map[string]*list.Element{}}
}

// get returns the fingerprint of id when it was accepted after since.
func (k *keyCache) get(id string, since time.Time) (string, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	el, ok := k.byID[id]
	if !ok {
		return "", false
	}
	e := el.Value.(*keyEntry)
	if e.at.Before(since) {
		k.order.Remove(el)
		delete(k.byID, id)
		return "", false
	}
	return e.fingerprint, true
}

// add remembers id as accepted at. An entry still within the window is kept as it is: the window
// runs from the first acceptance, as the ledger's runs from the first execution.
func (k *keyCache) add(id, fingerprint string, at, since time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for front := k.order.Front(); front != nil && front.Value.(*keyEntry).at.Before(since); front = k.order.Front() {
		delete(k.byID, front.Value.(*keyEntry).id)
		k.order.Remove(front)
	}
	if _, ok := k.byID[id]; ok {
		return
	}
	k.byID[id] = k.order.PushBack(&keyEntry{id: id, fingerprint: fingerprint, at: at})
	for k.order.Len() > k.size {
		front := k.order.Front()
		delete(k.byID, front.Value.(*keyEntry).id)
		k.order.Remove(front)
	}
}
