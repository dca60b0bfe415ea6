package eventfeed

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// maxPageLookups bounds the store lookups of one page (a bucket counts as bucketLookups): a
// long window with few events is paged in several short pages rather than one slow one.
const (
	maxPageLookups = 60
	bucketLookups  = 3
)

// A window must lie within these years, where a timestamp fits in int64 nanoseconds.
const minYear, maxYear = 1700, 2200

// Page returns up to limit of org's events in w, in (timestamp, id) order, of the given types
// (all types when types is empty), starting after cursor (from the window's start when cursor is
// empty). The cursor must come from a page of the same organisation, window and types, in any
// order; otherwise Page returns ErrInvalidCursor. A limit above MaxLimit is lowered to it.
//
// A page holds fewer than limit events, even none, with a next cursor when it stopped at its
// bound of lookups (a long window with few events); only the last page has no next cursor.
func (f *Feed) Page(ctx context.Context, org string, w Window, types []string, cursor string, limit int) (Page, error) {
	if w.End.Before(w.Start) || w.Start.Year() < minYear || w.End.Year() > maxYear {
		return Page{}, ErrInvalidWindow
	}
	if limit <= 0 {
		return Page{}, ErrInvalidLimit
	}
	limit = min(limit, MaxLimit)
	types = slices.Compact(slices.Sorted(slices.Values(types)))
	digest := queryDigest(org, w, types)
	pos := position{time: w.Start.UnixNano()}
	if cursor != "" {
		p, err := f.decodeCursor(cursor, digest)
		if err != nil {
			return Page{}, err
		}
		pos = p
	}
	end := w.End.UnixNano()
	// One event more than the page: its presence says whether a next page exists.
	var found []storedEvent
	visit := func(e storedEvent) bool {
		if e.Time >= end {
			return false
		}
		if pos.before(e) && (len(types) == 0 || slices.Contains(types, e.Type)) {
			found = append(found, e)
		}
		return len(found) <= limit
	}
	var page Page
	var activeDay, activeHour time.Time
	lookups := 0
	for b := bucketStart(time.Unix(0, pos.time)); b.UnixNano() < end && len(found) <= limit; {
		if lookups >= maxPageLookups {
			// Every event before b was visited: the next page starts at b.
			page.Next = f.encodeCursor(position{time: b.UnixNano()}, digest)
			break
		}
		day, hour := b.Truncate(24*time.Hour), b.Truncate(time.Hour)
		if !day.Equal(activeDay) {
			lookups++
			ok, err := f.exists(ctx, dayMark(org, day))
			if err != nil {
				return Page{}, fmt.Errorf("page: %w", err)
			}
			if !ok {
				b = day.Add(24 * time.Hour)
				continue
			}
			activeDay = day
		}
		if !hour.Equal(activeHour) {
			lookups++
			ok, err := f.exists(ctx, hourMark(org, hour))
			if err != nil {
				return Page{}, fmt.Errorf("page: %w", err)
			}
			if !ok {
				b = hour.Add(time.Hour)
				continue
			}
			activeHour = hour
		}
		lookups += bucketLookups
		if err := f.scanBucket(ctx, org, b, pos, visit); err != nil {
			return Page{}, fmt.Errorf("page: %w", err)
		}
		b = b.Add(BucketWidth)
	}
	if len(found) > limit {
		found = found[:limit]
		last := found[limit-1]
		page.Next = f.encodeCursor(position{time: last.Time, id: last.ID}, digest)
	}
	page.Events = make([]Event, len(found))
	for i, e := range found {
		page.Events[i] = Event{ID: e.ID, Time: time.Unix(0, e.Time).UTC(), Type: e.Type, Payload: json.RawMessage(e.Payload)}
	}
	return page, nil
}
