package localinfra_test

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"provision.local/pkg/localinfra"
)

func TestBrokerRoundTrip(t *testing.T) {
	b, err := localinfra.StartBroker(localinfra.BrokerConfig{SeedTopics: []string{"t1"}, Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w := &kafka.Writer{Addr: kafka.TCP(b.Addr()), Topic: "t1", RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	defer w.Close()
	if err := w.WriteMessages(ctx, kafka.Message{Key: []byte("k"), Value: []byte("hello")}); err != nil {
		t.Fatalf("write: %v", err)
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{b.Addr()}, Topic: "t1", GroupID: "g1", MaxWait: 100 * time.Millisecond})
	defer r.Close()
	m, err := r.FetchMessage(ctx)
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	if string(m.Value) != "hello" || string(m.Key) != "k" {
		t.Fatalf("got key %q value %q", m.Key, m.Value)
	}
	if err := r.CommitMessages(ctx, m); err != nil {
		t.Fatalf("commit: %v", err)
	}
}

func TestMongoPersistsAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	write := func() {
		m, err := localinfra.StartMongo(localinfra.MongoConfig{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		c, err := mongo.Connect(options.Client().ApplyURI(m.URI()))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Disconnect(ctx)
		if _, err := c.Database("db1").Collection("c").InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}, {Key: "v", Value: 1}}); err != nil {
			t.Fatalf("insert: %v", err)
		}
	}
	write()
	m, err := localinfra.StartMongo(localinfra.MongoConfig{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c, err := mongo.Connect(options.Client().ApplyURI(m.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(ctx)
	var doc struct {
		V int `bson:"v"`
	}
	if err := c.Database("db1").Collection("c").FindOne(ctx, bson.D{{Key: "_id", Value: "a"}}).Decode(&doc); err != nil {
		t.Fatalf("find after restart: %v", err)
	}
	if doc.V != 1 {
		t.Fatalf("v = %d, want 1", doc.V)
	}
}
