package types

import (
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
)

func TestArrayText(t *testing.T) {
	text := Of(TextArrayOID)
	runTextCases(t, []textCase{
		{text, `{a,"b c",NULL,"NULL",null,"",x\ y, " q ", "a\"b"}`, `{a,"b c",NULL,"NULL",NULL,"","x y"," q ","a\"b"}`, ""},
		{text, `{\NULL,"null"}`, `{"NULL","null"}`, ""},
		{text, `{ a b , c\  }`, `{"a b","c "}`, ""},
		{Of(Int4ArrayOID), `[2:3]={1,2}`, `[2:3]={1,2}`, ""},
		{Of(Int4ArrayOID), `{1,2`, `malformed array literal: "{1,2"`, pgerr.InvalidTextRepresentation},
		{Of(Int4ArrayOID), `{{1}}`, "multidimensional arrays are not supported", pgerr.FeatureNotSupported},
		{Of(Int4ArrayOID), `[1:2][1:1]={{1},{2}}`, "multidimensional arrays are not supported", pgerr.FeatureNotSupported},
		{Of(Int4ArrayOID), `[3:1]={}`, "upper bound cannot be less than lower bound", pgerr.ArraySubscriptError},
		{Of(Int4ArrayOID), `{1,x}`, `invalid input syntax for type integer: "x"`, pgerr.InvalidTextRepresentation},
		{T{VarcharArrayOID, 6}, `{abc,de}`, `{ab,de}`, ""},
		{Of(VectorArrayOID), `{"[1,2]","[3]"}`, `{"[1,2]",[3]}`, ""},
		{Of(BpcharArrayOID), `{a}`, `{a}`, ""},
		{T{BpcharArrayOID, 7}, `{a}`, `{"a  "}`, ""},
	})
	for _, tt := range []struct {
		in, detail string
	}{
		{`{1,2`, "Unexpected end of input."},
		{`{1,,2}`, `Unexpected "," character.`},
		{`{1,2}x`, "Junk after closing right brace."},
		{`{"a"b}`, "Unexpected array element."},
		{`1,2`, `Array value must start with "{" or dimension information.`},
	} {
		_, err := ParseText(Of(Int4ArrayOID), tt.in)
		if pe, ok := err.(*pgerr.Error); !ok || pe.Detail != tt.detail {
			t.Errorf("%q: error %v, want detail %q", tt.in, err, tt.detail)
		}
	}
}

func TestArrayOutputQuoting(t *testing.T) {
	a := &Array{Elem: TText, Elems: []Datum{"", "NULL", "Null", "a,b", `q"`, `b\s`, "{", "}", "tab\t", "plain", nil}, LowerBound: 1}
	const want = `{"","NULL","Null","a,b","q\"","b\\s","{","}","tab	",plain,NULL}`
	if got := FormatText(Of(TextArrayOID), a, nil); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	back, err := ParseText(Of(TextArrayOID), want)
	if err != nil || !Equal(Of(TextArrayOID), a, back) {
		t.Errorf("round trip: %v, %v", back, err)
	}
}
