package types

import (
	"slices"
	"strings"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// Limits that type modifiers are checked against.
const (
	// MaxVarcharLen is PostgreSQL's MaxAttrSize, the largest n of
	// varchar(n) and char(n).
	MaxVarcharLen = 10 * 1024 * 1024
	// NumericMaxPrecision is the largest precision of numeric(p,s).
	NumericMaxPrecision = 1000
	// NumericMinScale and NumericMaxScale bound s in numeric(p,s); since
	// PostgreSQL 15 the scale may be negative or exceed the precision.
	NumericMinScale = -1000
	NumericMaxScale = 1000
	// VectorMaxDim is pgvector's VECTOR_MAX_DIM.
	VectorMaxDim = 16000
	// TimestampMaxPrecision is MAX_TIMESTAMP_PRECISION.
	TimestampMaxPrecision = 6
)

// infos is the immutable table of every type vecgres defines, in OID order.
var infos = buildInfos()

func buildInfos() []*Info {
	base := []Info{
		{OID: BoolOID, Name: "bool", SQLName: "boolean", Len: 1, Category: 'B', Preferred: true, Array: BoolArrayOID, ByValue: true, Align: 'c'},
		{OID: ByteaOID, Name: "bytea", SQLName: "bytea", Len: -1, Category: 'U', Array: ByteaArrayOID, Align: 'i'},
		{OID: CharOID, Name: "char", SQLName: `"char"`, Len: 1, Category: 'Z', Array: CharArrayOID, ByValue: true, Align: 'c'},
		{OID: NameOID, Name: "name", SQLName: "name", Len: 64, Category: 'S', Array: NameArrayOID, Align: 'c'},
		{OID: Int8OID, Name: "int8", SQLName: "bigint", Len: 8, Category: 'N', Array: Int8ArrayOID, ByValue: true, Align: 'd'},
		{OID: Int2OID, Name: "int2", SQLName: "smallint", Len: 2, Category: 'N', Array: Int2ArrayOID, ByValue: true, Align: 's'},
		{OID: Int4OID, Name: "int4", SQLName: "integer", Len: 4, Category: 'N', Array: Int4ArrayOID, ByValue: true, Align: 'i'},
		{OID: RegprocOID, Name: "regproc", SQLName: "regproc", Len: 4, Category: 'N', Array: RegprocArrayOID, ByValue: true, Align: 'i'},
		{OID: TextOID, Name: "text", SQLName: "text", Len: -1, Category: 'S', Preferred: true, Array: TextArrayOID, Align: 'i'},
		{OID: OidOID, Name: "oid", SQLName: "oid", Len: 4, Category: 'N', Preferred: true, Array: OidArrayOID, ByValue: true, Align: 'i'},
		{OID: JSONOID, Name: "json", SQLName: "json", Len: -1, Category: 'U', Array: JSONArrayOID, Align: 'i'},
		{OID: Float4OID, Name: "float4", SQLName: "real", Len: 4, Category: 'N', Array: Float4ArrayOID, ByValue: true, Align: 'i'},
		{OID: Float8OID, Name: "float8", SQLName: "double precision", Len: 8, Category: 'N', Preferred: true, Array: Float8ArrayOID, ByValue: true, Align: 'd'},
		{OID: UnknownOID, Name: "unknown", SQLName: "unknown", Len: -2, Category: 'X', Align: 'c'},
		{OID: BpcharOID, Name: "bpchar", SQLName: "character", Len: -1, Category: 'S', Array: BpcharArrayOID, Align: 'i'},
		{OID: VarcharOID, Name: "varchar", SQLName: "character varying", Len: -1, Category: 'S', Array: VarcharArrayOID, Align: 'i'},
		{OID: DateOID, Name: "date", SQLName: "date", Len: 4, Category: 'D', Array: DateArrayOID, ByValue: true, Align: 'i'},
		{OID: TimestampOID, Name: "timestamp", SQLName: "timestamp without time zone", Len: 8, Category: 'D', Array: TimestampArrayOID, ByValue: true, Align: 'd'},
		{OID: TimestampTZOID, Name: "timestamptz", SQLName: "timestamp with time zone", Len: 8, Category: 'D', Preferred: true, Array: TimestampTZArrayOID, ByValue: true, Align: 'd'},
		{OID: NumericOID, Name: "numeric", SQLName: "numeric", Len: -1, Category: 'N', Array: NumericArrayOID, Align: 'i'},
		{OID: RegclassOID, Name: "regclass", SQLName: "regclass", Len: 4, Category: 'N', Array: RegclassArrayOID, ByValue: true, Align: 'i'},
		{OID: RegtypeOID, Name: "regtype", SQLName: "regtype", Len: 4, Category: 'N', Array: RegtypeArrayOID, ByValue: true, Align: 'i'},
		{OID: RecordOID, Name: "record", SQLName: "record", Len: -1, Category: 'P', Array: RecordArrayOID, Align: 'd'},
		{OID: VoidOID, Name: "void", SQLName: "void", Len: 4, Category: 'P', ByValue: true, Align: 'i'},
		{OID: AnyElementOID, Name: "anyelement", SQLName: "anyelement", Len: 4, Category: 'P', ByValue: true, Align: 'i'},
		{OID: JSONBOID, Name: "jsonb", SQLName: "jsonb", Len: -1, Category: 'U', Array: JSONBArrayOID, Align: 'i'},
		{OID: VectorOID, Name: "vector", SQLName: "vector", Len: -1, Category: 'U', Array: VectorArrayOID, Align: 'i'},
		{OID: HalfvecOID, Name: "halfvec", SQLName: "halfvec", Len: -1, Category: 'U', Array: HalfvecArrayOID, Align: 'i'},
		{OID: SparsevecOID, Name: "sparsevec", SQLName: "sparsevec", Len: -1, Category: 'U', Array: SparsevecArrayOID, Align: 'i'},
		{OID: BitOID, Name: "bit", SQLName: "bit", Len: -1, Category: 'V', Array: BitArrayOID, Align: 'i'},
		{OID: VarbitOID, Name: "varbit", SQLName: "bit varying", Len: -1, Category: 'V', Preferred: true, Array: VarbitArrayOID, Align: 'i'},
		{OID: IntervalOID, Name: "interval", SQLName: "interval", Len: 16, Category: 'T', Preferred: true, Array: IntervalArrayOID, Align: 'd'},
	}
	base = append(base, catalogInfos()...)
	out := make([]*Info, 0, 2*len(base))
	for i := range base {
		elem := &base[i]
		out = append(out, elem)
		if elem.Array == 0 {
			continue
		}
		align, category := byte('i'), byte('A')
		if elem.Align == 'd' {
			align = 'd'
		}
		if elem.Category == 'P' {
			category = 'P'
		}
		out = append(out, &Info{
			OID:      elem.Array,
			Name:     "_" + elem.Name,
			SQLName:  elem.SQLName + "[]",
			Len:      -1,
			Category: category,
			Elem:     elem.OID,
			Align:    align,
		})
	}
	slices.SortFunc(out, func(a, b *Info) int { return int(a.OID) - int(b.OID) })
	return out
}

// Lookup returns the description of the type with the given OID.
func Lookup(oid OID) (*Info, bool) {
	i, ok := slices.BinarySearchFunc(infos, oid, func(info *Info, oid OID) int {
		return int(info.OID) - int(oid)
	})
	if !ok {
		return nil, false
	}
	return infos[i], true
}

// All returns every type vecgres defines, ordered by OID. The caller must
// not modify the result.
func All() []*Info { return infos }

// sqlNames maps the SQL spellings that are not a typname to their OIDs.
var sqlNames = map[string]OID{
	"int":                         Int4OID,
	"integer":                     Int4OID,
	"smallint":                    Int2OID,
	"bigint":                      Int8OID,
	"real":                        Float4OID,
	"float":                       Float8OID,
	"double precision":            Float8OID,
	"decimal":                     NumericOID,
	"dec":                         NumericOID,
	"boolean":                     BoolOID,
	"character varying":           VarcharOID,
	"char varying":                VarcharOID,
	"character":                   BpcharOID,
	"timestamp with time zone":    TimestampTZOID,
	"timestamp without time zone": TimestampOID,
	`"char"`:                      CharOID,
	"bit varying":                 VarbitOID,
}

// TypeByName resolves an unqualified type name, written in lower case as
// SQL or as pg_type.typname ("integer", "int4", "_int4", "double
// precision", ...). A trailing "[]" names the array type.
//
// "char" is pg_type's typname of the one-byte type (as are `"char"` and
// "_char"), because that is what a parser hands over: PostgreSQL's
// grammar (and so pg_query) turns SQL's unquoted char and character into
// bpchar with modifier 1, and only the quoted "char" arrives as char.
// "character" and "bpchar" name bpchar; character without a length means
// character(1), a modifier the caller adds. Pseudo names such as serial
// are the binder's business and are not found here.
func TypeByName(name string) (OID, bool) {
	if elem, ok := strings.CutSuffix(name, "[]"); ok {
		e, ok := TypeByName(elem)
		if !ok {
			return 0, false
		}
		return ArrayOf(e)
	}
	if oid, ok := sqlNames[name]; ok {
		return oid, true
	}
	for _, info := range infos {
		if info.Name == name {
			return info.OID, true
		}
	}
	return 0, false
}

// ArrayOf returns the array type whose elements are of type elem.
func ArrayOf(elem OID) (OID, bool) {
	info, ok := Lookup(elem)
	if !ok || info.Array == 0 {
		return 0, false
	}
	return info.Array, true
}

// ElemOf returns the element type of an array type.
func ElemOf(array OID) (OID, bool) {
	info, ok := Lookup(array)
	if !ok || info.Elem == 0 {
		return 0, false
	}
	return info.Elem, true
}

// IsArray reports whether oid is an array type.
func IsArray(oid OID) bool {
	_, ok := ElemOf(oid)
	return ok
}

// String renders t as format_type(oid, typmod) does, e.g. "integer",
// "character varying(10)", "numeric(10,2)", "vector(3)", "integer[]".
// Array types print their element type's name and modifier followed by
// "[]". A bpchar without length prints as "bpchar", as PostgreSQL does,
// because "character" alone means character(1); for the same reason a bit
// without length prints as "bit" in double quotes (bit alone is bit(1)).
func (t T) String() string {
	info, ok := Lookup(t.OID)
	if !ok {
		return "???"
	}
	if info.Elem != 0 {
		return T{OID: info.Elem, Mod: t.Mod}.String() + "[]"
	}
	switch t.OID {
	case BpcharOID:
		if t.Mod < 0 {
			return "bpchar"
		}
	case BitOID:
		if t.Mod < 0 {
			return `"bit"`
		}
	case IntervalOID:
		if t.Mod >= 0 {
			return "interval" + intervalTypmodString(t.Mod)
		}
	case TimestampOID, TimestampTZOID:
		if t.Mod >= 0 {
			zone := " without time zone"
			if t.OID == TimestampTZOID {
				zone = " with time zone"
			}
			return "timestamp" + t.TypmodString() + zone
		}
	}
	return info.SQLName + t.TypmodString()
}

// TypeName returns the name PostgreSQL's messages give a type
// (format_type_be): its SQL name without modifier, e.g. "integer",
// "character varying", "character", "vector", "integer[]".
func TypeName(oid OID) string {
	if elem, ok := ElemOf(oid); ok {
		return TypeName(elem) + "[]"
	}
	switch oid {
	case BpcharOID:
		return "character"
	case BitOID:
		return "bit"
	}
	return Of(oid).String()
}

// WithTypmod returns the type oid with the modifiers written after its name
// (as in varchar(10) or numeric(10,2)), validated and encoded as
// PostgreSQL's typmodin functions do. float(p) is written with oid
// Float8OID and mods [p] and yields real for p <= 24 and double precision
// for 25 <= p <= 53. Array types take their element type's modifiers.
func WithTypmod(oid OID, mods []int64) (T, error) {
	if len(mods) == 0 {
		return T{OID: oid, Mod: -1}, nil
	}
	info, ok := Lookup(oid)
	if !ok {
		return T{}, pgerr.New(pgerr.UndefinedObject, "type with OID %d does not exist", oid)
	}
	if info.Elem != 0 {
		elem, err := WithTypmod(info.Elem, mods)
		if err != nil {
			return T{}, err
		}
		return T{OID: oid, Mod: elem.Mod}, nil
	}
	switch oid {
	case VarcharOID:
		return charTypmod(oid, "varchar", mods)
	case BpcharOID:
		return charTypmod(oid, "char", mods)
	case NumericOID:
		return numericTypmod(mods)
	case VectorOID, HalfvecOID, SparsevecOID:
		return vectorTypmod(oid, info.Name, mods)
	case TimestampOID, TimestampTZOID:
		return timestampTypmod(oid, mods)
	case IntervalOID:
		return intervalTypmod(mods)
	case BitOID, VarbitOID:
		return bitTypmod(oid, info.Name, mods)
	case Float8OID, Float4OID:
		return floatTypmod(mods)
	}
	return T{}, pgerr.New(pgerr.SyntaxError, "type modifier is not allowed for type \"%s\"", info.Name)
}

func invalidTypmod() error {
	return pgerr.New(pgerr.InvalidParameterValue, "invalid type modifier")
}

func charTypmod(oid OID, name string, mods []int64) (T, error) {
	if len(mods) != 1 {
		return T{}, invalidTypmod()
	}
	n := mods[0]
	if n < 1 {
		return T{}, pgerr.New(pgerr.InvalidParameterValue, "length for type %s must be at least 1", name)
	}
	if n > MaxVarcharLen {
		return T{}, pgerr.New(pgerr.InvalidParameterValue, "length for type %s cannot exceed %d", name, MaxVarcharLen)
	}
	return T{OID: oid, Mod: int32(n) + 4}, nil
}

func numericTypmod(mods []int64) (T, error) {
	if len(mods) > 2 {
		return T{}, pgerr.New(pgerr.InvalidParameterValue, "invalid NUMERIC type modifier")
	}
	p := mods[0]
	if p < 1 || p > NumericMaxPrecision {
		return T{}, pgerr.New(pgerr.InvalidParameterValue, "NUMERIC precision %d must be between 1 and %d", p, NumericMaxPrecision)
	}
	var s int64
	if len(mods) == 2 {
		s = mods[1]
		if s < NumericMinScale || s > NumericMaxScale {
			return T{}, pgerr.New(pgerr.InvalidParameterValue, "NUMERIC scale %d must be between %d and %d", s, NumericMinScale, NumericMaxScale)
		}
	}
	return NumericOf(int(p), int(s)), nil
}

// NumericOf returns numeric(precision, scale), encoded as PostgreSQL 15+
// does: ((precision << 16) | (scale & 0x7ff)) + 4.
func NumericOf(precision, scale int) T {
	return T{OID: NumericOID, Mod: int32(precision<<16|(scale&0x7ff)) + 4}
}

// NumericTypmod decodes numeric(p,s) from t; ok is false when t has no
// modifier.
func (t T) NumericTypmod() (precision, scale int, ok bool) {
	if t.Mod < 4 {
		return 0, 0, false
	}
	m := t.Mod - 4
	precision = int(m>>16) & 0xffff
	scale = int(m & 0x7ff)
	if scale&0x400 != 0 {
		scale -= 0x800
	}
	return precision, scale, true
}

func vectorTypmod(oid OID, name string, mods []int64) (T, error) {
	if len(mods) != 1 {
		return T{}, invalidTypmod()
	}
	n := mods[0]
	if n < 1 {
		return T{}, pgerr.New(pgerr.InvalidParameterValue, "dimensions for type %s must be at least 1", name)
	}
	maxDim := int64(VectorMaxDim)
	if oid == SparsevecOID {
		maxDim = SparsevecMaxDim
	}
	if n > maxDim {
		return T{}, pgerr.New(pgerr.InvalidParameterValue, "dimensions for type %s cannot exceed %d", name, maxDim)
	}
	return T{OID: oid, Mod: int32(n)}, nil
}

// bitTypmod is bittypmodin and varbittypmodin: the length in bits.
func bitTypmod(oid OID, name string, mods []int64) (T, error) {
	if len(mods) != 1 {
		return T{}, invalidTypmod()
	}
	n := mods[0]
	if n < 1 {
		return T{}, pgerr.New(pgerr.InvalidParameterValue, "length for type %s must be at least 1", name)
	}
	if n > BitMaxTypmod {
		return T{}, pgerr.New(pgerr.InvalidParameterValue, "length for type %s cannot exceed %d", name, BitMaxTypmod)
	}
	return T{OID: oid, Mod: int32(n)}, nil
}

func timestampTypmod(oid OID, mods []int64) (T, error) {
	if len(mods) != 1 {
		return T{}, invalidTypmod()
	}
	p := mods[0]
	if p < 0 {
		tz := ""
		if oid == TimestampTZOID {
			tz = " WITH TIME ZONE"
		}
		return T{}, pgerr.New(pgerr.InvalidParameterValue, "TIMESTAMP(%d)%s precision must not be negative", p, tz)
	}
	// PostgreSQL warns and reduces a larger precision to the maximum.
	p = min(p, TimestampMaxPrecision)
	return T{OID: oid, Mod: int32(p)}, nil
}

func floatTypmod(mods []int64) (T, error) {
	if len(mods) != 1 {
		return T{}, invalidTypmod()
	}
	p := mods[0]
	switch {
	case p < 1:
		return T{}, pgerr.New(pgerr.InvalidParameterValue, "precision for type float must be at least 1 bit")
	case p <= 24:
		return TFloat4, nil
	case p <= 53:
		return TFloat8, nil
	}
	return T{}, pgerr.New(pgerr.InvalidParameterValue, "precision for type float must be less than 54 bits")
}

// VarcharLen returns n of varchar(n) or char(n), or -1 when t has no
// length.
func (t T) VarcharLen() int {
	if t.Mod < 4 {
		return -1
	}
	return int(t.Mod - 4)
}
