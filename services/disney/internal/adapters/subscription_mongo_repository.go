// Package adapters connects the Disney service to MongoDB and to the Disney partner API.
package adapters

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"provision.local/pkg/ledger"
	"provision.local/services/disney/internal/domain"
)

// SubscriptionCollection holds one document per subscription, `_id` = domain.Key(org, id).
const SubscriptionCollection = "subscriptions"

// NewSubscriptionRepository returns the ledger-backed subscription store and creates its indexes.
func NewSubscriptionRepository(ctx context.Context, db *mongo.Database, opts ...ledger.Option) (*ledger.Store[domain.Subscription], error) {
	store, err := ledger.New[domain.Subscription](ctx, db, SubscriptionCollection, opts...)
	if err != nil {
		return nil, err
	}
	// The activation callback finds a user's subscriptions by org and user.
	err = store.EnsureIndexes(ctx, mongo.IndexModel{Keys: bson.D{{Key: "state.org", Value: 1}, {Key: "state.userId", Value: 1}}})
	return store, err
}
