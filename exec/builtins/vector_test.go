package builtins

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/vecgres/vecgres/sql/types"
)

// vectorCases are pgvector's distances, functions and element-wise operators,
// recorded from PostgreSQL 15 with pgvector 0.8.
var vectorCases = []scalarCase{
	// vectors.
	{"<->(vector,vector)", a("[1,2,3]", "[4,5,6]"), "double precision", "5.196152422706632"},
	{"<->(vector,vector)", a("[1,1]", "[1,1]"), "double precision", "0"},
	{"<->(vector,vector)", a("[0,0]", "[1,2]"), "double precision", "2.23606797749979"},
	{"<->(vector,vector)", a("[0,0]", "[0,0]"), "double precision", "0"},
	{"<->(vector,vector)", a("[1,0]", "[-1,0]"), "double precision", "2"},
	{"<->(vector,vector)", a("[3,4]", "[-3,-4.5]"), "double precision", "10.404326023342406"},
	{"<->(vector,vector)", a("[1e-20,1e-20]", "[1e-20,1e-20]"), "double precision", "0"},
	{"<->(vector,vector)", a("[1,2,3]", "[1,2]"), "", "ERROR 22000: different vector dimensions 3 and 2"},
	{"<->(vector,vector)", a("[0.1,0.2,0.3]", "[0.3,0.2,0.1]"), "double precision", "~0.28284273565538476"},
	{"<#>(vector,vector)", a("[1,2,3]", "[4,5,6]"), "double precision", "-32"},
	{"<#>(vector,vector)", a("[1,1]", "[1,1]"), "double precision", "-2"},
	{"<#>(vector,vector)", a("[0,0]", "[1,2]"), "double precision", "-0"},
	{"<#>(vector,vector)", a("[0,0]", "[0,0]"), "double precision", "-0"},
	{"<#>(vector,vector)", a("[1,0]", "[-1,0]"), "double precision", "1"},
	{"<#>(vector,vector)", a("[3,4]", "[-3,-4.5]"), "double precision", "27"},
	{"<#>(vector,vector)", a("[1e-20,1e-20]", "[1e-20,1e-20]"), "double precision", "-1.999989220222952e-40"},
	{"<#>(vector,vector)", a("[1,2,3]", "[1,2]"), "", "ERROR 22000: different vector dimensions 3 and 2"},
	{"<#>(vector,vector)", a("[0.1,0.2,0.3]", "[0.3,0.2,0.1]"), "double precision", "~-0.10000000894069672"},
	{"<=>(vector,vector)", a("[1,2,3]", "[4,5,6]"), "double precision", "0.025368153802923787"},
	{"<=>(vector,vector)", a("[1,1]", "[1,1]"), "double precision", "0"},
	{"<=>(vector,vector)", a("[0,0]", "[1,2]"), "double precision", "NaN"},
	{"<=>(vector,vector)", a("[0,0]", "[0,0]"), "double precision", "NaN"},
	{"<=>(vector,vector)", a("[1,0]", "[-1,0]"), "double precision", "2"},
	{"<=>(vector,vector)", a("[3,4]", "[-3,-4.5]"), "double precision", "1.9984603532054126"},
	{"<=>(vector,vector)", a("[1e-20,1e-20]", "[1e-20,1e-20]"), "double precision", "0"},
	{"<=>(vector,vector)", a("[1,2,3]", "[1,2]"), "", "ERROR 22000: different vector dimensions 3 and 2"},
	// In float32 these have a similarity just above 1 (and below -1):
	// pgvector clamps it.
	{"<=>(vector,vector)", a("[142.57143]", "[34.333332]"), "double precision", "0"},
	{"<=>(vector,vector)", a("[142.57143]", "[-34.333332]"), "double precision", "2"},
	{"<=>(vector,vector)", a("[40.857143]", "[311.66666]"), "double precision", "0"},
	{"<=>(vector,vector)", a("[0.1,0.2,0.3]", "[0.3,0.2,0.1]"), "double precision", "~0.285714316124816"},
	{"<+>(vector,vector)", a("[1,2,3]", "[4,5,6]"), "double precision", "9"},
	{"<+>(vector,vector)", a("[1,1]", "[1,1]"), "double precision", "0"},
	{"<+>(vector,vector)", a("[0,0]", "[1,2]"), "double precision", "3"},
	{"<+>(vector,vector)", a("[0,0]", "[0,0]"), "double precision", "0"},
	{"<+>(vector,vector)", a("[1,0]", "[-1,0]"), "double precision", "2"},
	{"<+>(vector,vector)", a("[3,4]", "[-3,-4.5]"), "double precision", "14.5"},
	{"<+>(vector,vector)", a("[1e-20,1e-20]", "[1e-20,1e-20]"), "double precision", "0"},
	{"<+>(vector,vector)", a("[1,2,3]", "[1,2]"), "", "ERROR 22000: different vector dimensions 3 and 2"},
	{"<+>(vector,vector)", a("[0.1,0.2,0.3]", "[0.3,0.2,0.1]"), "double precision", "~0.40000003576278687"},
	{"l2_distance(vector,vector)", a("[1,2,3]", "[4,5,6]"), "double precision", "5.196152422706632"},
	{"l2_distance(vector,vector)", a("[1]", "[1,2]"), "", "ERROR 22000: different vector dimensions 1 and 2"},
	{"cosine_distance(vector,vector)", a("[1,2,3]", "[4,5,6]"), "double precision", "0.025368153802923787"},
	{"cosine_distance(vector,vector)", a("[1]", "[1,2]"), "", "ERROR 22000: different vector dimensions 1 and 2"},
	{"inner_product(vector,vector)", a("[1,2,3]", "[4,5,6]"), "double precision", "32"},
	{"inner_product(vector,vector)", a("[1]", "[1,2]"), "", "ERROR 22000: different vector dimensions 1 and 2"},
	{"l1_distance(vector,vector)", a("[1,2,3]", "[4,5,6]"), "double precision", "9"},
	{"l1_distance(vector,vector)", a("[1]", "[1,2]"), "", "ERROR 22000: different vector dimensions 1 and 2"},
	{"vector_negative_inner_product(vector,vector)", a("[1,2,3]", "[4,5,6]"), "double precision", "-32"},
	{"vector_negative_inner_product(vector,vector)", a("[1]", "[1,2]"), "", "ERROR 22000: different vector dimensions 1 and 2"},
	{"cosine_distance(vector,vector)", a("[0,0]", "[0,0]"), "double precision", "NaN"},
	{"vector_dims(vector)", a("[1,2,3]"), "integer", "3"},
	{"vector_norm(vector)", a("[3,4]"), "double precision", "5"},
	{"vector_norm(vector)", a("[0]"), "double precision", "0"},
	{"vector_norm(vector)", a("[1e30,1e30]"), "double precision", "1.414213583653426e+30"},
	{"l2_normalize(vector)", a("[3,4]"), "vector", "[0.6,0.8]"},
	{"l2_normalize(vector)", a("[0,0,0]"), "vector", "[0,0,0]"},
	{"l2_normalize(vector)", a("[-2]"), "vector", "[-1]"},
	{"l2_normalize(vector)", a("[1e-38,0]"), "vector", "[1,0]"},
	{"l2_normalize(vector)", a("[3e38,3e38]"), "vector", "[0.70710677,0.70710677]"},
	{"subvector(vector,int4,int4)", a("[1,2,3,4]", "1", "2"), "vector", "[1,2]"},
	{"subvector(vector,int4,int4)", a("[1,2,3,4]", "2", "5"), "vector", "[2,3,4]"},
	{"subvector(vector,int4,int4)", a("[1,2,3,4]", "0", "2"), "vector", "[1]"},
	{"subvector(vector,int4,int4)", a("[1,2,3,4]", "-1", "3"), "vector", "[1]"},
	{"subvector(vector,int4,int4)", a("[1,2,3,4]", "-1", "2"), "", "ERROR 22000: vector must have at least 1 dimension"},
	{"subvector(vector,int4,int4)", a("[1,2,3,4]", "3", "1"), "vector", "[3]"},
	{"subvector(vector,int4,int4)", a("[1,2,3,4]", "4", "1"), "vector", "[4]"},
	{"subvector(vector,int4,int4)", a("[1,2,3,4]", "1", "0"), "", "ERROR 22000: vector must have at least 1 dimension"},
	{"subvector(vector,int4,int4)", a("[1,2,3,4]", "1", "-1"), "", "ERROR 22000: vector must have at least 1 dimension"},
	{"subvector(vector,int4,int4)", a("[1,2,3,4]", "2", "0"), "", "ERROR 22000: vector must have at least 1 dimension"},
	{"subvector(vector,int4,int4)", a("[1,2,3,4]", "3", "-1"), "", "ERROR 22000: vector must have at least 1 dimension"},
	{"subvector(vector,int4,int4)", a("[1,2,3,4]", "2", "2147483647"), "vector", "[2,3,4]"},
	{"subvector(vector,int4,int4)", a("[1,2,3,4]", "-2147483648", "2147483647"), "", "ERROR 22000: vector must have at least 1 dimension"},
	{"subvector(vector,int4,int4)", a("[1,2,3,4]", "-5", "10"), "vector", "[1,2,3,4]"},
	{"subvector(vector,int4,int4)", a("[1,2,3,4]", "5", "1"), "", "ERROR 22000: vector must have at least 1 dimension"},
	{"+(vector,vector)", a("[1,2]", "[3,4.5]"), "vector", "[4,6.5]"},
	{"+(vector,vector)", a("[3e38]", "[3e38]"), "", "ERROR 22003: value out of range: overflow"},
	{"+(vector,vector)", a("[1]", "[1,2]"), "", "ERROR 22000: different vector dimensions 1 and 2"},
	{"-(vector,vector)", a("[1,2]", "[3,4.5]"), "vector", "[-2,-2.5]"},
	{"-(vector,vector)", a("[-3e38]", "[3e38]"), "", "ERROR 22003: value out of range: overflow"},
	{"-(vector,vector)", a("[1,2,3]", "[1,2]"), "", "ERROR 22000: different vector dimensions 3 and 2"},
	{"*(vector,vector)", a("[1,2]", "[3,-4]"), "vector", "[3,-8]"},
	{"*(vector,vector)", a("[3e38]", "[10]"), "", "ERROR 22003: value out of range: overflow"},
	{"*(vector,vector)", a("[1e-30]", "[1e-30]"), "", "ERROR 22003: value out of range: underflow"},
	{"*(vector,vector)", a("[0,1e-30]", "[5,1]"), "vector", "[0,1e-30]"},
	{"*(vector,vector)", a("[1e-30, 3e38]", "[1e-30, 10]"), "", "ERROR 22003: value out of range: underflow"},
	{"*(vector,vector)", a("[1]", "[1,2]"), "", "ERROR 22000: different vector dimensions 1 and 2"},
	{"||(vector,vector)", a("[1,2]", "[3]"), "vector", "[1,2,3]"},
}

func TestVectorFunctions(t *testing.T) { runScalarCases(t, vectorCases) }

// TestVectorConcatLimit checks || at pgvector's 16000-dimension limit.
func TestVectorConcatLimit(t *testing.T) {
	o, _ := lookup(t, "||(vector,vector)")
	for _, tc := range []struct {
		a, b int
		want string
	}{
		{8000, 8000, ""},
		{1, 15999, ""},
		{8000, 8001, "ERROR 54000: vector cannot have more than 16000 dimensions"},
		{16000, 1, "ERROR 54000: vector cannot have more than 16000 dimensions"},
	} {
		a, b := make(types.Vector, tc.a), make(types.Vector, tc.b)
		for i := range b {
			b[i] = float32(i)
		}
		got, err := o.Impl(testEnv{}, []types.Datum{a, b})
		what := fmt.Sprintf("[%d dims] || [%d dims]", tc.a, tc.b)
		if tc.want != "" {
			checkResult(t, what, types.TVector, got, err, tc.want)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", what, err)
			continue
		}
		v := got.(types.Vector)
		if len(v) != tc.a+tc.b || v[tc.a] != 0 || v[len(v)-1] != float32(tc.b-1) {
			t.Errorf("%s: got %d dims ending %v", what, len(v), v[len(v)-1])
		}
	}
}

// TestVectorResultsAreFresh checks that element-wise operators and
// functions returning vectors never return (or write into) an argument:
// rows may share their vectors.
func TestVectorResultsAreFresh(t *testing.T) {
	for _, sig := range []string{"+(vector,vector)", "-(vector,vector)", "*(vector,vector)", "||(vector,vector)",
		"l2_normalize(vector)", "subvector(vector,int4,int4)"} {
		o, ts := lookup(t, sig)
		x, y := types.Vector{1, 2, 3}, types.Vector{4, 5, 6}
		args := []types.Datum{x, y}
		switch len(ts) {
		case 1:
			args = args[:1]
		case 3:
			args = []types.Datum{x, int64(1), int64(3)}
		}
		got, err := o.Impl(testEnv{}, args)
		if err != nil {
			t.Fatalf("%s: %v", sig, err)
		}
		v := got.(types.Vector)
		v[0] = 99
		if x[0] != 1 || y[0] != 4 {
			t.Errorf("%s: result shares memory with an argument", sig)
		}
	}
}

// TestDistance checks Distance, which index and executor code call
// directly, against the operators and against sums computed here in
// float64 on values whose float32 sums are exact.
func TestDistance(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 40; n++ {
		a, b := make([]float32, n), make([]float32, n)
		var l2, dot, l1, na, nb float64
		for i := range a {
			// Small integers and halves: every product and sum is exact.
			a[i] = float32(rng.IntN(33)-16) / 2
			b[i] = float32(rng.IntN(33)-16) / 2
			d := float64(a[i]) - float64(b[i])
			l2 += d * d
			l1 += math.Abs(d)
			dot += float64(a[i]) * float64(b[i])
			na += float64(a[i]) * float64(a[i])
			nb += float64(b[i]) * float64(b[i])
		}
		cos := 1 - dot/math.Sqrt(na*nb)
		cos = max(0, min(2, cos))
		if na == 0 || nb == 0 {
			cos = math.NaN()
		}
		for op, want := range map[string]float64{"<->": math.Sqrt(l2), "<#>": -dot, "<=>": cos, "<+>": l1} {
			d, ok := DistanceOfOperator(op)
			if !ok {
				t.Fatalf("no distance for %s", op)
			}
			got := Distance(d, a, b)
			if !(got == want || math.IsNaN(got) && math.IsNaN(want) || op == "<=>" && math.Abs(got-want) < 1e-12) {
				t.Errorf("n=%d %s: Distance = %v, want %v", n, op, got, want)
			}
			o, _ := lookup(t, op+"(vector,vector)")
			viaOp, err := o.Impl(testEnv{}, []types.Datum{types.Vector(a), types.Vector(b)})
			if err != nil {
				t.Fatal(err)
			}
			if v := viaOp.(float64); v != got && !(math.IsNaN(v) && math.IsNaN(got)) {
				t.Errorf("n=%d %s: operator %v, Distance %v", n, op, v, got)
			}
		}
	}
}
