package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"

	"provision.local/pkg/metrics"
)

// Job is a background job the runtime runs until shutdown (the inventory's scheduler). Run must
// return soon after ctx is done. A job that fails (an error or a panic) is restarted after a
// backoff and counted in provision_job_failures_total: a scheduler outlives a store outage rather
// than stopping the service. A job that returns nil before shutdown is finished.
type Job struct {
	Name string
	Run  func(ctx context.Context) error
}

var jobFailures = metrics.Register(prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "provision_job_failures_total",
	Help: "Background job runs that ended in an error or a panic, each followed by a restart.",
}, []string{"job"}))

// jobBackoff is how a failed job is restarted: after initial, doubling up to max; a job that
// ignores cancellation is abandoned after abandon.
type jobBackoff struct {
	initial, max, abandon time.Duration
}

// runJob runs j until ctx is done or it finishes, restarting it when it fails.
func runJob(ctx context.Context, j Job, log *logrus.Logger, b jobBackoff) {
	entry := log.WithField("job", j.Name)
	delay := b.initial
	for {
		started := time.Now()
		abandoned, err := runOnce(ctx, j, b.abandon)
		switch {
		case abandoned:
			entry.Error("the job ignored cancellation; stopping without it")
			return
		case ctx.Err() != nil:
			return
		case err == nil:
			entry.Info("job finished")
			return
		}
		jobFailures.WithLabelValues(j.Name).Inc()
		if time.Since(started) > b.max {
			delay = b.initial // it ran well for a while: this is a new failure, not the same one
		}
		entry.WithError(err).WithField("restart_in", delay.String()).Error("job failed; restarting")
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, b.max)
	}
}

// runOnce runs the job once in its own goroutine, turning a panic into an error, and waits for
// it; once ctx is done it waits at most abandon.
func runOnce(ctx context.Context, j Job, abandon time.Duration) (abandoned bool, err error) {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("panic: %v", p)
			}
		}()
		done <- j.Run(ctx)
	}()
	select {
	case err := <-done:
		return false, err
	case <-ctx.Done():
	}
	select {
	case err := <-done:
		return false, err
	case <-time.After(abandon):
		return true, nil
	}
}
