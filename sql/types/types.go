package types

import (
	"fmt"
	"strconv"

	"github.com/cockroachdb/apd/v3"
)

// OID identifies a type as pg_type.oid does.
type OID uint32

// PostgreSQL's fixed OIDs for the built-in types vecgres supports.
const (
	UnknownOID     OID = 705
	BoolOID        OID = 16
	ByteaOID       OID = 17
	CharOID        OID = 18 // "char", one byte
	NameOID        OID = 19
	Int8OID        OID = 20
	Int2OID        OID = 21
	Int4OID        OID = 23
	RegprocOID     OID = 24
	TextOID        OID = 25
	OidOID         OID = 26
	JSONOID        OID = 114
	Float4OID      OID = 700
	Float8OID      OID = 701
	BpcharOID      OID = 1042
	VarcharOID     OID = 1043
	DateOID        OID = 1082
	TimestampOID   OID = 1114
	TimestampTZOID OID = 1184
	NumericOID     OID = 1700
	RegclassOID    OID = 2205
	RegtypeOID     OID = 2206
	VoidOID        OID = 2278
	RecordOID      OID = 2249
	AnyElementOID  OID = 2283
	JSONBOID       OID = 3802
	BitOID         OID = 1560
	VarbitOID      OID = 1562

	BoolArrayOID        OID = 1000
	ByteaArrayOID       OID = 1001
	NameArrayOID        OID = 1003
	Int2ArrayOID        OID = 1005
	Int4ArrayOID        OID = 1007
	TextArrayOID        OID = 1009
	VarcharArrayOID     OID = 1015
	Int8ArrayOID        OID = 1016
	Float4ArrayOID      OID = 1021
	Float8ArrayOID      OID = 1022
	OidArrayOID         OID = 1028
	TimestampArrayOID   OID = 1115
	TimestampTZArrayOID OID = 1185
	NumericArrayOID     OID = 1231
	JSONBArrayOID       OID = 3807
	JSONArrayOID        OID = 199
	CharArrayOID        OID = 1002
	RegprocArrayOID     OID = 1008
	BpcharArrayOID      OID = 1014
	DateArrayOID        OID = 1182
	RegclassArrayOID    OID = 2210
	RegtypeArrayOID     OID = 2211
	RecordArrayOID      OID = 2287
	BitArrayOID         OID = 1561
	VarbitArrayOID      OID = 1563
)

// vecgres's own types. In PostgreSQL pgvector's types get OIDs when the
// extension is created; vecgres has them built in, so they get fixed OIDs in
// a block reserved below FirstUserOID. Drivers that look types up by name in
// pg_type (pgvector-go, pgvector-node, pgvector-python) find these.
const (
	VectorOID         OID = 16385
	VectorArrayOID    OID = 16386
	HalfvecOID        OID = 16387
	HalfvecArrayOID   OID = 16388
	SparsevecOID      OID = 16389
	SparsevecArrayOID OID = 16390

	// FirstUserOID is the first OID handed to user objects (tables,
	// indexes, sequences, schemas).
	FirstUserOID OID = 16400
)

// SparsevecMaxDim is pgvector's SPARSEVEC_MAX_DIM.
const SparsevecMaxDim = 1000000000

// T is a SQL type: an OID plus a type modifier as PostgreSQL encodes it in
// atttypmod (-1 for none): varchar(n) is n+4, numeric(p,s) is
// ((p<<16)|s)+4, vector(n), halfvec(n) and sparsevec(n) are n, bit(n) and
// bit varying(n) are n, timestamptz(p) is p.
type T struct {
	OID OID
	Mod int32
}

// Commonly used types without modifiers.
var (
	TUnknown     = T{UnknownOID, -1}
	TBool        = T{BoolOID, -1}
	TBytea       = T{ByteaOID, -1}
	TInt2        = T{Int2OID, -1}
	TInt4        = T{Int4OID, -1}
	TInt8        = T{Int8OID, -1}
	TOid         = T{OidOID, -1}
	TFloat4      = T{Float4OID, -1}
	TFloat8      = T{Float8OID, -1}
	TNumeric     = T{NumericOID, -1}
	TText        = T{TextOID, -1}
	TVarchar     = T{VarcharOID, -1}
	TName        = T{NameOID, -1}
	TDate        = T{DateOID, -1}
	TTimestamp   = T{TimestampOID, -1}
	TTimestampTZ = T{TimestampTZOID, -1}
	TJSON        = T{JSONOID, -1}
	TJSONB       = T{JSONBOID, -1}
	TVector      = T{VectorOID, -1}
	TVoid        = T{VoidOID, -1}
)

// Of returns the type with oid and no modifier.
func Of(oid OID) T { return T{OID: oid, Mod: -1} }

// VectorOf returns vector(dim).
func VectorOf(dim int) T { return T{OID: VectorOID, Mod: int32(dim)} }

// VarcharOf returns varchar(n).
func VarcharOf(n int) T { return T{OID: VarcharOID, Mod: int32(n) + 4} }

// Datum is one SQL value; see the package documentation for the Go type
// that each SQL type uses. nil is NULL.
type Datum = any

// Vector is a pgvector vector value.
type Vector []float32

// JSON is a json or jsonb value held as text. For jsonb the text is in
// PostgreSQL's normalised output form (keys sorted and de-duplicated,
// ", " and ": " separators), so equal values have equal text.
type JSON string

// Array is a one-dimensional SQL array. Elem is the element type; Elems
// may hold nil for NULL elements. LowerBound is 1 unless the text form
// said otherwise; 0 is read as 1, so that an Array built without it is an
// ordinary array (a lower bound of 0 is therefore not representable).
type Array struct {
	Elem       T
	Elems      []Datum
	LowerBound int32
}

// Decimal is the numeric representation.
type Decimal = apd.Decimal

// Info describes a type for the catalog and the binder.
type Info struct {
	OID       OID
	Name      string // pg_type.typname
	SQLName   string // the name format_type prints, e.g. "integer"
	Len       int16  // typlen: -1 for varlena
	Category  byte   // typcategory: 'N' numeric, 'S' string, 'B' bool, ...
	Preferred bool   // typispreferred within its category
	Elem      OID    // element type for arrays, 0 otherwise (also for name, whose typelem PostgreSQL sets to "char")
	Array     OID    // array type of this type, 0 if none
	ByValue   bool
	Align     byte
}

// TypmodString renders t's modifier as format_type does, e.g. "(3)" or
// "(10,2)", or "" when there is none.
func (t T) TypmodString() string {
	if t.Mod < 0 {
		return ""
	}
	switch t.OID {
	case VarcharOID, BpcharOID:
		return "(" + strconv.Itoa(int(t.Mod-4)) + ")"
	case NumericOID:
		p, s, _ := t.NumericTypmod()
		return fmt.Sprintf("(%d,%d)", p, s)
	case IntervalOID:
		return intervalTypmodString(t.Mod)
	case VectorOID, HalfvecOID, SparsevecOID, TimestampOID, TimestampTZOID, BitOID, VarbitOID:
		return "(" + strconv.Itoa(int(t.Mod)) + ")"
	}
	return ""
}
