package eventfeed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// bucketEvents returns the events of org's bucket starting at start, sorted by (timestamp, id),
// each id once. A bucket past its seal time is read from its sealed document (written now if it
// is missing) and the slots appended after its mark; a younger one from its slots.
func (f *Feed) bucketEvents(ctx context.Context, org string, start time.Time) ([]storedEvent, error) {
	bucket := bucketKey(org, start)
	var sealed sealedDoc
	err := f.coll.FindOne(ctx, bson.D{{Key: "_id", Value: sealedID(bucket)}}).Decode(&sealed)
	switch {
	case err == nil:
		return f.withLate(ctx, bucket, sealed)
	case !errors.Is(err, mongo.ErrNoDocuments):
		return nil, fmt.Errorf("read %s: %w", sealedID(bucket), err)
	}
	if f.now().Before(start.Add(BucketWidth + f.sealAfter)) {
		events, _, _, err := f.readSlots(ctx, bucket, 0, false)
		return normalize(events), err
	}
	if sealed, err = f.seal(ctx, bucket); err != nil {
		return nil, err
	}
	return f.withLate(ctx, bucket, sealed)
}

// withLate adds to a sealed bucket's events those appended after its mark.
func (f *Feed) withLate(ctx context.Context, bucket string, sealed sealedDoc) ([]storedEvent, error) {
	events, err := sealed.events()
	if err != nil {
		return nil, err
	}
	late, _, _, err := f.readSlots(ctx, bucket, sealed.Mark+1, false)
	if err != nil || len(late) == 0 {
		return events, err
	}
	return normalize(append(events, late...)), nil
}

// seal marks the end of the bucket's slots and stores their events as its sealed document. The
// mark is the first free slot, taken by an insert: an appender racing for the same slot either
// wins it (its events are sealed too) or finds the mark and appends after it.
func (f *Feed) seal(ctx context.Context, bucket string) (sealedDoc, error) {
	events, k, marked, err := f.readSlots(ctx, bucket, 0, true)
	for err == nil && !marked {
		_, err = f.coll.InsertOne(ctx, slotDoc{ID: slotID(bucket, k), Seal: true})
		if err == nil {
			break
		}
		if !mongo.IsDuplicateKeyError(err) {
			return sealedDoc{}, fmt.Errorf("mark %s: %w", slotID(bucket, k), err)
		}
		var more []storedEvent
		more, k, marked, err = f.readSlots(ctx, bucket, k, true)
		events = append(events, more...)
	}
	if err != nil {
		return sealedDoc{}, err
	}
	sealed, err := newSealedDoc(sealedID(bucket), k, normalize(events))
	if err != nil {
		return sealedDoc{}, err
	}
	// A sealer racing this one writes the same document: the events before the same mark.
	if _, err := f.coll.InsertOne(ctx, sealed); err != nil && !mongo.IsDuplicateKeyError(err) {
		return sealedDoc{}, fmt.Errorf("seal %s: %w", bucket, err)
	}
	return sealed, nil
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
		events = append(events, slot.Events...)
	}
}
