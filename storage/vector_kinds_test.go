package storage

import (
	"bytes"
	"cmp"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/vecgres/vecgres/sql/types"
)

// Row and key encodings of halfvec, sparsevec and bit strings. The key
// order is checked against orders written from the definitions (not
// from the encodings or from types.Compare): halfvec element by element
// as the widened values then shorter first, sparsevec as its dense
// vector, bit strings bit by bit then shorter first.

// refCompareVectorKinds is refCompare for the three kinds; ok is false
// for other values.
func refCompareVectorKinds(a, b types.Datum) (c int, ok bool) {
	switch x := a.(type) {
	case types.Halfvec:
		y := b.(types.Halfvec)
		for i := 0; i < len(x) && i < len(y); i++ {
			if c := cmp.Compare(types.HalfToFloat32(x[i]), types.HalfToFloat32(y[i])); c != 0 {
				return c, true
			}
		}
		return cmp.Compare(len(x), len(y)), true
	case types.Sparsevec:
		return refCompare(denseOf(x), denseOf(b.(types.Sparsevec))), true
	case types.Bits:
		y := b.(types.Bits)
		for i := 0; i < int(x.Len) && i < int(y.Len); i++ {
			if c := cmp.Compare(bitAt(x, i), bitAt(y, i)); c != 0 {
				return c, true
			}
		}
		return cmp.Compare(x.Len, y.Len), true
	}
	return 0, false
}

func denseOf(v types.Sparsevec) types.Vector {
	out := make(types.Vector, v.Dim)
	for k, i := range v.Indices {
		out[i] = v.Values[k]
	}
	return out
}

func bitAt(b types.Bits, i int) int {
	if b.Data[i/8]&(0x80>>(i%8)) != 0 {
		return 1
	}
	return 0
}

// halfEdges are binary16 bit patterns at the edges of the format:
// zeros of both signs, the smallest subnormal, the largest finite value.
var halfEdges = []uint16{0x0000, 0x8000, 0x0001, 0x8001, 0x03ff, 0x0400, 0x3c00, 0xbc00, 0x3c01, 0x7bff, 0xfbff}

var vectorKindGens = []datumGen{
	{"halfvec", func(r *rand.Rand) types.Datum {
		v := make(types.Halfvec, 1+r.IntN(3))
		for i := range v {
			v[i] = pick(r, halfEdges...)
		}
		return v
	}},
	{"sparsevec", func(r *rand.Rand) types.Datum {
		v := types.Sparsevec{Dim: int32(1 + r.IntN(4))}
		for i := range v.Dim {
			if r.IntN(2) == 0 {
				v.Indices = append(v.Indices, i)
				v.Values = append(v.Values, pick(r, float32(-2), -1, -math.SmallestNonzeroFloat32, math.SmallestNonzeroFloat32, 1, 2))
			}
		}
		return v
	}},
	{"bit", func(r *rand.Rand) types.Datum {
		b := types.NewBits(r.IntN(13))
		for i := range int(b.Len) {
			if r.IntN(3) == 0 {
				b.Data[i/8] |= 0x80 >> (i % 8)
			}
		}
		return b
	}},
}

// TestVectorKindKeyOrder checks on random pairs that the byte order of
// the key encodings is the value order, ascending and descending, that
// it agrees with types.Compare, and that keys delimit themselves (a
// second column after them still orders as a tuple).
func TestVectorKindKeyOrder(t *testing.T) {
	typeOf := map[string]types.T{"halfvec": types.THalfvec, "sparsevec": types.TSparsevec, "bit": types.TVarbit}
	for _, g := range vectorKindGens {
		t.Run(g.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, uint64(len(g.name))))
			for range 20000 {
				a, b := g.gen(r), g.gen(r)
				want, _ := refCompareVectorKinds(a, b)
				if got := sign(types.Compare(typeOf[g.name], a, b)); got != want {
					t.Fatalf("types.Compare(%v, %v) = %d, want %d", a, b, got, want)
				}
				ka, kb := mustKey(t, a, false, false), mustKey(t, b, false, false)
				if got := sign(bytes.Compare(ka, kb)); got != want {
					t.Fatalf("asc: compare(%v, %v) = %d, bytes say %d\n%x\n%x", a, b, want, got, ka, kb)
				}
				if got := sign(bytes.Compare(mustKey(t, a, true, true), mustKey(t, b, true, true))); got != -want {
					t.Fatalf("desc: compare(%v, %v) = %d, bytes say %d", a, b, want, got)
				}
				// A tuple (a, 1) against (b, 0): the first column decides
				// unless a = b.
				ta := append(append([]byte{}, ka...), mustKey(t, int64(1), false, false)...)
				tb := append(append([]byte{}, kb...), mustKey(t, int64(0), false, false)...)
				wantTuple := want
				if want == 0 {
					wantTuple = 1
				}
				if got := sign(bytes.Compare(ta, tb)); got != wantTuple {
					t.Fatalf("tuple (%v, 1) vs (%v, 0): bytes say %d, want %d", a, b, got, wantTuple)
				}
			}
		})
	}
}

func TestVectorKindRowRoundTrip(t *testing.T) {
	row := []types.Datum{
		types.Halfvec{0x3c00, 0x8000, 0x7bff}, nil, types.Halfvec{0x0001},
		types.Sparsevec{Dim: 5, Indices: []int32{0, 4}, Values: []float32{1.5, -2}}, types.Sparsevec{Dim: 1_000_000_000, Indices: []int32{}, Values: []float32{}},
		types.Bits{Len: 10, Data: []byte{0xa5, 0x40}}, types.NewBits(0), int64(7),
	}
	raw, err := appendRow(nil, row)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeRow(raw, len(row))
	if err != nil {
		t.Fatal(err)
	}
	if !sameRow(got, row) {
		t.Fatalf("round trip:\n got %v\nwant %v", got, row)
	}
	for i, want := range row {
		if d, err := DecodeColumn(raw, i); err != nil || !sameDatum(d, want) {
			t.Errorf("DecodeColumn(%d) = %v, %v; want %v", i, d, err, want)
		}
	}
	// A corrupt length fails rather than reading past the row.
	for _, d := range []types.Datum{row[0], row[3], row[5]} {
		one, err := appendRow(nil, []types.Datum{d})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeRow(one[:len(one)-1], 1); err == nil {
			t.Errorf("%v: a truncated row decodes", d)
		}
	}
}

// TestHalfvecStorageSize checks that a halfvec row takes half the bytes
// of the same vector's (plus the same small header).
func TestHalfvecStorageSize(t *testing.T) {
	const dim = 1536
	v := make(types.Vector, dim)
	h := make(types.Halfvec, dim)
	for i := range v {
		v[i] = float32(i%17) / 16
		h[i] = uint16(i)
	}
	rv, err := appendRow(nil, []types.Datum{v})
	if err != nil {
		t.Fatal(err)
	}
	rh, err := appendRow(nil, []types.Datum{h})
	if err != nil {
		t.Fatal(err)
	}
	header := len(rv) - 4*dim
	if len(rh) != header+2*dim {
		t.Fatalf("halfvec(%d) row is %d bytes, vector's %d (header %d): want %d", dim, len(rh), len(rv), header, header+2*dim)
	}
}

func TestHalfvecColumn(t *testing.T) {
	h := types.Halfvec{0x3c00, 0xc000, 0x7bff}
	row := []types.Datum{"text", nil, h, types.Vector{1}, types.Halfvec{}}
	raw, err := appendRow(nil, row)
	if err != nil {
		t.Fatal(err)
	}
	got, null, err := HalfvecColumn(raw, 2, len(row))
	if err != nil || null || !sameDatum(types.Halfvec(got), h) {
		t.Fatalf("HalfvecColumn = %v, %v, %v", got, null, err)
	}
	if _, null, err := HalfvecColumn(raw, 1, len(row)); err != nil || !null {
		t.Fatalf("NULL slot: null=%v err=%v", null, err)
	}
	if got, null, err := HalfvecColumn(raw, 4, len(row)); err != nil || null || len(got) != 0 {
		t.Fatalf("empty halfvec: %v %v %v", got, null, err)
	}
	for _, slot := range []int{0, 3, 5} {
		if _, _, err := HalfvecColumn(raw, slot, len(row)); err == nil {
			t.Errorf("slot %d: no error", slot)
		}
	}
	if nativeLittleEndian {
		p := uintptr(unsafe.Pointer(&got[0]))
		lo, hi := uintptr(unsafe.Pointer(&raw[0])), uintptr(unsafe.Pointer(&raw[len(raw)-1]))
		if p < lo || p > hi {
			t.Fatal("HalfvecColumn copied the vector")
		}
	}
}
