package domain

import (
	"reflect"
	"time"
)

// Changes are the fields an update sets; an empty field is left as it is.
type Changes struct {
	BundleID, OfferID, Channel, ChargeCountry, PreferredLanguage string
	ExternalID, BillingEventID, Email, Phone                     string
}

// Update applies the changes to a bundle that is not cancelled. A new offer (plan) or bundle is
// a plan change: the returned event type is EventPlanChange, empty for a change of contact data
// only. Netflix changes the email only while the customer has not activated the bundle, so a
// new email of an activated bundle is not kept. ErrNothingToChange says no value differs.
func (s Subscription) Update(c Changes, now time.Time) (Subscription, EventType, error) {
	if s.Status == Cancelled {
		return s, "", refuse("update", s.Status, "it is cancelled")
	}
	if err := check(contact(c)...); err != nil {
		return s, "", err
	}
	next := s
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&next.BundleID, c.BundleID)
	set(&next.OfferID, c.OfferID)
	set(&next.Channel, c.Channel)
	set(&next.ChargeCountry, c.ChargeCountry)
	set(&next.PreferredLanguage, c.PreferredLanguage)
	set(&next.ExternalID, c.ExternalID)
	set(&next.BillingEventID, c.BillingEventID)
	set(&next.Phone, c.Phone)
	if !s.everActivated() {
		set(&next.Email, c.Email)
	}
	next.UpdatedAt, next.LastEvent = s.UpdatedAt, s.LastEvent
	if reflect.DeepEqual(next, s) {
		return s, "", ErrNothingToChange
	}
	var kind EventType
	if next.OfferID != s.OfferID || next.BundleID != s.BundleID {
		kind = EventPlanChange
	}
	return next.touched(now), kind, nil
}
