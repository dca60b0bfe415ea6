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

// slotDoc is one append to a bucket (its events as an eventList in BSON, see partDoc), or the
// bucket's seal mark.
type slotDoc struct {
	ID     string `bson:"_id"`
	Seal   bool   `bson:"seal,omitempty"`
	Events []byte `bson:"events,omitempty"`
}

// partSize is how many events one part of a sealed bucket holds: a page reads the parts from its
// start on, so a part is about a page, whatever the bucket holds.
const partSize = 128

// sealedDoc says how a sealed bucket is cut into parts: the events of the slots before the mark,
// in order, each id once, partSize per part.
type sealedDoc struct {
	ID    string     `bson:"_id"`
	Mark  int        `bson:"mark"`
	Count int        `bson:"count"`
	Parts []partHead `bson:"parts"`
}

// partHead is the first event of a part.
type partHead struct {
	Time int64  `bson:"t"`
	ID   string `bson:"i"`
}

// partDoc holds the events of one part as one binary value (an eventList in BSON) rather than
// an array of documents: the embedded store decodes a document value by value, and one value of
// some tens of kilobytes costs a fraction of as many small documents.
type partDoc struct {
	ID     string `bson:"_id"`
	Events []byte `bson:"events"`
}

type eventList struct {
	Events []storedEvent `bson:"e"`
}

// sealedDocs cuts a bucket's sorted, unique events into its parts and the document naming them.
func sealedDocs(bucket string, mark int, events []storedEvent) (sealedDoc, []any, error) {
	head := sealedDoc{ID: sealedID(bucket), Mark: mark, Count: len(events), Parts: []partHead{}}
	var parts []any
	for part := range slices.Chunk(events, partSize) {
		b, err := encodeEvents(part)
		if err != nil {
			return sealedDoc{}, nil, fmt.Errorf("encode %s: %w", bucket, err)
		}
		parts = append(parts, partDoc{ID: partID(bucket, len(head.Parts)), Events: b})
		head.Parts = append(head.Parts, partHead{Time: part[0].Time, ID: part[0].ID})
	}
	return head, parts, nil
}

func encodeEvents(events []storedEvent) ([]byte, error) {
	return bson.Marshal(eventList{Events: events})
}

func decodeEvents(id string, b []byte) ([]storedEvent, error) {
	var l eventList
	if err := bson.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("decode %s: %w", id, err)
	}
	return l.Events, nil
}

// firstPart is the part from which the events after p are to be read.
func (d sealedDoc) firstPart(p position) int {
	j, found := slices.BinarySearchFunc(d.Parts, p, func(h partHead, p position) int {
		return cmp.Or(cmp.Compare(h.Time, p.time), cmp.Compare(h.ID, p.id))
	})
	if found {
		return j
	}
	return max(j-1, 0)
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
