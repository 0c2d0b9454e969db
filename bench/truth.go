package bench

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// usableTruth returns the dataset's ground truth if it covers every
// query with at least k neighbours, or nil and why not.
func (ds *dataset) usableTruth(k int) (*groundTruth, string) {
	switch t := ds.truth; {
	case t == nil:
		return nil, ds.truthNote
	case t.ids.rows() < ds.queries.rows():
		return nil, fmt.Sprintf("%s has %d rows for %d queries", t.source, t.ids.rows(), ds.queries.rows())
	case t.ids.cols < k:
		return nil, fmt.Sprintf("%s has %d neighbours per query, k is %d", t.source, t.ids.cols, k)
	}
	return ds.truth, ""
}

// exactNeighbors computes the ground truth by brute force: for each
// query, the ids of its k nearest base rows in float64, nearest first,
// ties broken by the smaller id. Queries are shared among GOMAXPROCS
// goroutines; ctx stops them early.
func exactNeighbors(ctx context.Context, base, queries matrix[float32], m metric, k int) (matrix[int32], error) {
	k = min(k, base.rows())
	out := matrix[int32]{cols: k, data: make([]int32, queries.rows()*k)}
	rank := newRanker(base, m)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			heap := make(candidateHeap, 0, k)
			for ctx.Err() == nil {
				q := int(next.Add(1) - 1)
				if q >= queries.rows() {
					return
				}
				heap = rank.nearest(heap[:0], queries.row(q), k)
				heap.drainInto(out.row(q))
			}
		})
	}
	wg.Wait()
	return out, ctx.Err()
}

// ranker orders base rows by their distance to a query as m.distance
// does, but faster: l2 without the square root, four accumulators, and
// for cosine the base rows' norms computed once, so that each pair
// costs one dot product. Sums in another order may differ from
// m.distance in the last bits, which only matters between rows at equal
// distances, and recall is measured tie-tolerantly.
type ranker struct {
	base  matrix[float32]
	m     metric
	norms []float64 // cosine only: the base rows' Euclidean norms
}

func newRanker(base matrix[float32], m metric) ranker {
	r := ranker{base: base, m: m}
	if m == metricCosine {
		r.norms = make([]float64, base.rows())
		for i := range r.norms {
			row := base.row(i)
			r.norms[i] = math.Sqrt(dot64(row, row))
		}
	}
	return r
}

// nearest collects into h the k base rows nearest to q.
func (r ranker) nearest(h candidateHeap, q []float32, k int) candidateHeap {
	qNorm := math.Sqrt(dot64(q, q))
	for id := range r.base.rows() {
		c := candidate{dist: orderable(r.rankingDistance(q, qNorm, id)), id: int32(id)}
		if len(h) < k {
			h.push(c)
		} else if c.before(h[0]) {
			h.replaceTop(c)
		}
	}
	return h
}

// rankingDistance is a number that orders base rows as m.distance to q
// does: the squared Euclidean distance for l2, the distance itself for
// the others.
func (r ranker) rankingDistance(q []float32, qNorm float64, id int) float64 {
	b := r.base.row(id)
	switch r.m {
	case metricL2:
		return squaredL2(q, b)
	case metricCosine:
		return 1 - dot64(q, b)/(qNorm*r.norms[id])
	case metricInnerProduct:
		return -dot64(q, b)
	}
	return r.m.distance(q, b)
}

// squaredL2 is the squared Euclidean distance of a and b in float64,
// over four accumulators.
func squaredL2(a, b []float32) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		d0 := float64(a[i]) - float64(b[i])
		d1 := float64(a[i+1]) - float64(b[i+1])
		d2 := float64(a[i+2]) - float64(b[i+2])
		d3 := float64(a[i+3]) - float64(b[i+3])
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(a); i++ {
		d := float64(a[i]) - float64(b[i])
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// dot64 is the dot product of a and b in float64, over four
// accumulators so that the additions can overlap.
func dot64(a, b []float32) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += float64(a[i]) * float64(b[i])
		s1 += float64(a[i+1]) * float64(b[i+1])
		s2 += float64(a[i+2]) * float64(b[i+2])
		s3 += float64(a[i+3]) * float64(b[i+3])
	}
	for ; i < len(a); i++ {
		s0 += float64(a[i]) * float64(b[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// orderable maps NaN (cosine against a zero vector) to +Inf, so that it
// sorts last, as PostgreSQL sorts NaN.
func orderable(d float64) float64 {
	if math.IsNaN(d) {
		return math.Inf(1)
	}
	return d
}

// candidate is a base row and its distance to a query.
type candidate struct {
	dist float64
	id   int32
}

// before reports whether c ranks ahead of o: nearer, or as near with a
// smaller id.
func (c candidate) before(o candidate) bool {
	return c.dist < o.dist || (c.dist == o.dist && c.id < o.id)
}

// candidateHeap is a max-heap: its root is the candidate ranked last.
type candidateHeap []candidate

func (h *candidateHeap) push(c candidate) {
	*h = append(*h, c)
	s := *h
	for i := len(s) - 1; i > 0; {
		parent := (i - 1) / 2
		if !s[parent].before(s[i]) {
			break
		}
		s[parent], s[i] = s[i], s[parent]
		i = parent
	}
}

func (h candidateHeap) replaceTop(c candidate) {
	h[0] = c
	h.down(0, len(h))
}

// down restores the heap property below i within h[:n].
func (h candidateHeap) down(i, n int) {
	for {
		worst, l, r := i, 2*i+1, 2*i+2
		if l < n && h[worst].before(h[l]) {
			worst = l
		}
		if r < n && h[worst].before(h[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		h[i], h[worst] = h[worst], h[i]
		i = worst
	}
}

// drainInto writes the heap's ids into dst, nearest first, destroying
// the heap.
func (h candidateHeap) drainInto(dst []int32) {
	for n := len(h); n > 0; n-- {
		dst[n-1] = h[0].id
		h[0] = h[n-1]
		h.down(0, n-1)
	}
}

// kthDistances returns, for each query, the distance of its k-th nearest
// base row: the largest m.distance to its first k ground-truth ids, so
// that it is computed exactly as the distances of returned ids are.
func kthDistances(base, queries matrix[float32], truth matrix[int32], m metric, k int) ([]float64, error) {
	k = min(k, truth.cols)
	out := make([]float64, queries.rows())
	for q := range out {
		kth := math.Inf(-1)
		for _, id := range truth.row(q)[:k] {
			if id < 0 || int(id) >= base.rows() {
				return nil, fmt.Errorf("ground truth of query %d names row %d; %d rows are loaded", q, id, base.rows())
			}
			kth = max(kth, orderable(m.distance(queries.row(q), base.row(int(id)))))
		}
		out[q] = kth
	}
	return out, nil
}
