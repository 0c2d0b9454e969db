package pgcatalog

import (
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// bootstrapSuperuser is the OID of the role that owns everything, as
// PostgreSQL's BOOTSTRAP_SUPERUSERID.
const bootstrapSuperuser = 10

func pgNamespace() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_namespace",
		Columns: []Column{
			col("oid", types.OidOID), col("nspname", types.NameOID), col("nspowner", types.OidOID),
			col("nspacl", types.TextArrayOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, s := range env.Catalog().Schemas() {
				rows = append(rows, []types.Datum{oid(s.OID), s.Name, oid(bootstrapSuperuser), nil})
			}
			return rows, nil
		},
	}
}

func pgType() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_type",
		Columns: []Column{
			col("oid", types.OidOID), col("typname", types.NameOID), col("typnamespace", types.OidOID),
			col("typowner", types.OidOID), col("typlen", types.Int2OID), col("typbyval", types.BoolOID),
			col("typtype", types.CharOID), col("typcategory", types.CharOID), col("typispreferred", types.BoolOID),
			col("typisdefined", types.BoolOID), col("typdelim", types.CharOID), col("typrelid", types.OidOID),
			col("typelem", types.OidOID), col("typarray", types.OidOID), col("typbasetype", types.OidOID),
			col("typtypmod", types.Int4OID), col("typnotnull", types.BoolOID), col("typalign", types.CharOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, info := range types.All() {
				typtype := "b"
				if info.Category == 'P' {
					typtype = "p"
				}
				rows = append(rows, []types.Datum{
					oid(info.OID), info.Name, oid(11), oid(bootstrapSuperuser), int64(info.Len), boolean(info.ByValue),
					typtype, string(info.Category), boolean(info.Preferred), true, ",", oid(0),
					oid(info.Elem), oid(info.Array), oid(0), int64(-1), false, string(info.Align),
				})
			}
			return rows, nil
		},
	}
}
