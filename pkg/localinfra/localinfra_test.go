package localinfra_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"provision.local/pkg/localinfra"
	"provision.local/pkg/localinfra/infratest"
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

// TestIDLookupsUseAnIndex: FerretDB's lookup by _id must reach an index in SQLite, or every
// find and update by _id reads the whole collection.
func TestIDLookupsUseAnIndex(t *testing.T) {
	dir := t.TempDir()
	m, err := localinfra.StartMongo(localinfra.MongoConfig{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := mongo.Connect(options.Client().ApplyURI(m.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(ctx)
	if _, err := c.Database("db1").Collection("things").InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}}); err != nil {
		t.Fatal(err)
	}
	// The statement FerretDB prepares for a find by _id, planned on a fresh connection (a
	// connection plans with the schema it last loaded).
	plan := func() string {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "db1.sqlite")+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var table string
		if err := db.QueryRowContext(ctx, `SELECT table_name FROM "_ferretdb_collections" WHERE name = 'things'`).Scan(&table); err != nil {
			t.Fatal(err)
		}
		var id, parent, unused int
		var detail string
		q := fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = ?`, table)
		if err := db.QueryRowContext(ctx, q, `"a"`).Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		return detail
	}
	infratest.Eventually(t, 30*time.Second, "an index for lookups by _id", func() bool {
		return strings.Contains(plan(), "USING INDEX")
	})
	var got struct {
		ID string `bson:"_id"`
	}
	if err := c.Database("db1").Collection("things").FindOne(ctx, bson.D{{Key: "_id", Value: "a"}}).Decode(&got); err != nil || got.ID != "a" {
		t.Fatalf("find by _id with the index: %+v %v", got, err)
	}
}
