package pgcatalog

import (
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// superuser is the name of the role vecgres has (OID 10): vecgres has one
// superuser for now, and it is whoever the session authenticated as.
func superuser(env planner.Env) string { return bootstrapName(env) }

// namespaceOID returns the OID of the schema called name, 0 if none.
func namespaceOID(cat *storage.Catalog, name string) types.OID {
	if s, ok := cat.Schema(name); ok {
		return s.OID
	}
	return 0
}

// schemas returns storage's schemas and pg_toast, which PostgreSQL always
// has, ordered by OID.
func schemas(cat *storage.Catalog) []*storage.Schema {
	out := []*storage.Schema{}
	for _, s := range cat.Schemas() {
		if s.OID > PgToastNamespace && (len(out) == 0 || out[len(out)-1].OID < PgToastNamespace) {
			out = append(out, &storage.Schema{OID: PgToastNamespace, Name: "pg_toast"})
		}
		out = append(out, s)
	}
	return out
}

func pgNamespace() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_namespace", OID: 2615,
		Columns: []Column{
			col("oid", types.OidOID), col("nspname", types.NameOID), col("nspowner", types.OidOID),
			col("nspacl", types.AclitemArrayOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			su := superuser(env)
			var rows [][]types.Datum
			for _, s := range schemas(env.Catalog()) {
				owner, acl := BootstrapSuperuser, types.Datum(nil)
				switch s.Name {
				case "pg_catalog", "information_schema":
					acl = aclArray(su+"=UC/"+su, "=U/"+su)
				case "public":
					owner = DatabaseOwnerRole
					acl = aclArray("pg_database_owner=UC/pg_database_owner", "=U/pg_database_owner")
				}
				rows = append(rows, []types.Datum{oid(s.OID), s.Name, oid(owner), acl})
			}
			return rows, nil
		},
	}
}
