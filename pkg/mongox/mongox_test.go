package mongox_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"provision.local/pkg/config"
	"provision.local/pkg/localinfra/infratest"
	"provision.local/pkg/mongox"
)

// mongoURI points at one embedded MongoDB-wire server shared by the package's tests; each test
// gets its own database.
var mongoURI string

func TestMain(m *testing.M) { infratest.MainWithMongo(m, &mongoURI) }

var dbSeq atomic.Int64

// newDB connects to a fresh database for t and drops it when t ends.
func newDB(t *testing.T) *mongo.Database {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := mongox.Config{URI: mongoURI, Database: fmt.Sprintf("mongox_%d", dbSeq.Add(1)), Timeout: 10 * time.Second}
	client, db, err := mongox.Connect(ctx, cfg)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = db.Drop(ctx)
		_ = client.Disconnect(ctx)
	})
	return db
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestTranslateAgainstServer(t *testing.T) {
	type op func(ctx context.Context, c *mongo.Collection) error
	insert := func(doc bson.D) op {
		return func(ctx context.Context, c *mongo.Collection) error {
			_, err := c.InsertOne(ctx, doc)
			return err
		}
	}
	tests := []struct {
		name  string
		setup []op
		act   op
		want  error
	}{
		{
			name:  "duplicateIDAlreadyExists",
			setup: []op{insert(bson.D{{Key: "_id", Value: "yoigo/ENT1"}})},
			act:   insert(bson.D{{Key: "_id", Value: "yoigo/ENT1"}}),
			want:  mongox.ErrAlreadyExists,
		},
		{
			name: "uniqueIndexViolationAlreadyExists",
			setup: []op{
				func(ctx context.Context, c *mongo.Collection) error {
					return mongox.EnsureIndexes(ctx, c, mongo.IndexModel{
						Keys: bson.D{{Key: "user", Value: 1}}, Options: options.Index().SetUnique(true),
					})
				},
				insert(bson.D{{Key: "_id", Value: "a"}, {Key: "user", Value: "MOO1"}}),
			},
			act:  insert(bson.D{{Key: "_id", Value: "b"}, {Key: "user", Value: "MOO1"}}),
			want: mongox.ErrAlreadyExists,
		},
		{
			name: "missingDocumentNotFound",
			act: func(ctx context.Context, c *mongo.Collection) error {
				return c.FindOne(ctx, bson.D{{Key: "_id", Value: "nope"}}).Err()
			},
			want: mongox.ErrNotFound,
		},
		{
			name: "wrappedMissingDocumentNotFound",
			act: func(ctx context.Context, c *mongo.Collection) error {
				var doc bson.M
				if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: "nope"}}).Decode(&doc); err != nil {
					return fmt.Errorf("load subscription: %w", err)
				}
				return nil
			},
			want: mongox.ErrNotFound,
		},
		{
			name:  "distinctIDsSucceed",
			setup: []op{insert(bson.D{{Key: "_id", Value: "a"}})},
			act:   insert(bson.D{{Key: "_id", Value: "b"}}),
			want:  nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			coll := newDB(t).Collection("subscriptions")
			for i, s := range tc.setup {
				if err := s(ctx, coll); err != nil {
					t.Fatalf("setup %d: %v", i, err)
				}
			}
			raw := tc.act(ctx, coll)
			got := mongox.Translate(raw)
			if tc.want == nil {
				if got != nil {
					t.Fatalf("Translate(%v) = %v, want nil", raw, got)
				}
				return
			}
			if !errors.Is(got, tc.want) {
				t.Fatalf("Translate(%v) = %v, want %v", raw, got, tc.want)
			}
			if tc.want == mongox.ErrAlreadyExists {
				// The driver error stays reachable, for the log line at the edge.
				var we mongo.WriteException
				if !errors.As(got, &we) {
					t.Errorf("%v does not wrap the driver's WriteException", got)
				}
			}
		})
	}
}

func TestTranslateWithoutServer(t *testing.T) {
	other := errors.New("network down")
	tests := []struct {
		name string
		in   error
		want error
	}{
		{"nilStaysNil", nil, nil},
		{"noDocumentsNotFound", mongo.ErrNoDocuments, mongox.ErrNotFound},
		{"otherErrorUnchanged", other, other},
		{"timeoutUnchanged", context.DeadlineExceeded, context.DeadlineExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mongox.Translate(tc.in); got != tc.want {
				t.Fatalf("Translate(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

// Every start of a service ensures its indexes again: with two or more of them (a single
// request naming two existing indexes makes the embedded server drop the connection) too.
func TestEnsureIndexesIdempotent(t *testing.T) {
	ctx := testCtx(t)
	coll := newDB(t).Collection("operations")
	models := []mongo.IndexModel{{
		Keys:    bson.D{{Key: "subscription", Value: 1}, {Key: "at", Value: 1}},
		Options: options.Index().SetName("by_subscription"),
	}, {
		Keys: bson.D{{Key: "state.org", Value: 1}, {Key: "state.token", Value: 1}},
	}}
	for i := range 3 {
		if err := mongox.EnsureIndexes(ctx, coll, models...); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	specs, err := coll.Indexes().ListSpecifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
	}
	if len(names) != 3 || !strings.Contains(strings.Join(names, ","), "by_subscription") {
		t.Fatalf("indexes %v, want _id_, by_subscription and the state's", names)
	}
	if err := mongox.EnsureIndexes(ctx, coll); err != nil {
		t.Fatalf("no models: %v", err)
	}
}

func TestConnect(t *testing.T) {
	t.Run("connectedAndPinged", func(t *testing.T) {
		db := newDB(t)
		if err := mongox.Ping(testCtx(t), db.Client()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("errUnreachableWithinTimeout", func(t *testing.T) {
		ctx := testCtx(t)
		start := time.Now()
		// Port 1 is privileged and unused here; the password must not reach the error.
		_, _, err := mongox.Connect(ctx, mongox.Config{URI: "mongodb://user:hunter2@127.0.0.1:1/", Database: "x", Timeout: 300 * time.Millisecond})
		if err == nil {
			t.Fatal("Connect succeeded against a closed port")
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error leaks the password: %v", err)
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("took %s, want about the 300ms timeout", el)
		}
	})
	t.Run("errInvalidURIHidesIt", func(t *testing.T) {
		_, _, err := mongox.Connect(testCtx(t), mongox.Config{URI: "postgres://user:hunter2@h/", Database: "x", Timeout: time.Second})
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("err = %v, want an error without the URI", err)
		}
	})
	t.Run("errMissingDatabase", func(t *testing.T) {
		_, _, err := mongox.Connect(testCtx(t), mongox.Config{URI: mongoURI, Timeout: time.Second})
		if err == nil || !strings.Contains(err.Error(), "MONGODB_DATABASE") {
			t.Fatalf("err = %v, want MONGODB_DATABASE named", err)
		}
	})
}

func TestConfigLoad(t *testing.T) {
	t.Setenv("MONGODB_URI", "")
	t.Setenv("MONGODB_DATABASE", "")
	t.Setenv("MONGODB_TIMEOUT", "")
	cfg := mongox.Config{Database: "disney"}
	if err := config.Load(&cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.URI != "mongodb://127.0.0.1:27017/" || cfg.Database != "disney" || cfg.Timeout != 10*time.Second {
		t.Fatalf("got %+v", cfg)
	}
	if got := config.Fields(cfg)["MONGODB_URI"]; got != "****" {
		t.Errorf("URI printed as %v, want masked", got)
	}
	if err := config.Load(&mongox.Config{}); err == nil || !strings.Contains(err.Error(), "MONGODB_DATABASE") {
		t.Errorf("err = %v, want the missing database named", err)
	}
}
