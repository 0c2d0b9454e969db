// Package pgcatalog generates PostgreSQL's system catalogs (pg_catalog)
// and the information_schema views as virtual tables, computed from the
// storage catalog each time a statement reads them.
//
// Clients learn about a database by querying these tables: psql's \d
// commands, drivers looking up type OIDs, ORMs introspecting schemas. The
// tables have PostgreSQL 16's column names and types, and PostgreSQL's OIDs
// and conventions for built-in objects; vecgres's own objects (tables,
// indexes, sequences, schemas) have the stable OIDs storage gives them.
// Queries over them run through the ordinary binder and executor, so joins
// and expressions behave as on any other table.
//
// Lookup finds a table by schema and name for the binder; each table's
// Rows function builds its rows from the planner.Env of the statement.
//
// # Where the rows come from
//
//   - Relations (pg_class, pg_attribute, pg_index, pg_constraint,
//     pg_attrdef, pg_depend, pg_sequence, the information_schema views)
//     from storage's tables, indexes and sequences, and from this package's
//     own tables, which are relations too (pg_class is 1259, as in
//     PostgreSQL, so 'pg_catalog.pg_class'::regclass works).
//   - Built-in objects (pg_type, pg_proc, pg_operator, pg_opfamily,
//     pg_opclass and their comments) from rows recorded from PostgreSQL
//     with pgvector (data/*.jsonl, see builtin_data.go and record_test.go),
//     restricted to what vecgres has: the types of sql/types, the
//     functions of the builtins registry with PostgreSQL's signatures, and
//     pgvector's objects. pgvector's types and functions are in public, as
//     CREATE EXTENSION vector puts them there.
//   - The rest (roles, databases, extensions, access methods, collations,
//     settings) from small tables in this package. Catalogs of features
//     vecgres lacks (policies, publications, triggers, inheritance, ...)
//     exist and are empty.
//
// # OIDs
//
// Built-in objects keep PostgreSQL's OIDs (pg_catalog 11, public 2200,
// heap 2, btree 403, the bootstrap superuser 10). Objects that PostgreSQL
// numbers when they are created get fixed OIDs below types.FirstUserOID,
// which storage never hands out: pgvector's types 16385-16390 (sql/types),
// the hnsw access method 16391, the vector extension 16393, the session's
// database 16394 when it is not one of a new cluster's, pgvector's
// functions, operators and operator classes 15000-15999, and the views
// PostgreSQL numbers at initdb 14000-14999 (see oids.go). storage keeps no
// default objects nor primary key or unique constraint objects, so such a
// constraint's OID is its index's plus ConstraintOIDOffset and a default's
// is derived from its table and column (attrdefOID); a CHECK constraint,
// kept in its table's descriptor, has an OID storage handed out.
//
// # Names of reg* values
//
// regclass, regtype, regproc and the other OID alias types are OIDs (int64
// datums, like oid) whose text is a name. Namer, the types.Namer of the
// session's FormatOptions, converts between the two when a value is read
// or printed, as PostgreSQL's regclassin and regclassout read the system
// catalogs: the name follows the catalog and the search path of the moment
// (qualified when the search path would not find the object). Datums never
// carry names, so comparison, hashing, casts to oid and the binary format
// are oid's. The same Namer is the builtins.SystemCatalog through which the
// catalog functions (pg_get_indexdef, pg_table_is_visible,
// obj_description, ...) reach this package, which imports builtins and so
// cannot be imported by it.
//
// # Expressions
//
// storage keeps column defaults, index expressions and predicates as SQL
// text; PostgreSQL keeps expression trees and prints them with ruleutils.
// ruleutils.go parses the text and prints it as ruleutils would ('x'::text,
// '-1'::integer, nextval('items_id_seq'::regclass), (a > 0)), and the
// pg_node_tree columns (adbin, indpred, indexprs) hold that printed text:
// pg_get_expr returns it, or its pretty form.
//
// Imports: planner (Env), storage (catalog descriptors), exec/builtins
// (the functions pg_proc lists, SystemCatalog), sql/types, sql/pgerr.
package pgcatalog
