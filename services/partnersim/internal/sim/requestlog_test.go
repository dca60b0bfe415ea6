package sim_test

import (
	"fmt"
	"maps"
	"net/http"
	"testing"
	"time"

	"provision.local/services/partnersim/internal/sim"
	"provision.local/services/partnersim/internal/sim/simtest"
)

func TestRequestLogCounts(t *testing.T) {
	clock := simtest.NewClock(t0)
	p := sim.NewPartner(sim.Config{Name: "p", Clock: clock})
	p.Handle(t.Context(), post("k1"), okApply(nil))                                                   // effect
	p.Handle(t.Context(), post("k1"), okApply(nil))                                                   // replay
	p.Handle(t.Context(), post(""), okApply(nil))                                                     // 400 missing key
	p.Handle(t.Context(), post("k2"), func() sim.Response { return sim.JSON(409, map[string]int{}) }) // error
	p.Handle(t.Context(), get(), okApply(nil))                                                        // read, effect as the handler says
	if _, err := p.SetFault(sim.FaultSpec{Status: 503, Rate: 1}); err != nil {
		t.Fatal(err)
	}
	p.Handle(t.Context(), post("k3"), okApply(nil)) // faulted

	r := p.Requests()
	for _, c := range []struct {
		name      string
		got, want map[sim.Operation]int
	}{
		{"counts", r.Counts, map[sim.Operation]int{"create": 5, "get": 1}},
		{"effects", r.Effects, map[sim.Operation]int{"create": 1, "get": 1}},
		{"faulted", r.Faulted, map[sim.Operation]int{"create": 1}},
	} {
		if !maps.Equal(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if r.Partner != "p" || len(r.Last) != 6 {
		t.Fatalf("partner %q last %d, want p and 6", r.Partner, len(r.Last))
	}
	newest, replay := r.Last[0], r.Last[4]
	if newest.IdempotencyKey != "k3" || !newest.Faulted || newest.Status != 503 {
		t.Fatalf("newest entry %+v, want faulted k3 503", newest)
	}
	if replay.IdempotencyKey != "k1" || !replay.Replayed || replay.Method != http.MethodPost || !replay.At.Equal(t0) {
		t.Fatalf("replay entry %+v, want replayed k1 POST at t0", replay)
	}
}

func TestRequestLogKeepsLast100NewestFirst(t *testing.T) {
	clock := simtest.NewClock(t0)
	p := sim.NewPartner(sim.Config{Name: "p", Clock: clock})
	const n = sim.LastRequests + 30
	for i := range n {
		p.Handle(t.Context(), post(fmt.Sprintf("k%d", i)), okApply(nil))
		clock.Advance(time.Second)
	}
	r := p.Requests()
	if len(r.Last) != sim.LastRequests || r.Counts["create"] != n || r.Effects["create"] != n {
		t.Fatalf("last %d counts %d effects %d, want %d %d %d", len(r.Last), r.Counts["create"], r.Effects["create"], sim.LastRequests, n, n)
	}
	for i, e := range r.Last {
		if want := fmt.Sprintf("k%d", n-1-i); e.IdempotencyKey != want {
			t.Fatalf("last[%d] = %s, want %s", i, e.IdempotencyKey, want)
		}
	}
}

func TestResetRequestsKeepsIdempotencyKeys(t *testing.T) {
	p := sim.NewPartner(sim.Config{Name: "p", Clock: simtest.NewClock(t0)})
	p.Handle(t.Context(), post("k1"), okApply(nil))
	p.ResetRequests()
	r := p.Requests()
	if len(r.Counts) != 0 || len(r.Effects) != 0 || len(r.Last) != 0 {
		t.Fatalf("after reset: %+v, want empty", r)
	}
	if res := p.Handle(t.Context(), post("k1"), okApply(nil)); !res.Replayed {
		t.Fatal("key forgotten by ResetRequests")
	}
}
