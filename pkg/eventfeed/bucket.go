package eventfeed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// scanBucket calls visit with the events of org's bucket starting at start, in (timestamp, id)
// order, each id once, from the part holding from on, until visit returns false. A bucket past
// its seal time is read from its sealed parts (written now if they are missing) and the slots
// appended after its mark; a younger one from its slots.
func (f *Feed) scanBucket(ctx context.Context, org string, start time.Time, from position, visit func(storedEvent) bool) error {
	bucket := bucketKey(org, start)
	var sealed sealedDoc
	err := f.coll.FindOne(ctx, bson.D{{Key: "_id", Value: sealedID(bucket)}}).Decode(&sealed)
	switch {
	case err == nil:
		return f.scanSealed(ctx, bucket, sealed, from, visit)
	case !errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("read %s: %w", sealedID(bucket), err)
	}
	var events []storedEvent
	if f.now().Before(start.Add(BucketWidth + f.sealAfter)) {
		events, _, _, err = f.readSlots(ctx, bucket, 0, false)
		events = normalize(events)
	} else {
		events, err = f.seal(ctx, bucket)
	}
	if err != nil {
		return err
	}
	visitAll(events, visit)
	return nil
}

// scanSealed reads a sealed bucket part by part, unless events came after its mark: then it
// reads all its parts and merges them in.
func (f *Feed) scanSealed(ctx context.Context, bucket string, sealed sealedDoc, from position, visit func(storedEvent) bool) error {
	late, _, _, err := f.readSlots(ctx, bucket, sealed.Mark+1, false)
	if err != nil {
		return err
	}
	first := sealed.firstPart(from)
	if len(late) > 0 {
		first = 0
	}
	var all []storedEvent
	for j := first; j < len(sealed.Parts); j++ {
		var part partDoc
		if err := f.coll.FindOne(ctx, bson.D{{Key: "_id", Value: partID(bucket, j)}}).Decode(&part); err != nil {
			return fmt.Errorf("read %s: %w", partID(bucket, j), err)
		}
		events, err := decodeEvents(part.ID, part.Events)
		if err != nil {
			return err
		}
		if len(late) > 0 {
			all = append(all, events...)
		} else if !visitAll(events, visit) {
			return nil
		}
	}
	if len(late) > 0 {
		visitAll(normalize(append(all, late...)), visit)
	}
	return nil
}

// visitAll calls visit with each event until it returns false, and says whether it never did.
func visitAll(events []storedEvent, visit func(storedEvent) bool) bool {
	for _, e := range events {
		if !visit(e) {
			return false
		}
	}
	return true
}

// seal marks the end of the bucket's slots, stores their events as the bucket's sealed parts
// and returns them. The mark is the first free slot, taken by an insert: an appender racing for
// the same slot either wins it (its events are sealed too) or finds the mark and appends after
// it, where readers of the sealed bucket look (scanSealed).
func (f *Feed) seal(ctx context.Context, bucket string) ([]storedEvent, error) {
	events, k, marked, err := f.readSlots(ctx, bucket, 0, true)
	if err != nil || k == 0 && !marked {
		return nil, err // an empty bucket stays unsealed: reading it costs no more
	}
	for !marked {
		_, err := f.coll.InsertOne(ctx, slotDoc{ID: slotID(bucket, k), Seal: true})
		if err == nil {
			break
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, fmt.Errorf("mark %s: %w", slotID(bucket, k), err)
		}
		more, next, m, err := f.readSlots(ctx, bucket, k, true)
		if err != nil {
			return nil, err
		}
		events, k, marked = append(events, more...), next, m
	}
	events = normalize(events)
	head, parts, err := sealedDocs(bucket, k, events)
	if err != nil {
		return nil, err
	}
	// Parts first: a sealed document is only read once its parts are all stored. A sealer
	// racing this one writes the same documents (the events before the same mark), so a
	// duplicate is the same part.
	for _, doc := range append(parts, head) {
		if _, err := f.coll.InsertOne(ctx, doc); err != nil && !mongo.IsDuplicateKeyError(err) {
			return nil, fmt.Errorf("seal %s: %w", bucket, err)
		}
	}
	late, _, _, err := f.readSlots(ctx, bucket, k+1, false)
	if err != nil || len(late) == 0 {
		return events, err
	}
	return normalize(append(events, late...)), nil
}

// readSlots reads the bucket's slots from slot from up to the first free one, or with untilMark up
// to the first seal mark. It returns their events, the index of the free slot or the mark, and
// whether it stopped at a mark.
func (f *Feed) readSlots(ctx context.Context, bucket string, from int, untilMark bool) ([]storedEvent, int, bool, error) {
	var events []storedEvent
	for k := from; ; k++ {
		var slot slotDoc
		err := f.coll.FindOne(ctx, bson.D{{Key: "_id", Value: slotID(bucket, k)}}).Decode(&slot)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			return events, k, false, nil
		case err != nil:
			return nil, 0, false, fmt.Errorf("read %s: %w", slotID(bucket, k), err)
		case slot.Seal && untilMark:
			return events, k, true, nil
		}
		more, err := decodeEvents(slot.ID, slot.Events)
		if err != nil {
			return nil, 0, false, err
		}
		events = append(events, more...)
	}
}
