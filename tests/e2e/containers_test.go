package e2e_test

// Tests against real Apache Kafka and MongoDB in containers (testcontainers-go). They need a
// Docker engine and skip at once, with a message, where none answers; the embedded broker and
// MongoDB-wire server cover the same code everywhere else.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/segmentio/kafka-go"
	"github.com/testcontainers/testcontainers-go"
	tckafka "github.com/testcontainers/testcontainers-go/modules/kafka"
	tcmongo "github.com/testcontainers/testcontainers-go/modules/mongodb"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"provision.local/pkg/cekafka"
)

const (
	// The Kafka module drives Confluent's image; its broker is Apache Kafka 3.5 in KRaft mode.
	containerKafkaImage = "confluentinc/confluent-local:7.5.0"
	containerMongoImage = "mongo:7"
)

var (
	dockerProbeOnce sync.Once
	dockerProbeErr  error
)

// skipWithoutDockerEngine skips t when no Docker engine answers a ping within a few seconds.
// The probe runs once per test binary.
func skipWithoutDockerEngine(t *testing.T) {
	t.Helper()
	dockerProbeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		dockerProbeErr = pingDockerEngine(ctx)
	})
	if dockerProbeErr != nil {
		t.Skipf("no Docker engine: %v (this test runs real Kafka/MongoDB in containers; `make test` covers the rest without Docker)", dockerProbeErr)
	}
}

func pingDockerEngine(ctx context.Context) (err error) {
	// testcontainers panics when it cannot work out a Docker host at all.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("find a Docker host: %v", r)
		}
	}()
	p, err := testcontainers.ProviderDocker.GetProvider()
	if err != nil {
		return fmt.Errorf("find a Docker host: %w", err)
	}
	defer p.Close()
	if err := p.Health(ctx); err != nil {
		return fmt.Errorf("ping the Docker engine: %w", err)
	}
	return nil
}

func TestContainersKafkaCloudEventRoundTrip(t *testing.T) {
	skipWithoutDockerEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	ctr, err := tckafka.Run(ctx, containerKafkaImage, tckafka.WithClusterID("provision-e2e"))
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		t.Fatalf("start kafka: %v", err)
	}
	brokers, err := ctr.Brokers(ctx)
	if err != nil {
		t.Fatalf("brokers: %v", err)
	}

	topic := "provision.e2e.containers." + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := createTopic(ctx, brokers[0], topic, 6); err != nil {
		t.Fatalf("create topic: %v", err)
	}

	e := cloudevents.NewEvent()
	e.SetID("0b8f2a5e-7c1d-4e8b-9f3a-6d2c1b0a9e87")
	e.SetType("com.provision.disney.subscription.create.v1")
	e.SetSource("/v2/orgs/masmovil/tv/disney/users/MOO1664367665504")
	e.SetSubject("ENT1664367665579")
	e.SetExtension(cekafka.ExtPartitionKey, "ENT1664367665579")
	e.SetExtension(cekafka.ExtCorrelationID, "2106f808-36e9-402d-bf37-f1f7fa04776b")
	if err := e.SetData(cloudevents.ApplicationJSON, map[string]any{
		"subscriptionId": "ENT1664367665579",
		"products":       []string{"com.disney.yoigo.es.bundle.basic"},
	}); err != nil {
		t.Fatal(err)
	}
	msg, err := cekafka.ToMessage(ctx, e)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}

	w := &kafka.Writer{
		Addr:         kafka.TCP(brokers...),
		Topic:        topic,
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
	}
	defer w.Close()
	if err := w.WriteMessages(ctx, msg); err != nil {
		t.Fatalf("write: %v", err)
	}

	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:     brokers,
		Topic:       topic,
		GroupID:     "e2e-containers",
		StartOffset: kafka.FirstOffset,
		MaxWait:     200 * time.Millisecond,
	})
	defer r.Close()
	rec, err := r.FetchMessage(ctx)
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	if err := r.CommitMessages(ctx, rec); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if string(rec.Key) != "ENT1664367665579" {
		t.Errorf("record key = %q, want the partition key", rec.Key)
	}
	got, err := cekafka.FromMessage(rec)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if got.ID() != e.ID() || got.Type() != e.Type() || got.Subject() != e.Subject() {
		t.Errorf("got id=%s type=%s subject=%s, want %s %s %s", got.ID(), got.Type(), got.Subject(), e.ID(), e.Type(), e.Subject())
	}
	if cid, _ := got.Extensions()[cekafka.ExtCorrelationID].(string); cid != "2106f808-36e9-402d-bf37-f1f7fa04776b" {
		t.Errorf("correlationid = %q", cid)
	}
	if string(got.Data()) != string(e.Data()) {
		t.Errorf("data = %s, want %s", got.Data(), e.Data())
	}
}

func TestContainersMongoDuplicateKey(t *testing.T) {
	skipWithoutDockerEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	ctr, err := tcmongo.Run(ctx, containerMongoImage)
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		t.Fatalf("start mongodb: %v", err)
	}
	uri, err := ctr.ConnectionString(ctx)
	if err != nil {
		t.Fatalf("connection string: %v", err)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })

	coll := client.Database("e2e_containers").Collection("subscriptions")
	if _, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys:    bson.D{{Key: "org", Value: 1}, {Key: "subscriptionId", Value: 1}},
		Options: options.Index().SetUnique(true),
	}); err != nil {
		t.Fatalf("create index: %v", err)
	}
	doc := bson.D{{Key: "_id", Value: "masmovil/ENT1664367665579"}, {Key: "org", Value: "masmovil"}, {Key: "subscriptionId", Value: "ENT1664367665579"}}
	if _, err := coll.InsertOne(ctx, doc); err != nil {
		t.Fatalf("first insert: %v", err)
	}
	tests := []struct {
		name string
		doc  bson.D
	}{
		{"same _id", doc},
		{"same unique index key", bson.D{{Key: "_id", Value: "other"}, {Key: "org", Value: "masmovil"}, {Key: "subscriptionId", Value: "ENT1664367665579"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := coll.InsertOne(ctx, tt.doc)
			if !mongo.IsDuplicateKeyError(err) {
				t.Fatalf("insert: err = %v, want a duplicate key error (E11000)", err)
			}
		})
	}
}

// createTopic creates topic through the cluster's controller, as the services do at start:
// nothing relies on auto-creation.
func createTopic(ctx context.Context, broker, topic string, partitions int) error {
	conn, err := (&kafka.Dialer{Timeout: 10 * time.Second}).DialContext(ctx, "tcp", broker)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctrl, err := conn.Controller()
	if err != nil {
		return err
	}
	cc, err := (&kafka.Dialer{Timeout: 10 * time.Second}).DialContext(ctx, "tcp", net.JoinHostPort(ctrl.Host, strconv.Itoa(ctrl.Port)))
	if err != nil {
		return err
	}
	defer cc.Close()
	err = cc.CreateTopics(kafka.TopicConfig{Topic: topic, NumPartitions: partitions, ReplicationFactor: 1})
	if err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		return err
	}
	return nil
}
