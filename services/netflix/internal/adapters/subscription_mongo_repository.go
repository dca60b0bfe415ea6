// Package adapters connects the Netflix service to MongoDB and to the Netflix partner API.
package adapters

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"provision.local/pkg/ledger"
	"provision.local/services/netflix/internal/domain"
)

// SubscriptionCollection holds one document per bundle, `_id` = domain.Key(org, pai).
const SubscriptionCollection = "subscriptions"

// NewSubscriptionRepository returns the ledger store of the Netflix subscriptions. Every read of
// a subscription is by its `_id` (org and PAI), so it needs no secondary index.
func NewSubscriptionRepository(ctx context.Context, db *mongo.Database, opts ...ledger.Option) (*ledger.Store[domain.Subscription], error) {
	return ledger.New[domain.Subscription](ctx, db, SubscriptionCollection, opts...)
}
