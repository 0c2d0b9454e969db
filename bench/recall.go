package bench

import "math"

// tieEpsilon is the relative tolerance of a hit: a returned row counts
// if its distance is at most the k-th true distance times (1 + 1e-6).
// It absorbs the rounding of float32 distances (about 6e-8 relative),
// not real differences.
const tieEpsilon = 1e-6

// hits counts the true k-nearest neighbours among the first k ids
// returned for query q, tie-tolerantly: a distinct id is a hit if it is
// a loaded row that f admits and its distance to q is at most kth plus
// a relative epsilon, so that a row tied with the k-th neighbour counts
// whichever of the tied rows the server returns.
func hits(q []float32, returned []int64, kth float64, base matrix[float32], m metric, k int, f rowFilter) int {
	limit := kth + tieEpsilon*math.Abs(kth)
	n := 0
	for i, id := range returned[:min(k, len(returned))] {
		if id < 0 || id >= int64(base.rows()) || !f.admits(int(id)) || seenBefore(returned[:i], id) {
			continue
		}
		if orderable(m.distance(q, base.row(int(id)))) <= limit {
			n++
		}
	}
	return n
}

// seenBefore reports whether id is among ids (k is small: a scan is
// quicker than a set).
func seenBefore(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// recall is the mean over queries of hits / k, with k capped at the
// number of loaded rows: recall@k of one pass. A filtered pass passes
// its filter and k capped at the rows the filter admits.
func recall(base, queries matrix[float32], returned [][]int64, kth []float64, m metric, k int, f rowFilter) float64 {
	k = min(k, base.rows())
	if k == 0 || len(returned) == 0 {
		return 0
	}
	total := 0
	for q, ids := range returned {
		total += hits(queries.row(q), ids, kth[q], base, m, k, f)
	}
	return float64(total) / float64(k*len(returned))
}
