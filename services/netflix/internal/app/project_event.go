package app

import (
	"context"
	"encoding/json"
	"fmt"

	"provision.local/events"
	"provision.local/pkg/eventfeed"
)

// NetflixEvent is one event as the events endpoint serves it (the API's NetflixEvent): the
// feed stores it so, and a page returns it as stored.
type NetflixEvent struct {
	BundleID                     string `json:"bundle_id"`
	EventType                    string `json:"event_type"`
	NetflixEventID               string `json:"netflix_event_id"`
	NetflixOfferID               string `json:"netflix_offer_id"`
	OriginalNetflixTransactionID string `json:"original_netflix_transaction_id,omitempty"`
	// PartnerAccountID is the PAI's digits as a JSON number, exact (ExactPAI).
	PartnerAccountID   any    `json:"partner_account_id"`
	PartnerReferenceID string `json:"partner_reference_id,omitempty"`
	// Timestamp is when the event occurred, in UNIX seconds.
	Timestamp int64 `json:"timestamp"`
}

// ProjectEvent appends the Netflix event a status event recorded to its org's feed, and nothing
// when it recorded none (a creation, a change of contact data). The feed entry is the event's
// own: Netflix's id and time of it, so a redelivered status event (or one carrying the same
// Netflix event) lands on the same entry, which the feed stores once. The runner commits the
// status event only after this returns.
func (q *EventsQuery) ProjectEvent(ctx context.Context, s events.StatusEvent[events.NetflixStatusDetails]) error {
	e := s.Details.Event
	if e == nil {
		return nil
	}
	at := e.OccurredAt.UTC()
	payload, err := json.Marshal(NetflixEvent{
		BundleID: s.Details.BundleID, EventType: e.Type, NetflixEventID: e.NetflixEventID, NetflixOfferID: s.Details.OfferID,
		OriginalNetflixTransactionID: e.OriginalTransactionID, PartnerAccountID: ExactPAI(s.Details.PartnerAccountID),
		PartnerReferenceID: e.PartnerReferenceID, Timestamp: at.Unix(),
	})
	if err != nil {
		return fmt.Errorf("encode netflix event: %w", err)
	}
	if err := q.feed.Append(ctx, s.Org, eventfeed.Event{ID: e.NetflixEventID, Time: at, Type: e.Type, Payload: payload}); err != nil {
		return fmt.Errorf("project netflix event %s: %w", e.NetflixEventID, err)
	}
	return nil
}
