package bench

import (
	"fmt"
	"math"
	"strings"
)

// metric is a distance function together with the pgvector operator and
// operator class that compute it.
type metric int

const (
	metricL2 metric = iota + 1
	metricCosine
	metricInnerProduct
	metricL1
)

// parseMetric accepts the names used by the flags and the dataset files,
// and ann-benchmarks' names for the same distances.
func parseMetric(s string) (metric, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "l2", "euclidean":
		return metricL2, nil
	case "cosine", "angular":
		return metricCosine, nil
	case "ip", "dot", "inner_product":
		return metricInnerProduct, nil
	case "l1", "manhattan", "taxicab":
		return metricL1, nil
	}
	return 0, fmt.Errorf("unknown metric %q: want l2, cosine, ip or l1", s)
}

func (m metric) String() string {
	switch m {
	case metricL2:
		return "l2"
	case metricCosine:
		return "cosine"
	case metricInnerProduct:
		return "ip"
	case metricL1:
		return "l1"
	}
	return fmt.Sprintf("metric(%d)", int(m))
}

// operator is pgvector's distance operator for m.
func (m metric) operator() string {
	switch m {
	case metricL2:
		return "<->"
	case metricCosine:
		return "<=>"
	case metricInnerProduct:
		return "<#>"
	case metricL1:
		return "<+>"
	}
	panic("bench: no operator for " + m.String())
}

// opclass is pgvector's HNSW operator class for m on vector columns.
func (m metric) opclass() string {
	switch m {
	case metricL2:
		return "vector_l2_ops"
	case metricCosine:
		return "vector_cosine_ops"
	case metricInnerProduct:
		return "vector_ip_ops"
	case metricL1:
		return "vector_l1_ops"
	}
	panic("bench: no operator class for " + m.String())
}

// distance is the distance pgvector's operator defines, computed in
// float64 from the float32 values: Euclidean (not squared), 1 - cosine
// similarity, the negative inner product, or the sum of absolute
// differences. Cosine against a zero vector is NaN, as in pgvector.
func (m metric) distance(a, b []float32) float64 {
	b = b[:len(a)]
	switch m {
	case metricL2:
		var sum float64
		for i, x := range a {
			d := float64(x) - float64(b[i])
			sum += d * d
		}
		return math.Sqrt(sum)
	case metricCosine:
		var dot, na, nb float64
		for i, x := range a {
			y := float64(b[i])
			dot += float64(x) * y
			na += float64(x) * float64(x)
			nb += y * y
		}
		return 1 - dot/math.Sqrt(na*nb)
	case metricInnerProduct:
		var dot float64
		for i, x := range a {
			dot += float64(x) * float64(b[i])
		}
		return -dot
	case metricL1:
		var sum float64
		for i, x := range a {
			sum += math.Abs(float64(x) - float64(b[i]))
		}
		return sum
	}
	panic("bench: no distance for " + m.String())
}
