package storage

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/cockroachdb/apd/v3"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// sameDatum compares decoded datums: numerics by their exact form (1.50
// must stay 1.50), floats bit for bit (NaN, -0), times as instants.
func sameDatum(a, b types.Datum) bool {
	switch x := a.(type) {
	case *apd.Decimal:
		y, ok := b.(*apd.Decimal)
		return ok && x.Form == y.Form && x.Negative == y.Negative && x.Exponent == y.Exponent && x.Coeff.Cmp(&y.Coeff) == 0
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case types.Vector:
		y, ok := b.(types.Vector)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				return false
			}
		}
		return true
	case *types.Array:
		y, ok := b.(*types.Array)
		if !ok || x.Elem != y.Elem || x.LowerBound != y.LowerBound || len(x.Elems) != len(y.Elems) {
			return false
		}
		for i := range x.Elems {
			if !sameDatum(x.Elems[i], y.Elems[i]) {
				return false
			}
		}
		return true
	case []byte:
		y, ok := b.([]byte)
		return ok && string(x) == string(y)
	}
	return reflect.DeepEqual(a, b)
}

func sameRow(a, b []types.Datum) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameDatum(a[i], b[i]) {
			return false
		}
	}
	return true
}

func TestRowRoundTrip(t *testing.T) {
	dec, _, _ := apd.NewFromString("-1234.5600")
	nested := &types.Array{Elem: types.Of(types.Int4ArrayOID), LowerBound: 1, Elems: []types.Datum{
		&types.Array{Elem: types.TInt4, LowerBound: 1, Elems: []types.Datum{int64(1), nil}}, nil,
	}}
	tests := []struct {
		name string
		row  []types.Datum
	}{
		{"empty", []types.Datum{}},
		{"all null", []types.Datum{nil, nil, nil, nil, nil, nil, nil, nil, nil}},
		{"scalars", []types.Datum{true, false, int64(-1), int64(math.MaxInt64), int64(math.MinInt64), 1.5, 0.1,
			math.Inf(-1), math.NaN(), math.Copysign(0, -1), dec, "héllo", "", []byte{0, 1, 255}, []byte{},
			types.JSON(`{"a": 1}`), time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC), time.Time{}}},
		{"numeric forms", []types.Datum{&apd.Decimal{Form: apd.NaN}, &apd.Decimal{Form: apd.Infinite, Negative: true},
			&apd.Decimal{Exponent: -3}, apd.New(5, 100)}},
		{"vectors", []types.Datum{types.Vector{}, nil, types.Vector{1, -2.5, float32(math.Inf(1))}, make(types.Vector, 1000)}},
		{"arrays", []types.Datum{&types.Array{Elem: types.TText, LowerBound: 1, Elems: []types.Datum{"a", nil, "c"}},
			&types.Array{Elem: types.TInt8, LowerBound: -3}, nested}},
		{"intervals", []types.Datum{types.Interval{}, types.Interval{Months: math.MinInt32, Days: math.MaxInt32, Micros: math.MinInt64},
			types.Interval{Months: 14, Days: -3, Micros: 14706500000}}},
		{"mixed nulls", []types.Datum{nil, int64(1), nil, "x", nil, nil, nil, nil, types.Vector{3}, nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := appendRow(nil, tc.row)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeRow(raw, len(tc.row))
			if err != nil {
				t.Fatal(err)
			}
			if !sameRow(got, tc.row) {
				t.Fatalf("round trip:\n got %v\nwant %v", got, tc.row)
			}
			for i, want := range tc.row {
				d, err := DecodeColumn(raw, i)
				if err != nil || !sameDatum(d, want) {
					t.Errorf("DecodeColumn(%d) = %v, %v; want %v", i, d, err, want)
				}
			}
		})
	}
}

func TestRowFewerSlots(t *testing.T) {
	raw, err := appendRow(nil, []types.Datum{int64(1), "a"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeRow(raw, 4)
	if err != nil {
		t.Fatal(err)
	}
	if !sameRow(got, []types.Datum{int64(1), "a", nil, nil}) {
		t.Fatalf("got %v", got)
	}
	if v, null, err := VectorColumn(raw, 3, 4); err != nil || !null || v != nil {
		t.Fatalf("VectorColumn of a missing slot = %v, %v, %v", v, null, err)
	}
	if d, err := DecodeColumn(raw, 2); err != nil || d != nil {
		t.Fatalf("DecodeColumn of a missing slot = %v, %v", d, err)
	}
	got, err = DecodeRow(raw, 1)
	if err != nil || !sameRow(got, []types.Datum{int64(1)}) {
		t.Fatalf("DecodeRow with fewer slots = %v, %v", got, err)
	}
}

func TestVectorColumn(t *testing.T) {
	vec := types.Vector{1, 2, 3.5, -4}
	row := []types.Datum{int64(7), "some text", &types.Array{Elem: types.TInt8, Elems: []types.Datum{int64(1), nil}},
		1.25, nil, vec, nil, types.Vector{}}
	raw, err := appendRow(nil, row)
	if err != nil {
		t.Fatal(err)
	}
	got, null, err := VectorColumn(raw, 5, len(row))
	if err != nil || null || !sameDatum(types.Vector(got), vec) {
		t.Fatalf("VectorColumn = %v, %v, %v", got, null, err)
	}
	if _, null, err := VectorColumn(raw, 6, len(row)); err != nil || !null {
		t.Fatalf("NULL slot: null=%v err=%v", null, err)
	}
	if got, null, err := VectorColumn(raw, 7, len(row)); err != nil || null || len(got) != 0 {
		t.Fatalf("empty vector: %v %v %v", got, null, err)
	}
	if _, _, err := VectorColumn(raw, 1, len(row)); pgerr.CodeOf(err) != pgerr.InternalError {
		t.Fatalf("text slot: %v", err)
	}
	if _, _, err := VectorColumn(raw, 8, len(row)); err == nil {
		t.Fatal("slot out of range accepted")
	}
	// The view aliases the row: no copy.
	if nativeLittleEndian {
		p := uintptr(unsafe.Pointer(&got[0]))
		lo, hi := uintptr(unsafe.Pointer(&raw[0])), uintptr(unsafe.Pointer(&raw[len(raw)-1]))
		if p < lo || p > hi {
			t.Fatal("VectorColumn copied the vector")
		}
	}
	if n := testing.AllocsPerRun(100, func() { _, _, _ = VectorColumn(raw, 5, len(row)) }); n != 0 {
		t.Fatalf("VectorColumn allocates %v times", n)
	}
}

func TestRowEncodeRejectsUnknownType(t *testing.T) {
	if _, err := appendRow(nil, []types.Datum{struct{}{}}); pgerr.CodeOf(err) != pgerr.InternalError {
		t.Fatalf("got %v", err)
	}
}

func TestRowDecodeCorrupt(t *testing.T) {
	good, _ := appendRow(nil, []types.Datum{int64(300), "abc", types.Vector{1, 2}})
	for n := range len(good) {
		if _, err := DecodeRow(good[:n], 3); err == nil {
			t.Errorf("truncated to %d bytes: no error", n)
		} else if pgerr.CodeOf(err) != pgerr.DataCorrupted {
			t.Errorf("truncated to %d bytes: %v", n, err)
		}
	}
	bad := append([]byte{}, good...)
	bad[0] = 99
	if _, err := DecodeRow(bad, 3); pgerr.CodeOf(err) != pgerr.DataCorrupted {
		t.Errorf("bad version: %v", err)
	}
}

// randomRow makes a row of random datums of every kind.
func randomRow(r *rand.Rand, n int) []types.Datum {
	row := make([]types.Datum, n)
	for i := range row {
		if r.IntN(4) == 0 {
			continue
		}
		row[i] = gens[r.IntN(len(gens))].gen(r)
	}
	return row
}

func TestRowRoundTripRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for range 5000 {
		row := randomRow(r, r.IntN(20))
		raw, err := appendRow(nil, row)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeRow(raw, len(row))
		if err != nil {
			t.Fatal(err)
		}
		// Times come back in UTC; compare as instants (sameDatum does).
		if !sameRow(got, row) {
			t.Fatalf("round trip:\n got %#v\nwant %#v", got, row)
		}
	}
}

// FuzzDecodeRow feeds arbitrary bytes to the decoders, which read what is
// on disk: they must fail cleanly, never panic, and whatever decodes must
// re-encode to something that decodes to the same values.
func FuzzDecodeRow(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 20 {
		raw, err := appendRow(nil, randomRow(r, r.IntN(8)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, uint8(3))
	}
	f.Add([]byte{1, 0}, uint8(0))
	f.Add([]byte{1, 1, 0, valArray, 23, 0, 2, 5, valArray}, uint8(1))
	f.Fuzz(func(t *testing.T, raw []byte, slot uint8) {
		n := int(slot%16) + 1
		_, _, _ = VectorColumn(raw, int(slot)%n, n)
		_, _ = DecodeColumn(raw, int(slot%16))
		row, err := DecodeRow(raw, n)
		if err != nil {
			return
		}
		enc, err := appendRow(nil, row)
		if err != nil {
			t.Fatalf("re-encode %v: %v", row, err)
		}
		again, err := DecodeRow(enc, n)
		if err != nil || !sameRow(again, row) {
			t.Fatalf("re-decode: %v, %v; want %v", again, err, row)
		}
	})
}

func TestDecodeRowSlots(t *testing.T) {
	row := []types.Datum{int64(7), types.Vector{1, 2, 3}, "text", nil, 2.5}
	raw, err := appendRow(nil, row)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		need []bool
		want []types.Datum
	}{
		{nil, row},
		{[]bool{true}, []types.Datum{int64(7), nil, nil, nil, nil}},
		{[]bool{false, false, true}, []types.Datum{nil, nil, "text", nil, nil}},
		{[]bool{true, false, false, true, true}, []types.Datum{int64(7), nil, nil, nil, 2.5}},
		{[]bool{false, false, false, false, false}, []types.Datum{nil, nil, nil, nil, nil}},
	}
	for _, tc := range tests {
		got, err := DecodeRowSlots(raw, len(row), tc.need)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("need %v: got %v, want %v", tc.need, got, tc.want)
		}
	}
}
