package consumer

import (
	"errors"
	"fmt"
	"testing"
)

func TestPermanent(t *testing.T) {
	base := errors.New("bad payload")
	tests := []struct {
		name      string
		err       error
		permanent bool
	}{
		{"nil", nil, false},
		{"plain", base, false},
		{"marked", Permanent(base), true},
		{"wrapped after marking", fmt.Errorf("handle: %w", Permanent(base)), true},
		{"joined", errors.Join(errors.New("x"), Permanent(base)), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsPermanent(tc.err); got != tc.permanent {
				t.Fatalf("IsPermanent = %v, want %v", got, tc.permanent)
			}
		})
	}
	if Permanent(nil) != nil {
		t.Fatal("Permanent(nil) is not nil")
	}
	if p := Permanent(base); p.Error() != base.Error() || !errors.Is(p, base) {
		t.Fatalf("Permanent changed the error: %q", p)
	}
}
