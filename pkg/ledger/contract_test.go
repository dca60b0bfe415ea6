package ledger_test

import (
	"testing"
	"time"

	"provision.local/pkg/ledger"
	"provision.local/pkg/ledger/ledgertest"
)

// The contract the in-memory store keeps too (pkg/ledger/ledgertest), on the embedded store.
func TestTheStoreKeepsTheContract(t *testing.T) {
	ledgertest.RunContract(t, func(t *testing.T, now func() time.Time) ledgertest.Ledger[ledgertest.Item] {
		store, err := ledger.New[ledgertest.Item](ctx(t), newDB(t), "items")
		if err != nil {
			t.Fatal(err)
		}
		ledger.SetClock(store, now)
		return store
	})
}
