package bench

import (
	"math"
	"slices"
	"time"
)

// latencySummary condenses the client-side latencies of one pass.
type latencySummary struct {
	p50, p99, mean time.Duration
}

// summarizeLatencies returns the nearest-rank 50th and 99th percentiles
// and the mean of lat, which it leaves unchanged.
func summarizeLatencies(lat []time.Duration) latencySummary {
	if len(lat) == 0 {
		return latencySummary{}
	}
	sorted := slices.Clone(lat)
	slices.Sort(sorted)
	var sum time.Duration
	for _, d := range sorted {
		sum += d
	}
	return latencySummary{
		p50:  percentile(sorted, 0.50),
		p99:  percentile(sorted, 0.99),
		mean: sum / time.Duration(len(sorted)),
	}
}

// percentile is the nearest-rank p-quantile of sorted: the smallest value
// that at least a fraction p of the values do not exceed.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(sorted))-1e-9)) - 1 // 1e-9: 0.99*100 must be 99
	return sorted[max(0, min(i, len(sorted)-1))]
}

// milliseconds converts d for the report.
func milliseconds(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
