package hnsw

import (
	"math"
	"unsafe"

	"github.com/vecgres/vecgres/kernels"
)

// Every node has a record of recSize bytes in its chunk (a multiple of
// 64 in quantised graphs, records aligned to cache lines; 16, the header
// alone, in the others):
//
//	offset        size    content
//	0             dimPad  codes: the vector quantised to uint8 (quantised
//	                      graphs only; dimPad is 0 otherwise)
//	dimPad        4       lo: float32, the vector's smallest element
//	dimPad+4      4       step: float32, (largest - smallest)/255
//	dimPad+8      4       sq: float32, the vector's squared L2 norm (for
//	                      Halfvec Cosine: the norm of the float16 values)
//	dimPad+12     4       state: uint32 (atomic)
//
// Quantised graphs are those of Vector and Halfvec with every metric but
// L1. A Halfvec vector is widened to float32 (and, for Cosine, divided by
// its norm) before it is quantised: the codes are the same as those of
// the float32 vector, and only the exact re-ranking reads the halves.
//
// Element i of the vector is about lo + step·codes[i]: each vector is
// quantised on its own, so there is nothing to train and a graph takes
// vectors one at a time. Vectors of integers 0..255 (images) are exact.
//
// A quantised graph (every metric but L1) walks on the codes: a query is
// quantised symmetrically to int16s q ≈ t·d, and
//
//	q·x ≈ lo·Σq + step·t·Σ codes[i]·d[i]
//
// with the integer sum computed by dotU8I16 (AVX2, 16 elements a step).
// That reads a quarter of the float32 vector's bytes, so the graph's
// records fit in the CPU's caches far better. Results are re-ranked with
// exact float32 distances before they are returned. L2 estimates
// |q|² + sq - 2·q·x; the inner product and cosine -q·x.
const (
	recLo    = 0
	recStep  = 4
	recSq    = 8
	recState = 12
	recHdr   = 16
)

// recordLayout returns the padded code length and the record size for
// dim dimensions, quantised or not.
func recordLayout(dim int, quantised bool) (dimPad, size int) {
	if !quantised {
		return 0, recHdr
	}
	dimPad = (dim + 15) &^ 15
	return dimPad, (dimPad + recHdr + 63) &^ 63
}

// queryScale returns the largest magnitude of a quantised query element
// for codes of dimPad bytes: the int32 sum of dimPad products of a code
// (at most 255) and it must not overflow.
func queryScale(dimPad int) float64 {
	if dimPad == 0 {
		return 0
	}
	return float64(min(32767, math.MaxInt32/(dimPad*255)))
}

// rec returns node n's record.
func (g *Graph) rec(n uint32) []byte {
	c, i := g.at(n)
	off := i * g.recSize
	return c.recs[off : off+g.recSize : off+g.recSize]
}

// hdr returns a pointer to a uint32 field of a record's header.
func (g *Graph) hdr(rec []byte, field int) *uint32 {
	return (*uint32)(unsafe.Pointer(&rec[g.dimPad+field]))
}

func (g *Graph) hdrFloat(rec []byte, field int) float32 {
	return math.Float32frombits(*g.hdr(rec, field))
}

// encode fills node n's record from its stored vector v (state aside).
func (g *Graph) encode(n uint32, v []float32) {
	r := g.rec(n)
	*g.hdr(r, recSq) = math.Float32bits(kernels.Dot(v, v))
	if !g.quant {
		return
	}
	lo, hi := v[0], v[0]
	for _, f := range v {
		lo, hi = min(lo, f), max(hi, f)
	}
	step := (hi - lo) / 255
	codes := r[:g.dimPad]
	clear(codes)
	if step > 0 && !math.IsInf(float64(step), 0) {
		inv := 1 / float64(step)
		for i, f := range v {
			c := math.Round((float64(f) - float64(lo)) * inv)
			codes[i] = uint8(min(max(c, 0), 255))
		}
	} else {
		step = 0
	}
	*g.hdr(r, recLo) = math.Float32bits(lo)
	*g.hdr(r, recStep) = math.Float32bits(step)
}

// encodeHalf fills node n's record from its stored halves, widened into
// *wide (scratch memory); for Cosine, sq holds the halves' norm.
func (g *Graph) encodeHalf(n uint32, wide *[]float32) {
	h := g.half(n)
	w := widen((*wide)[:0], h)
	*wide = w
	norm := float32(1)
	if g.metric == Cosine {
		norm = float32(normalizeNorm(w))
	}
	g.encode(n, w)
	if g.metric == Cosine {
		*g.hdr(g.rec(n), recSq) = math.Float32bits(norm)
	}
}

// quantizeQuery sets s's int16 query from s.q.
func (g *Graph) quantizeQuery(s *Searcher) {
	s.q16 = s.q16[:0]
	for range g.dimPad {
		s.q16 = append(s.q16, 0)
	}
	var maxAbs, sum float64
	for _, f := range s.q {
		maxAbs = max(maxAbs, math.Abs(float64(f)))
		sum += float64(f)
	}
	s.qsum = float32(sum)
	s.qsq = kernels.Dot(s.q, s.q)
	s.qt = 0
	if maxAbs == 0 || math.IsInf(maxAbs, 0) {
		return
	}
	t := maxAbs / g.qmax
	s.qt = float32(t)
	for i, f := range s.q {
		s.q16[i] = int16(math.Round(float64(f) / t))
	}
}

// approxAt is approx for the record at p whose integer dot product with
// s.q16 is d.
func (g *Graph) approxAt(s *Searcher, m Metric, p unsafe.Pointer, d int32) float32 {
	h := (*[3]float32)(unsafe.Add(p, g.dimPad))
	dot := h[0]*s.qsum + h[1]*s.qt*float32(d)
	if m == L2 {
		return s.qsq + h[2] - 2*dot
	}
	return -dot
}

// approx returns the quantised distance by metric m between s's query and
// node n, whose record is r.
func (g *Graph) approx(s *Searcher, m Metric, r []byte) float32 {
	d := dotU8I16(g.simd, r[:g.dimPad], s.q16)
	dot := g.hdrFloat(r, recLo)*s.qsum + g.hdrFloat(r, recStep)*s.qt*float32(d)
	if m == L2 {
		return s.qsq + g.hdrFloat(r, recSq) - 2*dot
	}
	return -dot
}
