package pgcatalog

import (
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// typeNamespace is the schema of a type: public for pgvector's (created
// there by CREATE EXTENSION vector in PostgreSQL), pg_catalog for the
// others.
func typeNamespace(o types.OID) types.OID {
	if t, ok := builtinRows().typeByOID[o]; ok {
		return t.Namespace
	}
	return PgCatalogNamespace
}

func pgType() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_type", OID: 1247,
		Columns: []Column{
			col("oid", types.OidOID), col("typname", types.NameOID), col("typnamespace", types.OidOID),
			col("typowner", types.OidOID), col("typlen", types.Int2OID), col("typbyval", types.BoolOID),
			col("typtype", types.CharOID), col("typcategory", types.CharOID), col("typispreferred", types.BoolOID),
			col("typisdefined", types.BoolOID), col("typdelim", types.CharOID), col("typrelid", types.OidOID),
			col("typsubscript", types.RegprocOID), col("typelem", types.OidOID), col("typarray", types.OidOID),
			col("typinput", types.RegprocOID), col("typoutput", types.RegprocOID), col("typreceive", types.RegprocOID),
			col("typsend", types.RegprocOID), col("typmodin", types.RegprocOID), col("typmodout", types.RegprocOID),
			col("typanalyze", types.RegprocOID), col("typalign", types.CharOID), col("typstorage", types.CharOID),
			col("typnotnull", types.BoolOID), col("typbasetype", types.OidOID), col("typtypmod", types.Int4OID),
			col("typndims", types.Int4OID), col("typcollation", types.OidOID), col("typdefaultbin", types.PgNodeTreeOID),
			col("typdefault", types.TextOID), col("typacl", types.AclitemArrayOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			data := builtinRows()
			var rows [][]types.Datum
			for _, info := range types.All() {
				t, ok := data.typeByOID[info.OID]
				if !ok {
					t = synthesizedType(info)
				}
				rows = append(rows, []types.Datum{
					oid(t.OID), t.Name, oid(t.Namespace), oid(BootstrapSuperuser), integer(t.Len), t.ByVal,
					t.Type, t.Category, t.Preferred, true, t.Delim, oid(t.RelID),
					oid(t.Subscript), oid(t.Elem), oid(t.Array),
					oid(t.Input), oid(t.Output), oid(t.Receive), oid(t.Send), oid(t.ModIn), oid(t.ModOut),
					oid(t.Analyze), t.Align, t.Storage, false, oid(t.BaseType), integer(t.TypMod),
					integer(t.NDims), oid(t.Collation), nil, nil, nil,
				})
			}
			return rows, nil
		},
	}
}

// synthesizedType describes a type that has no recorded row (one added
// to sql/types since the rows were recorded) from what sql/types knows.
func synthesizedType(info *types.Info) *typeRow {
	t := &typeRow{
		OID: info.OID, Name: info.Name, Namespace: PgCatalogNamespace, Len: info.Len, ByVal: info.ByValue,
		Type: "b", Category: string(info.Category), Preferred: info.Preferred, Delim: ",",
		Elem: info.Elem, Array: info.Array, Align: string(info.Align), Storage: "p", TypMod: -1,
	}
	if info.Category == 'P' {
		t.Type = "p"
	}
	if info.Len < 0 {
		t.Storage = "x"
	}
	return t
}
