package types

import (
	"strconv"
	"strings"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// The types of PostgreSQL's system catalogs, and the pseudo-types that
// function signatures in pg_proc mention. Clients read catalog columns of
// these types (pg_index.indkey is an int2vector, pg_class.relacl an
// aclitem[]) and cast to them (c.oid::regclass, nspname::regnamespace),
// so they exist with PostgreSQL's OIDs even though no table of vecgres
// stores them.
const (
	Int2VectorOID      OID = 22
	XidOID             OID = 28
	CidOID             OID = 29
	OidVectorOID       OID = 30
	PgNodeTreeOID      OID = 194
	TableAmHandlerOID  OID = 269
	IndexAmHandlerOID  OID = 325
	AclitemOID         OID = 1033
	RegprocedureOID    OID = 2202
	RegoperOID         OID = 2203
	RegoperatorOID     OID = 2204
	CstringOID         OID = 2275
	AnyOID             OID = 2276
	AnyArrayOID        OID = 2277
	TriggerOID         OID = 2279
	LanguageHandlerOID OID = 2280
	InternalOID        OID = 2281
	AnyNonArrayOID     OID = 2776
	FdwHandlerOID      OID = 3115
	TsmHandlerOID      OID = 3310
	EventTriggerOID    OID = 3838
	RegnamespaceOID    OID = 4089
	RegroleOID         OID = 4096
	RegcollationOID    OID = 4191

	Int2VectorArrayOID   OID = 1006
	XidArrayOID          OID = 1011
	CidArrayOID          OID = 1012
	OidVectorArrayOID    OID = 1013
	AclitemArrayOID      OID = 1034
	CstringArrayOID      OID = 1263
	RegprocedureArrayOID OID = 2207
	RegoperArrayOID      OID = 2208
	RegoperatorArrayOID  OID = 2209
	RegnamespaceArrayOID OID = 4090
	RegroleArrayOID      OID = 4097
	RegcollationArrayOID OID = 4192
)

// catalogInfos describes the catalog and pseudo-types above as pg_type
// does. int2vector and oidvector have Elem 0 here, as name has (see
// Info.Elem): they are not array types for format_type or casts, though
// they can be subscripted and searched with ANY (see ElementType).
func catalogInfos() []Info {
	reg := func(oid OID, name string, array OID) Info {
		return Info{OID: oid, Name: name, SQLName: name, Len: 4, Category: 'N', Array: array, ByValue: true, Align: 'i'}
	}
	pseudo := func(oid OID, name string, length int16, byValue bool, align byte) Info {
		return Info{OID: oid, Name: name, SQLName: name, Len: length, Category: 'P', ByValue: byValue, Align: align}
	}
	return []Info{
		{OID: Int2VectorOID, Name: "int2vector", SQLName: "int2vector", Len: -1, Category: 'A', Array: Int2VectorArrayOID, Align: 'i'},
		{OID: XidOID, Name: "xid", SQLName: "xid", Len: 4, Category: 'U', Array: XidArrayOID, ByValue: true, Align: 'i'},
		{OID: CidOID, Name: "cid", SQLName: "cid", Len: 4, Category: 'U', Array: CidArrayOID, ByValue: true, Align: 'i'},
		{OID: OidVectorOID, Name: "oidvector", SQLName: "oidvector", Len: -1, Category: 'A', Array: OidVectorArrayOID, Align: 'i'},
		{OID: PgNodeTreeOID, Name: "pg_node_tree", SQLName: "pg_node_tree", Len: -1, Category: 'Z', Align: 'i'},
		{OID: AclitemOID, Name: "aclitem", SQLName: "aclitem", Len: 12, Category: 'U', Array: AclitemArrayOID, Align: 'i'},
		reg(RegprocedureOID, "regprocedure", RegprocedureArrayOID),
		reg(RegoperOID, "regoper", RegoperArrayOID),
		reg(RegoperatorOID, "regoperator", RegoperatorArrayOID),
		reg(RegnamespaceOID, "regnamespace", RegnamespaceArrayOID),
		reg(RegroleOID, "regrole", RegroleArrayOID),
		reg(RegcollationOID, "regcollation", RegcollationArrayOID),
		{OID: CstringOID, Name: "cstring", SQLName: "cstring", Len: -2, Category: 'P', Array: CstringArrayOID, Align: 'c'},
		pseudo(TableAmHandlerOID, "table_am_handler", 4, true, 'i'),
		pseudo(IndexAmHandlerOID, "index_am_handler", 4, true, 'i'),
		pseudo(AnyOID, "any", 4, true, 'i'),
		pseudo(AnyArrayOID, "anyarray", -1, false, 'd'),
		pseudo(TriggerOID, "trigger", 4, true, 'i'),
		pseudo(LanguageHandlerOID, "language_handler", 4, true, 'i'),
		pseudo(InternalOID, "internal", 8, true, 'd'),
		pseudo(AnyNonArrayOID, "anynonarray", 4, true, 'i'),
		pseudo(FdwHandlerOID, "fdw_handler", 4, true, 'i'),
		pseudo(TsmHandlerOID, "tsm_handler", 4, true, 'i'),
		pseudo(EventTriggerOID, "event_trigger", 4, true, 'i'),
	}
}

// IsRegType reports whether oid is one of the OID alias types (regclass,
// regtype, regproc, ...): an OID that the input and output functions
// convert from and to the name of a catalog object.
func IsRegType(oid OID) bool {
	switch oid {
	case RegclassOID, RegtypeOID, RegprocOID, RegprocedureOID, RegoperOID, RegoperatorOID,
		RegnamespaceOID, RegroleOID, RegcollationOID:
		return true
	}
	return false
}

// isUint32Type reports the types held as uint32 values in an int64: oid,
// the reg* types, xid and cid.
func isUint32Type(oid OID) bool {
	return oid == OidOID || oid == XidOID || oid == CidOID || IsRegType(oid)
}

// ElementType returns the type of the elements of a container that can be
// subscripted and searched with ANY/ALL: an array type's element type, or
// int2 and oid for int2vector and oidvector (whose subscripts start at 0
// in PostgreSQL, unlike an array's).
func ElementType(oid OID) (OID, bool) {
	switch oid {
	case Int2VectorOID:
		return Int2OID, true
	case OidVectorOID:
		return OidOID, true
	}
	return ElemOf(oid)
}

// Namer resolves catalog object names for the input and output functions
// of the reg* types, which in PostgreSQL read the system catalogs:
// 'items'::regclass is the OID of the relation items, and a regclass
// prints as the relation's name (schema-qualified when the search path
// would not find it). A session puts its Namer in FormatOptions, so that
// results, casts and literals see the catalog the session sees; without
// one, reg* values are read and printed as numbers.
type Namer interface {
	// RegName returns the text the output function of type t prints for
	// the object oid; ok is false when no such object exists, and the
	// number is printed then.
	RegName(t OID, oid OID) (name string, ok bool)
	// RegOID resolves name as the input function of type t does, with
	// its error when there is no such object.
	RegOID(t OID, name string) (OID, error)
}

// appendReg is the output function of the reg* types: "-" for 0, the
// object's name when the Namer knows it, else the number.
func appendReg(buf []byte, t T, v int64, f *FormatOptions) []byte {
	oid := OID(uint32(v))
	if oid == 0 {
		return append(buf, '-')
	}
	if f != nil && f.Namer != nil {
		if name, ok := f.Namer.RegName(t.OID, oid); ok {
			return append(buf, name...)
		}
	}
	return strconv.AppendUint(buf, uint64(oid), 10)
}

// parseReg is the input function of the reg* types: a number is the OID
// itself, "-" is 0, and anything else is a name the Namer resolves.
func parseReg(t T, s string, n Namer) (Datum, error) {
	if s == "-" {
		return int64(0), nil
	}
	trimmed := strings.TrimSpace(s)
	if trimmed != "" && isDigit(trimmed[0]) {
		return parseOid(s)
	}
	if n == nil {
		return parseOid(s)
	}
	oid, err := n.RegOID(t.OID, s)
	if err != nil {
		return nil, err
	}
	return int64(oid), nil
}

// parseVectorOf is int2vectorin and oidvectorin: numbers separated by
// white space.
func parseVectorOf(t T, s string) (Datum, error) {
	elem, _ := ElementType(t.OID)
	out := &Array{Elem: Of(elem), Elems: []Datum{}, LowerBound: 1}
	for _, f := range strings.Fields(s) {
		var v Datum
		var err error
		if elem == OidOID {
			v, err = parseOid(f)
		} else {
			v, err = parseInt(f, Int2OID)
		}
		if err != nil {
			return nil, pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", TypeName(t.OID), s)
		}
		out.Elems = append(out.Elems, v)
	}
	return out, nil
}

// appendVectorOf is int2vectorout and oidvectorout.
func appendVectorOf(buf []byte, a *Array) []byte {
	for i, e := range a.Elems {
		if i > 0 {
			buf = append(buf, ' ')
		}
		if v, ok := e.(int64); ok {
			if a.Elem.OID == OidOID {
				buf = strconv.AppendUint(buf, uint64(uint32(v)), 10)
			} else {
				buf = strconv.AppendInt(buf, v, 10)
			}
		}
	}
	return buf
}

// catalogCast is pg_cast for the catalog types: the OID alias types
// convert to and from oid, int4 and int8 as regclass does (binary
// coercions and int8's range check), and int2vector and oidvector are
// binary coercible to int2[] and oid[].
func catalogCast(from, to OID) (CastContext, bool) {
	switch {
	case from == Int2VectorOID && to == Int2ArrayOID, from == OidVectorOID && to == OidArrayOID:
		return CastImplicit, true
	case IsRegType(to) && (from == OidOID || from == Int8OID || from == Int4OID || from == Int2OID):
		return CastImplicit, true
	case IsRegType(from) && to == OidOID:
		return CastImplicit, true
	case IsRegType(from) && (to == Int8OID || to == Int4OID):
		return CastAssignment, true
	}
	return 0, false
}
