package eventfeed

import (
	"encoding/json"
	"errors"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// BucketWidth is the span of time one bucket of an organisation's events covers.
const BucketWidth = 10 * time.Minute

// MaxLimit bounds the events of one page; a larger limit is lowered to it.
const MaxLimit = 1000

// DefaultSealAfter is how long after its end a bucket is sealed by default.
const DefaultSealAfter = 5 * time.Minute

// Errors Page returns for a request the caller got wrong (an HTTP endpoint answers 400).
var (
	ErrInvalidCursor = errors.New("invalid cursor")
	ErrInvalidWindow = errors.New("invalid window: end before start, or out of range")
	ErrInvalidLimit  = errors.New("invalid limit: must be positive")
)

// Event is one entry of a feed.
type Event struct {
	// ID identifies the event (its CloudEvent id); appending it again stores it once.
	ID   string
	Time time.Time
	Type string
	// Payload is stored and returned as it is.
	Payload json.RawMessage
}

// Window is a span of time: Start inclusive, End exclusive.
type Window struct {
	Start, End time.Time
}

// Page is one page of a window.
type Page struct {
	Events []Event
	// Next is the cursor of the next page, empty on the last one.
	Next string
}

// Options tune a Feed; the zero value takes the defaults.
type Options struct {
	// SealAfter is how long after a bucket's end it is sealed: the delay within which an append
	// is expected. Later appends are still seen (see the package doc). Default DefaultSealAfter.
	SealAfter time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Feed is the event feed kept in one collection.
type Feed struct {
	coll      *mongo.Collection
	key       []byte
	sealAfter time.Duration
	now       func() time.Time
	hints     *slotHints
	lastSweep atomic.Int64 // Unix nanoseconds of the last sealDue sweep
}

// New returns the feed kept in coll, signing cursors with key (at least 32 bytes, the same on
// every instance that serves the same clients).
func New(coll *mongo.Collection, key []byte, opts Options) (*Feed, error) {
	if len(key) < 32 {
		return nil, errors.New("eventfeed: cursor key shorter than 32 bytes")
	}
	f := &Feed{coll: coll, key: append([]byte(nil), key...), sealAfter: opts.SealAfter, now: opts.Now, hints: newSlotHints()}
	if f.sealAfter <= 0 {
		f.sealAfter = DefaultSealAfter
	}
	if f.now == nil {
		f.now = time.Now
	}
	return f, nil
}
