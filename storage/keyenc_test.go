package storage

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/vecgres/vecgres/sql/types"
)

// refCompare is PostgreSQL's btree order for two non-NULL values of the
// same kind, written directly from the definitions (not from the encoding).
func refCompare(a, b types.Datum) int {
	switch x := a.(type) {
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case int64:
		return cmp.Compare(x, b.(int64))
	case float64:
		return refFloat(x, b.(float64))
	case *apd.Decimal:
		y := b.(*apd.Decimal)
		xn, yn := x.Form == apd.NaN, y.Form == apd.NaN
		switch {
		case xn && yn:
			return 0
		case xn:
			return 1
		case yn:
			return -1
		}
		return x.Cmp(y)
	case string:
		return strings.Compare(x, b.(string))
	case []byte:
		return bytes.Compare(x, b.([]byte))
	case types.JSON:
		return strings.Compare(string(x), string(b.(types.JSON)))
	case time.Time:
		return x.Compare(b.(time.Time))
	case types.Interval:
		// PostgreSQL's interval_cmp: the span in microseconds, a month
		// 30 days, computed without overflow.
		span := func(iv types.Interval) *big.Int {
			s := big.NewInt(int64(iv.Months)*30 + int64(iv.Days))
			s.Mul(s, big.NewInt(86_400_000_000))
			return s.Add(s, big.NewInt(iv.Micros))
		}
		return span(x).Cmp(span(b.(types.Interval)))
	case types.Vector:
		y := b.(types.Vector)
		for i := 0; i < len(x) && i < len(y); i++ {
			if c := refFloat(float64(x[i]), float64(y[i])); c != 0 {
				return c
			}
		}
		return cmp.Compare(len(x), len(y))
	case *types.Array:
		y := b.(*types.Array)
		for i := 0; i < len(x.Elems) && i < len(y.Elems); i++ {
			ea, eb := x.Elems[i], y.Elems[i]
			switch {
			case ea == nil && eb == nil:
				continue
			case ea == nil:
				return 1
			case eb == nil:
				return -1
			}
			if c := refCompare(ea, eb); c != 0 {
				return c
			}
		}
		return cmp.Compare(len(x.Elems), len(y.Elems))
	}
	panic(fmt.Sprintf("refCompare: %T", a))
}

// refFloat orders floats as PostgreSQL: NaN equal to itself and above
// everything, -0 equal to +0.
func refFloat(x, y float64) int {
	xn, yn := math.IsNaN(x), math.IsNaN(y)
	switch {
	case xn && yn:
		return 0
	case xn:
		return 1
	case yn:
		return -1
	}
	return cmp.Compare(x, y)
}

func sign(n int) int { return cmp.Compare(n, 0) }

// datumGen makes random values of one kind, biased towards edge cases and
// towards collisions (so that equality is exercised).
type datumGen struct {
	name string
	gen  func(r *rand.Rand) types.Datum
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

var floatEdges = []float64{math.Inf(-1), -math.MaxFloat64, -1.5, -1, -math.SmallestNonzeroFloat64,
	math.Copysign(0, -1), 0, math.SmallestNonzeroFloat64, 1, 1.5, math.MaxFloat64, math.Inf(1), math.NaN(),
	-math.NaN()}

func randString(r *rand.Rand, alphabet string, maxLen int) string {
	n := r.IntN(maxLen + 1)
	var sb strings.Builder
	for range n {
		sb.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return sb.String()
}

func randDecimal(r *rand.Rand) *apd.Decimal {
	switch r.IntN(12) {
	case 0:
		return &apd.Decimal{Form: apd.NaN}
	case 1:
		return &apd.Decimal{Form: apd.Infinite, Negative: r.IntN(2) == 0}
	case 2:
		return &apd.Decimal{Negative: r.IntN(2) == 0, Exponent: int32(r.IntN(7) - 3)} // zeros
	}
	d := &apd.Decimal{Negative: r.IntN(2) == 0, Exponent: int32(r.IntN(13) - 6)}
	switch r.IntN(3) {
	case 0:
		d.Coeff.SetInt64(int64(r.IntN(1000)))
	case 1:
		d.Coeff.SetInt64(r.Int64())
	default:
		s := randString(r, "0123456789", 40)
		if s == "" {
			s = "7"
		}
		d.Coeff.SetString(s, 10)
	}
	return d
}

func randFloat32(r *rand.Rand) float32 {
	if r.IntN(4) == 0 {
		return float32(pick(r, floatEdges...))
	}
	return float32(r.IntN(7) - 3)
}

var gens = []datumGen{
	{"bool", func(r *rand.Rand) types.Datum { return r.IntN(2) == 0 }},
	{"int", func(r *rand.Rand) types.Datum {
		if r.IntN(3) == 0 {
			return pick(r, int64(math.MinInt64), -1, 0, 1, int64(math.MaxInt64), -256, 255)
		}
		return r.Int64() - r.Int64()
	}},
	{"float", func(r *rand.Rand) types.Datum {
		if r.IntN(3) == 0 {
			return pick(r, floatEdges...)
		}
		return r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20))
	}},
	{"numeric", func(r *rand.Rand) types.Datum { return randDecimal(r) }},
	{"string", func(r *rand.Rand) types.Datum { return randString(r, "ab\x00\x01\xffz", 6) }},
	{"bytea", func(r *rand.Rand) types.Datum { return []byte(randString(r, "\x00\x01\xfe\xffa", 5)) }},
	{"json", func(r *rand.Rand) types.Datum { return types.JSON(randString(r, `{}"a:1 `, 6)) }},
	{"time", func(r *rand.Rand) types.Datum {
		if r.IntN(5) == 0 {
			return pick(r, time.Time{}, time.Unix(0, 0), time.Unix(-1, 999999999), time.Date(294276, 12, 31, 0, 0, 0, 0, time.UTC))
		}
		return time.Unix(r.Int64N(1<<40)-(1<<39), r.Int64N(3)*333333333).In(pick(r, time.UTC, time.FixedZone("x", 3600)))
	}},
	{"interval", func(r *rand.Rand) types.Datum {
		// Small fields make equal values of different shapes ('1 mon',
		// '30 days', '720:00:00') common.
		return types.Interval{Months: int32(r.IntN(5) - 2), Days: int32(r.IntN(61) - 30),
			Micros: (r.Int64N(97) - 48) * 12 * 3600 * 1_000_000}
	}},
	{"vector", func(r *rand.Rand) types.Datum {
		v := make(types.Vector, r.IntN(4))
		for i := range v {
			v[i] = randFloat32(r)
		}
		return v
	}},
	{"array", func(r *rand.Rand) types.Datum {
		a := &types.Array{Elem: types.TInt8, LowerBound: 1, Elems: make([]types.Datum, r.IntN(4))}
		for i := range a.Elems {
			if r.IntN(4) > 0 {
				a.Elems[i] = int64(r.IntN(3))
			}
		}
		return a
	}},
	{"text array", func(r *rand.Rand) types.Datum {
		a := &types.Array{Elem: types.TText, LowerBound: 1, Elems: make([]types.Datum, r.IntN(3))}
		for i := range a.Elems {
			if r.IntN(5) > 0 {
				a.Elems[i] = randString(r, "ab\x00", 3)
			}
		}
		return a
	}},
}

func mustKey(t *testing.T, d types.Datum, desc, nullsFirst bool) []byte {
	t.Helper()
	k, err := AppendKey(nil, d, desc, nullsFirst)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestKeyOrderProperty checks on random pairs that the byte order of
// encodings is the value order, ascending and descending.
func TestKeyOrderProperty(t *testing.T) {
	for _, g := range gens {
		t.Run(g.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(len(g.name))))
			for range 20000 {
				a, b := g.gen(r), g.gen(r)
				want := refCompare(a, b)
				asc := sign(bytes.Compare(mustKey(t, a, false, false), mustKey(t, b, false, false)))
				if asc != want {
					t.Fatalf("asc: compare(%v, %v) = %d, bytes say %d\n%x\n%x", a, b, want, asc,
						mustKey(t, a, false, false), mustKey(t, b, false, false))
				}
				desc := sign(bytes.Compare(mustKey(t, a, true, true), mustKey(t, b, true, true)))
				if desc != -want {
					t.Fatalf("desc: compare(%v, %v) = %d, bytes say %d", a, b, want, desc)
				}
			}
		})
	}
}

// TestKeyTupleOrder checks that concatenated encodings order as tuples,
// with per-column directions and NULL placement: this needs every encoding
// to be self-delimiting.
func TestKeyTupleOrder(t *testing.T) {
	type col struct {
		gen              datumGen
		desc, nullsFirst bool
	}
	r := rand.New(rand.NewPCG(7, 7))
	for round := range 200 {
		cols := make([]col, 1+r.IntN(3))
		for i := range cols {
			cols[i] = col{gens[r.IntN(len(gens))], r.IntN(2) == 0, r.IntN(2) == 0}
		}
		gen := func() []types.Datum {
			row := make([]types.Datum, len(cols))
			for i, c := range cols {
				if r.IntN(5) > 0 {
					row[i] = c.gen.gen(r)
				}
			}
			return row
		}
		enc := func(row []types.Datum) []byte {
			var k []byte
			for i, c := range cols {
				k = append(k, mustKey(t, row[i], c.desc, c.nullsFirst)...)
			}
			return k
		}
		for range 300 {
			a, b := gen(), gen()
			want := 0
			for i, c := range cols {
				var v int
				switch {
				case a[i] == nil && b[i] == nil:
					v = 0
				case a[i] == nil:
					v = 1
				case b[i] == nil:
					v = -1
				default:
					v = refCompare(a[i], b[i])
					if c.desc {
						v = -v
					}
				}
				if (a[i] == nil) != (b[i] == nil) && c.nullsFirst {
					v = -v
				}
				if v != 0 {
					want = v
					break
				}
			}
			if got := sign(bytes.Compare(enc(a), enc(b))); got != want {
				t.Fatalf("round %d: tuples %v and %v: want %d, bytes say %d", round, a, b, want, got)
			}
		}
	}
}

func TestKeyEquality(t *testing.T) {
	dec := func(s string) *apd.Decimal {
		d, _, err := apd.NewFromString(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	equal := [][2]types.Datum{
		{0.0, math.Copysign(0, -1)},
		{math.NaN(), -math.NaN()},
		{dec("1.0"), dec("1.000")},
		{dec("100"), dec("1E+2")},
		{dec("-0"), dec("0.00")},
		{dec("NaN"), &apd.Decimal{Form: apd.NaNSignaling}},
		{time.Unix(5, 7).UTC(), time.Unix(5, 7).In(time.FixedZone("x", -7200))},
		{types.Vector{0}, types.Vector{float32(math.Copysign(0, -1))}},
	}
	for _, p := range equal {
		if a, b := mustKey(t, p[0], false, false), mustKey(t, p[1], false, false); !bytes.Equal(a, b) {
			t.Errorf("%v and %v encode differently: %x, %x", p[0], p[1], a, b)
		}
	}
	if _, err := AppendKey(nil, struct{}{}, false, false); err == nil {
		t.Error("unknown Go type encoded without error")
	}
}

func TestKeyNullPlacement(t *testing.T) {
	for _, tc := range []struct {
		desc, nullsFirst bool
		nullBefore       bool
	}{
		{false, false, false},
		{false, true, true},
		{true, false, false},
		{true, true, true},
	} {
		for _, g := range gens {
			r := rand.New(rand.NewPCG(3, 3))
			for range 100 {
				v := mustKey(t, g.gen(r), tc.desc, tc.nullsFirst)
				n := mustKey(t, nil, tc.desc, tc.nullsFirst)
				if got := bytes.Compare(n, v) < 0; got != tc.nullBefore {
					t.Fatalf("%s desc=%v nullsFirst=%v: NULL before value = %v", g.name, tc.desc, tc.nullsFirst, got)
				}
			}
		}
	}
}
