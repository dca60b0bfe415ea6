package eventfeed

import (
	"cmp"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// storedEvent is an event as a document holds it; short field names, as a bucket holds many.
type storedEvent struct {
	ID      string `bson:"i"`
	Time    int64  `bson:"t"` // Unix nanoseconds: orders events finer than a BSON date would
	Type    string `bson:"y"`
	Payload string `bson:"p"`
}

// slotDoc is one append to a bucket, or the bucket's seal mark.
type slotDoc struct {
	ID     string        `bson:"_id"`
	Seal   bool          `bson:"seal,omitempty"`
	Events []storedEvent `bson:"events,omitempty"`
}

// sealedDoc is a sealed bucket: the events of the slots before the mark, in order, each id once.
// They are one binary value (an eventList in BSON) rather than an array of documents: the
// embedded store decodes a stored document value by value, and one value of a few hundred
// kilobytes costs a fraction of as many small documents.
type sealedDoc struct {
	ID     string `bson:"_id"`
	Mark   int    `bson:"mark"`
	Count  int    `bson:"count"`
	Events []byte `bson:"events"`
}

type eventList struct {
	Events []storedEvent `bson:"e"`
}

func newSealedDoc(id string, mark int, events []storedEvent) (sealedDoc, error) {
	b, err := bson.Marshal(eventList{Events: events})
	if err != nil {
		return sealedDoc{}, fmt.Errorf("encode %s: %w", id, err)
	}
	return sealedDoc{ID: id, Mark: mark, Count: len(events), Events: b}, nil
}

func (d sealedDoc) events() ([]storedEvent, error) {
	var l eventList
	if err := bson.Unmarshal(d.Events, &l); err != nil {
		return nil, fmt.Errorf("decode %s: %w", d.ID, err)
	}
	return l.Events, nil
}

func compareEvents(a, b storedEvent) int {
	return cmp.Or(cmp.Compare(a.Time, b.Time), cmp.Compare(a.ID, b.ID))
}

// normalize sorts events by (timestamp, id) and keeps each id once.
func normalize(events []storedEvent) []storedEvent {
	slices.SortFunc(events, compareEvents)
	seen := make(map[string]struct{}, len(events))
	out := events[:0]
	for _, e := range events {
		if _, ok := seen[e.ID]; ok {
			continue
		}
		seen[e.ID] = struct{}{}
		out = append(out, e)
	}
	return out
}
