package consumer

import (
	"context"
	"errors"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/sirupsen/logrus"
)

// commitLoop commits the generation's finished records: CommitInterval after the first record
// finished since the last commit, or at once when a partition has CommitBatch of them, every
// partition's progress in one request. A failed commit is tried again with backoff. Once every
// worker has stopped it commits what finished last, then waits for the generation to end:
// returning earlier would end it.
func (r *Runner) commitLoop(genCtx context.Context, g *generation) {
	log := r.log.WithFields(logrus.Fields{"topic": r.cfg.Topic, "group": r.cfg.GroupID, "generation": g.gen.ID})
	timer := time.NewTimer(r.cfg.CommitInterval)
	timer.Stop()
	defer timer.Stop()
	var due <-chan time.Time
	arm := func(d time.Duration) {
		if due == nil {
			timer.Reset(d)
			due = timer.C
		}
	}
	delay := r.cfg.CommitInterval
	flush := func() {
		timer.Stop()
		due = nil
		if r.flush(g, log) {
			delay = r.cfg.CommitInterval
			return
		}
		delay = min(2*delay, r.cfg.RetryMax)
		arm(jitter(delay))
	}
	for {
		select {
		case <-g.progress:
			arm(delay)
		case <-g.full:
			// A wake-up may predate the last commit, which covered those records.
			if g.batchWaiting(r.cfg.CommitBatch) {
				flush()
			}
		case <-due:
			flush()
		case <-g.stopped:
			timer.Stop()
			r.flush(g, log)
			close(g.flushed)
			<-genCtx.Done()
			return
		}
	}
}

// batchWaiting reports whether a partition has at least batch finished records not committed.
func (g *generation) batchWaiting(batch int) bool {
	for _, p := range g.parts {
		if _, covers, _ := p.uncommitted(); covers.total() >= batch {
			return true
		}
	}
	return false
}

// flush commits, through the generation, the offset after the last finished record of every
// partition that moved since its last commit. The broker refuses it once the generation is
// over; the records are then read again by the partition's next owner.
func (r *Runner) flush(g *generation, log *logrus.Entry) bool {
	type pending struct {
		p      *partition
		next   int64
		covers outcomes
	}
	var batch []pending
	offsets := map[int]int64{}
	for _, p := range g.parts {
		if next, covers, ok := p.uncommitted(); ok {
			batch = append(batch, pending{p, next, covers})
			offsets[p.id] = next
		}
	}
	if len(batch) == 0 {
		return true
	}
	if err := g.gen.CommitOffsets(map[string]map[int]int64{g.topic: offsets}); err != nil {
		r.metrics.commits.WithLabelValues(r.cfg.Topic, r.cfg.GroupID, "failed").Inc()
		entry := log.WithError(err).WithField("offsets", offsets)
		if generationOver(err) {
			entry.Info("commit refused: the generation is over; the partitions' next owners read these records again")
		} else {
			entry.Warn("commit failed; retrying")
		}
		return false
	}
	r.metrics.commits.WithLabelValues(r.cfg.Topic, r.cfg.GroupID, "ok").Inc()
	for _, b := range batch {
		b.p.committedUpTo(b.next, b.covers)
		r.metrics.messages.WithLabelValues(r.cfg.Topic, r.cfg.GroupID, "processed").Add(float64(b.covers.processed))
		r.metrics.messages.WithLabelValues(r.cfg.Topic, r.cfg.GroupID, "deadlettered").Add(float64(b.covers.deadLettered))
	}
	return true
}

// generationOver reports whether a commit failed because the generation ended or is ending.
func generationOver(err error) bool {
	return errors.Is(err, kafka.IllegalGeneration) || errors.Is(err, kafka.RebalanceInProgress) ||
		errors.Is(err, kafka.UnknownMemberId)
}
