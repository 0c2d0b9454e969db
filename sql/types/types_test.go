package types

import "testing"

func TestTypmodString(t *testing.T) {
	tests := []struct {
		t    T
		want string
	}{
		{TInt4, ""}, {VarcharOf(5), "(5)"}, {NumericOf(10, 2), "(10,2)"}, {NumericOf(3, -2), "(3,-2)"},
		{VectorOf(3), "(3)"}, {T{TimestampTZOID, 0}, "(0)"}, {T{BpcharOID, 5}, "(1)"}, {T{Int4OID, 3}, ""},
	}
	for _, tt := range tests {
		if got := tt.t.TypmodString(); got != tt.want {
			t.Errorf("%+v.TypmodString() = %q, want %q", tt.t, got, tt.want)
		}
	}
	if v := VarcharOf(3); v.VarcharLen() != 3 || TVarchar.VarcharLen() != -1 {
		t.Error("VarcharLen")
	}
}
