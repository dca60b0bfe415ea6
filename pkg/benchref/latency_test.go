package benchref

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var l Latencies
	for i := 100; i >= 1; i-- {
		l = append(l, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		name string
		l    Latencies
		p    float64
		want time.Duration
	}{
		{name: "median", l: l, p: 50, want: 50 * time.Millisecond},
		{name: "p99", l: l, p: 99, want: 99 * time.Millisecond},
		{name: "max", l: l, p: 100, want: 100 * time.Millisecond},
		{name: "one", l: Latencies{time.Second}, p: 99, want: time.Second},
		{name: "empty", p: 50, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.l.Percentile(tt.p); got != tt.want {
				t.Fatalf("p%v = %s, want %s", tt.p, got, tt.want)
			}
		})
	}
}
