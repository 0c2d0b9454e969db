package builtins

import (
	"math/big"
	"testing"

	"github.com/vecgres/vecgres/sql/types"
)

// TestCatalogFuncs checks the catalog functions that need no session
// catalog; the others are checked with one in package pgcatalog and in
// testdata/catalog.slt. Expected values were recorded from PostgreSQL 15.
func TestCatalogFuncs(t *testing.T) {
	env := testEnv{}
	arr := func(elem types.T, vs ...types.Datum) *types.Array {
		return &types.Array{Elem: elem, Elems: vs, LowerBound: 1}
	}
	for _, tc := range []struct {
		sig  string
		args []types.Datum
		want string
	}{
		{"format_type(oid,int4)", []types.Datum{int64(1043), int64(14)}, "character varying(10)"},
		{"format_type(oid,int4)", []types.Datum{int64(1042), nil}, "character"},
		{"format_type(oid,int4)", []types.Datum{int64(1042), int64(-1)}, "bpchar"},
		{"format_type(oid,int4)", []types.Datum{int64(types.VectorOID), int64(3)}, "vector(3)"},
		{"format_type(oid,int4)", []types.Datum{int64(1560), nil}, "bit"},
		{"format_type(oid,int4)", []types.Datum{int64(99999), nil}, "???"},
		{"format_type(oid,int4)", []types.Datum{nil, nil}, "NULL"},
		{"pg_size_pretty(int8)", []types.Datum{int64(10239)}, "10239 bytes"},
		{"pg_size_pretty(int8)", []types.Datum{int64(10240)}, "10 kB"},
		{"pg_size_pretty(int8)", []types.Datum{int64(1000000)}, "977 kB"},
		{"pg_size_pretty(int8)", []types.Datum{int64(-20000)}, "-20 kB"},
		{"pg_size_pretty(int8)", []types.Datum{int64(10000000000)}, "9537 MB"},
		{"quote_ident(text)", []types.Datum{"ab"}, "ab"},
		{"quote_ident(text)", []types.Datum{"Ab"}, `"Ab"`},
		{"quote_ident(text)", []types.Datum{"select"}, `"select"`},
		{"quote_ident(text)", []types.Datum{"left"}, `"left"`},
		{"quote_ident(text)", []types.Datum{"a\"b"}, `"a""b"`},
		{"quote_ident(text)", []types.Datum{"1a"}, `"1a"`},
		{"quote_literal(text)", []types.Datum{`it's`}, `'it''s'`},
		{"quote_literal(text)", []types.Datum{`a\b`}, `E'a\\b'`},
		{"pg_encoding_to_char(int4)", []types.Datum{int64(6)}, "UTF8"},
		{"pg_encoding_to_char(int4)", []types.Datum{int64(99)}, ""},
		{"array_to_string(anyelement,text)", []types.Datum{arr(types.TInt4, int64(1), nil, int64(3)), "-"}, "1-3"},
		{"array_to_string(anyelement,text,text)", []types.Datum{arr(types.TInt4, int64(1), nil), "-", "*"}, "1-*"},
		{"array_length(anyelement,int4)", []types.Datum{arr(types.TInt4, int64(1), int64(2)), int64(1)}, "2"},
		{"array_length(anyelement,int4)", []types.Datum{arr(types.TInt4), int64(1)}, "NULL"},
		{"array_length(anyelement,int4)", []types.Datum{arr(types.TInt4, int64(1)), int64(2)}, "NULL"},
		{"array_upper(int2vector,int4)", []types.Datum{arr(types.TInt2, int64(1), int64(2)), int64(1)}, "1"},
		{"cardinality(anyelement)", []types.Datum{arr(types.TText, "a", "b")}, "2"},
		{"array_dims(anyelement)", []types.Datum{arr(types.TText, "a", "b")}, "[1:2]"},
		{"array_length(anyelement,int4)", []types.Datum{int64(1), int64(1)}, "ERROR 42804"},
	} {
		o, ts := lookup(t, tc.sig)
		if tc.args[0] != nil || o.NonStrict {
			got, err := o.Impl(env, tc.args)
			checkResult(t, tc.sig, o.ResultType(ts), got, err, tc.want)
		}
	}
}

func TestSizePrettyUnits(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0 bytes", "20479": "20 kB", "20971520": "20 MB", "1099511627776": "1024 GB",
		"100000000000000000000": "88818 PB",
	} {
		v, _ := new(big.Int).SetString(in, 10)
		if got := sizePretty(v); got != want {
			t.Errorf("pg_size_pretty(%s) = %s, want %s", in, got, want)
		}
	}
}
