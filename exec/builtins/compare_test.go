package builtins

import "testing"

// compareCases are comparison operators, including NaN and -0, numeric scale, C collation and vectors,
// recorded from PostgreSQL 15 with pgvector 0.8.
var compareCases = []scalarCase{
	// comparisons.
	{"<(float8,float8)", a("NaN", "Infinity"), "boolean", "f"},
	{"=(float8,float8)", a("NaN", "NaN"), "boolean", "t"},
	{">(float8,float8)", a("-0", "0"), "boolean", "f"},
	{"=(float8,float8)", a("-0", "0"), "boolean", "t"},
	{"=(numeric,numeric)", a("1.0", "1.00"), "boolean", "t"},
	{"<(numeric,numeric)", a("NaN", "Infinity"), "boolean", "f"},
	{"=(numeric,numeric)", a("NaN", "NaN"), "boolean", "t"},
	{"<(text,text)", a("a", "B"), "boolean", "f"},
	{"<(text,text)", a("abc", "abcd"), "boolean", "t"},
	{"<>(text,text)", a("a", "a"), "boolean", "f"},
	{">=(text,text)", a("é", "z"), "boolean", "t"},
	{"<(bool,bool)", a("false", "true"), "boolean", "t"},
	{"<=(int2,int2)", a("3", "3"), "boolean", "t"},
	{">(int8,int8)", a("-1", "-2"), "boolean", "t"},
	{"<(vector,vector)", a("[1,2]", "[1,2,3]"), "boolean", "t"},
	{"<(vector,vector)", a("[1,3]", "[1,2,3]"), "boolean", "f"},
	{"=(vector,vector)", a("[1,2]", "[1,2]"), "boolean", "t"},
	{">(vector,vector)", a("[0]", "[-1]"), "boolean", "t"},
	{"vector_cmp(vector,vector)", a("[1,2]", "[1,2,3]"), "integer", "-1"},
	{"vector_cmp(vector,vector)", a("[2]", "[1,5]"), "integer", "1"},
	{"btint4cmp(int4,int4)", a("5", "-5"), "integer", "1"},
}

func TestComparisons(t *testing.T) { runScalarCases(t, compareCases) }
