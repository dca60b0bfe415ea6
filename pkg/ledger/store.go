package ledger

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"provision.local/pkg/mongox"
)

// CompareAndSet says how an aggregate write is made conditional on the version it was decided on.
type CompareAndSet int

const (
	// DetectCompareAndSet asks the server at start: FerretDB → ClaimVersions, else FilterByVersion.
	DetectCompareAndSet CompareAndSet = iota
	// FilterByVersion writes with a {_id, version} filter: atomic on MongoDB, which evaluates the
	// filter and the write under one document lock.
	FilterByVersion
	// ClaimVersions inserts a unique claim of the version first, then writes by _id. FerretDB
	// reads and then rewrites a document in separate steps, and on SQLite evaluates any filter but
	// _id equality in Go over the whole collection, so {_id, version} is neither atomic nor fast
	// there; a unique insert is both.
	ClaimVersions
)

func (m CompareAndSet) String() string {
	switch m {
	case FilterByVersion:
		return "filter-by-version"
	case ClaimVersions:
		return "claim-versions"
	}
	return "detect"
}

// Defaults of the options.
const (
	DefaultHandlerTimeout    = 30 * time.Second
	DefaultIdempotencyWindow = 24 * time.Hour
	// MinClaimMargin is how much longer than the handler timeout a claim must stay before it is
	// released: it covers clock skew between replicas and a write the server received just
	// before the writer's deadline but applies later.
	MinClaimMargin = 10 * time.Second
	// defaultClaimMargin is the margin when the release age is not given.
	defaultClaimMargin = 30 * time.Second
)

// Option tunes a Store.
type Option func(*settings)

type settings struct {
	handlerTimeout time.Duration
	claimRelease   time.Duration
	window         time.Duration
	cas            CompareAndSet
}

// WithHandlerTimeout is the longest one Execute may run: the consumer's handler timeout. Execute
// also bounds itself by it, so no write of the ledger happens later than that after it started.
func WithHandlerTimeout(d time.Duration) Option {
	return func(s *settings) { s.handlerTimeout = d }
}

// WithClaimRelease is how old an unwritten version claim must be before another writer may skip
// it (ClaimVersions only). It must be at least the handler timeout plus MinClaimMargin; by
// default it is the handler timeout plus 30s.
func WithClaimRelease(age time.Duration) Option {
	return func(s *settings) { s.claimRelease = age }
}

// WithIdempotencyWindow is how long after its record a command id dedupes (default 24h); a
// command with the same id issued later is a new command.
func WithIdempotencyWindow(d time.Duration) Option {
	return func(s *settings) { s.window = d }
}

// WithCompareAndSet chooses the compare-and-set instead of asking the server.
func WithCompareAndSet(m CompareAndSet) Option {
	return func(s *settings) { s.cas = m }
}

// Store executes commands against one aggregate collection and the operations collection.
type Store[S any] struct {
	aggregates *mongo.Collection
	claims     *mongo.Collection
	operations *mongo.Collection
	outbox     *mongo.Collection
	// relayed signals the outbox relay that a relayed command was written in this process.
	relayed chan struct{}

	cas            CompareAndSet
	handlerTimeout time.Duration
	claimRelease   time.Duration
	window         time.Duration

	// recorded remembers operation records this process wrote or saw, so overwriting an
	// aggregate's last command does not need to read its record first.
	recorded   *recentSet
	sweepEvery time.Duration
	lastSweep  atomic.Int64 // unix nanoseconds of the last claim sweep started
	sweeping   atomic.Bool

	now  func() time.Time
	hook func(ctx context.Context, st step, cmd Command) // tests pause writers here
}

// New returns a store over the named aggregate collection, its claims collection
// (<aggregates>_versions, ClaimVersions only), its outbox (<aggregates>_outbox, relayed commands
// only) and "operations" in db. Unless WithCompareAndSet says, it asks the server which
// compare-and-set fits (buildInfo). It fails when an option is out of range, in particular a
// claim release age not longer than the handler timeout plus MinClaimMargin.
func New[S any](ctx context.Context, db *mongo.Database, aggregates string, opts ...Option) (*Store[S], error) {
	cfg := settings{handlerTimeout: DefaultHandlerTimeout, window: DefaultIdempotencyWindow}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.handlerTimeout <= 0 {
		return nil, fmt.Errorf("ledger: handler timeout must be positive, got %s", cfg.handlerTimeout)
	}
	if cfg.window <= 0 {
		return nil, fmt.Errorf("ledger: idempotency window must be positive, got %s", cfg.window)
	}
	if cfg.claimRelease == 0 {
		cfg.claimRelease = cfg.handlerTimeout + defaultClaimMargin
	}
	if cfg.claimRelease < cfg.handlerTimeout+MinClaimMargin {
		return nil, fmt.Errorf("ledger: claim release age %s must be at least the handler timeout %s plus %s",
			cfg.claimRelease, cfg.handlerTimeout, MinClaimMargin)
	}
	if cfg.cas == DetectCompareAndSet {
		m, err := detect(ctx, db)
		if err != nil {
			return nil, err
		}
		cfg.cas = m
	}
	s := &Store[S]{
		aggregates:     db.Collection(aggregates),
		claims:         db.Collection(aggregates + "_versions"),
		operations:     db.Collection("operations"),
		outbox:         db.Collection(aggregates + "_outbox"),
		relayed:        make(chan struct{}, 1),
		cas:            cfg.cas,
		handlerTimeout: cfg.handlerTimeout,
		claimRelease:   cfg.claimRelease,
		window:         cfg.window,
		recorded:       newRecentSet(recentRecords),
		sweepEvery:     sweepEvery,
		now:            func() time.Time { return time.Now().UTC() },
	}
	s.lastSweep.Store(time.Now().UnixNano())
	return s, nil
}

// CompareAndSet reports the compare-and-set in use.
func (s *Store[S]) CompareAndSet() CompareAndSet { return s.cas }

// detect tells FerretDB, which names itself in buildInfo, from MongoDB.
func detect(ctx context.Context, db *mongo.Database) (CompareAndSet, error) {
	raw, err := db.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	if err != nil {
		return 0, fmt.Errorf("ledger: ask the server what it is: %w", err)
	}
	if !raw.Lookup("ferretdbVersion").IsZero() {
		return ClaimVersions, nil
	}
	return FilterByVersion, nil
}

// EnsureIndexes creates the secondary indexes the store's queries use. On the embedded store only
// _id lookups are indexed, so hot paths use _id; these serve real MongoDB.
func (s *Store[S]) EnsureIndexes(ctx context.Context, stateIndexes ...mongo.IndexModel) error {
	if err := mongox.EnsureIndexes(ctx, s.operations,
		mongo.IndexModel{Keys: bson.D{{Key: "aggregateId", Value: 1}, {Key: "at", Value: 1}}},
	); err != nil {
		return fmt.Errorf("operations indexes: %w", err)
	}
	if len(stateIndexes) > 0 {
		if err := mongox.EnsureIndexes(ctx, s.aggregates, stateIndexes...); err != nil {
			return fmt.Errorf("aggregate indexes: %w", err)
		}
	}
	return nil
}

// step is a point in Execute where tests can pause a writer.
type step int

const (
	stepRead      step = iota // the aggregate and the operation record were read
	stepClaimed               // the version claim was inserted, not yet checked (ClaimVersions)
	stepWrite                 // about to write the aggregate
	stepWritten               // the aggregate is written, the operation record not yet
	stepPublished             // the relay published a command's events, not yet marked them published
)

func (s *Store[S]) at(ctx context.Context, st step, cmd Command) {
	if s.hook != nil {
		s.hook(ctx, st, cmd)
	}
}
