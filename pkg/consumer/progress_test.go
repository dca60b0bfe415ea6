package consumer

import "testing"

func signalled(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// TestPartitionProgress: the committer sees the offset after the last finished record and the
// outcomes it covers; records finished while a commit is in flight stay for the next one; the
// batch wake-up fires once CommitBatch records wait.
func TestPartitionProgress(t *testing.T) {
	progress, full := make(chan struct{}, 1), make(chan struct{}, 1)
	p := newPartition(3, 2, progress, full)
	check := func(step string, wantNext int64, want outcomes, wantOK bool) {
		t.Helper()
		next, covers, ok := p.uncommitted()
		if ok != wantOK || (ok && (next != wantNext || covers != want)) {
			t.Fatalf("%s: uncommitted = %d %+v %v, want %d %+v %v", step, next, covers, ok, wantNext, want, wantOK)
		}
	}
	check("nothing finished", 0, outcomes{}, false)

	p.finish(10, false)
	if !signalled(progress) || signalled(full) {
		t.Fatal("first record: want a progress wake-up only")
	}
	check("one finished", 11, outcomes{processed: 1}, true)

	p.finish(11, true)
	if !signalled(progress) || !signalled(full) {
		t.Fatal("second record: want progress and batch wake-ups")
	}
	next, covers, _ := p.uncommitted()
	p.finish(12, false) // while the commit of next is in flight
	p.committedUpTo(next, covers)
	check("one finished during the commit", 13, outcomes{processed: 1}, true)

	next, covers, _ = p.uncommitted()
	p.committedUpTo(next, covers)
	check("all committed", 0, outcomes{}, false)
}
