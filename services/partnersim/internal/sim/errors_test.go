package sim_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"provision.local/services/partnersim/internal/sim"
	"provision.local/services/partnersim/internal/sim/simtest"
)

func TestErrorResponseMapsEachKindOfError(t *testing.T) {
	errGone := errors.New("thing is gone")
	codes := []sim.ErrorCode{{Err: errGone, Status: http.StatusNotFound, Code: "THING_NOT_FOUND"}}
	p := sim.NewPartner(sim.Config{Name: "p", Clock: simtest.NewClock(t0)})
	tests := map[string]struct {
		err        error
		wantStatus int
		wantCode   string
	}{
		"malformed request":     {sim.Invalid("bad field"), http.StatusBadRequest, "INVALID_REQUEST"},
		"a mapped domain error": {fmt.Errorf("lookup: %w", errGone), http.StatusNotFound, "THING_NOT_FOUND"},
		"anything else":         {errors.New("disk on fire"), http.StatusInternalServerError, "INTERNAL"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := p.ErrorResponse(tc.err, codes)
			if r.Status != tc.wantStatus || !strings.Contains(string(r.Body), `"code":"`+tc.wantCode+`"`) {
				t.Fatalf("answer %d %s, want %d %s", r.Status, r.Body, tc.wantStatus, tc.wantCode)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	var v struct{ A int }
	if err := sim.Decode([]byte(" "), &v, false); err != nil {
		t.Fatalf("an optional empty body: %v", err)
	}
	for name, body := range map[string]string{"required and empty": "", "not JSON": "{"} {
		if _, ok := errors.AsType[*sim.ValidationError](sim.Decode([]byte(body), &v, true)); !ok {
			t.Errorf("%s: not refused as malformed", name)
		}
	}
	if err := sim.Decode([]byte(`{"A":3,"extra":1}`), &v, true); err != nil || v.A != 3 {
		t.Fatalf("decode = %+v, %v", v, err)
	}
	if !sim.Effect(sim.Response{}).Effect {
		t.Fatal("Effect did not mark the answer")
	}
}
