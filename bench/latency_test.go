package bench

import (
	"testing"
	"time"
)

func TestSummarizeLatencies(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // 100..1, unsorted
	}
	tests := []struct {
		name           string
		lat            []time.Duration
		p50, p99, mean time.Duration
	}{
		{"none", nil, 0, 0, 0},
		{"one", ms(7), 7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond},
		{"two", ms(9, 1), time.Millisecond, 9 * time.Millisecond, 5 * time.Millisecond},
		{"hundred", ms(hundred...), 50 * time.Millisecond, 99 * time.Millisecond, 50500 * time.Microsecond},
	}
	for _, tt := range tests {
		before := append([]time.Duration(nil), tt.lat...)
		got := summarizeLatencies(tt.lat)
		if got.p50 != tt.p50 || got.p99 != tt.p99 || got.mean != tt.mean {
			t.Errorf("%s: %+v, want p50 %v p99 %v mean %v", tt.name, got, tt.p50, tt.p99, tt.mean)
		}
		for i := range before {
			if before[i] != tt.lat[i] {
				t.Fatalf("%s: summarizeLatencies reordered its argument", tt.name)
			}
		}
	}
	if got := milliseconds(1500 * time.Microsecond); got != 1.5 {
		t.Errorf("milliseconds = %v", got)
	}
}
