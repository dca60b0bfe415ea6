// Package adapters connects the HBO service to MongoDB and to the HBO partner API.
package adapters

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"provision.local/pkg/ledger"
	"provision.local/services/hbo/internal/domain"
)

// SubscriptionCollection holds one document per subscription, `_id` = domain.Key(org, serviceID),
// its status history inside.
const SubscriptionCollection = "subscriptions"

// NewSubscriptionRepository returns the ledger store of the HBO subscriptions. Every read is by
// `_id`, so it needs no secondary index.
func NewSubscriptionRepository(ctx context.Context, db *mongo.Database, opts ...ledger.Option) (*ledger.Store[domain.Subscription], error) {
	return ledger.New[domain.Subscription](ctx, db, SubscriptionCollection, opts...)
}
