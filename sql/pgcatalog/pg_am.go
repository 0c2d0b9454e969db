package pgcatalog

import (
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// accessMethods are the access methods vecgres has: heap tables, btree
// and hnsw indexes. (PostgreSQL's hash, gist, gin, spgist and brin, and
// pgvector's ivfflat, are not listed: CREATE INDEX cannot use them.)
var accessMethods = []struct {
	oid     types.OID
	name    string
	handler types.OID
	kind    string
}{
	{HeapAM, "heap", 3, "t"},
	{BtreeAM, "btree", 330, "i"},
	{HnswAM, "hnsw", 0, "i"},
}

// procByName returns the OID of the recorded function called name in
// namespace, 0 if none.
func procByName(namespace types.OID, name string) types.OID {
	for _, p := range builtinRows().procByName[name] {
		if p.Namespace == namespace {
			return p.OID
		}
	}
	return 0
}

func pgAm() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_am", OID: 2601,
		Columns: []Column{
			col("oid", types.OidOID), col("amname", types.NameOID), col("amhandler", types.RegprocOID),
			col("amtype", types.CharOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, am := range accessMethods {
				handler := am.handler
				if am.oid == HnswAM {
					handler = procByName(PublicNamespace, "hnswhandler")
				}
				rows = append(rows, []types.Datum{oid(am.oid), am.name, oid(handler), am.kind})
			}
			return rows, nil
		},
	}
}

func pgOpclass() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_opclass", OID: 2616,
		Columns: []Column{
			col("oid", types.OidOID), col("opcmethod", types.OidOID), col("opcname", types.NameOID),
			col("opcnamespace", types.OidOID), col("opcowner", types.OidOID), col("opcfamily", types.OidOID),
			col("opcintype", types.OidOID), col("opcdefault", types.BoolOID), col("opckeytype", types.OidOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, c := range builtinRows().classes {
				rows = append(rows, []types.Datum{oid(c.OID), oid(c.Method), c.Name, oid(c.Namespace),
					oid(BootstrapSuperuser), oid(c.Family), oid(c.InType), c.Default, oid(c.KeyType)})
			}
			return rows, nil
		},
	}
}

func pgOpfamily() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_opfamily", OID: 2753,
		Columns: []Column{
			col("oid", types.OidOID), col("opfmethod", types.OidOID), col("opfname", types.NameOID),
			col("opfnamespace", types.OidOID), col("opfowner", types.OidOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, f := range builtinRows().families {
				rows = append(rows, []types.Datum{oid(f.OID), oid(f.Method), f.Name, oid(f.Namespace), oid(BootstrapSuperuser)})
			}
			return rows, nil
		},
	}
}

func pgOperator() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_operator", OID: 2617,
		Columns: []Column{
			col("oid", types.OidOID), col("oprname", types.NameOID), col("oprnamespace", types.OidOID),
			col("oprowner", types.OidOID), col("oprkind", types.CharOID), col("oprcanmerge", types.BoolOID),
			col("oprcanhash", types.BoolOID), col("oprleft", types.OidOID), col("oprright", types.OidOID),
			col("oprresult", types.OidOID), col("oprcom", types.OidOID), col("oprnegate", types.OidOID),
			col("oprcode", types.RegprocOID), col("oprrest", types.RegprocOID), col("oprjoin", types.RegprocOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, o := range builtinRows().operators {
				rows = append(rows, []types.Datum{oid(o.OID), o.Name, oid(o.Namespace), oid(BootstrapSuperuser), o.Kind,
					o.CanMerge, o.CanHash, oid(o.Left), oid(o.Right), oid(o.Result), oid(o.Com), oid(o.Negate),
					oid(o.Code), oid(o.Rest), oid(o.Join)})
			}
			return rows, nil
		},
	}
}

func pgProc() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_proc", OID: 1255,
		Columns: []Column{
			col("oid", types.OidOID), col("proname", types.NameOID), col("pronamespace", types.OidOID),
			col("proowner", types.OidOID), col("prolang", types.OidOID), col("procost", types.Float4OID),
			col("prorows", types.Float4OID), col("provariadic", types.OidOID), col("prosupport", types.RegprocOID),
			col("prokind", types.CharOID), col("prosecdef", types.BoolOID), col("proleakproof", types.BoolOID),
			col("proisstrict", types.BoolOID), col("proretset", types.BoolOID), col("provolatile", types.CharOID),
			col("proparallel", types.CharOID), col("pronargs", types.Int2OID), col("pronargdefaults", types.Int2OID),
			col("prorettype", types.OidOID), col("proargtypes", types.OidVectorOID), col("proallargtypes", types.OidArrayOID),
			col("proargmodes", types.CharArrayOID), col("proargnames", types.TextArrayOID),
			col("proargdefaults", types.PgNodeTreeOID), col("protrftypes", types.OidArrayOID), col("prosrc", types.TextOID),
			col("probin", types.TextOID), col("prosqlbody", types.PgNodeTreeOID), col("proconfig", types.TextArrayOID),
			col("proacl", types.AclitemArrayOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, p := range builtinRows().procs {
				var allArgs, modes types.Datum
				if p.AllArgTypes != nil {
					allArgs = intArray(types.OidOID, p.AllArgTypes)
				}
				if p.ArgModes != nil {
					modes = stringArray(types.Of(types.CharOID), p.ArgModes)
				}
				rows = append(rows, []types.Datum{
					oid(p.OID), p.Name, oid(p.Namespace), oid(BootstrapSuperuser), oid(p.Lang), float64(float32(p.Cost)),
					float64(float32(p.Rows)), oid(p.Variadic), oid(p.Support), p.Kind, p.SecDef, p.LeakProof,
					p.Strict, p.RetSet, p.Volatile, p.Parallel, integer(p.NArgs), integer(p.NArgDefaults),
					oid(p.RetType), vectorOf(types.OidVectorOID, p.ArgTypes), allArgs, modes, textArray(p.ArgNames),
					nil, nil, p.Src, nullable(p.Bin), nil, nil, nil,
				})
			}
			return rows, nil
		},
	}
}

// languages are pg_language's rows.
var languages = []struct {
	oid                    types.OID
	name                   string
	pl, trusted            bool
	handler, inline, valid types.OID
}{
	{InternalLanguage, "internal", false, false, 0, 0, 2246},
	{CLanguage, "c", false, false, 0, 0, 2247},
	{SQLLanguage, "sql", false, true, 0, 0, 2248},
	{PlpgsqlLanguage, "plpgsql", true, true, 13560, 13561, 13562},
}

func pgLanguage() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_language", OID: 2612,
		Columns: []Column{
			col("oid", types.OidOID), col("lanname", types.NameOID), col("lanowner", types.OidOID),
			col("lanispl", types.BoolOID), col("lanpltrusted", types.BoolOID), col("lanplcallfoid", types.OidOID),
			col("laninline", types.OidOID), col("lanvalidator", types.OidOID), col("lanacl", types.AclitemArrayOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, l := range languages {
				rows = append(rows, []types.Datum{oid(l.oid), l.name, oid(BootstrapSuperuser), l.pl, l.trusted,
					oid(l.handler), oid(l.inline), oid(l.valid), nil})
			}
			return rows, nil
		},
	}
}
