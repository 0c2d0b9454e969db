// Package types owns vecgres's values: type identities (PostgreSQL OIDs and
// type modifiers), the Go representation of every SQL value (Datum), their
// text and binary encodings, casts, comparisons, hashing, and numeric
// arithmetic. Wherever PostgreSQL 16 or pgvector 0.8 define a behaviour —
// a text format, an error message and SQLSTATE, a rounding rule — this
// package does the same, because clients parse what it prints.
//
// Representation. A Datum is one of a small closed set of Go types; the
// static SQL type (a T) that travels with it in plans and row descriptions
// says how to interpret it:
//
//	NULL                              nil
//	boolean                           bool
//	smallint, integer, bigint, oid    int64 (oid and reg* as uint32 values)
//	real, double precision            float64 (real values are float32-exact)
//	numeric                           *apd.Decimal (never mutated once made)
//	text, varchar, char(n), name      string (char(n) padded with spaces)
//	"char"                            string of zero or one byte
//	bytea                             []byte
//	timestamptz, timestamp, date      time.Time (see datetime.go)
//	interval                          Interval (months, days, microseconds)
//	jsonb, json                       JSON (normalised text for jsonb)
//	vector                            Vector ([]float32)
//	arrays                            *Array (one-dimensional)
//
// Datums are immutable once made: operators return new values, and a slice
// or pointer held in a Datum is never written again. That lets rows be
// shared between operators without copying. Numeric values have exponent
// <= 0 (the display scale is -Exponent), never a negative zero; see
// numeric.go.
//
// Type modifiers follow PostgreSQL's atttypmod encoding (T): varchar(n) and
// char(n) are n+4, numeric(p,s) is ((p<<16)|(s&0x7ff))+4 with s possibly
// negative as in PostgreSQL 15+, vector(n) is n, timestamp(p) is p.
// WithTypmod validates modifiers as the typmodin functions do.
//
// Text formats (text.go and one file per type family) follow the output
// and input functions with the settings of a default session: DateStyle
// ISO, MDY; IntervalStyle postgres; bytea_output hex; extra_float_digits
// and TimeZone come from FormatOptions. ParseText applies a modifier as a
// literal cast does (explicit semantics); CoerceTypmod with explicit=false
// gives assignment semantics. Binary formats (binary.go) follow each
// type's send/recv functions in network byte order; vector's is pgvector's
// (uint16 dimensions, uint16 zero, float4 values).
//
// Ordering (compare.go) is the default btree operator class of each type.
// vecgres always runs with the C collation, so text compares bytewise.
// Hash is consistent with Equal, so hash joins and hash aggregation may
// use it.
//
// Casts (cast.go) follow pg_cast, including pgvector's casts, plus
// PostgreSQL's I/O conversion casts to and from the string types;
// CastContextOf says where each may be applied, Cast performs it.
//
// Tests check the behaviour against answers recorded from a real
// PostgreSQL server (testdata/*.golden; see golden_test.go for how to
// re-record them), and fuzz targets cover every parser of untrusted input.
//
// This package is a leaf of the project: it imports sql/pgerr, the
// standard library, and apd for numeric. Every other package may use it.
package types
