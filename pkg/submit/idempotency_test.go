package submit

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fakeRecords is a provider's operation records, as its internal API would answer them.
type fakeRecords struct {
	records map[string]OperationStatus // by command id
	err     error
	asked   int
}

func (f *fakeRecords) Operation(_ context.Context, _, commandID string) (OperationStatus, bool, error) {
	f.asked++
	if f.err != nil {
		return OperationStatus{}, false, f.err
	}
	st, ok := f.records[commandID]
	return st, ok, nil
}

type guardEnv struct {
	guard   *keyGuard
	records *fakeRecords
	now     time.Time
}

const window = 24 * time.Hour

func newGuardEnv(cacheSize int) *guardEnv {
	e := &guardEnv{records: &fakeRecords{records: map[string]OperationStatus{}}, now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	e.guard = newKeyGuard(KeyConfig{Window: window, CacheSize: cacheSize, LookupTimeout: time.Second},
		map[string]OperationSource{"disney": e.records}, func() time.Time { return e.now })
	return e
}

var disneyCmd = Command{Provider: "disney", Org: "masmovil"}

func TestKeyGuard(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(e *guardEnv)
		wantErr error
		asks    int // questions to the provider's records
	}{
		{
			name:  "unknownKeyAccepted",
			setup: func(e *guardEnv) {},
			asks:  1,
		},
		{
			name:  "retryOfAcceptedKeyAccepted",
			setup: func(e *guardEnv) { e.guard.accepted("cmd-1", "fp-a") },
		},
		{
			name:    "acceptedKeyWithOtherFingerprintReused",
			setup:   func(e *guardEnv) { e.guard.accepted("cmd-1", "fp-b") },
			wantErr: ErrKeyReused,
		},
		{
			name: "acceptedKeyPastTheWindowAskedAgain",
			setup: func(e *guardEnv) {
				e.guard.accepted("cmd-1", "fp-b")
				e.now = e.now.Add(window + time.Second)
			},
			asks: 1,
		},
		{
			name: "acceptedKeyAtTheEndOfTheWindowStillReused",
			setup: func(e *guardEnv) {
				e.guard.accepted("cmd-1", "fp-b")
				e.now = e.now.Add(window)
			},
			wantErr: ErrKeyReused,
		},
		{
			name: "recordWithSameFingerprintAccepted",
			setup: func(e *guardEnv) {
				e.records.records["cmd-1"] = OperationStatus{Status: "COMPLETED", Fingerprint: "fp-a", At: e.now.Add(-time.Hour)}
			},
			asks: 1,
		},
		{
			name: "recordWithOtherFingerprintReused",
			setup: func(e *guardEnv) {
				e.records.records["cmd-1"] = OperationStatus{Status: "COMPLETED", Fingerprint: "fp-b", At: e.now.Add(-time.Hour)}
			},
			wantErr: ErrKeyReused,
			asks:    1,
		},
		{
			name: "recordPastTheWindowAccepted",
			setup: func(e *guardEnv) {
				e.records.records["cmd-1"] = OperationStatus{Status: "COMPLETED", Fingerprint: "fp-b", At: e.now.Add(-window - time.Second)}
			},
			asks: 1,
		},
		{
			name: "recordWithoutFingerprintAccepted",
			setup: func(e *guardEnv) {
				e.records.records["cmd-1"] = OperationStatus{Status: "COMPLETED", At: e.now.Add(-time.Hour)}
			},
			asks: 1,
		},
		{
			name: "runningCommandAccepted",
			setup: func(e *guardEnv) {
				e.records.records["cmd-1"] = OperationStatus{Status: "RUNNING"}
			},
			asks: 1,
		},
		{
			name:  "recordsUnavailableAccepted",
			setup: func(e *guardEnv) { e.records.err = errors.New("connection refused") },
			asks:  1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newGuardEnv(10)
			tc.setup(e)
			err := e.guard.check(context.Background(), disneyCmd, "cmd-1", "fp-a")
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("check = %v, want %v", err, tc.wantErr)
			}
			if e.records.asked != tc.asks {
				t.Errorf("records asked %d times, want %d", e.records.asked, tc.asks)
			}
		})
	}
}

// An unknown provider has no records to ask: its keyed commands are accepted.
func TestKeyGuardUnknownProvider(t *testing.T) {
	e := newGuardEnv(10)
	if err := e.guard.check(context.Background(), Command{Provider: "netflix", Org: "masmovil"}, "cmd-1", "fp-a"); err != nil {
		t.Fatal(err)
	}
}

func TestKeyCacheBounded(t *testing.T) {
	e := newGuardEnv(3)
	for _, id := range []string{"cmd-1", "cmd-2", "cmd-3", "cmd-4"} {
		e.guard.accepted(id, "fp-"+id)
		e.now = e.now.Add(time.Second)
	}
	if n := e.guard.cache.order.Len(); n != 3 || len(e.guard.cache.byID) != 3 {
		t.Fatalf("cache holds %d entries (%d ids), want 3", n, len(e.guard.cache.byID))
	}
	if _, ok := e.guard.cache.get("cmd-1", e.now.Add(-window)); ok {
		t.Error("the oldest entry was not evicted")
	}
	for _, id := range []string{"cmd-2", "cmd-3", "cmd-4"} {
		if fp, ok := e.guard.cache.get(id, e.now.Add(-window)); !ok || fp != "fp-"+id {
			t.Errorf("%s: got %q %v, want fp-%s", id, fp, ok, id)
		}
	}
	// An evicted key is checked against the provider's record instead.
	e.records.records["cmd-1"] = OperationStatus{Status: "COMPLETED", Fingerprint: "fp-cmd-1", At: e.now}
	if err := e.guard.check(context.Background(), disneyCmd, "cmd-1", "fp-other"); !errors.Is(err, ErrKeyReused) {
		t.Fatalf("check of an evicted key = %v, want ErrKeyReused from the record", err)
	}
}

// Entries past the window are dropped when new ones come, so a quiet cache does not hold them.
func TestKeyCacheDropsExpired(t *testing.T) {
	e := newGuardEnv(10)
	e.guard.accepted("cmd-1", "fp-1")
	e.guard.accepted("cmd-2", "fp-2")
	e.now = e.now.Add(window + time.Second)
	e.guard.accepted("cmd-3", "fp-3")
	if n := len(e.guard.cache.byID); n != 1 {
		t.Fatalf("cache holds %d entries, want only cmd-3", n)
	}
}

// A retry does not move the window: it runs from the first acceptance.
func TestKeyCacheKeepsFirstAcceptance(t *testing.T) {
	e := newGuardEnv(10)
	e.guard.accepted("cmd-1", "fp-1")
	first := e.now
	e.now = e.now.Add(time.Hour)
	e.guard.accepted("cmd-1", "fp-1")
	if got := e.guard.cache.byID["cmd-1"].Value.(*keyEntry).at; !got.Equal(first) {
		t.Fatalf("entry at %s, want the first acceptance %s", got, first)
	}
}
