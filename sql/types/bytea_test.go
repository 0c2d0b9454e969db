package types

import (
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
)

func TestBytea(t *testing.T) {
	runTextCases(t, []textCase{
		{TBytea, `\x`, `\x`, ""},
		{TBytea, `\xDEADbeef`, `\xdeadbeef`, ""},
		{TBytea, "\\x01 02\n03\t04\r", `\x01020304`, ""},
		{TBytea, `\x0`, "invalid hexadecimal data: odd number of digits", pgerr.InvalidParameterValue},
		{TBytea, `\x0g`, `invalid hexadecimal digit: "g"`, pgerr.InvalidParameterValue},
		{TBytea, `\xé1`, `invalid hexadecimal digit: "é"`, pgerr.InvalidParameterValue},
		{TBytea, `abc`, `\x616263`, ""},
		{TBytea, `a\\b`, `\x615c62`, ""},
		{TBytea, `\000\377`, `\x00ff`, ""},
		{TBytea, `\400`, "invalid input syntax for type bytea", pgerr.InvalidTextRepresentation},
		{TBytea, `\1`, "invalid input syntax for type bytea", pgerr.InvalidTextRepresentation},
		{TBytea, `a\`, "invalid input syntax for type bytea", pgerr.InvalidTextRepresentation},
		{TBytea, `\X01`, "invalid input syntax for type bytea", pgerr.InvalidTextRepresentation},
	})
	b, err := AppendBinary(nil, TBytea, []byte{0, 1})
	if err != nil || string(b) != "\x00\x01" {
		t.Errorf("bytea send = %q, %v", b, err)
	}
}
