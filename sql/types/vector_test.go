package types

import (
	"encoding/hex"
	"math"
	"strings"
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
)

func TestVectorText(t *testing.T) {
	syntax := func(s string) string { return `invalid input syntax for type vector: "` + s + `"` }
	runTextCases(t, []textCase{
		{TVector, "[1,2,3]", "[1,2,3]", ""},
		{TVector, " [ 1 , 2.5 ,-3 ] ", "[1,2.5,-3]", ""},
		{TVector, "\t[1]\n", "[1]", ""},
		{TVector, "[1.5e2,-0,1e-7,+4,.5,5.]", "[150,-0,1e-07,4,0.5,5]", ""},
		{TVector, "[0.1,1234567,100000,123456789]", "[0.1,1.234567e+06,100000,1.2345679e+08]", ""},
		{TVector, "[0x10]", "[16]", ""},
		{TVector, "[1e-50]", "[0]", ""},
		{TVector, "[3.4028235e38]", "[3.4028235e+38]", ""},
		{TVector, "1,2", syntax("1,2"), pgerr.InvalidTextRepresentation},
		{TVector, "", syntax(""), pgerr.InvalidTextRepresentation},
		{TVector, "[]", "vector must have at least 1 dimension", pgerr.DataException},
		{TVector, "[ ]", "vector must have at least 1 dimension", pgerr.DataException},
		{TVector, "[", syntax("["), pgerr.InvalidTextRepresentation},
		{TVector, "[1,", syntax("[1,"), pgerr.InvalidTextRepresentation},
		{TVector, "[1,]", syntax("[1,]"), pgerr.InvalidTextRepresentation},
		{TVector, "[,1]", syntax("[,1]"), pgerr.InvalidTextRepresentation},
		{TVector, "[1,2", syntax("[1,2"), pgerr.InvalidTextRepresentation},
		{TVector, "[1 2]", syntax("[1 2]"), pgerr.InvalidTextRepresentation},
		{TVector, "[1e]", syntax("[1e]"), pgerr.InvalidTextRepresentation},
		{TVector, "[a]", syntax("[a]"), pgerr.InvalidTextRepresentation},
		{TVector, "[1,2]x", syntax("[1,2]x"), pgerr.InvalidTextRepresentation},
		{TVector, "[1,2]]", syntax("[1,2]]"), pgerr.InvalidTextRepresentation},
		{TVector, "[NaN]", "NaN not allowed in vector", pgerr.DataException},
		{TVector, "[1,nan]", "NaN not allowed in vector", pgerr.DataException},
		{TVector, "[inf]", "infinite value not allowed in vector", pgerr.DataException},
		{TVector, "[-Infinity]", "infinite value not allowed in vector", pgerr.DataException},
		{TVector, "[1e39]", `"1e39" is out of range for type vector`, pgerr.NumericValueOutOfRange},
		{TVector, "[1, -1e39 ]", `"-1e39" is out of range for type vector`, pgerr.NumericValueOutOfRange},
		{VectorOf(3), "[1,2,3]", "[1,2,3]", ""},
		{VectorOf(3), "[1,2]", "expected 3 dimensions, not 2", pgerr.DataException},
		{TVector, "[" + strings.Repeat("1,", 16000) + "1]", "vector cannot have more than 16000 dimensions", pgerr.ProgramLimitExceeded},
	})
	for _, tt := range []struct{ in, detail string }{
		{"1,2", `Vector contents must start with "[".`},
		{"[1,2]x", "Junk after closing right brace."},
		{"[1,2", ""},
	} {
		_, err := ParseText(TVector, tt.in)
		if pe, ok := err.(*pgerr.Error); !ok || pe.Detail != tt.detail {
			t.Errorf("%q: error %v, want detail %q", tt.in, err, tt.detail)
		}
	}
	long := "[" + strings.Repeat("1,", 15999) + "1]"
	d, err := ParseText(TVector, long)
	if err != nil || len(d.(Vector)) != 16000 {
		t.Errorf("16000 dimensions: %v", err)
	}
}

func TestVectorBinary(t *testing.T) {
	v := Vector{1, -2.5, 0}
	b, err := AppendBinary(nil, TVector, v)
	if err != nil {
		t.Fatal(err)
	}
	const want = "00030000" + "3f800000" + "c0200000" + "00000000"
	if got := hex.EncodeToString(b); got != want {
		t.Fatalf("vector_send = %s, want %s", got, want)
	}
	back, err := ParseBinary(TVector, b)
	if err != nil || !Equal(TVector, v, back) {
		t.Fatalf("vector_recv = %v, %v", back, err)
	}
	if _, err := ParseBinary(VectorOf(3), b); err != nil {
		t.Errorf("vector(3): %v", err)
	}
	tests := []struct {
		hex  string
		t    T
		code pgerr.Code
		msg  string
	}{
		{"00000000", TVector, pgerr.DataException, "vector must have at least 1 dimension"},
		{"3e810000", TVector, pgerr.ProgramLimitExceeded, "vector cannot have more than 16000 dimensions"},
		{"000100013f800000", TVector, pgerr.DataException, "expected unused to be 0, not 1"},
		{"000100003f800000", VectorOf(2), pgerr.DataException, "expected 2 dimensions, not 1"},
		{"000100007fc00000", TVector, pgerr.DataException, "NaN not allowed in vector"},
		{"000100007f800000", TVector, pgerr.DataException, "infinite value not allowed in vector"},
		{"000200003f800000", TVector, pgerr.ProtocolViolation, "insufficient data left in message"},
		{"000300003f800000ff800000", TVector, pgerr.DataException, "infinite value not allowed in vector"},
		{"00030000ffc00000", TVector, pgerr.DataException, "NaN not allowed in vector"},
		{"000200003f8000", TVector, pgerr.ProtocolViolation, "insufficient data left in message"},
		{"00010000", TVector, pgerr.ProtocolViolation, "insufficient data left in message"},
		{"0001", TVector, pgerr.ProtocolViolation, "insufficient data left in message"},
		{"000100003f80000000", TVector, pgerr.InvalidBinaryRepresentation, "incorrect binary data format"},
	}
	for _, tt := range tests {
		b, _ := hex.DecodeString(tt.hex)
		_, err := ParseBinary(tt.t, b)
		checkErr(t, "vector_recv "+tt.hex, err, tt.code, tt.msg)
	}
}

func TestVectorCompare(t *testing.T) {
	tests := []struct {
		a, b Vector
		want int
	}{
		{Vector{1, 2}, Vector{1, 2, 3}, -1},
		{Vector{1, 3}, Vector{1, 2, 3}, 1},
		{Vector{1, 2, 3}, Vector{1, 2, 3}, 0},
		{Vector{float32(math.Copysign(0, -1))}, Vector{0}, 0},
		{Vector{-1}, Vector{1}, -1},
	}
	for _, tt := range tests {
		if got := Compare(TVector, tt.a, tt.b); got != tt.want {
			t.Errorf("Compare(%v, %v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := Compare(TVector, tt.b, tt.a); got != -tt.want {
			t.Errorf("Compare(%v, %v) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
		if tt.want == 0 && hashOf(TVector, tt.a) != hashOf(TVector, tt.b) {
			t.Errorf("%v and %v hash differently", tt.a, tt.b)
		}
	}
}

func TestVectorCasts(t *testing.T) {
	arr := func(elem T, s string) *Array {
		t.Helper()
		oid, _ := ArrayOf(elem.OID)
		d, err := ParseText(Of(oid), s)
		if err != nil {
			t.Fatal(err)
		}
		return d.(*Array)
	}
	ok := []struct {
		from *Array
		to   T
		want string
	}{
		{arr(TInt4, "{1,2,3}"), TVector, "[1,2,3]"},
		{arr(TInt4, "{16777217}"), TVector, "[1.6777216e+07]"},
		{arr(TFloat4, "{1.5,-0}"), VectorOf(2), "[1.5,-0]"},
		{arr(TFloat8, "{0.1}"), TVector, "[0.1]"},
		{arr(TNumeric, "{1.25,-3}"), TVector, "[1.25,-3]"},
	}
	for _, tt := range ok {
		from := Of(mustArrayOID(t, tt.from.Elem.OID))
		v, err := Cast(tt.from, from, tt.to, false)
		if err != nil {
			t.Errorf("%s -> %s: %v", from, tt.to, err)
			continue
		}
		if got := FormatText(tt.to, v, nil); got != tt.want {
			t.Errorf("%s -> %s = %s, want %s", from, tt.to, got, tt.want)
		}
	}
	bad := []struct {
		from *Array
		to   T
		code pgerr.Code
		msg  string
	}{
		{arr(TInt4, "{1,NULL}"), TVector, pgerr.NullValueNotAllowed, "array must not contain nulls"},
		{arr(TInt4, "{}"), TVector, pgerr.DataException, "vector must have at least 1 dimension"},
		{arr(TInt4, "{1,2}"), VectorOf(3), pgerr.DataException, "expected 3 dimensions, not 2"},
		{arr(TFloat4, "{NaN}"), TVector, pgerr.DataException, "NaN not allowed in vector"},
		{arr(TFloat8, "{1e39}"), TVector, pgerr.DataException, "infinite value not allowed in vector"},
		{arr(TFloat8, "{-Infinity}"), TVector, pgerr.DataException, "infinite value not allowed in vector"},
		{arr(TNumeric, "{1e-50}"), TVector, pgerr.NumericValueOutOfRange,
			`"0.00000000000000000000000000000000000000000000000001" is out of range for type real`},
		{arr(TNumeric, "{1e39}"), TVector, pgerr.NumericValueOutOfRange,
			`"1000000000000000000000000000000000000000" is out of range for type real`},
	}
	for _, tt := range bad {
		from := Of(mustArrayOID(t, tt.from.Elem.OID))
		_, err := Cast(tt.from, from, tt.to, false)
		checkErr(t, from.String()+" -> "+tt.to.String(), err, tt.code, tt.msg)
	}
	v := Vector{1.5, -2}
	a, err := Cast(v, TVector, Of(Float4ArrayOID), false)
	if err != nil || FormatText(Of(Float4ArrayOID), a, nil) != "{1.5,-2}" {
		t.Errorf("vector -> real[] = %v, %v", a, err)
	}
	if _, err := Cast(v, TVector, VectorOf(3), false); err == nil {
		t.Error("vector(2) value cast to vector(3) succeeded")
	}
	s, err := Cast(v, TVector, TText, false)
	if err != nil || s != "[1.5,-2]" {
		t.Errorf("vector -> text = %v, %v", s, err)
	}
	back, err := Cast("[1,2]", TText, VectorOf(2), true)
	if err != nil || !Equal(TVector, back, Vector{1, 2}) {
		t.Errorf("text -> vector(2) = %v, %v", back, err)
	}
}

func mustArrayOID(t *testing.T, elem OID) OID {
	t.Helper()
	oid, ok := ArrayOf(elem)
	if !ok {
		t.Fatalf("no array of %d", elem)
	}
	return oid
}

// BenchmarkParseBinaryVector decodes a 784-dimension vector parameter
// (fashion-mnist), what every binary Bind of a search query does.
func BenchmarkParseBinaryVector(b *testing.B) {
	v := make(Vector, 784)
	for i := range v {
		v[i] = float32(i % 256)
	}
	buf, err := AppendBinary(nil, TVector, v)
	if err != nil {
		b.Fatal(err)
	}
	typ := VectorOf(784)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		if _, err := ParseBinary(typ, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseTextVector parses a 784-dimension vector in its text form
// (fashion-mnist pixel values), what every Bind of a search query whose
// client sends the vector as text does.
func BenchmarkParseTextVector(b *testing.B) {
	v := make(Vector, 784)
	for i := range v {
		v[i] = float32((i * 37) % 256)
	}
	s := string(AppendText(nil, TVector, v, &DefaultFormat))
	typ := VectorOf(784)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		if _, err := ParseText(typ, s); err != nil {
			b.Fatal(err)
		}
	}
}
