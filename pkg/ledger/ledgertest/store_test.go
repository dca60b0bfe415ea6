package ledgertest_test

import (
	"context"
	"testing"
	"time"

	"provision.local/pkg/ledger/ledgertest"
)

func TestTheInMemoryStoreKeepsTheContract(t *testing.T) {
	ledgertest.RunContract(t, func(_ *testing.T, now func() time.Time) ledgertest.Ledger[ledgertest.Item] {
		return ledgertest.New[ledgertest.Item](ledgertest.WithClock(now))
	})
}

func TestTheInMemoryStoreWithClonesKeepsTheContract(t *testing.T) {
	clone := func(it ledgertest.Item) ledgertest.Item { return it }
	ledgertest.RunContract(t, func(_ *testing.T, now func() time.Time) ledgertest.Ledger[ledgertest.Item] {
		return ledgertest.New[ledgertest.Item](ledgertest.WithClock(now), ledgertest.WithClone(clone))
	})
}

func TestAStoredTimeKeepsMilliseconds(t *testing.T) {
	type stamped struct {
		At time.Time `bson:"at"`
	}
	at := time.Date(2026, 11, 27, 10, 30, 0, 123456789, time.UTC)
	store := ledgertest.New[stamped]()
	if err := store.Seed("o/a", stamped{At: at}, 1); err != nil {
		t.Fatal(err)
	}
	got, _, err := store.Get(context.Background(), "o/a")
	if err != nil || !got.At.Equal(at.Truncate(time.Millisecond)) {
		t.Fatalf("stored %s (%v), want %s as the real store keeps it", got.At, err, at.Truncate(time.Millisecond))
	}
}
