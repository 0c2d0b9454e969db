package types

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// pgTypeRows is pg_type for the built-in types, as PostgreSQL 15 reports
// it: oid typname format_type(oid, NULL) typlen typcategory typispreferred
// typelem typarray typbyval typalign (name's typelem, "char", is left out:
// Info.Elem is for arrays only).
const pgTypeRows = `16 bool boolean 1 B t 0 1000 t c
17 bytea bytea -1 U f 0 1001 f i
18 char "char" 1 Z f 0 1002 t c
19 name name 64 S f 0 1003 f c
20 int8 bigint 8 N f 0 1016 t d
21 int2 smallint 2 N f 0 1005 t s
23 int4 integer 4 N f 0 1007 t i
24 regproc regproc 4 N f 0 1008 t i
25 text text -1 S t 0 1009 f i
26 oid oid 4 N t 0 1028 t i
114 json json -1 U f 0 199 f i
199 _json json[] -1 A f 114 0 f i
700 float4 real 4 N f 0 1021 t i
701 float8 double precision 8 N t 0 1022 t d
705 unknown unknown -2 X f 0 0 f c
1000 _bool boolean[] -1 A f 16 0 f i
1001 _bytea bytea[] -1 A f 17 0 f i
1002 _char "char"[] -1 A f 18 0 f i
1003 _name name[] -1 A f 19 0 f i
1005 _int2 smallint[] -1 A f 21 0 f i
1007 _int4 integer[] -1 A f 23 0 f i
1008 _regproc regproc[] -1 A f 24 0 f i
1009 _text text[] -1 A f 25 0 f i
1014 _bpchar character[] -1 A f 1042 0 f i
1015 _varchar character varying[] -1 A f 1043 0 f i
1016 _int8 bigint[] -1 A f 20 0 f d
1021 _float4 real[] -1 A f 700 0 f i
1022 _float8 double precision[] -1 A f 701 0 f d
1028 _oid oid[] -1 A f 26 0 f i
1042 bpchar character -1 S f 0 1014 f i
1043 varchar character varying -1 S f 0 1015 f i
1082 date date 4 D f 0 1182 t i
1114 timestamp timestamp without time zone 8 D f 0 1115 t d
1115 _timestamp timestamp without time zone[] -1 A f 1114 0 f d
1182 _date date[] -1 A f 1082 0 f i
1184 timestamptz timestamp with time zone 8 D t 0 1185 t d
1185 _timestamptz timestamp with time zone[] -1 A f 1184 0 f d
1231 _numeric numeric[] -1 A f 1700 0 f i
1700 numeric numeric -1 N f 0 1231 f i
2205 regclass regclass 4 N f 0 2210 t i
2206 regtype regtype 4 N f 0 2211 t i
2210 _regclass regclass[] -1 A f 2205 0 f i
2211 _regtype regtype[] -1 A f 2206 0 f i
2249 record record -1 P f 0 2287 f d
2278 void void 4 P f 0 0 t i
2283 anyelement anyelement 4 P f 0 0 t i
2287 _record record[] -1 P f 2249 0 f d
3802 jsonb jsonb -1 U f 0 3807 f i
3807 _jsonb jsonb[] -1 A f 3802 0 f i
16385 vector vector -1 U f 0 16386 f i
16386 _vector vector[] -1 A f 16385 0 f i`

func boolLetter(b bool) string {
	if b {
		return "t"
	}
	return "f"
}

func TestLookupMatchesPGType(t *testing.T) {
	for _, row := range strings.Split(pgTypeRows, "\n") {
		var oid OID
		if _, err := fmt.Sscan(row, &oid); err != nil {
			t.Fatal(err)
		}
		info, ok := Lookup(oid)
		if !ok {
			t.Errorf("Lookup(%d) failed", oid)
			continue
		}
		sqlName := info.SQLName
		got := fmt.Sprintf("%d %s %s %d %c %s %d %d %s %c", info.OID, info.Name, sqlName, info.Len,
			info.Category, boolLetter(info.Preferred), info.Elem, info.Array, boolLetter(info.ByValue), info.Align)
		if got != row {
			t.Errorf("Lookup(%d):\n got %s\nwant %s", oid, got, row)
		}
	}
}

func TestAllOrderedAndConsistent(t *testing.T) {
	all := All()
	if !slices.IsSortedFunc(all, func(a, b *Info) int { return int(a.OID) - int(b.OID) }) {
		t.Fatal("All() is not ordered by OID")
	}
	for i, info := range all {
		if i > 0 && all[i-1].OID == info.OID {
			t.Errorf("OID %d listed twice", info.OID)
		}
		if got, ok := TypeByName(info.Name); !ok || got != info.OID {
			t.Errorf("TypeByName(%q) = %d, %v; want %d", info.Name, got, ok, info.OID)
		}
		if info.Array != 0 {
			if e, ok := ElemOf(info.Array); !ok || e != info.OID {
				t.Errorf("ElemOf(%d) = %d, %v; want %d", info.Array, e, ok, info.OID)
			}
		}
	}
}

func TestTypeByName(t *testing.T) {
	tests := map[string]OID{
		"int": Int4OID, "integer": Int4OID, "int4": Int4OID, "smallint": Int2OID, "int2": Int2OID,
		"bigint": Int8OID, "int8": Int8OID, "real": Float4OID, "float4": Float4OID,
		"float": Float8OID, "double precision": Float8OID, "float8": Float8OID,
		"numeric": NumericOID, "decimal": NumericOID, "bool": BoolOID, "boolean": BoolOID,
		"text": TextOID, "varchar": VarcharOID, "character varying": VarcharOID,
		"char": CharOID, "character": BpcharOID, "bpchar": BpcharOID, `"char"`: CharOID,
		"name": NameOID, "bytea": ByteaOID, "timestamptz": TimestampTZOID,
		"timestamp with time zone": TimestampTZOID, "timestamp": TimestampOID,
		"timestamp without time zone": TimestampOID, "date": DateOID, "json": JSONOID,
		"jsonb": JSONBOID, "oid": OidOID, "vector": VectorOID, "halfvec": HalfvecOID,
		"sparsevec": SparsevecOID, "_int4": Int4ArrayOID, "integer[]": Int4ArrayOID,
		"_vector": VectorArrayOID, "text[]": TextArrayOID, "regclass": RegclassOID,
	}
	for name, want := range tests {
		if got, ok := TypeByName(name); !ok || got != want {
			t.Errorf("TypeByName(%q) = %d, %v; want %d", name, got, ok, want)
		}
	}
	for _, name := range []string{"serial", "bigserial", "INTEGER", "int4[][]x", "", "nosuch", "unknown[]"} {
		if got, ok := TypeByName(name); ok {
			t.Errorf("TypeByName(%q) = %d, want not found", name, got)
		}
	}
}

func TestArrayOfElemOf(t *testing.T) {
	if a, ok := ArrayOf(Int4OID); !ok || a != Int4ArrayOID {
		t.Errorf("ArrayOf(int4) = %d, %v", a, ok)
	}
	if a, ok := ArrayOf(VectorOID); !ok || a != VectorArrayOID {
		t.Errorf("ArrayOf(vector) = %d, %v", a, ok)
	}
	if _, ok := ArrayOf(UnknownOID); ok {
		t.Error("ArrayOf(unknown) found an array")
	}
	if _, ok := ArrayOf(Int4ArrayOID); ok {
		t.Error("ArrayOf(int4[]) found an array")
	}
	if e, ok := ElemOf(Float4ArrayOID); !ok || e != Float4OID {
		t.Errorf("ElemOf(real[]) = %d, %v", e, ok)
	}
	for _, oid := range []OID{Int4OID, NameOID, 99999} {
		if _, ok := ElemOf(oid); ok {
			t.Errorf("ElemOf(%d) found an element type", oid)
		}
	}
}

func TestString(t *testing.T) {
	mustMod := func(oid OID, mods ...int64) T {
		typ, err := WithTypmod(oid, mods)
		if err != nil {
			t.Fatal(err)
		}
		return typ
	}
	tests := []struct {
		t    T
		want string
	}{
		{TInt4, "integer"}, {TInt8, "bigint"}, {TInt2, "smallint"}, {TFloat4, "real"},
		{TFloat8, "double precision"}, {TNumeric, "numeric"}, {mustMod(NumericOID, 10, 2), "numeric(10,2)"},
		{mustMod(NumericOID, 5), "numeric(5,0)"}, {mustMod(NumericOID, 3, -2), "numeric(3,-2)"},
		{mustMod(NumericOID, 3, 5), "numeric(3,5)"}, {TBool, "boolean"}, {TText, "text"},
		{VarcharOf(10), "character varying(10)"}, {TVarchar, "character varying"},
		{mustMod(BpcharOID, 3), "character(3)"}, {Of(BpcharOID), "bpchar"},
		{TTimestampTZ, "timestamp with time zone"}, {TTimestamp, "timestamp without time zone"},
		{mustMod(TimestampTZOID, 3), "timestamp(3) with time zone"},
		{mustMod(TimestampOID, 0), "timestamp(0) without time zone"},
		{TDate, "date"}, {TJSONB, "jsonb"}, {TJSON, "json"}, {TBytea, "bytea"},
		{VectorOf(3), "vector(3)"}, {TVector, "vector"}, {Of(Int4ArrayOID), "integer[]"},
		{Of(Float4ArrayOID), "real[]"}, {T{VarcharArrayOID, 14}, "character varying(10)[]"},
		{Of(CharOID), `"char"`}, {TName, "name"}, {TOid, "oid"}, {Of(VectorArrayOID), "vector[]"},
		{Of(12345), "???"},
	}
	for _, tt := range tests {
		if got := tt.t.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.t, got, tt.want)
		}
	}
	if got := TypeName(BpcharOID); got != "character" {
		t.Errorf("TypeName(bpchar) = %q", got)
	}
	if got := TypeName(BpcharArrayOID); got != "character[]" {
		t.Errorf("TypeName(bpchar[]) = %q", got)
	}
}

func TestWithTypmod(t *testing.T) {
	tests := []struct {
		oid  OID
		mods []int64
		want T
	}{
		{VarcharOID, []int64{10}, T{VarcharOID, 14}},
		{BpcharOID, []int64{1}, T{BpcharOID, 5}},
		{NumericOID, []int64{10, 2}, T{NumericOID, 10<<16 | 2 + 4}},
		{NumericOID, []int64{1000}, T{NumericOID, 1000<<16 + 4}},
		{VectorOID, []int64{3}, VectorOf(3)},
		{VectorOID, []int64{16000}, VectorOf(16000)},
		{TimestampTZOID, []int64{3}, T{TimestampTZOID, 3}},
		{TimestampOID, []int64{9}, T{TimestampOID, 6}},
		{Float8OID, []int64{1}, TFloat4},
		{Float8OID, []int64{24}, TFloat4},
		{Float8OID, []int64{25}, TFloat8},
		{Float8OID, []int64{53}, TFloat8},
		{Int4OID, nil, TInt4},
		{Int4ArrayOID, nil, Of(Int4ArrayOID)},
		{VarcharArrayOID, []int64{2}, T{VarcharArrayOID, 6}},
	}
	for _, tt := range tests {
		got, err := WithTypmod(tt.oid, tt.mods)
		if err != nil || got != tt.want {
			t.Errorf("WithTypmod(%d, %v) = %+v, %v; want %+v", tt.oid, tt.mods, got, err, tt.want)
		}
	}
	p, s, ok := T{NumericOID, 3<<16 | (-2 & 0x7ff) + 4}.NumericTypmod()
	if !ok || p != 3 || s != -2 {
		t.Errorf("NumericTypmod of numeric(3,-2) = %d, %d, %v", p, s, ok)
	}
}

func TestWithTypmodErrors(t *testing.T) {
	tests := []struct {
		oid  OID
		mods []int64
		code pgerr.Code
		msg  string
	}{
		{VarcharOID, []int64{0}, pgerr.InvalidParameterValue, "length for type varchar must be at least 1"},
		{VarcharOID, []int64{10485761}, pgerr.InvalidParameterValue, "length for type varchar cannot exceed 10485760"},
		{BpcharOID, []int64{0}, pgerr.InvalidParameterValue, "length for type char must be at least 1"},
		{VarcharOID, []int64{1, 2}, pgerr.InvalidParameterValue, "invalid type modifier"},
		{NumericOID, []int64{1001}, pgerr.InvalidParameterValue, "NUMERIC precision 1001 must be between 1 and 1000"},
		{NumericOID, []int64{0}, pgerr.InvalidParameterValue, "NUMERIC precision 0 must be between 1 and 1000"},
		{NumericOID, []int64{3, 1001}, pgerr.InvalidParameterValue, "NUMERIC scale 1001 must be between -1000 and 1000"},
		{NumericOID, []int64{3, 1, 1}, pgerr.InvalidParameterValue, "invalid NUMERIC type modifier"},
		{VectorOID, []int64{0}, pgerr.InvalidParameterValue, "dimensions for type vector must be at least 1"},
		{VectorOID, []int64{16001}, pgerr.InvalidParameterValue, "dimensions for type vector cannot exceed 16000"},
		{VectorOID, []int64{1, 2}, pgerr.InvalidParameterValue, "invalid type modifier"},
		{TimestampTZOID, []int64{-1}, pgerr.InvalidParameterValue, "TIMESTAMP(-1) WITH TIME ZONE precision must not be negative"},
		{TimestampOID, []int64{-1}, pgerr.InvalidParameterValue, "TIMESTAMP(-1) precision must not be negative"},
		{Float8OID, []int64{0}, pgerr.InvalidParameterValue, "precision for type float must be at least 1 bit"},
		{Float8OID, []int64{54}, pgerr.InvalidParameterValue, "precision for type float must be less than 54 bits"},
		{Int4OID, []int64{3}, pgerr.SyntaxError, `type modifier is not allowed for type "int4"`},
		{TextOID, []int64{3}, pgerr.SyntaxError, `type modifier is not allowed for type "text"`},
		{Int4ArrayOID, []int64{3}, pgerr.SyntaxError, `type modifier is not allowed for type "int4"`},
	}
	for _, tt := range tests {
		_, err := WithTypmod(tt.oid, tt.mods)
		checkErr(t, fmt.Sprintf("WithTypmod(%d, %v)", tt.oid, tt.mods), err, tt.code, tt.msg)
	}
}

// checkErr fails unless err is a *pgerr.Error with the code and message.
func checkErr(t *testing.T, what string, err error, code pgerr.Code, msg string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %s %q", what, code, msg)
		return
	}
	pe, ok := err.(*pgerr.Error)
	if !ok {
		t.Errorf("%s: error %T %v is not a *pgerr.Error", what, err, err)
		return
	}
	if pe.Code != code || pe.Message != msg {
		t.Errorf("%s: error %s %q, want %s %q", what, pe.Code, pe.Message, code, msg)
	}
}
