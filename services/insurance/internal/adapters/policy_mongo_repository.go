package adapters

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/services/insurance/internal/domain"
)

// PolicyCollection holds one document per policy, `_id` = domain.Key(org, policyNumber).
const PolicyCollection = "policies"

// NewPolicyStore returns the ledger store of the policies, with the indexes of the searches by
// token. On the embedded SQLite store those searches scan the collection, which a few policies
// per person and org keep cheap enough for local runs; on MongoDB they use the indexes.
func NewPolicyStore(ctx context.Context, db *mongo.Database, opts ...ledger.Option) (*ledger.Store[domain.Policy], error) {
	store, err := ledger.New[domain.Policy](ctx, db, PolicyCollection, opts...)
	if err != nil {
		return nil, err
	}
	err = store.EnsureIndexes(ctx,
		mongo.IndexModel{Keys: bson.D{{Key: "state.org", Value: 1}, {Key: "state.phoneToken", Value: 1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "state.org", Value: 1}, {Key: "state.documentToken", Value: 1}}},
	)
	if err != nil {
		return nil, fmt.Errorf("policy search indexes: %w", err)
	}
	return store, nil
}

// Ledger is the store PolicyRepository adds its searches to: a *ledger.Store, or the in-memory
// *ledgertest.Store in unit tests.
type Ledger interface {
	Execute(ctx context.Context, cmd ledger.Command, decide ledger.Decide[domain.Policy]) ([]consumer.Output, error)
	ExecuteRelayed(ctx context.Context, cmd ledger.Command, decide ledger.Decide[domain.Policy]) ([]consumer.Output, error)
	Get(ctx context.Context, id string) (domain.Policy, int64, error)
	FindIDs(ctx context.Context, filter bson.D) ([]string, error)
}

// PolicyRepository is the policies' ledger with the searches by token: a policy is found by
// phone or document through their keyed hashes (state.phoneToken, state.documentToken), so
// neither is stored in plain text.
type PolicyRepository struct {
	Ledger
}

// FindByPhone returns the org's policies whose phone token is one of tokens.
func (r PolicyRepository) FindByPhone(ctx context.Context, org string, tokens []string) ([]domain.Policy, error) {
	return r.findBy(ctx, org, "state.phoneToken", tokens)
}

// FindByDocument returns the org's policies whose document token is one of tokens.
func (r PolicyRepository) FindByDocument(ctx context.Context, org string, tokens []string) ([]domain.Policy, error) {
	return r.findBy(ctx, org, "state.documentToken", tokens)
}

// findBy asks once per token (one per data key), by equality, which every store answers alike.
func (r PolicyRepository) findBy(ctx context.Context, org, field string, tokens []string) ([]domain.Policy, error) {
	var out []domain.Policy
	for _, token := range tokens {
		ids, err := r.FindIDs(ctx, bson.D{{Key: "state.org", Value: org}, {Key: field, Value: token}})
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			p, _, err := r.Get(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("read a policy found by token: %w", err)
			}
			out = append(out, p)
		}
	}
	return out, nil
}
