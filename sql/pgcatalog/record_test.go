package pgcatalog

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/sql/types"
)

var recordURL = flag.String("record", "", "record data/*.jsonl from the PostgreSQL + pgvector server at this URL")

// TestRecordBuiltins records the built-in rows of pg_type, pg_proc,
// pg_operator, pg_opfamily and pg_opclass (see builtin_data.go) from a
// PostgreSQL server with pgvector installed in the public schema of the
// database the URL names:
//
//	go test ./sql/pgcatalog -run TestRecordBuiltins -record 'postgres://postgres@127.0.0.1:55432/vgpsql?sslmode=disable'
func TestRecordBuiltins(t *testing.T) {
	if *recordURL == "" {
		t.Skip("no -record URL")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, *recordURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	r := &recorder{t: t, ctx: ctx, conn: conn, typeMap: map[types.OID]types.OID{}, objMap: map[types.OID]types.OID{}}
	r.record()
}

type recorder struct {
	t    *testing.T
	ctx  context.Context
	conn *pgx.Conn
	// typeMap maps the server's type OIDs to vecgres's; objMap the
	// server's OIDs of pgvector's functions, operators, operator families
	// and classes, and access methods to vecgres's.
	typeMap map[types.OID]types.OID
	objMap  map[types.OID]types.OID
}

// query runs a query whose rows are one JSON object each and decodes them.
func query[T any](r *recorder, sql string, args ...any) []*T {
	r.t.Helper()
	rows, err := r.conn.Query(r.ctx, "SELECT row_to_json(x)::text FROM ("+sql+") x", args...)
	if err != nil {
		r.t.Fatalf("%v\n%s", err, sql)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			r.t.Fatal(err)
		}
		v := new(T)
		if err := json.Unmarshal([]byte(s), v); err != nil {
			r.t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		r.t.Fatalf("%v\n%s", err, sql)
	}
	return out
}

func (r *recorder) oids(sql string, args ...any) []types.OID {
	r.t.Helper()
	var out []types.OID
	rows, err := r.conn.Query(r.ctx, sql, args...)
	if err != nil {
		r.t.Fatalf("%v\n%s", err, sql)
	}
	defer rows.Close()
	for rows.Next() {
		var o uint32
		if err := rows.Scan(&o); err != nil {
			r.t.Fatal(err)
		}
		out = append(out, types.OID(o))
	}
	return out
}

// extensionObjects returns the OIDs of pgvector's objects in catalog
// class, in creation order.
func (r *recorder) extensionObjects(class string) []types.OID {
	return r.oids(`SELECT d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
		WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'vector' AND d.classid = $1::regclass
		ORDER BY d.objid`, class)
}

func (r *recorder) number(objs []types.OID, first types.OID) {
	for i, o := range objs {
		r.objMap[o] = first + types.OID(i)
	}
}

func (r *recorder) typ(o types.OID) types.OID {
	if v, ok := r.typeMap[o]; ok {
		return v
	}
	return o
}

func (r *recorder) obj(o types.OID) types.OID {
	if v, ok := r.objMap[o]; ok {
		return v
	}
	return o
}

func (r *recorder) typs(os []types.OID) []types.OID {
	if os == nil {
		return nil
	}
	out := make([]types.OID, len(os))
	for i, o := range os {
		out[i] = r.typ(o)
	}
	return out
}

const (
	typeColumns = `t.oid::int8 AS oid, t.typname, t.typnamespace::int8 AS typnamespace, t.typlen, t.typbyval, t.typtype,
		t.typcategory, t.typispreferred, t.typdelim, t.typrelid::int8 AS typrelid, t.typsubscript::oid::int8 AS typsubscript,
		t.typelem::int8 AS typelem, t.typarray::int8 AS typarray, t.typinput::oid::int8 AS typinput,
		t.typoutput::oid::int8 AS typoutput, t.typreceive::oid::int8 AS typreceive, t.typsend::oid::int8 AS typsend,
		t.typmodin::oid::int8 AS typmodin, t.typmodout::oid::int8 AS typmodout, t.typanalyze::oid::int8 AS typanalyze,
		t.typalign, t.typstorage, t.typbasetype::int8 AS typbasetype, t.typtypmod, t.typndims,
		t.typcollation::int8 AS typcollation, obj_description(t.oid, 'pg_type') AS description`
	procColumns = `p.oid::int8 AS oid, p.proname, p.pronamespace::int8 AS pronamespace, p.prolang::int8 AS prolang,
		p.procost, p.prorows, p.provariadic::int8 AS provariadic, p.prosupport::oid::int8 AS prosupport,
		p.prokind, p.prosecdef, p.proleakproof, p.proisstrict, p.proretset, p.provolatile, p.proparallel, p.pronargs,
		p.pronargdefaults, p.prorettype::int8 AS prorettype, p.proargtypes::oid[]::int8[] AS proargtypes,
		p.proallargtypes::int8[] AS proallargtypes, p.proargmodes::text[] AS proargmodes, p.proargnames, p.prosrc, p.probin,
		pg_get_function_arguments(p.oid) AS arguments, pg_get_function_identity_arguments(p.oid) AS identity_arguments,
		pg_get_function_result(p.oid) AS result, obj_description(p.oid, 'pg_proc') AS description`
	operatorColumns = `o.oid::int8 AS oid, o.oprname, o.oprnamespace::int8 AS oprnamespace, o.oprkind, o.oprcanmerge,
		o.oprcanhash, o.oprleft::int8 AS oprleft, o.oprright::int8 AS oprright, o.oprresult::int8 AS oprresult,
		o.oprcom::int8 AS oprcom, o.oprnegate::int8 AS oprnegate, o.oprcode::oid::int8 AS oprcode,
		o.oprrest::oid::int8 AS oprrest, o.oprjoin::oid::int8 AS oprjoin, obj_description(o.oid, 'pg_operator') AS description`
)

func (r *recorder) record() {
	// Types: vecgres's built-in types keep PostgreSQL's OIDs; pgvector's
	// are vecgres's.
	var builtinTypes []uint32
	for _, info := range types.All() {
		if info.OID < types.VectorOID {
			builtinTypes = append(builtinTypes, uint32(info.OID))
		}
	}
	vectorTypes := []string{"vector", "_vector", "halfvec", "_halfvec", "sparsevec", "_sparsevec"}
	typeRows := query[typeRow](r, `SELECT `+typeColumns+` FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
		WHERE t.oid = ANY($1::oid[]) OR (n.nspname = 'public' AND t.typname = ANY($2::text[])) ORDER BY t.oid`,
		builtinTypes, vectorTypes)
	for _, tr := range typeRows {
		if tr.OID >= 16384 { // FirstNormalObjectId: made by CREATE EXTENSION
			oid, ok := types.TypeByName(tr.Name)
			if !ok {
				r.t.Fatalf("no vecgres type %s", tr.Name)
			}
			r.typeMap[tr.OID] = oid
		}
	}
	// pgvector's objects and access methods.
	r.number(r.extensionObjects("pg_proc"), firstVectorProc)
	r.number(r.extensionObjects("pg_operator"), firstVectorOperator)
	r.number(r.extensionObjects("pg_opfamily"), firstVectorFamily)
	r.number(r.extensionObjects("pg_opclass"), firstVectorClass)
	for _, am := range query[struct {
		OID    types.OID `json:"oid"`
		Amname string    `json:"amname"`
	}](r, `SELECT oid::int8 AS oid, amname FROM pg_am WHERE amname IN ('hnsw', 'ivfflat')`) {
		if am.Amname == "hnsw" {
			r.objMap[am.OID] = HnswAM
		} else {
			r.objMap[am.OID] = IvfflatAM
		}
	}

	reg := builtins.NewRegistry()
	// Operators: the registry's with PostgreSQL's signatures, and
	// pgvector's.
	var opNames []string
	opNames = append(opNames, reg.BinaryOperatorNames()...)
	opNames = append(opNames, reg.PrefixOperatorNames()...)
	var operators []*operatorRow
	for _, o := range query[operatorRow](r, `SELECT `+operatorColumns+` FROM pg_operator o
		WHERE (o.oprnamespace = 11 AND o.oprname = ANY($1::text[])) OR o.oid = ANY($2::oid[]) ORDER BY o.oid`,
		opNames, r.extensionObjects("pg_operator")) {
		if _, ext := r.objMap[o.OID]; !ext && !registryHasOperator(reg, o.Name, o.Kind, o.Left, o.Right) {
			continue
		}
		operators = append(operators, o)
	}

	// Operator classes and families: btree's for vecgres's types, and
	// pgvector's for btree and hnsw.
	classes := query[opclassRow](r, `SELECT c.oid::int8 AS oid, c.opcmethod::int8 AS opcmethod, c.opcname,
		c.opcnamespace::int8 AS opcnamespace, c.opcfamily::int8 AS opcfamily, c.opcintype::int8 AS opcintype,
		c.opcdefault, c.opckeytype::int8 AS opckeytype FROM pg_opclass c
		WHERE (c.opcmethod = 403 AND c.opcintype = ANY($1::oid[]) AND c.opcnamespace = 11) OR c.oid = ANY($2::oid[])
		ORDER BY c.oid`, builtinTypes, r.extensionObjects("pg_opclass"))
	classes = slices.DeleteFunc(classes, func(c *opclassRow) bool {
		_, known := types.Lookup(r.typ(c.InType))
		return r.obj(c.Method) == IvfflatAM || !known
	})
	var familyOIDs []uint32
	for _, c := range classes {
		familyOIDs = append(familyOIDs, uint32(c.Family))
	}
	families := query[opfamilyRow](r, `SELECT oid::int8 AS oid, opfmethod::int8 AS opfmethod, opfname,
		opfnamespace::int8 AS opfnamespace FROM pg_opfamily
		WHERE oid = ANY($1::oid[]) ORDER BY oid`, familyOIDs)

	// Functions: the registry's with PostgreSQL's signatures, the ones
	// the types, operators and access methods refer to, and pgvector's.
	names := append(reg.FunctionNames(), reg.AggregateNames()...)
	var referenced []uint32
	for _, tr := range typeRows {
		for _, o := range []types.OID{tr.Subscript, tr.Input, tr.Output, tr.Receive, tr.Send, tr.ModIn, tr.ModOut, tr.Analyze} {
			referenced = append(referenced, uint32(o))
		}
	}
	for _, o := range operators {
		referenced = append(referenced, uint32(o.Code), uint32(o.Rest), uint32(o.Join))
	}
	for _, o := range r.oids(`SELECT amhandler::oid FROM pg_am WHERE amname IN ('heap', 'btree', 'hash', 'gist', 'gin', 'spgist', 'brin', 'hnsw')`) {
		referenced = append(referenced, uint32(o))
	}
	var procs []*procRow
	for _, p := range query[procRow](r, `SELECT `+procColumns+` FROM pg_proc p
		WHERE (p.pronamespace = 11 AND p.proname = ANY($1::text[])) OR p.oid = ANY($2::oid[]) OR p.oid = ANY($3::oid[])
		ORDER BY p.oid`, names, referenced, r.extensionObjects("pg_proc")) {
		_, ext := r.objMap[p.OID]
		if !ext && !slices.Contains(referenced, uint32(p.OID)) && !registryHasFunction(reg, p) {
			continue
		}
		procs = append(procs, p)
	}

	// Renumber pgvector's objects and types, and write the files.
	for _, tr := range typeRows {
		tr.OID, tr.Elem, tr.Array, tr.RelID = r.typ(tr.OID), r.typ(tr.Elem), r.typ(tr.Array), r.typ(tr.RelID)
		tr.BaseType = r.typ(tr.BaseType)
		tr.Subscript, tr.Input, tr.Output, tr.Receive = r.obj(tr.Subscript), r.obj(tr.Input), r.obj(tr.Output), r.obj(tr.Receive)
		tr.Send, tr.ModIn, tr.ModOut, tr.Analyze = r.obj(tr.Send), r.obj(tr.ModIn), r.obj(tr.ModOut), r.obj(tr.Analyze)
	}
	slices.SortFunc(typeRows, func(a, b *typeRow) int { return int(a.OID) - int(b.OID) })
	for _, p := range procs {
		p.OID, p.Support = r.obj(p.OID), r.obj(p.Support)
		p.Variadic, p.RetType = r.typ(p.Variadic), r.typ(p.RetType)
		p.ArgTypes, p.AllArgTypes = r.typs(p.ArgTypes), r.typs(p.AllArgTypes)
		if p.ArgTypes == nil {
			p.ArgTypes = []types.OID{}
		}
	}
	for _, o := range operators {
		o.OID, o.Com, o.Negate = r.obj(o.OID), r.obj(o.Com), r.obj(o.Negate)
		o.Code, o.Rest, o.Join = r.obj(o.Code), r.obj(o.Rest), r.obj(o.Join)
		o.Left, o.Right, o.Result = r.typ(o.Left), r.typ(o.Right), r.typ(o.Result)
	}
	for _, f := range families {
		f.OID, f.Method = r.obj(f.OID), r.obj(f.Method)
	}
	for _, c := range classes {
		c.OID, c.Method, c.Family = r.obj(c.OID), r.obj(c.Method), r.obj(c.Family)
		c.InType, c.KeyType = r.typ(c.InType), r.typ(c.KeyType)
	}
	writeJSONL(r.t, "pg_type.jsonl", typeRows)
	writeJSONL(r.t, "pg_proc.jsonl", procs)
	writeJSONL(r.t, "pg_operator.jsonl", operators)
	writeJSONL(r.t, "pg_opfamily.jsonl", families)
	writeJSONL(r.t, "pg_opclass.jsonl", classes)
}

// isPolymorphic reports PostgreSQL's polymorphic pseudo-types, which the
// registry's AnyOID stands for.
func isPolymorphic(o types.OID) bool {
	switch o {
	case types.AnyOID, types.AnyElementOID, types.AnyArrayOID, types.AnyNonArrayOID,
		5077, 5078, 5079, 5080, 3500, 3831, 4537:
		return true
	}
	return false
}

func argsMatch(ours, theirs []types.OID) bool {
	if len(ours) != len(theirs) {
		return false
	}
	for i := range ours {
		if ours[i] != theirs[i] && ours[i] != builtins.AnyOID && !isPolymorphic(theirs[i]) {
			return false
		}
	}
	return true
}

func registryHasFunction(reg *builtins.Registry, p *procRow) bool {
	for _, o := range reg.Function(p.Name) {
		if argsMatch(o.Args, p.ArgTypes) || (o.Variadic && p.Variadic != 0) {
			return true
		}
	}
	for _, o := range reg.Aggregate(p.Name) {
		if argsMatch(o.Args, p.ArgTypes) {
			return true
		}
	}
	return false
}

func registryHasOperator(reg *builtins.Registry, name, kind string, left, right types.OID) bool {
	if kind == "l" {
		for _, o := range reg.PrefixOperator(name) {
			if argsMatch(o.Args, []types.OID{right}) {
				return true
			}
		}
		return false
	}
	for _, o := range reg.BinaryOperator(name) {
		if argsMatch(o.Args, []types.OID{left, right}) {
			return true
		}
	}
	return false
}

func writeJSONL[T any](t *testing.T, name string, rows []*T) {
	t.Helper()
	var buf bytes.Buffer
	for _, row := range rows {
		b, err := json.Marshal(row)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join("data", name), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d rows", name, len(rows))
}
