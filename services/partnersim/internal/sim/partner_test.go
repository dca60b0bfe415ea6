package sim_test

import (
	"context"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"provision.local/services/partnersim/internal/sim"
	"provision.local/services/partnersim/internal/sim/simtest"
)

func get() sim.Request {
	return sim.Request{Method: http.MethodGet, Path: "/p/things/1", Operation: "get"}
}

func post(key string) sim.Request {
	return sim.Request{Method: http.MethodPost, Path: "/p/things", Operation: "create", IdempotencyKey: key, Mutating: true}
}

// okApply answers 200 with an effect and counts its calls.
func okApply(calls *atomic.Int32) func() sim.Response {
	return func() sim.Response {
		if calls != nil {
			calls.Add(1)
		}
		r := sim.JSON(http.StatusOK, map[string]string{"ok": "yes"})
		r.Effect = true
		return r
	}
}

func statusApply(status int, calls *atomic.Int32) func() sim.Response {
	return func() sim.Response {
		calls.Add(1)
		return sim.JSON(status, map[string]int{"n": int(calls.Load())})
	}
}

func TestHandleIdempotency(t *testing.T) {
	tests := []struct {
		name         string
		first        func(*atomic.Int32) func() sim.Response
		second       sim.Request
		wantStatus   int
		wantReplayed bool
		wantCalls    int32
		wantEffects  int
	}{
		{
			name:         "sameKeyReplaysSuccess",
			first:        func(c *atomic.Int32) func() sim.Response { return okApply(c) },
			second:       post("k1"),
			wantStatus:   200,
			wantReplayed: true,
			wantCalls:    1,
			wantEffects:  1,
		},
		{
			name:         "sameKeyReplaysClientError",
			first:        func(c *atomic.Int32) func() sim.Response { return statusApply(409, c) },
			second:       post("k1"),
			wantStatus:   409,
			wantReplayed: true,
			wantCalls:    1,
		},
		{
			name:        "sameKeyAfterServerErrorRunsAgain",
			first:       func(c *atomic.Int32) func() sim.Response { return statusApply(500, c) },
			second:      post("k1"),
			wantStatus:  500,
			wantCalls:   2,
			wantEffects: 0,
		},
		{
			name:        "otherKeyRunsAgain",
			first:       func(c *atomic.Int32) func() sim.Response { return okApply(c) },
			second:      post("k2"),
			wantStatus:  200,
			wantCalls:   2,
			wantEffects: 2,
		},
		{
			name:  "sameKeyOtherPath422",
			first: func(c *atomic.Int32) func() sim.Response { return okApply(c) },
			second: sim.Request{Method: http.MethodPost, Path: "/p/things/1/cancel", Operation: "cancel",
				IdempotencyKey: "k1", Mutating: true},
			wantStatus:  422,
			wantCalls:   1,
			wantEffects: 1,
		},
		{
			name:  "sameKeyOtherMethod422",
			first: func(c *atomic.Int32) func() sim.Response { return okApply(c) },
			second: sim.Request{Method: http.MethodPut, Path: "/p/things", Operation: "create",
				IdempotencyKey: "k1", Mutating: true},
			wantStatus:  422,
			wantCalls:   1,
			wantEffects: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := sim.NewPartner(sim.Config{Name: "p", Clock: simtest.NewClock(t0)})
			var calls atomic.Int32
			apply := tt.first(&calls)
			first := p.Handle(t.Context(), post("k1"), apply)
			second := p.Handle(t.Context(), tt.second, apply)

			if second.Status != tt.wantStatus || second.Replayed != tt.wantReplayed {
				t.Fatalf("second = %d replayed=%v, want %d replayed=%v", second.Status, second.Replayed, tt.wantStatus, tt.wantReplayed)
			}
			if tt.wantReplayed && string(second.Body) != string(first.Body) {
				t.Fatalf("replayed body %s, want %s", second.Body, first.Body)
			}
			if got := calls.Load(); got != tt.wantCalls {
				t.Fatalf("apply calls = %d, want %d", got, tt.wantCalls)
			}
			effects := 0
			for _, n := range p.Requests().Effects {
				effects += n
			}
			if effects != tt.wantEffects {
				t.Fatalf("effects = %d, want %d", effects, tt.wantEffects)
			}
		})
	}
}

func TestHandleIdempotencyKeyRequired(t *testing.T) {
	tests := []struct {
		name string
		key  string
	}{
		{"missingKey400", ""},
		{"tooLongKey400", string(make([]byte, sim.MaxIdempotencyKeyLen+1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := sim.NewPartner(sim.Config{Name: "p", Clock: simtest.NewClock(t0)})
			var calls atomic.Int32
			res := p.Handle(t.Context(), post(tt.key), okApply(&calls))
			if res.Status != http.StatusBadRequest || calls.Load() != 0 {
				t.Fatalf("status %d calls %d, want 400 and no call", res.Status, calls.Load())
			}
		})
	}
}

func TestHandleNonMutatingNeedsNoKey(t *testing.T) {
	p := sim.NewPartner(sim.Config{Name: "p", Clock: simtest.NewClock(t0)})
	var calls atomic.Int32
	for range 2 {
		if res := p.Handle(t.Context(), get(), okApply(&calls)); res.Status != 200 || res.Replayed {
			t.Fatalf("status %d replayed %v, want 200 not replayed", res.Status, res.Replayed)
		}
	}
	if calls.Load() != 2 {
		t.Fatalf("apply calls = %d, want 2", calls.Load())
	}
}

func TestHandleFaults(t *testing.T) {
	tests := []struct {
		name        string
		spec        sim.FaultSpec
		rand        float64
		wantStatus  int
		wantFaulted bool
		wantCalls   int32
		wantSlept   []time.Duration
	}{
		{"rateOneStatus503Faulted", sim.FaultSpec{Status: 503, Rate: 1}, 0.99, 503, true, 0, nil},
		{"rateZeroNeverHits", sim.FaultSpec{Status: 503, Rate: 0, LatencyMS: 50}, 0, 200, false, 1, nil},
		{"rollBelowRateHits", sim.FaultSpec{Status: 500, Rate: 0.5}, 0.49, 500, true, 0, nil},
		{"rollAtRateMisses", sim.FaultSpec{Status: 500, Rate: 0.5}, 0.5, 200, false, 1, nil},
		{"latencyOnlyDelaysThenAnswers", sim.FaultSpec{Rate: 1, LatencyMS: 250}, 0, 200, false, 1, []time.Duration{250 * time.Millisecond}},
		{"latencyThenStatus", sim.FaultSpec{Status: 429, Rate: 1, LatencyMS: 100}, 0, 429, true, 0, []time.Duration{100 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := simtest.NewClock(t0)
			p := sim.NewPartner(sim.Config{Name: "p", Clock: clock, Rand: func() float64 { return tt.rand }})
			if _, err := p.SetFault(tt.spec); err != nil {
				t.Fatal(err)
			}
			var calls atomic.Int32
			res := p.Handle(t.Context(), post("k1"), okApply(&calls))
			if res.Status != tt.wantStatus || res.Faulted != tt.wantFaulted {
				t.Fatalf("status %d faulted %v, want %d faulted %v", res.Status, res.Faulted, tt.wantStatus, tt.wantFaulted)
			}
			if calls.Load() != tt.wantCalls {
				t.Fatalf("apply calls = %d, want %d", calls.Load(), tt.wantCalls)
			}
			if got := clock.Slept(); !slices.Equal(got, tt.wantSlept) {
				t.Fatalf("slept %v, want %v", got, tt.wantSlept)
			}
			var wantMS int64
			for _, d := range tt.wantSlept {
				wantMS += d.Milliseconds()
			}
			if res.Entry.InjectedLatencyMS != wantMS {
				t.Fatalf("InjectedLatencyMS = %d, want %d", res.Entry.InjectedLatencyMS, wantMS)
			}
		})
	}
}

func TestInjectedFailureIsNotStoredForIdempotency(t *testing.T) {
	p := sim.NewPartner(sim.Config{Name: "p", Clock: simtest.NewClock(t0)})
	if _, err := p.SetFault(sim.FaultSpec{Status: 400, Rate: 1}); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	if res := p.Handle(t.Context(), post("k1"), okApply(&calls)); res.Status != 400 || !res.Faulted {
		t.Fatalf("faulted call = %d faulted=%v, want injected 400", res.Status, res.Faulted)
	}
	p.ClearFault()
	res := p.Handle(t.Context(), post("k1"), okApply(&calls))
	if res.Status != 200 || res.Replayed || calls.Load() != 1 {
		t.Fatalf("retry = %d replayed=%v calls=%d, want 200 fresh with one call", res.Status, res.Replayed, calls.Load())
	}
}

func TestCanceledDuringLatencyHasNoEffect(t *testing.T) {
	p := sim.NewPartner(sim.Config{Name: "p", Clock: simtest.NewClock(t0)})
	if _, err := p.SetFault(sim.FaultSpec{Rate: 1, LatencyMS: 1000}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var calls atomic.Int32
	res := p.Handle(ctx, post("k1"), okApply(&calls))
	if res.Status != sim.StatusClientClosedRequest || calls.Load() != 0 {
		t.Fatalf("status %d calls %d, want %d and no call", res.Status, calls.Load(), sim.StatusClientClosedRequest)
	}
}
