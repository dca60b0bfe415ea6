package sim_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"provision.local/services/partnersim/internal/sim"
	"provision.local/services/partnersim/internal/sim/simtest"
)

// counter returns tokens "t1", "t2", ... so a test knows them in advance.
func counter() func() string {
	n := 0
	return func() string {
		n++
		return "t" + strconv.Itoa(n)
	}
}

func TestLinksOpen(t *testing.T) {
	clock := simtest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	links := sim.NewLinks[string](counter())
	expires := clock.Now().Add(time.Hour)
	token := links.Issue("sub-1", expires)
	if token != "t1" {
		t.Fatalf("token %q, want the generator's t1", token)
	}
	past := links.Issue("sub-2", clock.Now().Add(-time.Second))

	if v, err := links.Open(token, clock.Now()); err != nil || v != "sub-1" {
		t.Fatalf("open before expiry: %q %v", v, err)
	}
	clock.Advance(time.Hour - time.Nanosecond)
	if v, err := links.Open(token, clock.Now()); err != nil || v != "sub-1" {
		t.Fatalf("open just before expiry: %q %v", v, err)
	}

	clock.Advance(time.Nanosecond)
	v, err := links.Open(token, clock.Now())
	exp, ok := errors.AsType[*sim.LinkExpiredError](err)
	if !ok || !errors.Is(err, sim.ErrLinkExpired) || !exp.ExpiresAt.Equal(expires) || v != "sub-1" {
		t.Fatalf("open at expiry: %q %v, want the value and an expiry at %s", v, err, expires)
	}
	if _, err := links.Open(past, clock.Now()); !errors.Is(err, sim.ErrLinkExpired) {
		t.Fatalf("link issued already expired: %v", err)
	}
	if _, err := links.Open("t9", clock.Now()); !errors.Is(err, sim.ErrLinkNotFound) || errors.Is(err, sim.ErrLinkExpired) {
		t.Fatalf("unknown token: %v, want ErrLinkNotFound", err)
	}
}
