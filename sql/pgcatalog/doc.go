// Package pgcatalog generates PostgreSQL's system catalogs (pg_catalog)
// and the information_schema views as virtual tables, computed from the
// storage catalog each time a statement reads them.
//
// Clients learn about a database by querying these tables: psql's \d
// commands, drivers looking up type OIDs, ORMs introspecting schemas. The
// tables have PostgreSQL's column names and types, and PostgreSQL's OIDs
// and conventions for built-in objects; vecgres's own objects (tables,
// indexes, sequences, schemas) have the stable OIDs storage gives them.
// Queries over them run through the ordinary binder and executor, so joins
// and expressions behave as on any other table.
//
// Lookup finds a table by schema and name for the binder; each table's
// Rows function builds its rows from the planner.Env of the statement.
//
// Imports: planner (Env), storage (catalog descriptors), exec/builtins
// (the functions pg_proc lists), sql/types, sql/pgerr.
package pgcatalog
