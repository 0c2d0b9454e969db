package types

import (
	"strings"
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
)

func TestJSONBNormalisation(t *testing.T) {
	runTextCases(t, []textCase{
		{TJSONB, `{"b":1,"a":2,"b":3}`, `{"a": 2, "b": 3}`, ""},
		{TJSONB, `{"ccc":1,"bb":2,"a":3,"B":4}`, `{"B": 4, "a": 3, "bb": 2, "ccc": 1}`, ""},
		{TJSONB, `[{"b":[],"a":{}}]`, `[{"a": {}, "b": []}]`, ""},
		{TJSONB, `"\u00e9\ud83d\ude00\/"`, `"é😀/"`, ""},
		{TJSONB, `"\u001f"`, `"\u001f"`, ""},
		{TJSONB, `1E+2`, `100`, ""},
		{TJSONB, `-0.0e1`, `0`, ""},
		{TJSONB, `12345678901234567890.50`, `12345678901234567890.50`, ""},
		{TJSONB, strings.Repeat("[", 7000) + strings.Repeat("]", 7000), "stack depth limit exceeded", pgerr.StatementTooComplex},
		{TJSON, `"\ud800"`, `"\ud800"`, ""},
	})
}

func TestJSONBCompareAndHash(t *testing.T) {
	parse := func(s string) JSON {
		d, err := ParseText(TJSONB, s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		return d.(JSON)
	}
	// Each list is in ascending order; values within a group are equal.
	groups := [][]string{
		{`[]`},
		{`null`},
		{`""`}, {`"a"`}, {`"ab"`}, {`"b"`},
		{`-1`}, {`1`, `1.0`, `1.000`}, {`2`},
		{`false`}, {`true`},
		{`[1]`}, {`[2]`}, {`[1, 2]`},
		{`{}`}, {`{"a": 1}`, `{"a": 1.00}`}, {`{"a": 2}`}, {`{"b": 1}`}, {`{"a": 1, "b": 1}`},
	}
	for i, gi := range groups {
		for j, gj := range groups {
			for _, a := range gi {
				for _, b := range gj {
					want := cmpInt(i, j)
					if got := Compare(TJSONB, parse(a), parse(b)); got != want {
						t.Errorf("Compare(%s, %s) = %d, want %d", a, b, got, want)
					}
					if want == 0 && hashOf(TJSONB, parse(a)) != hashOf(TJSONB, parse(b)) {
						t.Errorf("%s and %s hash differently", a, b)
					}
				}
			}
		}
	}
}

func TestJSONBinary(t *testing.T) {
	d, err := ParseBinary(TJSONB, []byte("\x01{\"b\":1,\"a\":2}"))
	if err != nil || d != JSON(`{"a": 2, "b": 1}`) {
		t.Errorf("jsonb_recv = %v, %v", d, err)
	}
	_, err = ParseBinary(TJSONB, []byte("\x02{}"))
	checkErr(t, "jsonb version 2", err, pgerr.InvalidBinaryRepresentation, "unsupported jsonb version number 2")
	b, _ := AppendBinary(nil, TJSONB, JSON(`[1]`))
	if string(b) != "\x01[1]" {
		t.Errorf("jsonb_send = %q", b)
	}
	b, _ = AppendBinary(nil, TJSON, JSON(` [1] `))
	if string(b) != " [1] " {
		t.Errorf("json_send = %q", b)
	}
}
