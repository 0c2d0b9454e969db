package exec

import (
	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/index/hnsw"
	"github.com/vecgres/vecgres/sql/types"
)

// HNSWValue returns the value a datum of an hnsw index's column type
// gives the graph: a vector, halfvec, sparsevec or bit string, referring
// to the datum's memory. It reports false for NULL and other types.
func HNSWValue(d types.Datum) (hnsw.Value, bool) {
	switch v := d.(type) {
	case types.Vector:
		return hnsw.VectorValue(v), true
	case types.Halfvec:
		return hnsw.HalfvecValue(v), true
	case types.Sparsevec:
		return hnsw.SparsevecValue(int(v.Dim), v.Indices, v.Values), true
	case types.Bits:
		return hnsw.BitValue(v.Data, int(v.Len)), true
	}
	return hnsw.Value{}, false
}

// HNSWIndexed returns the value a datum gives an index of the operator
// class, and reports whether the index holds it: NULLs are not indexed,
// nor zero vectors under a cosine operator class (pgvector's rule: they
// have no direction).
func HNSWIndexed(opclass string, d types.Datum) (hnsw.Value, bool) {
	v, ok := HNSWValue(d)
	if !ok {
		return v, false
	}
	if m, _, _ := hnsw.OpclassInfo(opclass); m == hnsw.Cosine && v.IsZero() {
		return v, false
	}
	return v, true
}

// hnswDistance is the value of the distance operator op between a query
// and a row's value of the same type, as the operator computes it
// (pgvector's arithmetic); it reports false when the value is NULL or of
// other dimensions, which no index holds.
func hnswDistance(op string, q, v types.Datum) (float64, bool) {
	switch q := q.(type) {
	case types.Vector:
		v, ok := v.(types.Vector)
		dist, known := builtins.DistanceOfOperator(op)
		if !ok || !known || len(v) != len(q) {
			return 0, false
		}
		return builtins.Distance(dist, q, v), true
	case types.Halfvec:
		v, ok := v.(types.Halfvec)
		dist, known := builtins.DistanceOfOperator(op)
		if !ok || !known || len(v) != len(q) {
			return 0, false
		}
		return builtins.HalfvecDistance(dist, q, v), true
	case types.Sparsevec:
		v, ok := v.(types.Sparsevec)
		dist, known := builtins.DistanceOfOperator(op)
		if !ok || !known || v.Dim != q.Dim {
			return 0, false
		}
		return builtins.SparsevecDistance(dist, q, v), true
	case types.Bits:
		v, ok := v.(types.Bits)
		if !ok || v.Len != q.Len || (op != "<~>" && op != "<%>") {
			return 0, false
		}
		return builtins.BitDistance(op, q, v), true
	}
	return 0, false
}
