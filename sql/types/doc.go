// Package types owns vecgres's values: type identities (PostgreSQL OIDs and
// type modifiers), the Go representation of every SQL value (Datum), and
// their text, binary and key encodings, casts and comparisons.
//
// Representation. A Datum is one of a small closed set of Go types; the
// static SQL type (a T) that travels with it in plans and row descriptions
// says how to interpret it:
//
//	NULL                              nil
//	boolean                           bool
//	smallint, integer, bigint, oid    int64
//	real, double precision            float64 (real values are float32-exact)
//	numeric                           *apd.Decimal (never mutated once made)
//	text, varchar, char, name         string
//	bytea                             []byte
//	timestamptz, timestamp, date      time.Time (UTC for timestamptz)
//	jsonb, json                       JSON (normalised text)
//	vector                            Vector ([]float32)
//	arrays                            *Array
//
// Datums are immutable once made: operators return new values, and a slice
// or pointer held in a Datum is never written again. That lets rows be
// shared between operators without copying.
//
// Text formats follow PostgreSQL (and pgvector for vector) exactly, because
// clients parse them: see text.go. Binary formats follow each type's
// send/recv functions: see binary.go.
//
// This package is a leaf of the project: it imports sql/pgerr and the
// standard library (plus apd for numeric), and every other package may use
// it.
package types
