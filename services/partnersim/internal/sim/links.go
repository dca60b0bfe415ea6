package sim

import (
	"errors"
	"time"
)

// ErrLinkNotFound is the error of opening a link that was never issued.
var ErrLinkNotFound = errors.New("activation link not found")

// ErrLinkExpired is the error of opening a link at or after its expiry; the error Open returns
// is a *LinkExpiredError that matches it with errors.Is.
var ErrLinkExpired = errors.New("activation link expired")

// LinkExpiredError says when the link that was opened expired.
type LinkExpiredError struct{ ExpiresAt time.Time }

func (e *LinkExpiredError) Error() string { return ErrLinkExpired.Error() }

// Is makes the error match ErrLinkExpired.
func (e *LinkExpiredError) Is(target error) bool { return target == ErrLinkExpired }

// Links is a partner's table of issued links: a customer's browser opens one by its token, which
// gives back what the link was issued for until it expires. Like Table it has no lock of its own.
type Links[T any] struct {
	rows     *Table[link[T]]
	newToken func() string
}

type link[T any] struct {
	value     T
	expiresAt time.Time
}

// NewLinks returns an empty table whose tokens come from newToken, as each partner has its own
// token shape.
func NewLinks[T any](newToken func() string) *Links[T] {
	return &Links[T]{rows: NewTable[link[T]](), newToken: newToken}
}

// Issue stores value under a new token, which can be opened until expiresAt. An expiry already
// past is accepted: the link simply cannot be opened.
func (l *Links[T]) Issue(value T, expiresAt time.Time) string {
	token := l.newToken()
	l.rows.Put(token, link[T]{value: value, expiresAt: expiresAt})
	return token
}

// Open returns the value the token was issued for. An unknown token is ErrLinkNotFound; one
// opened at or after its expiry is a *LinkExpiredError, returned with the value so the partner
// can say where the customer goes instead.
func (l *Links[T]) Open(token string, now time.Time) (T, error) {
	lk, ok := l.rows.Get(token)
	if !ok {
		var zero T
		return zero, ErrLinkNotFound
	}
	if !now.Before(lk.expiresAt) {
		return lk.value, &LinkExpiredError{ExpiresAt: lk.expiresAt}
	}
	return lk.value, nil
}
