package consumer

import (
	"context"

	"github.com/segmentio/kafka-go"
	"github.com/sirupsen/logrus"
)

// consume is the worker of one assigned partition: it reads the partition alone, from start (the
// group's committed offset, or kafka.FirstOffset for a partition without one), and handles its
// records one at a time, in order. It takes no more records once stopping or the generation is
// done, and its handler's context is cancelled when the generation ends or work is cancelled
// (the drain deadline). The records its reader fetched ahead are dropped with the reader.
func (r *Runner) consume(stopping, work, genCtx context.Context, p *partition, start int64) {
	log := r.log.WithFields(logrus.Fields{"topic": r.cfg.Topic, "group": r.cfg.GroupID, "partition": p.id})
	handlerCtx, cancelHandler := context.WithCancel(work)
	defer cancelHandler()
	defer context.AfterFunc(genCtx, cancelHandler)()
	fetchCtx, cancelFetch := context.WithCancel(handlerCtx)
	defer cancelFetch()
	defer context.AfterFunc(stopping, cancelFetch)()

	reader := kafka.NewReader(kafka.ReaderConfig{
		Brokers:   r.cfg.Brokers,
		Topic:     r.cfg.Topic,
		Partition: p.id,
		MaxWait:   r.cfg.MaxWait,
		ErrorLogger: kafka.LoggerFunc(func(msg string, args ...interface{}) {
			log.Warnf("kafka reader: "+msg, args...)
		}),
	})
	defer func() {
		if err := reader.Close(); err != nil {
			log.WithError(err).Warn("close reader")
		}
	}()
	if err := reader.SetOffset(start); err != nil {
		log.WithError(err).Error("set the start offset")
		return
	}
	r.metrics.owned.Inc()
	defer r.metrics.owned.Dec()

	backoff := r.cfg.RetryInitial
	for {
		m, err := reader.FetchMessage(fetchCtx)
		// Checked even when a record came: FetchMessage may return a prefetched record after
		// its context is done. A record not started stays uncommitted for the next reader.
		if fetchCtx.Err() != nil {
			return
		}
		if err != nil {
			log.WithError(err).Warn("fetch failed; retrying")
			if !sleep(fetchCtx, jitter(backoff)) {
				return
			}
			backoff = min(2*backoff, r.cfg.RetryMax)
			continue
		}
		backoff = r.cfg.RetryInitial
		deadLettered, finished := r.process(handlerCtx, m)
		if !finished {
			// The generation ended or the drain deadline passed: the record is not committed.
			return
		}
		p.finish(m.Offset, deadLettered)
	}
}
