package consumer

import (
	"context"
	"sync"

	"github.com/segmentio/kafka-go"
	"github.com/sirupsen/logrus"
)

// generation is this member's share of one consumer-group generation: a worker per assigned
// partition and one committer, all started by the generation, so that the group waits for them
// before it joins the next one.
type generation struct {
	gen   *kafka.Generation
	topic string
	parts []*partition
	// progress and full wake the committer: a partition finished a record, or finished
	// CommitBatch records since its last commit. Buffered, sent without blocking.
	progress chan struct{}
	full     chan struct{}
	// stopped is closed when every worker has stopped taking records, flushed when the commit
	// after that has been attempted.
	stopped chan struct{}
	flushed chan struct{}
}

// startGeneration starts the workers and the committer of gen. Workers take records until
// stopping is done (shutdown) and run handlers on work, both only while gen lasts.
func (r *Runner) startGeneration(stopping, work context.Context, gen *kafka.Generation, log *logrus.Entry) *generation {
	assigned := gen.Assignments[r.cfg.Topic]
	g := &generation{
		gen:      gen,
		topic:    r.cfg.Topic,
		progress: make(chan struct{}, 1),
		full:     make(chan struct{}, 1),
		stopped:  make(chan struct{}),
		flushed:  make(chan struct{}),
	}
	ids := make([]int, 0, len(assigned))
	for _, a := range assigned {
		ids = append(ids, a.ID)
	}
	log.WithFields(logrus.Fields{"generation": gen.ID, "partitions": ids}).Info("joined a consumer-group generation")
	r.metrics.generations.Inc()

	var workers sync.WaitGroup
	for _, a := range assigned {
		p := newPartition(a.ID, r.cfg.CommitBatch, g.progress, g.full)
		g.parts = append(g.parts, p)
		workers.Add(1)
		gen.Start(func(genCtx context.Context) {
			r.consume(stopping, work, genCtx, p, a.Offset)
			workers.Done()
			// Returning would end the generation for every partition: a worker that stopped for
			// shutdown stays until the group closes the generation, after the drain.
			<-genCtx.Done()
		})
	}
	go func() {
		workers.Wait()
		close(g.stopped)
	}()
	gen.Start(func(genCtx context.Context) { r.commitLoop(genCtx, g) })
	return g
}
