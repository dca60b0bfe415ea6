package consumer

import "sync"

// partition is the progress of one assigned partition in one generation: how far its worker
// has finished records and how far that has been committed. The worker writes it, the
// committer reads it.
type partition struct {
	id    int
	batch int
	// progress and full are the generation's committer wake-ups.
	progress, full chan<- struct{}

	mu sync.Mutex
	// next is the offset after the last finished record, committed the offset last committed
	// (the next record to read, as Kafka counts); -1 before any.
	next, committed int64
	// done counts the finished records not yet committed, by outcome.
	done outcomes
}

// outcomes counts finished records by how they ended.
type outcomes struct{ processed, deadLettered int }

func (o outcomes) total() int { return o.processed + o.deadLettered }

func newPartition(id, batch int, progress, full chan<- struct{}) *partition {
	return &partition{id: id, batch: batch, progress: progress, full: full, next: -1, committed: -1}
}

// finish records that the record at offset is done (handled or dead-lettered, outputs
// published) and wakes the committer.
func (p *partition) finish(offset int64, deadLettered bool) {
	p.mu.Lock()
	p.next = offset + 1
	if deadLettered {
		p.done.deadLettered++
	} else {
		p.done.processed++
	}
	pending := p.done.total()
	p.mu.Unlock()
	wake(p.progress)
	if pending >= p.batch {
		wake(p.full)
	}
}

// uncommitted returns the offset to commit and what it covers; ok is false when there is nothing
// new.
func (p *partition) uncommitted() (next int64, covers outcomes, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.next, p.done, p.next > p.committed
}

// committedUpTo records a successful commit of next, which covered covers.
func (p *partition) committedUpTo(next int64, covers outcomes) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.committed = next
	p.done.processed -= covers.processed
	p.done.deadLettered -= covers.deadLettered
}

// wake signals ch without blocking; a signal already pending covers this one.
func wake(ch chan<- struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
