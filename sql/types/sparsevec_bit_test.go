package types

import (
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// TestVectorKindSend checks the binary forms against the bytes
// PostgreSQL 15 + pgvector 0.8.6 send for the same values
// (SELECT halfvec_send('[1,-2,65504]'), sparsevec_send(...), bit_send(...)).
func TestVectorKindSend(t *testing.T) {
	for _, tt := range []struct {
		typ  T
		text string
		hex  string
	}{
		{THalfvec, "[1,-2,65504]", "000300003c00c0007bff"},
		{TSparsevec, "{1:1.5,3:-2}/5", "00000005000000020000000000000000000000023fc00000c0000000"},
		{TSparsevec, "{}/3", "000000030000000000000000"},
		{TBit, "1010110011", "0000000aacc0"},
		{TVarbit, "", "00000000"},
		{TVarbit, "1", "0000000180"},
	} {
		d, err := ParseText(tt.typ, tt.text)
		if err != nil {
			t.Fatalf("%s %q: %v", tt.typ, tt.text, err)
		}
		b, err := AppendBinary(nil, tt.typ, d)
		if err != nil || hexOf(b) != tt.hex {
			t.Errorf("%s %q: sends %s (%v), want %s", tt.typ, tt.text, hexOf(b), err, tt.hex)
		}
		back, err := ParseBinary(tt.typ, unhex(t, tt.hex))
		if err != nil || !Equal(tt.typ, back, d) {
			t.Errorf("%s %s: receives %v (%v), want %q", tt.typ, tt.hex, back, err, tt.text)
		}
	}
}

// TestVectorKindRecvErrors checks sparsevec_recv's and bit_recv's
// validation: the binary form is not trusted any more than the text.
func TestVectorKindRecvErrors(t *testing.T) {
	for _, tt := range []struct {
		typ  T
		hex  string
		code pgerr.Code
		msg  string
	}{
		{TSparsevec, "00000000" + "00000000" + "00000000", pgerr.DataException, "sparsevec must have at least 1 dimension"},
		{TSparsevec, "00000003" + "ffffffff" + "00000000", pgerr.DataException, "sparsevec cannot have negative number of elements"},
		{TSparsevec, "00000001" + "00000002" + "00000000", pgerr.ProgramLimitExceeded, "sparsevec cannot have more elements than dimensions"},
		{TSparsevec, "00100000" + "00003e81" + "00000000", pgerr.ProgramLimitExceeded, "sparsevec cannot have more than 16000 non-zero elements"},
		{TSparsevec, "00000003" + "00000000" + "00000001", pgerr.DataException, "expected unused to be 0, not 1"},
		{TSparsevec, "00000003" + "00000001" + "00000000" + "00000003" + "3f800000", pgerr.DataException, "sparsevec index out of bounds"},
		{TSparsevec, "00000003" + "00000002" + "00000000" + "00000001" + "00000000" + "3f800000" + "3f800000", pgerr.DataException, "sparsevec indices must be in ascending order"},
		{TSparsevec, "00000003" + "00000002" + "00000000" + "00000001" + "00000001" + "3f800000" + "3f800000", pgerr.DataException, "sparsevec indices must not contain duplicates"},
		{TSparsevec, "00000003" + "00000001" + "00000000" + "00000001" + "00000000", pgerr.DataException, "binary representation of sparsevec cannot contain zero values"},
		{TSparsevec, "00000003" + "00000001" + "00000000" + "00000001" + "7fc00000", pgerr.DataException, "NaN not allowed in sparsevec"},
		{TSparsevec, "00000003" + "00000001" + "00000000" + "00000001" + "ff800000", pgerr.DataException, "infinite value not allowed in sparsevec"},
		{SparsevecOf(4), "00000003" + "00000000" + "00000000", pgerr.DataException, "expected 4 dimensions, not 3"},
		{TBit, "ffffffff", pgerr.InvalidBinaryRepresentation, "invalid length in external bit string"},
		{TVarbit, "00000009ff", pgerr.ProtocolViolation, "insufficient data left in message"},
	} {
		_, err := ParseBinary(tt.typ, unhex(t, tt.hex))
		checkErr(t, tt.typ.String()+" recv "+tt.hex, err, tt.code, tt.msg)
	}
	// bit_recv clears the pad bits a client may have set.
	d, err := ParseBinary(TBit, unhex(t, "00000003ff"))
	if err != nil || FormatText(TBit, d, nil) != "111" || d.(Bits).Data[0] != 0xe0 {
		t.Errorf("bit_recv with pad bits set: %v, %v", d, err)
	}
}
