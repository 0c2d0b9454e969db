package pgcatalog

import (
	"slices"
	"time"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// database is a pg_database row. vecgres serves one store under any
// database name; it lists the databases of a new PostgreSQL cluster and
// the one the session connected to.
type database struct {
	oid      types.OID
	name     string
	template bool
	allow    bool
	comment  string
}

func databases(env planner.Env) []database {
	out := []database{
		{Template1Database, "template1", true, true, "default template for new databases"},
		{Template0Database, "template0", true, false, "unmodifiable empty database"},
		{PostgresDatabase, "postgres", false, true, "default administrative connection database"},
	}
	if cur := env.Database(); !slices.ContainsFunc(out, func(d database) bool { return d.name == cur }) {
		out = append(out, database{oid: CurrentDatabase, name: cur, allow: true})
	}
	return out
}

// currentDatabaseOID is the OID of the session's database.
func currentDatabaseOID(env planner.Env) types.OID {
	for _, d := range databases(env) {
		if d.name == env.Database() {
			return d.oid
		}
	}
	return CurrentDatabase
}

func pgDatabase() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_database", OID: 1262,
		Columns: []Column{
			col("oid", types.OidOID), col("datname", types.NameOID), col("datdba", types.OidOID), col("encoding", types.Int4OID),
			col("datlocprovider", types.CharOID), col("datistemplate", types.BoolOID), col("datallowconn", types.BoolOID),
			col("datconnlimit", types.Int4OID), col("datfrozenxid", types.XidOID), col("datminmxid", types.XidOID),
			col("dattablespace", types.OidOID), col("datcollate", types.TextOID), col("datctype", types.TextOID),
			col("daticulocale", types.TextOID), col("daticurules", types.TextOID), col("datcollversion", types.TextOID),
			col("datacl", types.AclitemArrayOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			su := superuser(env)
			var rows [][]types.Datum
			for _, d := range databases(env) {
				var acl types.Datum
				if d.template {
					acl = aclArray("=c/"+su, su+"=CTc/"+su)
				}
				rows = append(rows, []types.Datum{
					oid(d.oid), d.name, oid(BootstrapSuperuser), int64(UTF8Encoding),
					"c", d.template, d.allow,
					int64(-1), int64(716), int64(1),
					oid(DefaultTablespace), "C", "C",
					nil, nil, nil,
					acl,
				})
			}
			return rows, nil
		},
	}
}

func pgTablespace() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_tablespace", OID: 1213,
		Columns: []Column{
			col("oid", types.OidOID), col("spcname", types.NameOID), col("spcowner", types.OidOID),
			col("spcacl", types.AclitemArrayOID), col("spcoptions", types.TextArrayOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			return [][]types.Datum{
				{oid(DefaultTablespace), "pg_default", oid(BootstrapSuperuser), nil, nil},
				{oid(GlobalTablespace), "pg_global", oid(BootstrapSuperuser), nil, nil},
			}, nil
		},
	}
}

// role is a pg_authid row.
type role struct {
	oid                                                                 types.OID
	name                                                                string
	super, login, inherit, createRole, createDB, replication, bypassRLS bool
	connLimit                                                           int64
	password                                                            string // SCRAM secret or md5 hash
	validUntil                                                          time.Time
}

// roles returns the bootstrap superuser, the stored roles (roles.go) and
// PostgreSQL 16's predefined roles.
func roles(env planner.Env) []role {
	predefined := func(o types.OID, name string) role { return role{oid: o, name: name, inherit: true, connLimit: -1} }
	return withStoredRoles(env, []role{
		predefined(3373, "pg_monitor"),
		predefined(3374, "pg_read_all_settings"),
		predefined(3375, "pg_read_all_stats"),
		predefined(3377, "pg_stat_scan_tables"),
		predefined(4200, "pg_signal_backend"),
		predefined(4544, "pg_checkpoint"),
		predefined(4550, "pg_use_reserved_connections"),
		predefined(4569, "pg_read_server_files"),
		predefined(4570, "pg_write_server_files"),
		predefined(4571, "pg_execute_server_program"),
		predefined(DatabaseOwnerRole, "pg_database_owner"),
		predefined(6181, "pg_read_all_data"),
		predefined(6182, "pg_write_all_data"),
		predefined(6304, "pg_create_subscription"),
	})
}

func roleName(env planner.Env, o types.OID) (string, bool) {
	for _, r := range roles(env) {
		if r.oid == o {
			return r.name, true
		}
	}
	return "", false
}

func pgAuthid() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_authid", OID: 1260,
		Columns: []Column{
			col("oid", types.OidOID), col("rolname", types.NameOID), col("rolsuper", types.BoolOID),
			col("rolinherit", types.BoolOID), col("rolcreaterole", types.BoolOID), col("rolcreatedb", types.BoolOID),
			col("rolcanlogin", types.BoolOID), col("rolreplication", types.BoolOID), col("rolbypassrls", types.BoolOID),
			col("rolconnlimit", types.Int4OID), col("rolpassword", types.TextOID), col("rolvaliduntil", types.TimestampTZOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, r := range roles(env) {
				rows = append(rows, []types.Datum{oid(r.oid), r.name, r.super, r.inherit, r.createRole, r.createDB, r.login,
					r.replication, r.bypassRLS, r.connLimit, r.passwordDatum(), r.validUntilDatum()})
			}
			return rows, nil
		},
	}
}

func pgRoles() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_roles", OID: 12000, Kind: 'v',
		Columns: []Column{
			col("rolname", types.NameOID), col("rolsuper", types.BoolOID), col("rolinherit", types.BoolOID),
			col("rolcreaterole", types.BoolOID), col("rolcreatedb", types.BoolOID), col("rolcanlogin", types.BoolOID),
			col("rolreplication", types.BoolOID), col("rolconnlimit", types.Int4OID), col("rolpassword", types.TextOID),
			col("rolvaliduntil", types.TimestampTZOID), col("rolbypassrls", types.BoolOID), col("rolconfig", types.TextArrayOID),
			col("oid", types.OidOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, r := range roles(env) {
				rows = append(rows, []types.Datum{r.name, r.super, r.inherit, r.createRole, r.createDB, r.login,
					r.replication, r.connLimit, r.maskedPassword(), r.validUntilDatum(), r.bypassRLS, nil, oid(r.oid)})
			}
			return rows, nil
		},
	}
}

func pgUser() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_user", OID: 12014, Kind: 'v',
		Columns: []Column{
			col("usename", types.NameOID), col("usesysid", types.OidOID), col("usecreatedb", types.BoolOID),
			col("usesuper", types.BoolOID), col("userepl", types.BoolOID), col("usebypassrls", types.BoolOID),
			col("passwd", types.TextOID), col("valuntil", types.TimestampTZOID), col("useconfig", types.TextArrayOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, r := range roles(env) {
				if r.login {
					rows = append(rows, []types.Datum{r.name, oid(r.oid), r.createDB, r.super, r.replication, r.bypassRLS,
						"********", r.validUntilDatum(), nil})
				}
			}
			return rows, nil
		},
	}
}

func pgAuthMembers() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_auth_members", OID: 1261,
		Columns: []Column{
			col("oid", types.OidOID), col("roleid", types.OidOID), col("member", types.OidOID), col("grantor", types.OidOID),
			col("admin_option", types.BoolOID), col("inherit_option", types.BoolOID), col("set_option", types.BoolOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for i, member := range []types.OID{3374, 3375, 3377} {
				rows = append(rows, []types.Datum{oid(6300 + types.OID(i)), oid(member), oid(3373), oid(BootstrapSuperuser),
					false, true, true})
			}
			return rows, nil
		},
	}
}

// settingNames lists the settings pg_settings shows, with their vartype
// and context; the values come from the session.
var settingNames = []struct{ name, vartype, context string }{
	{"application_name", "string", "user"},
	{"block_size", "integer", "internal"},
	{"bytea_output", "enum", "user"},
	{"client_encoding", "string", "user"},
	{"client_min_messages", "enum", "user"},
	{"DateStyle", "string", "user"},
	{"default_transaction_isolation", "enum", "user"},
	{"default_transaction_read_only", "bool", "user"},
	{"enable_indexscan", "bool", "user"},
	{"enable_seqscan", "bool", "user"},
	{"extra_float_digits", "integer", "user"},
	{"hnsw.ef_search", "integer", "user"},
	{"hnsw.iterative_scan", "enum", "user"},
	{"hnsw.max_scan_tuples", "integer", "user"},
	{"hnsw.scan_mem_multiplier", "real", "user"},
	{"idle_in_transaction_session_timeout", "integer", "user"},
	{"in_hot_standby", "bool", "internal"},
	{"integer_datetimes", "bool", "internal"},
	{"IntervalStyle", "enum", "user"},
	{"is_superuser", "bool", "internal"},
	{"jit", "bool", "user"},
	{"lc_collate", "string", "internal"},
	{"lc_ctype", "string", "internal"},
	{"lc_messages", "string", "superuser"},
	{"lc_monetary", "string", "user"},
	{"lc_numeric", "string", "user"},
	{"lc_time", "string", "user"},
	{"lock_timeout", "integer", "user"},
	{"maintenance_work_mem", "integer", "user"},
	{"max_connections", "integer", "postmaster"},
	{"max_identifier_length", "integer", "internal"},
	{"max_parallel_workers_per_gather", "integer", "user"},
	{"row_security", "bool", "user"},
	{"scram_iterations", "integer", "user"},
	{"search_path", "string", "user"},
	{"server_encoding", "string", "internal"},
	{"server_version", "string", "internal"},
	{"server_version_num", "integer", "internal"},
	{"session_authorization", "string", "user"},
	{"standard_conforming_strings", "bool", "user"},
	{"statement_timeout", "integer", "user"},
	{"synchronous_commit", "enum", "user"},
	{"TimeZone", "string", "user"},
	{"transaction_isolation", "enum", "user"},
	{"work_mem", "integer", "user"},
}

func pgSettings() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_settings", OID: 12104, Kind: 'v',
		Columns: []Column{
			col("name", types.TextOID), col("setting", types.TextOID), col("unit", types.TextOID),
			col("category", types.TextOID), col("short_desc", types.TextOID), col("extra_desc", types.TextOID),
			col("context", types.TextOID), col("vartype", types.TextOID), col("source", types.TextOID),
			col("min_val", types.TextOID), col("max_val", types.TextOID), col("enumvals", types.TextArrayOID),
			col("boot_val", types.TextOID), col("reset_val", types.TextOID), col("sourcefile", types.TextOID),
			col("sourceline", types.Int4OID), col("pending_restart", types.BoolOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, s := range settingNames {
				v, err := env.Setting(s.name)
				if err != nil {
					continue
				}
				rows = append(rows, []types.Datum{s.name, v, nil, "", "", nil, s.context, s.vartype, "default",
					nil, nil, nil, nil, v, nil, nil, false})
			}
			return rows, nil
		},
	}
}

// extension is a pg_extension row.
type extension struct {
	oid       types.OID
	name      string
	namespace types.OID
	reloc     bool
	version   string
	comment   string
}

// extensions are the extensions vecgres has built in.
var extensions = []extension{
	{PlpgsqlExtension, "plpgsql", PgCatalogNamespace, false, "1.0", "PL/pgSQL procedural language"},
	{VectorExtension, "vector", PublicNamespace, true, VectorVersion, "vector data type and ivfflat and hnsw access methods"},
}

func pgExtension() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_extension", OID: 3079,
		Columns: []Column{
			col("oid", types.OidOID), col("extname", types.NameOID), col("extowner", types.OidOID),
			col("extnamespace", types.OidOID), col("extrelocatable", types.BoolOID), col("extversion", types.TextOID),
			col("extconfig", types.OidArrayOID), col("extcondition", types.TextArrayOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, e := range extensions {
				rows = append(rows, []types.Datum{oid(e.oid), e.name, oid(BootstrapSuperuser), oid(e.namespace), e.reloc,
					e.version, nil, nil})
			}
			return rows, nil
		},
	}
}

func pgAvailableExtensions() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_available_extensions", OID: 12081, Kind: 'v',
		Columns: []Column{
			col("name", types.NameOID), col("default_version", types.TextOID), col("installed_version", types.TextOID),
			col("comment", types.TextOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, e := range extensions {
				rows = append(rows, []types.Datum{e.name, e.version, e.version, e.comment})
			}
			return rows, nil
		},
	}
}

// collations are pg_collation's rows: vecgres compares text bytewise, as
// under the C collation, whichever of these is named.
var collations = []struct {
	oid            types.OID
	name, provider string
	encoding       int64
	collate, ctype any
	comment        string
}{
	{DefaultCollation, "default", "d", -1, nil, nil, "database's default collation"},
	{CCollation, "C", "c", -1, "C", "C", "standard C collation"},
	{POSIXCollation, "POSIX", "c", -1, "POSIX", "POSIX", "standard POSIX collation"},
	{UcsBasicCollation, "ucs_basic", "c", 6, "C", "C", ""},
	{CUTF8Collation, "C.utf8", "c", 6, "C.utf8", "C.utf8", ""},
}

func pgCollation() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_collation", OID: 3456,
		Columns: []Column{
			col("oid", types.OidOID), col("collname", types.NameOID), col("collnamespace", types.OidOID),
			col("collowner", types.OidOID), col("collprovider", types.CharOID), col("collisdeterministic", types.BoolOID),
			col("collencoding", types.Int4OID), col("collcollate", types.TextOID), col("collctype", types.TextOID),
			col("colliculocale", types.TextOID), col("collicurules", types.TextOID), col("collversion", types.TextOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, c := range collations {
				rows = append(rows, []types.Datum{oid(c.oid), c.name, oid(PgCatalogNamespace), oid(BootstrapSuperuser),
					c.provider, true, c.encoding, c.collate, c.ctype, nil, nil, nil})
			}
			return rows, nil
		},
	}
}

func pgStatActivity() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_stat_activity", OID: 12222, Kind: 'v',
		Columns: []Column{
			col("datid", types.OidOID), col("datname", types.NameOID), col("pid", types.Int4OID),
			col("leader_pid", types.Int4OID), col("usesysid", types.OidOID), col("usename", types.NameOID),
			col("application_name", types.TextOID), col("client_addr", types.TextOID), col("client_hostname", types.TextOID),
			col("client_port", types.Int4OID), col("backend_start", types.TimestampTZOID),
			col("xact_start", types.TimestampTZOID), col("query_start", types.TimestampTZOID),
			col("state_change", types.TimestampTZOID), col("wait_event_type", types.TextOID), col("wait_event", types.TextOID),
			col("state", types.TextOID), col("backend_xid", types.XidOID), col("backend_xmin", types.XidOID),
			col("query_id", types.Int8OID), col("query", types.TextOID), col("backend_type", types.TextOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, b := range backends(env) {
				query := b.Query
				rows = append(rows, []types.Datum{
					oid(currentDatabaseOID(env)), b.Database, int64(b.PID),
					nil, oid(BootstrapSuperuser), b.User,
					b.ApplicationName, nil, nil,
					nil, timeOrNull(b.BackendStart),
					timeOrNull(b.XactStart), timeOrNull(b.QueryStart),
					timeOrNull(b.StateChange), nil, nil,
					b.State, nil, nil,
					nil, query, "client backend",
				})
			}
			return rows, nil
		},
	}
}

// description is a pg_description (or pg_shdescription) row.
type description struct {
	objoid, classoid types.OID
	subid            int32
	text             string
}

// descriptions returns the comments on built-in objects.
func descriptions() []description {
	data := builtinRows()
	var out []description
	for _, p := range data.procs {
		if p.Description != nil {
			out = append(out, description{p.OID, classPgProc, 0, *p.Description})
		}
	}
	for _, t := range data.types {
		if t.Description != nil {
			out = append(out, description{t.OID, classPgType, 0, *t.Description})
		}
	}
	for _, o := range data.operators {
		if o.Description != nil {
			out = append(out, description{o.OID, classPgOperator, 0, *o.Description})
		}
	}
	out = append(out,
		description{HeapAM, classPgAm, 0, "heap table access method"},
		description{BtreeAM, classPgAm, 0, "b-tree index access method"},
		description{HnswAM, classPgAm, 0, "hnsw index access method"},
		description{PgCatalogNamespace, classPgNamespace, 0, "system catalog schema"},
		description{PgToastNamespace, classPgNamespace, 0, "reserved schema for TOAST tables"},
		description{PublicNamespace, classPgNamespace, 0, "standard public schema"},
		description{InternalLanguage, 2612, 0, "built-in functions"},
		description{CLanguage, 2612, 0, "dynamically-loaded C functions"},
		description{SQLLanguage, 2612, 0, "SQL-language functions"},
		description{PlpgsqlLanguage, 2612, 0, "PL/pgSQL procedural language"},
	)
	for _, c := range collations {
		if c.comment != "" {
			out = append(out, description{c.oid, 3456, 0, c.comment})
		}
	}
	for _, e := range extensions {
		out = append(out, description{e.oid, classPgExtension, 0, e.comment})
	}
	return out
}

func pgDescription() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_description", OID: 2609,
		Columns: []Column{
			col("objoid", types.OidOID), col("classoid", types.OidOID), col("objsubid", types.Int4OID),
			col("description", types.TextOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, d := range descriptions() {
				rows = append(rows, []types.Datum{oid(d.objoid), oid(d.classoid), integer(d.subid), d.text})
			}
			return rows, nil
		},
	}
}

func pgShdescription() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_shdescription", OID: 2396,
		Columns: []Column{
			col("objoid", types.OidOID), col("classoid", types.OidOID), col("description", types.TextOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, d := range databases(env) {
				if d.comment != "" {
					rows = append(rows, []types.Datum{oid(d.oid), oid(classPgDatabase), d.comment})
				}
			}
			return rows, nil
		},
	}
}
