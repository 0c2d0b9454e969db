package types

import (
	"hash/maphash"
	"math"
	"testing"
	"time"
)

var testSeed = maphash.MakeSeed()

func hashOf(t T, d Datum) uint64 {
	var h maphash.Hash
	h.SetSeed(testSeed)
	Hash(t, d, &h)
	return h.Sum64()
}

func TestCompareAndHash(t *testing.T) {
	nan := math.NaN()
	negZero := math.Copysign(0, -1)
	// Each list is ascending; values in one group are equal.
	tests := []struct {
		t      T
		groups [][]Datum
	}{
		{TFloat8, [][]Datum{{math.Inf(-1)}, {-1.5}, {0.0, negZero}, {1e-300}, {math.Inf(1)}, {nan, -nan}}},
		{TInt8, [][]Datum{{int64(math.MinInt64)}, {int64(-1)}, {int64(0)}, {int64(math.MaxInt64)}}},
		{TOid, [][]Datum{{int64(1)}, {int64(2147483648)}, {int64(4294967295)}}},
		{TBool, [][]Datum{{false}, {true}}},
		{TText, [][]Datum{{""}, {"A"}, {"a"}, {"a "}, {"ab"}, {"é"}}},
		{Of(BpcharOID), [][]Datum{{"", "  "}, {"a", "a  "}, {"ab"}}},
		{TBytea, [][]Datum{{[]byte{}}, {[]byte{0}}, {[]byte{0, 0}}, {[]byte{1}}}},
		{TNumeric, [][]Datum{{numericNegInf}, {mustNumeric(t, "-1")}, {mustNumeric(t, "0"), mustNumeric(t, "0.000")},
			{mustNumeric(t, "1.5"), mustNumeric(t, "1.50")}, {mustNumeric(t, "1e100")}, {numericPosInf}, {numericNaN}}},
		{Of(Int4ArrayOID), [][]Datum{
			{&Array{Elem: TInt4, LowerBound: 1}, &Array{Elem: TInt4}},
			{&Array{Elem: TInt4, Elems: []Datum{int64(1)}, LowerBound: 1}},
			{&Array{Elem: TInt4, Elems: []Datum{int64(1), int64(2)}, LowerBound: 1}, &Array{Elem: TInt4, Elems: []Datum{int64(1), int64(2)}}},
			{&Array{Elem: TInt4, Elems: []Datum{int64(1), nil}, LowerBound: 1}},
			{&Array{Elem: TInt4, Elems: []Datum{int64(2)}, LowerBound: 1}},
			{&Array{Elem: TInt4, Elems: []Datum{nil}, LowerBound: 1}},
		}},
	}
	for _, tt := range tests {
		for i, gi := range tt.groups {
			for j, gj := range tt.groups {
				for _, a := range gi {
					for _, b := range gj {
						want := cmpInt(i, j)
						if got := Compare(tt.t, a, b); got != want {
							t.Errorf("%s: Compare(%v, %v) = %d, want %d", tt.t, a, b, got, want)
						}
						if Equal(tt.t, a, b) != (want == 0) {
							t.Errorf("%s: Equal(%v, %v) = %v", tt.t, a, b, !(want == 0))
						}
						if want == 0 && hashOf(tt.t, a) != hashOf(tt.t, b) {
							t.Errorf("%s: %v and %v hash differently", tt.t, a, b)
						}
					}
				}
			}
		}
	}
}

func TestCompareTimes(t *testing.T) {
	a := time.Date(2024, 1, 2, 3, 0, 0, 0, time.FixedZone("", 7200))
	b := time.Date(2024, 1, 2, 1, 0, 0, 0, time.UTC)
	if Compare(TTimestampTZ, a, b) != 0 || !Equal(TTimestampTZ, a, b) || hashOf(TTimestampTZ, a) != hashOf(TTimestampTZ, b) {
		t.Error("the same instant in two zones is not equal")
	}
	if Compare(TTimestampTZ, NegInfinityTime, b) != -1 || Compare(TTimestampTZ, InfinityTime, b) != 1 {
		t.Error("infinities out of order")
	}
}
