package bench

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// The seed of the attribute values: fixed, so that every run loads the
// same values and a run with --skip-load knows the values an earlier run
// loaded.
const (
	attrSeed1 = 0x76656367726573 // "vecgres"
	attrSeed2 = 8                // issue 8
)

// uniformAttr returns a random permutation of 0..n-1: row i's attr.
// Every value occurs once, so attr < t admits exactly t rows, and which
// rows does not depend on the vectors. The permutation is Fisher-Yates
// over a PCG seeded with attrSeed1 and attrSeed2, each index drawn as
// the high word of a 64-bit draw times the range (math/rand/v2's PCG is
// specified; its Perm is not promised to stay the same).
func uniformAttr(n int) []int32 {
	attr := identity(n)
	rng := rand.NewPCG(attrSeed1, attrSeed2)
	for i := n - 1; i > 0; i-- {
		j, _ := bits.Mul64(rng.Uint64(), uint64(i+1))
		attr[i], attr[j] = attr[j], attr[i]
	}
	return attr
}

// clusteredAttr returns each row's rank by distance to one base row
// (the centre, drawn from the same seed), ties broken by the smaller
// id: a permutation of 0..n-1 too, but attr < t admits the t rows
// nearest the centre, one ball of the space. Most queries lie outside
// it, so their nearest admitted rows are far from their nearest rows:
// the hard case for a search that filters what an index walk finds.
func clusteredAttr(base matrix[float32], m metric) []int32 {
	n := base.rows()
	attr := make([]int32, n)
	if n == 0 {
		return attr
	}
	r := newRanker(base, m)
	q := base.row(clusterCentre(n))
	qNorm := math.Sqrt(dot64(q, q))
	byDistance := make([]candidate, n)
	for id := range byDistance {
		byDistance[id] = candidate{dist: orderable(r.rankingDistance(q, qNorm, id)), id: int32(id)}
	}
	slices.SortFunc(byDistance, func(a, b candidate) int {
		switch {
		case a.before(b):
			return -1
		case b.before(a):
			return 1
		}
		return 0
	})
	for rank, c := range byDistance {
		attr[c.id] = int32(rank)
	}
	return attr
}

// clusterCentre is the row clusteredAttr ranks the rows around, for n
// rows (n > 0).
func clusterCentre(n int) int {
	centre, _ := bits.Mul64(rand.NewPCG(attrSeed1, attrSeed2).Uint64(), uint64(n))
	return int(centre)
}

// identity returns 0..n-1.
func identity(n int) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = int32(i)
	}
	return s
}

// threshold is the t of attr < t that admits the fraction sel of n
// rows: sel·n rounded to the nearest whole row.
func threshold(sel float64, n int) int32 {
	return int32(math.Round(sel * float64(n)))
}

// attrChecksum is the sum over rows of id · attr, in decimal: what
// attrChecksumSQL returns for a table loaded with attr.
func attrChecksum(attr []int32) string {
	sum, term := new(big.Int), new(big.Int)
	for id, a := range attr {
		sum.Add(sum, term.Mul(big.NewInt(int64(id)), big.NewInt(int64(a))))
	}
	return sum.String()
}

// rowFilter admits the rows a filtered query may return: those whose
// attr is below threshold. The zero rowFilter admits every row.
type rowFilter struct {
	attr      []int32
	threshold int32
}

func (f rowFilter) admits(id int) bool { return f.attr == nil || f.attr[id] < f.threshold }

// wrongRows counts the returned ids, among the first k of each query,
// that name loaded rows the filter does not admit: rows the server
// should never have returned.
func wrongRows(returned [][]int64, f rowFilter, rows, k int) int {
	n := 0
	for _, ids := range returned {
		for _, id := range ids[:min(k, len(ids))] {
			if id >= 0 && id < int64(rows) && !f.admits(int(id)) {
				n++
			}
		}
	}
	return n
}

// meanRows is the mean number of rows returned per query.
func meanRows(returned [][]int64) float64 {
	if len(returned) == 0 {
		return 0
	}
	n := 0
	for _, ids := range returned {
		n += len(ids)
	}
	return float64(n) / float64(len(returned))
}

// filteredNeighbors computes the ground truth of filtered queries by
// brute force, every threshold in one pass over the base per query: for
// threshold j, the ids of each query's min(k, thresholds[j]) nearest
// base rows among those with attr below thresholds[j], nearest first,
// ties broken by the smaller id. Each threshold must admit at least one
// row. Queries are shared among GOMAXPROCS goroutines; ctx stops them
// early.
func filteredNeighbors(ctx context.Context, base, queries matrix[float32], m metric, attr []int32, thresholds []int32, k int) ([]matrix[int32], error) {
	out := make([]matrix[int32], len(thresholds))
	ks := make([]int, len(thresholds))
	for j, t := range thresholds {
		if t < 1 || int(t) > base.rows() {
			return nil, fmt.Errorf("attr < %d: want a threshold from 1 to the %d rows", t, base.rows())
		}
		ks[j] = min(k, int(t))
		out[j] = matrix[int32]{cols: ks[j], data: make([]int32, queries.rows()*ks[j])}
	}
	rank := newRanker(base, m)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			heaps := make([]candidateHeap, len(thresholds))
			for j := range heaps {
				heaps[j] = make(candidateHeap, 0, ks[j])
			}
			for ctx.Err() == nil {
				q := int(next.Add(1) - 1)
				if q >= queries.rows() {
					return
				}
				for j := range heaps {
					heaps[j] = heaps[j][:0]
				}
				rank.nearestFiltered(heaps, queries.row(q), attr, thresholds, ks)
				for j, h := range heaps {
					h.drainInto(out[j].row(q))
				}
			}
		})
	}
	wg.Wait()
	return out, ctx.Err()
}

// nearestFiltered collects into hs[j] the ks[j] base rows nearest to q
// among those with attr below thresholds[j]. Rows no threshold admits
// cost no distance.
func (r ranker) nearestFiltered(hs []candidateHeap, q []float32, attr []int32, thresholds []int32, ks []int) {
	qNorm := math.Sqrt(dot64(q, q))
	maxThreshold := slices.Max(thresholds)
	for id, a := range attr[:r.base.rows()] {
		if a >= maxThreshold {
			continue
		}
		c := candidate{dist: orderable(r.rankingDistance(q, qNorm, id)), id: int32(id)}
		for j, t := range thresholds {
			switch h := &hs[j]; {
			case a >= t:
			case len(*h) < ks[j]:
				h.push(c)
			case c.before((*h)[0]):
				h.replaceTop(c)
			}
		}
	}
}
