package pgcatalog

import (
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// emptyTables are the system catalogs of features vecgres does not have
// (row security policies, extended statistics, publications, triggers,
// rules, inheritance, enums, ranges, foreign tables, partitioning, ...),
// and those it does not describe yet (the casts, aggregates and operator
// class members of pg_cast, pg_aggregate, pg_amop and pg_amproc): they
// exist, with PostgreSQL's columns, so that clients' queries that join
// them run, and have no rows.
func emptyTables() []*Table {
	return []*Table{
		{Schema: "pg_catalog", Name: "pg_inherits", OID: 2611, Columns: []Column{
			col("inhrelid", types.OidOID), col("inhparent", types.OidOID), col("inhseqno", types.Int4OID),
			col("inhdetachpending", types.BoolOID),
		}},
		{Schema: "pg_catalog", Name: "pg_amop", OID: 2602, Columns: []Column{
			col("oid", types.OidOID), col("amopfamily", types.OidOID), col("amoplefttype", types.OidOID),
			col("amoprighttype", types.OidOID), col("amopstrategy", types.Int2OID), col("amoppurpose", types.CharOID),
			col("amopopr", types.OidOID), col("amopmethod", types.OidOID), col("amopsortfamily", types.OidOID),
		}},
		{Schema: "pg_catalog", Name: "pg_amproc", OID: 2603, Columns: []Column{
			col("oid", types.OidOID), col("amprocfamily", types.OidOID), col("amproclefttype", types.OidOID),
			col("amprocrighttype", types.OidOID), col("amprocnum", types.Int2OID), col("amproc", types.RegprocOID),
		}},
		{Schema: "pg_catalog", Name: "pg_policy", OID: 3256, Columns: []Column{
			col("oid", types.OidOID), col("polname", types.NameOID), col("polrelid", types.OidOID), col("polcmd", types.CharOID),
			col("polpermissive", types.BoolOID), col("polroles", types.OidArrayOID), col("polqual", types.PgNodeTreeOID),
			col("polwithcheck", types.PgNodeTreeOID),
		}},
		{Schema: "pg_catalog", Name: "pg_statistic_ext", OID: 3381, Columns: []Column{
			col("oid", types.OidOID), col("stxrelid", types.OidOID), col("stxname", types.NameOID),
			col("stxnamespace", types.OidOID), col("stxowner", types.OidOID), col("stxstattarget", types.Int4OID),
			col("stxkeys", types.Int2VectorOID), col("stxkind", types.CharArrayOID), col("stxexprs", types.PgNodeTreeOID),
		}},
		{Schema: "pg_catalog", Name: "pg_publication", OID: 6104, Columns: []Column{
			col("oid", types.OidOID), col("pubname", types.NameOID), col("pubowner", types.OidOID),
			col("puballtables", types.BoolOID), col("pubinsert", types.BoolOID), col("pubupdate", types.BoolOID),
			col("pubdelete", types.BoolOID), col("pubtruncate", types.BoolOID), col("pubviaroot", types.BoolOID),
		}},
		{Schema: "pg_catalog", Name: "pg_publication_namespace", OID: 6237, Columns: []Column{
			col("oid", types.OidOID), col("pnpubid", types.OidOID), col("pnnspid", types.OidOID),
		}},
		{Schema: "pg_catalog", Name: "pg_publication_rel", OID: 6106, Columns: []Column{
			col("oid", types.OidOID), col("prpubid", types.OidOID), col("prrelid", types.OidOID),
			col("prqual", types.PgNodeTreeOID), col("prattrs", types.Int2VectorOID),
		}},
		{Schema: "pg_catalog", Name: "pg_trigger", OID: 2620, Columns: []Column{
			col("oid", types.OidOID), col("tgrelid", types.OidOID), col("tgparentid", types.OidOID),
			col("tgname", types.NameOID), col("tgfoid", types.OidOID), col("tgtype", types.Int2OID),
			col("tgenabled", types.CharOID), col("tgisinternal", types.BoolOID), col("tgconstrrelid", types.OidOID),
			col("tgconstrindid", types.OidOID), col("tgconstraint", types.OidOID), col("tgdeferrable", types.BoolOID),
			col("tginitdeferred", types.BoolOID), col("tgnargs", types.Int2OID), col("tgattr", types.Int2VectorOID),
			col("tgargs", types.ByteaOID), col("tgqual", types.PgNodeTreeOID), col("tgoldtable", types.NameOID),
			col("tgnewtable", types.NameOID),
		}},
		{Schema: "pg_catalog", Name: "pg_rewrite", OID: 2618, Columns: []Column{
			col("oid", types.OidOID), col("rulename", types.NameOID), col("ev_class", types.OidOID),
			col("ev_type", types.CharOID), col("ev_enabled", types.CharOID), col("is_instead", types.BoolOID),
			col("ev_qual", types.PgNodeTreeOID), col("ev_action", types.PgNodeTreeOID),
		}},
		{Schema: "pg_catalog", Name: "pg_event_trigger", OID: 3466, Columns: []Column{
			col("oid", types.OidOID), col("evtname", types.NameOID), col("evtevent", types.NameOID),
			col("evtowner", types.OidOID), col("evtfoid", types.OidOID), col("evtenabled", types.CharOID),
			col("evttags", types.TextArrayOID),
		}},
		{Schema: "pg_catalog", Name: "pg_enum", OID: 3501, Columns: []Column{
			col("oid", types.OidOID), col("enumtypid", types.OidOID), col("enumsortorder", types.Float4OID),
			col("enumlabel", types.NameOID),
		}},
		{Schema: "pg_catalog", Name: "pg_range", OID: 3541, Columns: []Column{
			col("rngtypid", types.OidOID), col("rngsubtype", types.OidOID), col("rngmultitypid", types.OidOID),
			col("rngcollation", types.OidOID), col("rngsubopc", types.OidOID), col("rngcanonical", types.RegprocOID),
			col("rngsubdiff", types.RegprocOID),
		}},
		{Schema: "pg_catalog", Name: "pg_foreign_table", OID: 3118, Columns: []Column{
			col("ftrelid", types.OidOID), col("ftserver", types.OidOID), col("ftoptions", types.TextArrayOID),
		}},
		{Schema: "pg_catalog", Name: "pg_partitioned_table", OID: 3350, Columns: []Column{
			col("partrelid", types.OidOID), col("partstrat", types.CharOID), col("partnatts", types.Int2OID),
			col("partdefid", types.OidOID), col("partattrs", types.Int2VectorOID), col("partclass", types.OidVectorOID),
			col("partcollation", types.OidVectorOID), col("partexprs", types.PgNodeTreeOID),
		}},
		{Schema: "pg_catalog", Name: "pg_init_privs", OID: 3394, Columns: []Column{
			col("objoid", types.OidOID), col("classoid", types.OidOID), col("objsubid", types.Int4OID),
			col("privtype", types.CharOID), col("initprivs", types.AclitemArrayOID),
		}},
		{Schema: "pg_catalog", Name: "pg_seclabel", OID: 3596, Columns: []Column{
			col("objoid", types.OidOID), col("classoid", types.OidOID), col("objsubid", types.Int4OID),
			col("provider", types.TextOID), col("label", types.TextOID),
		}},
		{Schema: "pg_catalog", Name: "pg_default_acl", OID: 826, Columns: []Column{
			col("oid", types.OidOID), col("defaclrole", types.OidOID), col("defaclnamespace", types.OidOID),
			col("defaclobjtype", types.CharOID), col("defaclacl", types.AclitemArrayOID),
		}},
		{Schema: "pg_catalog", Name: "pg_foreign_data_wrapper", OID: 2328, Columns: []Column{
			col("oid", types.OidOID), col("fdwname", types.NameOID), col("fdwowner", types.OidOID),
			col("fdwhandler", types.OidOID), col("fdwvalidator", types.OidOID), col("fdwacl", types.AclitemArrayOID),
			col("fdwoptions", types.TextArrayOID),
		}},
		{Schema: "pg_catalog", Name: "pg_foreign_server", OID: 1417, Columns: []Column{
			col("oid", types.OidOID), col("srvname", types.NameOID), col("srvowner", types.OidOID), col("srvfdw", types.OidOID),
			col("srvtype", types.TextOID), col("srvversion", types.TextOID), col("srvacl", types.AclitemArrayOID),
			col("srvoptions", types.TextArrayOID),
		}},
		{Schema: "pg_catalog", Name: "pg_shdepend", OID: 1214, Columns: []Column{
			col("dbid", types.OidOID), col("classid", types.OidOID), col("objid", types.OidOID), col("objsubid", types.Int4OID),
			col("refclassid", types.OidOID), col("refobjid", types.OidOID), col("deptype", types.CharOID),
		}},
		{Schema: "pg_catalog", Name: "pg_cast", OID: 2605, Columns: []Column{
			col("oid", types.OidOID), col("castsource", types.OidOID), col("casttarget", types.OidOID),
			col("castfunc", types.OidOID), col("castcontext", types.CharOID), col("castmethod", types.CharOID),
		}},
		{Schema: "pg_catalog", Name: "pg_aggregate", OID: 2600, Columns: []Column{
			col("aggfnoid", types.RegprocOID), col("aggkind", types.CharOID), col("aggnumdirectargs", types.Int2OID),
			col("aggtransfn", types.RegprocOID), col("aggfinalfn", types.RegprocOID), col("aggcombinefn", types.RegprocOID),
			col("aggserialfn", types.RegprocOID), col("aggdeserialfn", types.RegprocOID), col("aggmtransfn", types.RegprocOID),
			col("aggminvtransfn", types.RegprocOID), col("aggmfinalfn", types.RegprocOID), col("aggfinalextra", types.BoolOID),
			col("aggmfinalextra", types.BoolOID), col("aggfinalmodify", types.CharOID), col("aggmfinalmodify", types.CharOID),
			col("aggsortop", types.OidOID), col("aggtranstype", types.OidOID), col("aggtransspace", types.Int4OID),
			col("aggmtranstype", types.OidOID), col("aggmtransspace", types.Int4OID), col("agginitval", types.TextOID),
			col("aggminitval", types.TextOID),
		}},
		{Schema: "pg_catalog", Name: "pg_locks", OID: 12073, Kind: 'v', Columns: []Column{
			col("locktype", types.TextOID), col("database", types.OidOID), col("relation", types.OidOID),
			col("page", types.Int4OID), col("tuple", types.Int2OID), col("virtualxid", types.TextOID),
			col("transactionid", types.XidOID), col("classid", types.OidOID), col("objid", types.OidOID),
			col("objsubid", types.Int2OID), col("virtualtransaction", types.TextOID), col("pid", types.Int4OID),
			col("mode", types.TextOID), col("granted", types.BoolOID), col("fastpath", types.BoolOID),
			col("waitstart", types.TimestampTZOID),
		}},
		{Schema: "pg_catalog", Name: "pg_prepared_statements", OID: 12095, Kind: 'v', Columns: []Column{
			col("name", types.TextOID), col("statement", types.TextOID), col("prepare_time", types.TimestampTZOID),
			col("parameter_types", types.RegtypeArrayOID), col("from_sql", types.BoolOID), col("generic_plans", types.Int8OID),
			col("custom_plans", types.Int8OID),
		}},
	}
}

// noRows is the Rows of an empty table.
func noRows(planner.Env) ([][]types.Datum, error) { return nil, nil }
