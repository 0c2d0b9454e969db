package types

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// CastContext says where a cast may be applied, as pg_cast.castcontext.
type CastContext uint8

// Cast contexts, from the most to the least permissive use.
const (
	// CastImplicit casts apply anywhere, e.g. to make operands match.
	CastImplicit CastContext = iota
	// CastAssignment casts apply when storing into a column (INSERT,
	// UPDATE) and explicitly.
	CastAssignment
	// CastExplicit casts apply only when written (CAST, ::).
	CastExplicit
)

// String returns pg_cast's letter for c.
func (c CastContext) String() string {
	switch c {
	case CastImplicit:
		return "i"
	case CastAssignment:
		return "a"
	}
	return "e"
}

type castKey struct{ from, to OID }

const (
	ci = CastImplicit
	ca = CastAssignment
	ce = CastExplicit
)

// castTable is pg_cast for the types vecgres has (PostgreSQL 16 and
// pgvector 0.8), restricted to casts with a function or binary
// coercion; I/O conversion casts are derived in CastContextOf.
var castTable = map[castKey]CastContext{
	{BoolOID, Int4OID}: ce, {BoolOID, TextOID}: ca, {BoolOID, BpcharOID}: ca, {BoolOID, VarcharOID}: ca,
	{CharOID, Int4OID}: ce, {CharOID, TextOID}: ci, {CharOID, BpcharOID}: ca, {CharOID, VarcharOID}: ca,
	{NameOID, TextOID}: ci, {NameOID, BpcharOID}: ca, {NameOID, VarcharOID}: ca,
	{Int8OID, Int2OID}: ca, {Int8OID, Int4OID}: ca, {Int8OID, RegprocOID}: ci, {Int8OID, OidOID}: ci,
	{Int8OID, Float4OID}: ci, {Int8OID, Float8OID}: ci, {Int8OID, NumericOID}: ci,
	{Int8OID, RegclassOID}: ci, {Int8OID, RegtypeOID}: ci,
	{Int2OID, Int8OID}: ci, {Int2OID, Int4OID}: ci, {Int2OID, RegprocOID}: ci, {Int2OID, OidOID}: ci,
	{Int2OID, Float4OID}: ci, {Int2OID, Float8OID}: ci, {Int2OID, NumericOID}: ci,
	{Int2OID, RegclassOID}: ci, {Int2OID, RegtypeOID}: ci,
	{Int4OID, BoolOID}: ce, {Int4OID, CharOID}: ce, {Int4OID, Int8OID}: ci, {Int4OID, Int2OID}: ca,
	{Int4OID, RegprocOID}: ci, {Int4OID, OidOID}: ci, {Int4OID, Float4OID}: ci, {Int4OID, Float8OID}: ci,
	{Int4OID, NumericOID}: ci, {Int4OID, RegclassOID}: ci, {Int4OID, RegtypeOID}: ci,
	{RegprocOID, Int8OID}: ca, {RegprocOID, Int4OID}: ca, {RegprocOID, OidOID}: ci,
	{TextOID, CharOID}: ca, {TextOID, NameOID}: ci, {TextOID, BpcharOID}: ci, {TextOID, VarcharOID}: ci,
	{TextOID, RegclassOID}: ci,
	{OidOID, Int8OID}:      ca, {OidOID, Int4OID}: ca, {OidOID, RegprocOID}: ci, {OidOID, RegclassOID}: ci,
	{OidOID, RegtypeOID}: ci,
	{JSONOID, JSONBOID}:  ca,
	{Float4OID, Int8OID}: ca, {Float4OID, Int2OID}: ca, {Float4OID, Int4OID}: ca, {Float4OID, Float8OID}: ci,
	{Float4OID, NumericOID}: ca,
	{Float8OID, Int8OID}:    ca, {Float8OID, Int2OID}: ca, {Float8OID, Int4OID}: ca, {Float8OID, Float4OID}: ca,
	{Float8OID, NumericOID}: ca,
	{BpcharOID, CharOID}:    ca, {BpcharOID, NameOID}: ci, {BpcharOID, TextOID}: ci, {BpcharOID, BpcharOID}: ci,
	{BpcharOID, VarcharOID}: ci,
	{VarcharOID, CharOID}:   ca, {VarcharOID, NameOID}: ci, {VarcharOID, TextOID}: ci, {VarcharOID, BpcharOID}: ci,
	{VarcharOID, VarcharOID}: ci, {VarcharOID, RegclassOID}: ci,
	{IntervalOID, IntervalOID}: ci,
	{DateOID, TimestampOID}:    ci, {DateOID, TimestampTZOID}: ci,
	{TimestampOID, DateOID}: ca, {TimestampOID, TimestampOID}: ci, {TimestampOID, TimestampTZOID}: ci,
	{TimestampTZOID, DateOID}: ca, {TimestampTZOID, TimestampOID}: ca, {TimestampTZOID, TimestampTZOID}: ci,
	{NumericOID, Int8OID}: ca, {NumericOID, Int2OID}: ca, {NumericOID, Int4OID}: ca,
	{NumericOID, Float4OID}: ci, {NumericOID, Float8OID}: ci, {NumericOID, NumericOID}: ci,
	{RegclassOID, Int8OID}: ca, {RegclassOID, Int4OID}: ca, {RegclassOID, OidOID}: ci,
	{RegtypeOID, Int8OID}: ca, {RegtypeOID, Int4OID}: ca, {RegtypeOID, OidOID}: ci,
	{JSONBOID, BoolOID}: ce, {JSONBOID, Int8OID}: ce, {JSONBOID, Int2OID}: ce, {JSONBOID, Int4OID}: ce,
	{JSONBOID, JSONOID}: ca, {JSONBOID, Float4OID}: ce, {JSONBOID, Float8OID}: ce, {JSONBOID, NumericOID}: ce,

	// The other OID alias types, int2vector and oidvector: catalogCast.

	// pgvector's casts (sql/vector.sql).
	{VectorOID, VectorOID}: ci, {VectorOID, Float4ArrayOID}: ci,
	{Int4ArrayOID, VectorOID}: ca, {Float4ArrayOID, VectorOID}: ca,
	{Float8ArrayOID, VectorOID}: ca, {NumericArrayOID, VectorOID}: ca,
	{HalfvecOID, HalfvecOID}: ci, {HalfvecOID, VectorOID}: ca, {VectorOID, HalfvecOID}: ci,
	{HalfvecOID, Float4ArrayOID}: ca, {Int4ArrayOID, HalfvecOID}: ca, {Float4ArrayOID, HalfvecOID}: ca,
	{Float8ArrayOID, HalfvecOID}: ca, {NumericArrayOID, HalfvecOID}: ca,
	{SparsevecOID, SparsevecOID}: ci, {SparsevecOID, VectorOID}: ca, {VectorOID, SparsevecOID}: ci,
	{SparsevecOID, HalfvecOID}: ca, {HalfvecOID, SparsevecOID}: ci, {Int4ArrayOID, SparsevecOID}: ca,
	{Float4ArrayOID, SparsevecOID}: ca, {Float8ArrayOID, SparsevecOID}: ca, {NumericArrayOID, SparsevecOID}: ca,

	// bit and bit varying.
	{BitOID, BitOID}: ci, {VarbitOID, VarbitOID}: ci, {BitOID, VarbitOID}: ci, {VarbitOID, BitOID}: ci,
	{Int4OID, BitOID}: ce, {Int8OID, BitOID}: ce, {BitOID, Int4OID}: ce, {BitOID, Int8OID}: ce,
}

// isStringCategory reports typcategory 'S' (text, varchar, bpchar, name).
func isStringCategory(oid OID) bool {
	info, ok := Lookup(oid)
	return ok && info.Category == 'S'
}

// CastContextOf returns the context in which a value of type from may be
// converted to type to, as PostgreSQL's find_coercion_pathway decides:
// same type (a length coercion) and unknown (a literal) are implicit;
// pg_cast entries, including pgvector's, keep their context; casts
// between array types use their element types' cast; a cast to a string
// type otherwise goes through the output function (assignment), and a
// cast from a string type through the input function (explicit). ok is
// false when no cast exists.
func CastContextOf(from, to OID) (CastContext, bool) {
	if from == to || from == UnknownOID {
		return CastImplicit, true
	}
	if c, ok := castTable[castKey{from, to}]; ok {
		return c, true
	}
	if c, ok := catalogCast(from, to); ok {
		return c, true
	}
	if ef, ok := ElemOf(from); ok {
		if et, ok := ElemOf(to); ok {
			return CastContextOf(ef, et)
		}
	}
	if _, ok := Lookup(from); !ok {
		return 0, false
	}
	if _, ok := Lookup(to); !ok {
		return 0, false
	}
	if isPseudo(from) || isPseudo(to) {
		return 0, false
	}
	switch {
	case isStringCategory(to):
		return CastAssignment, true
	case isStringCategory(from):
		return CastExplicit, true
	}
	return 0, false
}

func isPseudo(oid OID) bool {
	info, ok := Lookup(oid)
	return ok && info.Category == 'P'
}

func errCannotCast(from, to T) error {
	return pgerr.New(pgerr.CannotCoerce, "cannot cast type %s to %s", TypeName(from.OID), TypeName(to.OID))
}

// Cast converts d, a non-NULL value of type from, to type to and applies
// to's modifier. explicit selects explicit-cast semantics for the modifier
// (varchar(n) truncates) over assignment semantics (varchar(n) fails with
// 22001). Cast does not check the context: the binder does that with
// CastContextOf.
func Cast(d Datum, from, to T, explicit bool) (Datum, error) {
	return CastWith(d, from, to, explicit, nil)
}

// CastWith is Cast with session settings: opts.Location is the TimeZone
// for casts between timestamptz and timestamp or date and for text
// input/output of timestamptz; opts.ExtraFloatDigits applies to floats
// cast to text. nil means DefaultFormat.
func CastWith(d Datum, from, to T, explicit bool, opts *FormatOptions) (Datum, error) {
	if opts == nil {
		opts = &DefaultFormat
	}
	v, err := castBase(d, from, to, explicit, opts)
	if err != nil {
		return nil, err
	}
	if to.Mod < 0 {
		return v, nil
	}
	return CoerceTypmod(v, to, explicit)
}

func castBase(d Datum, from, to T, explicit bool, opts *FormatOptions) (Datum, error) {
	if from.OID == to.OID {
		return d, nil
	}
	if ef, ok := ElemOf(from.OID); ok {
		switch to.OID {
		case VectorOID:
			return arrayToVector(d.(*Array), to)
		case HalfvecOID:
			return arrayToHalfvec(d.(*Array), to)
		case SparsevecOID:
			return arrayToSparsevec(d.(*Array), to)
		}
		if et, ok := ElemOf(to.OID); ok {
			return castArray(d.(*Array), T{OID: ef, Mod: from.Mod}, T{OID: et, Mod: to.Mod}, explicit, opts)
		}
	}
	if (from.OID == Int2VectorOID && to.OID == Int2ArrayOID) || (from.OID == OidVectorOID && to.OID == OidArrayOID) {
		return d, nil
	}
	if from.OID == VectorOID && to.OID == Float4ArrayOID {
		return vectorToArray(d.(Vector)), nil
	}
	if v, ok, err := castVectorFamily(d, from, to); ok {
		return v, err
	}
	if v, ok, err := castBitFamily(d, from, to); ok {
		return v, err
	}
	if isStringCategory(to.OID) {
		return castToString(d, from, to, opts)
	}
	if isStringCategory(from.OID) || from.OID == UnknownOID {
		s := d.(string)
		if from.OID == BpcharOID {
			s = strings.TrimRight(s, " ")
		}
		return ParseTextWith(T{OID: to.OID, Mod: -1}, s, opts)
	}
	switch v := d.(type) {
	case string:
		if from.OID == CharOID && to.OID == Int4OID {
			return charToInt(v), nil
		}
	case int64:
		return castInt(v, from, to)
	case float64:
		return castFloat(v, from, to)
	case *apd.Decimal:
		return castNumeric(v, from, to)
	case bool:
		if to.OID == Int4OID {
			if v {
				return int64(1), nil
			}
			return int64(0), nil
		}
	case JSON:
		return castJSON(v, from, to)
	case time.Time:
		return castTime(v, from, to, sessionLocation(opts))
	}
	return nil, errCannotCast(from, to)
}

// charToInt is chartoi4: the byte as a signed value.
func charToInt(s string) int64 {
	if s == "" {
		return 0
	}
	return int64(int8(s[0]))
}

// castToString converts to text, varchar, bpchar or name.
func castToString(d Datum, from, to T, opts *FormatOptions) (Datum, error) {
	var s string
	switch {
	case from.OID == BoolOID:
		// booltext spells the values out.
		if d.(bool) {
			s = "true"
		} else {
			s = "false"
		}
	case from.OID == BpcharOID:
		s = strings.TrimRight(d.(string), " ")
	case isStringCategory(from.OID) || from.OID == UnknownOID:
		s = d.(string)
	default:
		s = string(AppendText(nil, from, d, opts))
	}
	if to.OID == NameOID {
		s = truncateName(s)
	}
	return s, nil
}

func castInt(v int64, from, to T) (Datum, error) {
	switch to.OID {
	case Int2OID, Int4OID, Int8OID:
		if isUint32Type(from.OID) {
			if to.OID == Int4OID {
				return int64(int32(uint32(v))), nil
			}
			return v, nil
		}
		return checkIntRange(v, to.OID)
	case OidOID, RegclassOID, RegtypeOID, RegprocOID, RegprocedureOID, RegoperOID, RegoperatorOID,
		RegnamespaceOID, RegroleOID, RegcollationOID:
		if from.OID == Int8OID && (v < 0 || v > math.MaxUint32) {
			return nil, pgerr.New(pgerr.NumericValueOutOfRange, "OID out of range")
		}
		return int64(uint32(v)), nil
	case Float4OID:
		return float64(float32(v)), nil
	case Float8OID:
		return float64(v), nil
	case NumericOID:
		return NumericFromInt64(v), nil
	case BoolOID:
		return v != 0, nil
	case CharOID:
		if v < math.MinInt8 || v > math.MaxInt8 {
			return nil, pgerr.New(pgerr.NumericValueOutOfRange, "\"char\" out of range")
		}
		if v == 0 {
			return "", nil
		}
		return string([]byte{byte(int8(v))}), nil
	}
	return nil, errCannotCast(from, to)
}

func castFloat(v float64, from, to T) (Datum, error) {
	switch to.OID {
	case Int2OID, Int4OID, Int8OID:
		return floatToInt(v, to.OID)
	case Float4OID:
		return float8ToFloat4(v)
	case Float8OID:
		return v, nil
	case NumericOID:
		if from.OID == Float4OID {
			return NumericFromFloat32(float32(v))
		}
		return NumericFromFloat64(v)
	}
	return nil, errCannotCast(from, to)
}

// floatToInt rounds half to even (rint) and checks the range, as
// float8_int4 and friends do.
func floatToInt(v float64, target OID) (Datum, error) {
	r := math.RoundToEven(v)
	lo, hi := -math.Ldexp(1, 63), math.Ldexp(1, 63)
	switch target {
	case Int2OID:
		lo, hi = math.MinInt16, math.MaxInt16+1
	case Int4OID:
		lo, hi = math.MinInt32, math.MaxInt32+1
	}
	if math.IsNaN(r) || r < lo || r >= hi {
		return nil, errIntOutOfRange(target)
	}
	return int64(r), nil
}

// float8ToFloat4 is float8_float4.
func float8ToFloat4(v float64) (Datum, error) {
	r := float32(v)
	if math.IsInf(float64(r), 0) && !math.IsInf(v, 0) {
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value out of range: overflow")
	}
	if r == 0 && v != 0 {
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value out of range: underflow")
	}
	return float64(r), nil
}

func castNumeric(v *apd.Decimal, from, to T) (Datum, error) {
	switch to.OID {
	case Int2OID, Int4OID, Int8OID:
		return NumericToInt(v, to.OID)
	case Float4OID:
		return numericToFloat(v, 32)
	case Float8OID:
		return numericToFloat(v, 64)
	}
	return nil, errCannotCast(from, to)
}

// CoerceTypmod applies the length, precision or dimension coercion of t's
// modifier to d, a non-NULL value already of type t.OID. explicit selects
// explicit-cast semantics (varchar(n) and char(n) truncate) over
// assignment semantics (they fail with 22001 unless only spaces are cut).
func CoerceTypmod(d Datum, t T, explicit bool) (Datum, error) {
	if t.Mod < 0 {
		return d, nil
	}
	switch t.OID {
	case VarcharOID:
		return coerceVarchar(d.(string), t, explicit)
	case BpcharOID:
		return coerceBpchar(d.(string), t, explicit)
	case NumericOID:
		return ApplyNumericTypmod(d.(*apd.Decimal), t)
	case VectorOID:
		v := d.(Vector)
		if err := checkVectorTypmod(t.Mod, len(v)); err != nil {
			return nil, err
		}
		return v, nil
	case HalfvecOID:
		if err := checkVectorTypmod(t.Mod, len(d.(Halfvec))); err != nil {
			return nil, err
		}
		return d, nil
	case SparsevecOID:
		if err := checkVectorTypmod(t.Mod, int(d.(Sparsevec).Dim)); err != nil {
			return nil, err
		}
		return d, nil
	case BitOID:
		return coerceBit(d.(Bits), t.Mod, explicit)
	case VarbitOID:
		return coerceVarbit(d.(Bits), t.Mod, explicit)
	case TimestampOID, TimestampTZOID:
		return coerceTimestamp(d, t)
	case IntervalOID:
		return coerceInterval(d.(Interval), t.Mod)
	}
	if elem, ok := ElemOf(t.OID); ok {
		return coerceArray(d.(*Array), T{OID: elem, Mod: t.Mod}, explicit)
	}
	return d, nil
}

func errTooLong(t T) error {
	return pgerr.New(pgerr.StringDataRightTruncation, "value too long for type %s", t)
}

// cutChars splits s after n characters.
func cutChars(s string, n int) (head, tail string) {
	i := 0
	for range n {
		if i >= len(s) {
			return s, ""
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i], s[i:]
}

func coerceVarchar(s string, t T, explicit bool) (Datum, error) {
	n := t.VarcharLen()
	if len(s) <= n {
		return s, nil
	}
	head, tail := cutChars(s, n)
	if tail == "" {
		return s, nil
	}
	if !explicit && strings.Trim(tail, " ") != "" {
		return nil, errTooLong(t)
	}
	return head, nil
}

func coerceBpchar(s string, t T, explicit bool) (Datum, error) {
	n := t.VarcharLen()
	head, tail := cutChars(s, n)
	if tail != "" {
		if !explicit && strings.Trim(tail, " ") != "" {
			return nil, errTooLong(t)
		}
		return head, nil
	}
	if pad := n - utf8.RuneCountInString(s); pad > 0 {
		return s + strings.Repeat(" ", pad), nil
	}
	return s, nil
}

func castArray(a *Array, from, to T, explicit bool, opts *FormatOptions) (Datum, error) {
	out := &Array{Elem: T{OID: to.OID, Mod: to.Mod}, Elems: make([]Datum, len(a.Elems)), LowerBound: a.LowerBound}
	for i, e := range a.Elems {
		if e == nil {
			continue
		}
		v, err := CastWith(e, from, to, explicit, opts)
		if err != nil {
			return nil, err
		}
		out.Elems[i] = v
	}
	return out, nil
}

func coerceArray(a *Array, elem T, explicit bool) (Datum, error) {
	return castArray(a, a.Elem, elem, explicit, &DefaultFormat)
}
