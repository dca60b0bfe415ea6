package kafkaio

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"provision.local/pkg/cekafka"
	"provision.local/pkg/metrics"
)

// Publisher writes CloudEvents and raw records synchronously. It is safe for concurrent use.
type Publisher struct {
	w       *kafka.Writer
	timeout time.Duration
}

// NewPublisher returns a publisher on a writer built by NewWriter.
func NewPublisher(cfg Config) *Publisher {
	cfg = cfg.withDefaults()
	registerMetrics()
	return &Publisher{w: NewWriter(cfg), timeout: cfg.WriteTimeout}
}

// Publish encodes events in binary mode (record key = partitionkey) and writes them to topic.
// It returns only when every record is acknowledged by all in-sync replicas, or with an error if
// any record was not. Nothing is written when an event does not encode.
func (p *Publisher) Publish(ctx context.Context, topic string, events ...cloudevents.Event) error {
	msgs, err := encode(ctx, topic, events)
	if err != nil {
		return err
	}
	return p.PublishMessages(ctx, msgs...)
}

func encode(ctx context.Context, topic string, events []cloudevents.Event) ([]kafka.Message, error) {
	if topic == "" {
		return nil, errors.New("publish: empty topic")
	}
	msgs := make([]kafka.Message, 0, len(events))
	for _, e := range events {
		m, err := cekafka.ToMessage(ctx, e)
		if err != nil {
			return nil, fmt.Errorf("publish: %w", err)
		}
		m.Topic = topic
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// PublishMessages writes raw records; each must name its topic. Like Publish it is synchronous
// and reports a failure of any record.
func (p *Publisher) PublishMessages(ctx context.Context, msgs ...kafka.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	for i, m := range msgs {
		if m.Topic == "" {
			return fmt.Errorf("publish: record %d has no topic", i)
		}
	}
	// Bounded so a caller (an HTTP handler answering 503) never hangs on a dead broker.
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	start := time.Now()
	err := p.write(ctx, msgs)
	p.observe(msgs, err, time.Since(start))
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

// write retries "unknown topic" for one metadata refresh: the topic may have been created after
// the writer cached the cluster layout. Other errors were already retried by the writer.
func (p *Publisher) write(ctx context.Context, msgs []kafka.Message) error {
	deadline := time.Now().Add(unknownTopicWait)
	backoff := 100 * time.Millisecond
	for {
		err := p.w.WriteMessages(ctx, msgs...)
		if err == nil || !errors.Is(err, kafka.UnknownTopicOrPartition) || time.Now().Add(backoff).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 500*time.Millisecond)
	}
}

// observe records one outcome per record and one duration per topic in the call.
func (p *Publisher) observe(msgs []kafka.Message, err error, took time.Duration) {
	var werrs kafka.WriteErrors
	perRecord := errors.As(err, &werrs) && len(werrs) == len(msgs)
	seen := map[string]bool{}
	for i, m := range msgs {
		outcome := "ok"
		if (perRecord && werrs[i] != nil) || (!perRecord && err != nil) {
			outcome = "error"
		}
		publishedTotal.WithLabelValues(m.Topic, outcome).Inc()
		if !seen[m.Topic] {
			seen[m.Topic] = true
			publishSeconds.WithLabelValues(m.Topic).Observe(took.Seconds())
		}
	}
}

// Close flushes and closes the writer.
func (p *Publisher) Close() error {
	return CloseWriter(p.w)
}

var (
	metricsOnce    sync.Once
	publishedTotal *prometheus.CounterVec
	publishSeconds *prometheus.HistogramVec
)

// registerMetrics registers on the default registry once per process, however many publishers
// exist; if another copy of the collectors is already registered it is reused.
func registerMetrics() {
	metricsOnce.Do(func() {
		publishedTotal = metrics.Register(prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "provision_kafka_published_total",
			Help: "Records written to Kafka, by topic and outcome (ok, error).",
		}, []string{"topic", "outcome"}))
		publishSeconds = metrics.Register(prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "provision_kafka_publish_seconds",
			Help:    "Duration of synchronous Kafka writes (acks=all), by topic.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"topic"}))
	})
}
