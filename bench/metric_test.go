package bench

import (
	"math"
	"testing"
)

func TestParseMetric(t *testing.T) {
	tests := []struct {
		in   string
		want metric
	}{
		{"l2", metricL2}, {"Euclidean", metricL2}, {"cosine", metricCosine}, {"angular", metricCosine},
		{"ip", metricInnerProduct}, {"dot", metricInnerProduct}, {"l1", metricL1}, {" L1 ", metricL1},
	}
	for _, tt := range tests {
		if got, err := parseMetric(tt.in); err != nil || got != tt.want {
			t.Errorf("parseMetric(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := parseMetric("hamming"); err == nil {
		t.Error(`parseMetric("hamming") succeeded`)
	}
}

func TestMetricSQL(t *testing.T) {
	tests := []struct {
		m                 metric
		name, op, opclass string
	}{
		{metricL2, "l2", "<->", "vector_l2_ops"},
		{metricCosine, "cosine", "<=>", "vector_cosine_ops"},
		{metricInnerProduct, "ip", "<#>", "vector_ip_ops"},
		{metricL1, "l1", "<+>", "vector_l1_ops"},
	}
	for _, tt := range tests {
		if tt.m.String() != tt.name || tt.m.operator() != tt.op || tt.m.opclass() != tt.opclass {
			t.Errorf("%v: %q %q %q, want %q %q %q", tt.m, tt.m.String(), tt.m.operator(), tt.m.opclass(), tt.name, tt.op, tt.opclass)
		}
		if back, err := parseMetric(tt.m.String()); err != nil || back != tt.m {
			t.Errorf("parseMetric(%q) = %v, %v", tt.m.String(), back, err)
		}
	}
}

func TestDistance(t *testing.T) {
	a := []float32{1, 2, 3}
	b := []float32{4, -2, 3}
	tests := []struct {
		m    metric
		a, b []float32
		want float64
	}{
		{metricL2, a, b, 5},
		{metricL2, a, a, 0},
		{metricCosine, a, b, 1 - 9/(math.Sqrt(14)*math.Sqrt(29))},
		{metricCosine, []float32{1, 0}, []float32{0, 2}, 1},
		{metricCosine, []float32{1, 1}, []float32{-3, -3}, 2},
		{metricInnerProduct, a, b, -9},
		{metricL1, a, b, 7},
	}
	for _, tt := range tests {
		if got := tt.m.distance(tt.a, tt.b); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%v.distance(%v, %v) = %v, want %v", tt.m, tt.a, tt.b, got, tt.want)
		}
	}
	if d := metricCosine.distance([]float32{0, 0}, []float32{1, 2}); !math.IsNaN(d) {
		t.Errorf("cosine against a zero vector = %v, want NaN", d)
	}
}
