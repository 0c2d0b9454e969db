package pgcatalog

import "github.com/vecgres/vecgres/sql/types"

// PostgreSQL's fixed OIDs of the built-in objects the catalogs refer to.
const (
	// Namespaces. information_schema's OID is storage's (PostgreSQL's
	// differs between versions).
	PgCatalogNamespace         types.OID = 11
	PgToastNamespace           types.OID = 99
	PublicNamespace            types.OID = 2200
	InformationSchemaNamespace types.OID = 13000

	// Roles: the bootstrap superuser, and pg_database_owner, which owns
	// the public schema since PostgreSQL 15.
	BootstrapSuperuser types.OID = 10
	DatabaseOwnerRole  types.OID = 6171

	// Access methods.
	HeapAM   types.OID = 2
	BtreeAM  types.OID = 403
	HashAM   types.OID = 405
	GistAM   types.OID = 783
	GinAM    types.OID = 2742
	SpgistAM types.OID = 4000
	BrinAM   types.OID = 3580

	// Databases of a new cluster, and tablespaces.
	Template1Database      types.OID = 1
	Template0Database      types.OID = 4
	PostgresDatabase       types.OID = 5
	DefaultTablespace      types.OID = 1663
	GlobalTablespace       types.OID = 1664
	DefaultCollation       types.OID = 100
	CCollation             types.OID = 950
	POSIXCollation         types.OID = 951
	UcsBasicCollation      types.OID = 12340
	CUTF8Collation         types.OID = 12341
	PlpgsqlExtension       types.OID = 13559
	PlpgsqlLanguage        types.OID = 13563
	InternalLanguage       types.OID = 12
	CLanguage              types.OID = 13
	SQLLanguage            types.OID = 14
	UTF8Encoding                     = 6
	FirstBootstrapObjectID           = 10000
)

// vecgres's own fixed OIDs. pgvector's objects get theirs when CREATE
// EXTENSION runs in PostgreSQL; vecgres has them built in, so they are
// numbered once, in blocks below types.FirstUserOID that PostgreSQL
// leaves to objects made after initdb and vecgres never hands to user
// objects: the types at 16385-16390 (sql/types), the access method and
// the extension at 16391-16399, and pgvector's functions, operators and
// operator classes at 15000-15999 (assigned by record_test.go in the
// order PostgreSQL lists them). The relations that are views in
// PostgreSQL (pg_roles, pg_indexes, the information_schema views), whose
// OIDs PostgreSQL assigns at initdb, are numbered at 14000-14999.
const (
	// HnswAM is the OID of the hnsw access method.
	HnswAM types.OID = 16391
	// IvfflatAM is reserved for pgvector's ivfflat access method, which
	// vecgres does not have (pg_am does not list it).
	IvfflatAM types.OID = 16392
	// VectorExtension is pg_extension's row for pgvector.
	VectorExtension types.OID = 16393
	// CurrentDatabase is the OID of the session's database when it is
	// not one of a new cluster's (postgres, template1, template0).
	CurrentDatabase types.OID = 16394

	// pgvector's objects (see record_test.go).
	firstVectorProc     types.OID = 15000
	firstVectorOperator types.OID = 15400
	firstVectorFamily   types.OID = 15600
	firstVectorClass    types.OID = 15700

	// firstViewOID numbers the relations of Lookup that have no fixed
	// OID in PostgreSQL.
	firstViewOID types.OID = 14000
)

// ConstraintOIDOffset is added to an index's OID to make the OID of the
// constraint (primary key or unique) it enforces: storage keeps no
// constraint objects, so pg_constraint derives them from the indexes.
const ConstraintOIDOffset types.OID = 1 << 30

// VectorVersion is the version pg_extension reports for pgvector: the
// release that vecgres's tests record pgvector's answers from.
const VectorVersion = "0.8.6"
