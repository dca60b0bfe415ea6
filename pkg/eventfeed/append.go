package eventfeed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"provision.local/pkg/logging"
)

// maxSlotEvents bounds the events of one slot document, far below the document size limit.
const maxSlotEvents = 500

// Append stores events in org's feed. Appending an event again (same id, same timestamp) stores
// it once. It is safe to call concurrently, from any number of processes; a batch is cheaper than
// the same events one by one (one insert per bucket and 500 events).
func (f *Feed) Append(ctx context.Context, org string, events ...Event) error {
	if org == "" {
		return errors.New("append: empty organisation")
	}
	buckets := make(map[time.Time][]storedEvent)
	for _, e := range events {
		if e.ID == "" || e.Type == "" || e.Time.Year() < minYear || e.Time.Year() > maxYear {
			return fmt.Errorf("append %q: id, type and a timestamp (years %d to %d) are required", e.ID, minYear, maxYear)
		}
		if !json.Valid(e.Payload) {
			return fmt.Errorf("append %q: payload is not JSON", e.ID)
		}
		b := bucketStart(e.Time)
		buckets[b] = append(buckets[b], storedEvent{ID: e.ID, Time: e.Time.UnixNano(), Type: e.Type, Payload: string(e.Payload)})
	}
	starts := make([]time.Time, 0, len(buckets))
	for b := range buckets {
		starts = append(starts, b)
	}
	slices.SortFunc(starts, time.Time.Compare)
	for _, b := range starts {
		for chunk := range slices.Chunk(buckets[b], maxSlotEvents) {
			if err := f.appendSlot(ctx, org, b, chunk); err != nil {
				return fmt.Errorf("append to %s: %w", bucketKey(org, b), err)
			}
		}
	}
	f.sealDue(ctx)
	return nil
}

// sweepInterval is how often a writer looks for buckets it appended to that are due to be sealed.
const sweepInterval = time.Minute

// sealDue seals the buckets this process appended to that are old enough, so that the endpoint's
// first reader of a bucket does not pay for it (sealing reads every slot). It runs at most once
// per sweepInterval, within an Append. A failure leaves the sealing to a reader.
func (f *Feed) sealDue(ctx context.Context) {
	now := f.now()
	last := f.lastSweep.Load()
	if now.UnixNano()-last < int64(sweepInterval) || !f.lastSweep.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	for _, bucket := range f.hints.due(now) {
		sealed, err := f.exists(ctx, sealedID(bucket))
		if err == nil && !sealed {
			_, err = f.seal(ctx, bucket)
		}
		if err != nil {
			logging.FromContext(ctx).WithError(err).Warn("event feed: cannot seal a bucket; its first reader will")
			return
		}
	}
}

// appendSlot inserts events as the next slot of org's bucket starting at start. It tries slot k
// only once slot k-1 is known taken, which keeps the taken slots a prefix (the package doc relies
// on it). The bucket's day and hour are marked first, unless this process appended to the
// bucket before: a mark without events costs a reader a few lookups, events without a mark would
// be skipped.
func (f *Feed) appendSlot(ctx context.Context, org string, start time.Time, events []storedEvent) error {
	b, err := encodeEvents(events)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	bucket := bucketKey(org, start)
	k := f.hints.get(bucket) // 0, or one past a slot this process inserted
	if k == 0 {
		for _, id := range []string{dayMark(org, start), hourMark(org, start)} {
			if _, err := f.coll.InsertOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil && !mongo.IsDuplicateKeyError(err) {
				return fmt.Errorf("mark %s: %w", id, err)
			}
		}
	}
	for {
		_, err := f.coll.InsertOne(ctx, slotDoc{ID: slotID(bucket, k), Events: b})
		if err == nil {
			f.hints.set(bucket, k+1, start.Add(BucketWidth+f.sealAfter))
			return nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("insert slot %d: %w", k, err)
		}
		if k, err = f.firstFree(ctx, bucket, k+1); err != nil {
			return err
		}
	}
}

// firstFree finds the first free slot at or after from, slot from-1 being taken: it doubles its
// step until a slot is free, then halves the gap, so a writer without a hint finds the end of a
// long bucket in a few lookups.
func (f *Feed) firstFree(ctx context.Context, bucket string, from int) (int, error) {
	taken, free := from-1, -1
	for step := 1; free < 0; step *= 2 {
		ok, err := f.slotTaken(ctx, bucket, taken+step)
		if err != nil {
			return 0, err
		}
		if ok {
			taken += step
		} else {
			free = taken + step
		}
	}
	for free-taken > 1 {
		mid := taken + (free-taken)/2
		ok, err := f.slotTaken(ctx, bucket, mid)
		if err != nil {
			return 0, err
		}
		if ok {
			taken = mid
		} else {
			free = mid
		}
	}
	return free, nil
}

var idOnly = options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})

func (f *Feed) slotTaken(ctx context.Context, bucket string, k int) (bool, error) {
	return f.exists(ctx, slotID(bucket, k))
}

func (f *Feed) exists(ctx context.Context, id string) (bool, error) {
	err := f.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, idOnly).Err()
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return false, nil
	}
	return false, fmt.Errorf("look up %s: %w", id, err)
}

// maxHints bounds the buckets a feed remembers; a writer appends to the few current buckets, so
// forgetting them all now and then costs a few lookups, and leaves their sealing to a reader.
const maxHints = 4096

// slotHints remembers, per bucket this process appended to, one past the last slot it inserted
// and when the bucket is due to be sealed.
type slotHints struct {
	mu      sync.Mutex
	buckets map[string]hint
}

type hint struct {
	next   int
	sealAt time.Time
}

func newSlotHints() *slotHints { return &slotHints{buckets: make(map[string]hint)} }

func (h *slotHints) get(bucket string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.buckets[bucket].next
}

func (h *slotHints) set(bucket string, next int, sealAt time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.buckets) >= maxHints {
		clear(h.buckets)
	}
	h.buckets[bucket] = hint{next: max(h.buckets[bucket].next, next), sealAt: sealAt}
}

// due forgets and returns the buckets due to be sealed at now.
func (h *slotHints) due(now time.Time) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for bucket, hi := range h.buckets {
		if !now.Before(hi.sealAt) {
			out = append(out, bucket)
			delete(h.buckets, bucket)
		}
	}
	return out
}
