package types

import (
	"bytes"
	"testing"
)

// TestParseBinaryKeepsNoInput checks what the server's Bind relies on to
// decode parameters straight from its read buffer, which the next message
// overwrites: no value ParseBinary returns shares memory with its input.
// Each value is encoded, decoded, the input overwritten, and the value
// encoded again.
func TestParseBinaryKeepsNoInput(t *testing.T) {
	tests := []struct {
		t    T
		text string
	}{
		{TBool, "true"},
		{TInt2, "-7"},
		{TInt4, "123456"},
		{TInt8, "-9876543210"},
		{Of(Float4OID), "1.5"},
		{TFloat8, "-2.25"},
		{TNumeric, "12345.6789"},
		{TText, "some text"},
		{Of(VarcharOID), "varchar text"},
		{Of(BpcharOID), "bpchar"},
		{TName, "a_name"},
		{Of(CharOID), "c"},
		{TBytea, `\xdeadbeef`},
		{TDate, "2024-02-29"},
		{TTimestamp, "2024-02-29 12:34:56.789"},
		{TTimestampTZ, "2024-02-29 12:34:56.789+00"},
		{Of(JSONOID), `{"a": [1, "x"]}`},
		{TJSONB, `{"a": [1, "x"]}`},
		{TVector, "[1,-2.5,3]"},
		{Of(HalfvecOID), "[1,-2.5,3]"},
		{Of(SparsevecOID), "{1:1.5,3:-2}/5"},
		{Of(BitOID), "10110"},
		{Of(VarbitOID), "1011001"},
		{Of(Int4ArrayOID), "{1,NULL,3}"},
		{Of(TextArrayOID), `{"a b",c,NULL}`},
		{Of(VectorArrayOID), `{"[1,2]","[3,4]"}`},
	}
	for _, tt := range tests {
		d, err := ParseText(tt.t, tt.text)
		if err != nil {
			t.Fatalf("%s %q: %v", tt.t, tt.text, err)
		}
		in, err := AppendBinary(nil, tt.t, d)
		if err != nil {
			t.Fatalf("%s %q: send: %v", tt.t, tt.text, err)
		}
		want := bytes.Clone(in)
		got, err := ParseBinary(tt.t, in)
		if err != nil {
			t.Fatalf("%s %q: recv: %v", tt.t, tt.text, err)
		}
		for i := range in {
			in[i] ^= 0xa5
		}
		out, err := AppendBinary(nil, tt.t, got)
		if err != nil || !bytes.Equal(out, want) {
			t.Errorf("%s %q: after its input was overwritten the value sends as %x, %v; want %x", tt.t, tt.text, out, err, want)
		}
	}
}
