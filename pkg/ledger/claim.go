package ledger

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"provision.local/pkg/logging"
	"provision.local/pkg/mongox"
)

// The compare-and-set of ClaimVersions. docs/architecture.md argues why it holds; in short:
//
//   - A writer that read version b may write only version t > b, only while it holds the claim
//     <aggregate id>@t (a unique insert: one holder per version), and only after reading the
//     aggregate again, after the claim, at version b.
//   - Every store call of an Execute happens before its start plus the handler timeout (Execute
//     bounds its own context), so a claim older than the release age (> handler timeout + margin)
//     belongs to a writer that can no longer write. Such a claim, still above the aggregate's
//     version, is skipped (the next version is claimed), never deleted: deleting it would let a
//     writer take that version while another one holds a higher claim on the same base.
//   - Claims at or below the aggregate's version are spent; the sweep deletes them. A stale
//     writer that claims such a version again finds the aggregate past its base and backs off.

// versionClaim reserves one version of an aggregate for one writer.
type versionClaim struct {
	ID        string    `bson:"_id"` // <aggregate id>@<version>
	CommandID string    `bson:"commandId"`
	At        time.Time `bson:"at"`
}

func claimID(aggregateID string, version int64) string {
	return aggregateID + "@" + strconv.FormatInt(version, 10)
}

// parseClaimID splits a claim id into the aggregate id and the version.
func parseClaimID(id string) (string, int64, bool) {
	i := strings.LastIndexByte(id, '@')
	if i < 0 {
		return "", 0, false
	}
	v, err := strconv.ParseInt(id[i+1:], 10, 64)
	return id[:i], v, err == nil
}

// maxSkippedClaims bounds how many abandoned claims one write skips; each one is a writer that
// died between its claim and its write.
const maxSkippedClaims = 64

// claim reserves the version a writer that read version base writes, and checks the aggregate is
// still at base. It returns ErrConflict when another writer holds the next version or the
// aggregate moved.
func (s *Store[S]) claim(ctx context.Context, cmd Command, base int64) (int64, error) {
	for v := base + 1; v <= base+maxSkippedClaims; v++ {
		c := versionClaim{ID: claimID(cmd.AggregateID, v), CommandID: cmd.ID, At: s.now()}
		_, err := s.claims.InsertOne(ctx, c)
		if err == nil {
			s.at(ctx, stepClaimed, cmd)
			doc, err := s.load(ctx, cmd.AggregateID)
			if err != nil {
				return 0, fmt.Errorf("reload %s: %w", cmd.AggregateID, err)
			}
			if doc.Version == base {
				return v, nil
			}
			if doc.Version < v {
				// Not spent: it would hold the next writer off until the release age. Nobody
				// else can have skipped it yet, it is younger than that.
				if _, err := s.claims.DeleteOne(ctx, bson.D{{Key: "_id", Value: c.ID}}); err != nil {
					return 0, fmt.Errorf("release claim %s: %w", c.ID, err)
				}
			}
			return 0, ErrConflict
		}
		if !errors.Is(mongox.Translate(err), mongox.ErrAlreadyExists) {
			return 0, fmt.Errorf("claim %s: %w", c.ID, err)
		}
		var held versionClaim
		if err := s.claims.FindOne(ctx, bson.D{{Key: "_id", Value: c.ID}}).Decode(&held); err != nil {
			if errors.Is(mongox.Translate(err), mongox.ErrNotFound) {
				return 0, ErrConflict // swept: spent, so the aggregate moved past base
			}
			return 0, fmt.Errorf("read claim %s: %w", c.ID, err)
		}
		if s.now().Sub(held.At) <= s.claimRelease {
			return 0, ErrConflict // held by a live writer, or spent and not yet swept
		}
	}
	return 0, fmt.Errorf("claim %s: more than %d abandoned claims", claimID(cmd.AggregateID, base+1), maxSkippedClaims)
}

// Claim sweeping: spent claims are deleted in batches, by one sweep at a time, started by a write
// at most every sweepEvery.
const (
	sweepEvery   = 10 * time.Second
	sweepBatch   = 5000
	sweepTimeout = time.Minute
)

// maybeSweep starts a sweep in the background when the last one is older than sweepEvery.
func (s *Store[S]) maybeSweep(ctx context.Context) {
	now := time.Now().UnixNano()
	if now-s.lastSweep.Load() < int64(s.sweepEvery) || !s.sweeping.CompareAndSwap(false, true) {
		return
	}
	s.lastSweep.Store(now)
	log := logging.FromContext(ctx)
	go func() {
		defer s.sweeping.Store(false)
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sweepTimeout)
		defer cancel()
		if _, err := s.sweepClaims(sctx); err != nil {
			log.WithError(err).Warn("cannot sweep spent version claims")
		}
	}()
}

// sweepClaims deletes up to sweepBatch spent claims (at or below their aggregate's version) and
// returns how many it deleted.
func (s *Store[S]) sweepClaims(ctx context.Context) (int, error) {
	cur, err := s.claims.Find(ctx, bson.D{}, options.Find().SetLimit(sweepBatch).SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return 0, fmt.Errorf("list claims: %w", err)
	}
	var rows []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return 0, fmt.Errorf("list claims: %w", err)
	}
	versions := map[string]int64{}
	var spent []string
	for _, r := range rows {
		agg, v, ok := parseClaimID(r.ID)
		if !ok {
			continue
		}
		current, seen := versions[agg]
		if !seen {
			var doc struct {
				Version int64 `bson:"version"`
			}
			err := s.aggregates.FindOne(ctx, bson.D{{Key: "_id", Value: agg}}, options.FindOne().SetProjection(bson.D{{Key: "version", Value: 1}})).Decode(&doc)
			if err != nil && !errors.Is(mongox.Translate(err), mongox.ErrNotFound) {
				return 0, fmt.Errorf("read %s: %w", agg, err)
			}
			current = doc.Version
			versions[agg] = current
		}
		if v <= current {
			spent = append(spent, r.ID)
		}
	}
	if len(spent) == 0 {
		return 0, nil
	}
	res, err := s.claims.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: spent}}}})
	if err != nil {
		return 0, fmt.Errorf("delete spent claims: %w", err)
	}
	return int(res.DeletedCount), nil
}
