// Package mongox connects to MongoDB (or the local MongoDB-wire server), creates indexes and
// turns driver errors into the domain errors stores return.
package mongox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// Config is the MongoDB part of a service's configuration. Services preset Database to their own
// default before config.Load: each service owns its database.
type Config struct {
	URI      string        `env:"MONGODB_URI" default:"mongodb://127.0.0.1:27017/" secret:"true"`
	Database string        `env:"MONGODB_DATABASE"`
	Timeout  time.Duration `env:"MONGODB_TIMEOUT" default:"10s"`
}

// Validate is called by config.Load.
func (c Config) Validate() error {
	var errs []error
	if c.URI == "" {
		errs = append(errs, errors.New("MONGODB_URI is empty"))
	}
	if c.Database == "" {
		errs = append(errs, errors.New("MONGODB_DATABASE is empty"))
	}
	if c.Timeout <= 0 {
		errs = append(errs, errors.New("MONGODB_TIMEOUT must be positive"))
	}
	return errors.Join(errs...)
}

// Domain errors that stores return instead of driver errors.
var (
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	// ErrConflict means a compare-and-set update lost: the document changed since it was read.
	ErrConflict = errors.New("conflict: document changed concurrently")
)

// Connect opens a client and pings the primary, both within cfg.Timeout, and returns the client
// and cfg.Database. On error nothing is left open. Errors never include the URI, which may hold a
// password.
func Connect(ctx context.Context, cfg Config) (*mongo.Client, *mongo.Database, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, fmt.Errorf("mongo config: %w", err)
	}
	opts := options.Client().
		ApplyURI(cfg.URI).
		SetConnectTimeout(cfg.Timeout).
		SetServerSelectionTimeout(cfg.Timeout)
	if err := opts.Validate(); err != nil {
		return nil, nil, errors.New("mongo: invalid MONGODB_URI")
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, nil, fmt.Errorf("mongo connect: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	if err := Ping(pctx, client); err != nil {
		// The client has background monitors; close them even though the ping failed.
		dctx, dcancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.Timeout)
		defer dcancel()
		_ = client.Disconnect(dctx)
		return nil, nil, err
	}
	return client, client.Database(cfg.Database), nil
}

// Ping checks the primary answers; it backs the readiness probe.
func Ping(ctx context.Context, client *mongo.Client) error {
	if err := client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("mongo ping: %w", err)
	}
	return nil
}

// Translate maps driver errors to domain errors: no document → ErrNotFound, duplicate key →
// ErrAlreadyExists (still wrapping the driver error, for the log). Other errors pass unchanged.
func Translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return ErrNotFound
	case mongo.IsDuplicateKeyError(err):
		return fmt.Errorf("%w: %w", ErrAlreadyExists, err)
	}
	return err
}

// EnsureIndexes creates the indexes coll needs. Creating an index that already exists with the
// same options is a no-op, so services call it at every start. Each index is its own request: the
// embedded MongoDB-wire server (FerretDB 1.24) drops the connection when one request names two
// or more indexes that exist already, which is every start after the first.
func EnsureIndexes(ctx context.Context, coll *mongo.Collection, models ...mongo.IndexModel) error {
	for _, m := range models {
		if _, err := coll.Indexes().CreateOne(ctx, m); err != nil {
			return fmt.Errorf("create indexes on %s: %w", coll.Name(), err)
		}
	}
	return nil
}
