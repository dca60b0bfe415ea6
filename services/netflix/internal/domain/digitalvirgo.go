package domain

import (
	"errors"
	"slices"
	"time"
)

// ErrPhoneNotFound: the phone is not enrolled with Digital Virgo on this bundle.
var ErrPhoneNotFound = errors.New("the phone is not enrolled with digitalvirgo")

// EnrolPhone adds a phone to the bundle's Digital Virgo enrolments. ErrNothingToChange says it
// is enrolled already.
func (s Subscription) EnrolPhone(phone string, now time.Time) (Subscription, error) {
	if s.Status == Cancelled {
		return s, refuse("enrol a digitalvirgo phone on", s.Status, "it is cancelled")
	}
	if phone == "" {
		return s, &InvalidField{Field: "phoneNumber", Rule: "required"}
	}
	if err := check(field{"phoneNumber", phone, "E.164, +[country code][number]", phonePattern.MatchString}); err != nil {
		return s, err
	}
	if slices.Contains(s.DigitalVirgo, phone) {
		return s, ErrNothingToChange
	}
	s.DigitalVirgo = append(slices.Clone(s.DigitalVirgo), phone)
	return s.touched(now), nil
}

// RemovePhone ends a phone's Digital Virgo enrolment. ErrPhoneNotFound says it has none.
func (s Subscription) RemovePhone(phone string, now time.Time) (Subscription, error) {
	i := slices.Index(s.DigitalVirgo, phone)
	if i < 0 {
		return s, ErrPhoneNotFound
	}
	s.DigitalVirgo = slices.Delete(slices.Clone(s.DigitalVirgo), i, i+1)
	return s.touched(now), nil
}
