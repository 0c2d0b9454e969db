package hnsw

import (
	"math"

	"github.com/vecgres/vecgres/kernels"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// Distances computes, for each of ids that is a row of a graph of float32
// vectors as snapshot sees it, the exact distance between q and the row's vector as
// Search reports it (the operator's value), and appends the Results to
// out in the order of ids; ids not in the graph (deleted, or rows
// without a vector) are left out. ok is false, and nothing is computed,
// when the graph keeps no float32 vectors (its kind is not vector).
//
// It walks no links: it serves the exact scan of the few rows a
// selective filter admits, which costs one distance a row where a graph
// search would pass through many rows the filter rejects, and it reads
// the graph's in-memory vectors, so no row is read from storage. Like
// Search it runs concurrently with writers; it takes the lock of the id
// map once, briefly.
func (g *Graph) Distances(q []float32, ids []uint64, snapshot Snapshot, out []Result) (_ []Result, ok bool, err error) {
	if len(q) != g.dim {
		return nil, false, pgerr.New(pgerr.DataException, "different vector dimensions %d and %d", len(q), g.dim) // the query's first, as Search
	}
	token := g.readers.enter()
	defer g.readers.exit(token)
	view := snapshot.view()
	nodes := make([]uint32, 0, len(ids))
	g.alloc.Lock()
	for _, id := range ids {
		if n, found := g.nodeAt(id, view); found {
			nodes = append(nodes, n)
		}
	}
	g.alloc.Unlock()
	if len(nodes) > 0 {
		if c, i := g.at(nodes[0]); len(c.vecs) < (i+1)*g.dim {
			return out, false, nil // vectors of another kind
		}
	}
	qn := q
	qZero := false
	if g.metric == Cosine {
		qn = append([]float32(nil), q...) // the stored vectors are normalised
		qZero = !normalize(qn)
	}
	for _, n := range nodes {
		if !g.visibleAt(n, view) {
			continue
		}
		v := g.vec(n)
		var d float64
		switch g.metric {
		case L2:
			d = math.Sqrt(float64(kernels.L2Squared(qn, v)))
		case Cosine:
			if qZero {
				d = math.NaN() // as `<=>` with a zero vector
			} else {
				d = 1 - min(max(float64(kernels.Dot(qn, v)), -1), 1)
			}
		case InnerProduct:
			d = -float64(kernels.Dot(qn, v))
		case L1:
			d = float64(kernels.L1(qn, v))
		default:
			return out, false, nil
		}
		out = append(out, Result{ID: g.id(n), Distance: d})
	}
	return out, true, nil
}
