package builtins

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// The system information functions that clients call on the catalogs:
// psql's \d commands, drivers' type lookups, ORMs' introspection.

// SystemCatalog is what these functions ask about the objects that package
// pgcatalog describes: the system catalogs' own tables, the built-in
// functions, the ruleutils texts of index, constraint and default
// definitions. This package cannot import pgcatalog (pgcatalog imports it
// for the functions pg_proc lists), so the session hands it over as the
// types.Namer of its FormatOptions, which pgcatalog's Namer implements;
// systemCatalog finds it there by type assertion.
type SystemCatalog interface {
	types.Namer
	// Visible reports whether the object oid of the catalog whose
	// pg_class OID is class (pg_class, pg_type, pg_proc, pg_operator,
	// pg_opclass, pg_opfamily, pg_collation) is found by its unqualified
	// name along the search path; exists is false when there is no such
	// object.
	Visible(env planner.Env, class, oid types.OID) (visible, exists bool)
	// FunctionText returns pg_get_function_arguments (what 'a'),
	// pg_get_function_identity_arguments ('i') or pg_get_function_result
	// ('r') of a function.
	FunctionText(env planner.Env, oid types.OID, what byte) (string, bool)
	// IndexDef is pg_get_indexdef; ConstraintDef pg_get_constraintdef;
	// Expr pg_get_expr of a pg_node_tree value of relation relid.
	IndexDef(env planner.Env, oid types.OID, column int, pretty bool) (string, bool)
	ConstraintDef(env planner.Env, oid types.OID, pretty bool) (string, bool)
	Expr(env planner.Env, tree string, relid types.OID, pretty bool) string
	// Description is obj_description and col_description (subid > 0);
	// shared selects shobj_description.
	Description(env planner.Env, objoid, classoid types.OID, subid int32, shared bool) (string, bool)
	// SerialSequence is pg_get_serial_sequence: the qualified name of the
	// sequence a column's default draws from.
	SerialSequence(env planner.Env, table, column string) (string, bool, error)
	// RelationKind returns pg_class.relkind of a relation, 0 if none.
	RelationKind(env planner.Env, oid types.OID) byte
	// Describe is pg_describe_object: "table items", "function
	// l2_distance(vector,vector)", ...
	Describe(env planner.Env, classid, objid types.OID, subid int32) (string, bool)
}

// systemCatalog returns the session's SystemCatalog.
func systemCatalog(env planner.Env) (SystemCatalog, error) {
	if f := env.Format(); f != nil {
		if sc, ok := f.Namer.(SystemCatalog); ok {
			return sc, nil
		}
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "catalog functions need a session's catalog")
}

// pg_class OIDs of the catalogs the visibility functions look in.
const (
	pgClassOID     types.OID = 1259
	pgTypeOID      types.OID = 1247
	pgProcOID      types.OID = 1255
	pgOperatorOID  types.OID = 2617
	pgOpclassOID   types.OID = 2616
	pgOpfamilyOID  types.OID = 2753
	pgCollationOID types.OID = 3456
)

func oidArg(d types.Datum) types.OID { return types.OID(uint32(d.(int64))) }

// catalogFunc is an overload whose implementation needs the session's
// SystemCatalog.
func catalogFunc(ret types.T, args []types.OID, f func(env planner.Env, sc SystemCatalog, a []types.Datum) (types.Datum, error)) Overload {
	return Overload{Args: args, Ret: ret, Volatility: planner.Stable,
		Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) {
			sc, err := systemCatalog(env)
			if err != nil {
				return nil, err
			}
			return f(env, sc, a)
		}}
}

// textOrNull returns s, or NULL when ok is false.
func textOrNull(s string, ok bool) (types.Datum, error) {
	if !ok {
		return nil, nil
	}
	return s, nil
}

func addCatalogFuncs(r *Registry) {
	// The OID alias types, xid and cid compare as their OIDs (PostgreSQL
	// reaches oid's operators through a binary coercion).
	for _, oid := range []types.OID{types.RegclassOID, types.RegtypeOID, types.RegprocOID, types.RegprocedureOID,
		types.RegoperOID, types.RegoperatorOID, types.RegnamespaceOID, types.RegroleOID, types.RegcollationOID,
		types.XidOID, types.CidOID} {
		t := types.Of(oid)
		for _, op := range comparisonOps {
			test := op.test
			if (oid == types.XidOID || oid == types.CidOID) && op.name != "=" && op.name != "<>" {
				continue
			}
			r.addBinary(op.name, Overload{Args: sig(oid, oid), Ret: types.TBool,
				Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
					return test(types.Compare(t, a[0], a[1])), nil
				}})
		}
	}
	r.addFunc("format_type", Overload{Args: sig(types.OidOID, types.Int4OID), Ret: types.TText, NonStrict: true, Volatility: planner.Stable,
		Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) {
			if a[0] == nil {
				return nil, nil
			}
			return formatType(env, oidArg(a[0]), a[1]), nil
		}})

	// Definitions.
	indexDef := func(env planner.Env, sc SystemCatalog, a []types.Datum) (types.Datum, error) {
		col, pretty := 0, false
		if len(a) == 3 {
			col, pretty = int(a[1].(int64)), a[2].(bool)
		}
		return textOrNull(sc.IndexDef(env, oidArg(a[0]), col, pretty))
	}
	r.addFunc("pg_get_indexdef", catalogFunc(types.TText, sig(types.OidOID), indexDef))
	r.addFunc("pg_get_indexdef", catalogFunc(types.TText, sig(types.OidOID, types.Int4OID, types.BoolOID), indexDef))
	constraintDef := func(env planner.Env, sc SystemCatalog, a []types.Datum) (types.Datum, error) {
		return textOrNull(sc.ConstraintDef(env, oidArg(a[0]), len(a) == 2 && a[1].(bool)))
	}
	r.addFunc("pg_get_constraintdef", catalogFunc(types.TText, sig(types.OidOID), constraintDef))
	r.addFunc("pg_get_constraintdef", catalogFunc(types.TText, sig(types.OidOID, types.BoolOID), constraintDef))
	getExpr := func(env planner.Env, sc SystemCatalog, a []types.Datum) (types.Datum, error) {
		return sc.Expr(env, a[0].(string), oidArg(a[1]), len(a) == 3 && a[2].(bool)), nil
	}
	r.addFunc("pg_get_expr", catalogFunc(types.TText, sig(types.PgNodeTreeOID, types.OidOID), getExpr))
	r.addFunc("pg_get_expr", catalogFunc(types.TText, sig(types.PgNodeTreeOID, types.OidOID, types.BoolOID), getExpr))
	for name, what := range map[string]byte{"pg_get_function_arguments": 'a', "pg_get_function_identity_arguments": 'i', "pg_get_function_result": 'r'} {
		r.addFunc(name, catalogFunc(types.TText, sig(types.OidOID), func(env planner.Env, sc SystemCatalog, a []types.Datum) (types.Datum, error) {
			return textOrNull(sc.FunctionText(env, oidArg(a[0]), what))
		}))
	}
	r.addFunc("pg_get_serial_sequence", catalogFunc(types.TText, sig(types.TextOID, types.TextOID), func(env planner.Env, sc SystemCatalog, a []types.Datum) (types.Datum, error) {
		s, ok, err := sc.SerialSequence(env, str(a[0]), str(a[1]))
		if err != nil {
			return nil, err
		}
		return textOrNull(s, ok)
	}))
	r.addFunc("pg_describe_object", catalogFunc(types.TText, sig(types.OidOID, types.OidOID, types.Int4OID), func(env planner.Env, sc SystemCatalog, a []types.Datum) (types.Datum, error) {
		return textOrNull(sc.Describe(env, oidArg(a[0]), oidArg(a[1]), int32(a[2].(int64))))
	}))
	// Objects vecgres does not have: no definition.
	for name, args := range map[string][]types.OID{
		"pg_get_viewdef": sig(types.OidOID), "pg_get_triggerdef": sig(types.OidOID), "pg_get_ruledef": sig(types.OidOID),
		"pg_get_partkeydef": sig(types.OidOID), "pg_get_statisticsobjdef_columns": sig(types.OidOID),
		"pg_get_functiondef": sig(types.OidOID), "pg_get_function_sqlbody": sig(types.OidOID),
	} {
		r.addFunc(name, Overload{Args: args, Ret: types.TText, Volatility: planner.Stable,
			Impl: func(planner.Env, []types.Datum) (types.Datum, error) { return nil, nil }})
	}
	r.addFunc("pg_get_viewdef", Overload{Args: sig(types.OidOID, types.BoolOID), Ret: types.TText, Volatility: planner.Stable,
		Impl: func(planner.Env, []types.Datum) (types.Datum, error) { return nil, nil }})

	// Names.
	r.addFunc("pg_get_userbyid", Overload{Args: sig(types.OidOID), Ret: types.TName, Volatility: planner.Stable,
		Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) {
			o := oidArg(a[0])
			if f := env.Format(); f != nil && f.Namer != nil {
				if name, ok := f.Namer.RegName(types.RegroleOID, o); ok {
					return strings.Trim(name, `"`), nil
				}
			}
			return "unknown (OID=" + strconv.FormatUint(uint64(o), 10) + ")", nil
		}})
	toReg := map[string]types.OID{
		"to_regclass": types.RegclassOID, "to_regtype": types.RegtypeOID, "to_regproc": types.RegprocOID,
		"to_regprocedure": types.RegprocedureOID, "to_regoper": types.RegoperOID, "to_regoperator": types.RegoperatorOID,
		"to_regnamespace": types.RegnamespaceOID, "to_regrole": types.RegroleOID, "to_regcollation": types.RegcollationOID,
	}
	for name, t := range toReg {
		r.addFunc(name, catalogFunc(types.Of(t), sig(types.TextOID), func(env planner.Env, sc SystemCatalog, a []types.Datum) (types.Datum, error) {
			o, err := sc.RegOID(t, str(a[0]))
			if err != nil {
				if pgerr.CodeOf(err) == pgerr.SyntaxError || pgerr.CodeOf(err) == pgerr.InvalidTextRepresentation {
					return nil, err
				}
				return nil, nil
			}
			return int64(o), nil
		}))
	}

	// Visibility along the search path.
	for name, class := range map[string]types.OID{
		"pg_table_is_visible": pgClassOID, "pg_type_is_visible": pgTypeOID, "pg_function_is_visible": pgProcOID,
		"pg_operator_is_visible": pgOperatorOID, "pg_opclass_is_visible": pgOpclassOID,
		"pg_opfamily_is_visible": pgOpfamilyOID, "pg_collation_is_visible": pgCollationOID,
	} {
		r.addFunc(name, catalogFunc(types.TBool, sig(types.OidOID), func(env planner.Env, sc SystemCatalog, a []types.Datum) (types.Datum, error) {
			visible, ok := sc.Visible(env, class, oidArg(a[0]))
			if !ok {
				return nil, nil
			}
			return visible, nil
		}))
	}

	// Comments.
	description := func(env planner.Env, sc SystemCatalog, objoid, classoid types.OID, sub int32, shared bool) (types.Datum, error) {
		return textOrNull(sc.Description(env, objoid, classoid, sub, shared))
	}
	r.addFunc("obj_description", catalogFunc(types.TText, sig(types.OidOID, types.NameOID), func(env planner.Env, sc SystemCatalog, a []types.Datum) (types.Datum, error) {
		class, err := sc.RegOID(types.RegclassOID, "pg_catalog."+str(a[1]))
		if err != nil {
			return nil, nil
		}
		return description(env, sc, oidArg(a[0]), class, 0, false)
	}))
	r.addFunc("obj_description", catalogFunc(types.TText, sig(types.OidOID), func(env planner.Env, sc SystemCatalog, a []types.Datum) (types.Datum, error) {
		return description(env, sc, oidArg(a[0]), 0, 0, false)
	}))
	r.addFunc("col_description", catalogFunc(types.TText, sig(types.OidOID, types.Int4OID), func(env planner.Env, sc SystemCatalog, a []types.Datum) (types.Datum, error) {
		return description(env, sc, oidArg(a[0]), pgClassOID, int32(a[1].(int64)), false)
	}))
	r.addFunc("shobj_description", catalogFunc(types.TText, sig(types.OidOID, types.NameOID), func(env planner.Env, sc SystemCatalog, a []types.Datum) (types.Datum, error) {
		class, err := sc.RegOID(types.RegclassOID, "pg_catalog."+str(a[1]))
		if err != nil {
			return nil, nil
		}
		return description(env, sc, oidArg(a[0]), class, 0, true)
	}))

	// Privileges: has_table_privilege asks the Env (PrivilegeChecker);
	// vecgres checks no other privileges, so everyone holds them.
	allowed := Overload{Ret: types.TBool, Volatility: planner.Stable,
		Impl: func(planner.Env, []types.Datum) (types.Datum, error) { return true, nil }}
	tablePriv := Overload{Ret: types.TBool, Volatility: planner.Stable, Impl: hasTablePrivilege}
	for _, name := range []string{"has_table_privilege", "has_schema_privilege", "has_database_privilege",
		"has_sequence_privilege", "has_function_privilege", "has_any_column_privilege", "has_type_privilege",
		"has_tablespace_privilege", "has_language_privilege", "has_foreign_data_wrapper_privilege",
		"has_server_privilege", "pg_has_role"} {
		for _, n := range []int{2, 3} {
			o := allowed
			if name == "has_table_privilege" {
				o = tablePriv
			}
			o.Args = make([]types.OID, n)
			for i := range o.Args {
				o.Args[i] = AnyOID
			}
			r.addFunc(name, o)
		}
	}
	for _, n := range []int{3, 4} {
		o := allowed
		o.Args = make([]types.OID, n)
		for i := range o.Args {
			o.Args[i] = AnyOID
		}
		r.addFunc("has_column_privilege", o)
	}

	// Schemas of the search path.
	r.addFunc("current_schemas", Overload{Args: sig(types.BoolOID), Ret: types.Of(types.NameArrayOID), Volatility: planner.Stable,
		Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) {
			out := &types.Array{Elem: types.TName, Elems: []types.Datum{}, LowerBound: 1}
			path := env.SearchPath()
			if a[0].(bool) && !containsString(path, "pg_catalog") {
				out.Elems = append(out.Elems, "pg_catalog")
			}
			for _, s := range path {
				if _, ok := env.Catalog().Schema(s); ok {
					out.Elems = append(out.Elems, s)
				}
			}
			return out, nil
		}})

	// Sizes come from the Env when it can measure relations (see
	// RelationSizer); otherwise they are 0.
	size := func(f func(env planner.Env, oid types.OID) (int64, error)) Overload {
		return Overload{Ret: types.TInt8, Volatility: planner.Volatile,
			Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) {
				n, err := f(env, types.OID(a[0].(int64)))
				if err != nil {
					return nil, err
				}
				return n, nil
			}}
	}
	withArgs := func(o Overload, args ...types.OID) Overload { o.Args = args; return o }
	relation := size(relationSize)
	r.addFunc("pg_relation_size", withArgs(relation, types.RegclassOID))
	r.addFunc("pg_relation_size", withArgs(relation, types.RegclassOID, types.TextOID))
	r.addFunc("pg_table_size", withArgs(relation, types.RegclassOID))
	r.addFunc("pg_indexes_size", withArgs(size(indexesSize), types.RegclassOID))
	r.addFunc("pg_total_relation_size", withArgs(size(func(env planner.Env, oid types.OID) (int64, error) {
		t, err := relationSize(env, oid)
		if err != nil {
			return 0, err
		}
		i, err := indexesSize(env, oid)
		return t + i, err
	}), types.RegclassOID))
	zero := size(func(planner.Env, types.OID) (int64, error) { return 0, nil })
	for _, a := range [][]types.OID{sig(types.NameOID), sig(types.OidOID)} {
		r.addFunc("pg_database_size", withArgs(zero, a...))
		r.addFunc("pg_tablespace_size", withArgs(zero, a...))
	}
	r.addFunc("pg_size_pretty", Overload{Args: sig(types.Int8OID), Ret: types.TText,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return sizePretty(big.NewInt(a[0].(int64))), nil
		}})
	r.addFunc("pg_size_pretty", Overload{Args: sig(types.NumericOID), Ret: types.TText,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			d := a[0].(*apd.Decimal)
			if d.Form != apd.Finite {
				return nil, pgerr.New(pgerr.NumericValueOutOfRange, "cannot convert %s to size", d.String())
			}
			// Below 10 kB the value is printed as it is; above, units are
			// whole (PostgreSQL divides with truncation).
			var abs apd.Decimal
			abs.Abs(d)
			if abs.Cmp(apd.New(10*1024, 0)) < 0 {
				return d.Text('f') + " bytes", nil
			}
			var i apd.Decimal
			ctx := apd.BaseContext.WithPrecision(1000)
			ctx.Rounding = apd.RoundDown
			if _, err := ctx.Quantize(&i, d, 0); err != nil {
				return nil, err
			}
			v, ok := new(big.Int).SetString(i.Text('f'), 10)
			if !ok {
				return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid size: %s", d.String())
			}
			return sizePretty(v), nil
		}})
	r.addFunc("pg_relation_is_publishable", catalogFunc(types.TBool, sig(types.RegclassOID), func(env planner.Env, sc SystemCatalog, a []types.Datum) (types.Datum, error) {
		switch sc.RelationKind(env, oidArg(a[0])) {
		case 0:
			return nil, nil
		case 'r':
			return oidArg(a[0]) >= types.FirstUserOID, nil
		}
		return false, nil
	}))
	r.addFunc("pg_tablespace_location", Overload{Args: sig(types.OidOID), Ret: types.TText, Volatility: planner.Stable,
		Impl: func(planner.Env, []types.Datum) (types.Datum, error) { return "", nil }})

	// Encodings: vecgres speaks UTF8 only.
	r.addFunc("pg_encoding_to_char", Overload{Args: sig(types.Int4OID), Ret: types.TName, Volatility: planner.Stable,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			switch a[0].(int64) {
			case 0:
				return "SQL_ASCII", nil
			case 6:
				return "UTF8", nil
			}
			return "", nil
		}})
	r.addFunc("pg_char_to_encoding", Overload{Args: sig(types.NameOID), Ret: types.TInt4, Volatility: planner.Stable,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			switch strings.ToUpper(strings.ReplaceAll(str(a[0]), "-", "")) {
			case "SQL_ASCII":
				return int64(0), nil
			case "UTF8", "UNICODE":
				return int64(6), nil
			}
			return int64(-1), nil
		}})

	for _, name := range []string{"getdatabaseencoding", "pg_client_encoding"} {
		r.addFunc(name, Overload{Ret: types.TName, Volatility: planner.Stable,
			Impl: func(planner.Env, []types.Datum) (types.Datum, error) { return "UTF8", nil }})
	}

	// The server's state.
	r.addFunc("pg_is_in_recovery", Overload{Ret: types.TBool, Volatility: planner.Volatile,
		Impl: func(planner.Env, []types.Datum) (types.Datum, error) { return false, nil }})
	r.addFunc("pg_my_temp_schema", Overload{Ret: types.TOid, Volatility: planner.Stable,
		Impl: func(planner.Env, []types.Datum) (types.Datum, error) { return int64(0), nil }})
	r.addFunc("pg_is_other_temp_schema", Overload{Args: sig(types.OidOID), Ret: types.TBool, Volatility: planner.Stable,
		Impl: func(planner.Env, []types.Datum) (types.Datum, error) { return false, nil }})

	// Quoting.
	r.addFunc("quote_ident", textFunc(func(a []types.Datum) (types.Datum, error) { return QuoteIdent(str(a[0])), nil }, types.TextOID))
	r.addFunc("quote_literal", textFunc(func(a []types.Datum) (types.Datum, error) { return quoteLiteral(str(a[0])), nil }, types.TextOID))
	r.addFunc("quote_nullable", Overload{Args: sig(types.TextOID), Ret: types.TText, NonStrict: true,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			if a[0] == nil {
				return "NULL", nil
			}
			return quoteLiteral(str(a[0])), nil
		}})
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// bitTypes names the types of pgvector's signatures that vecgres does not
// have, for format_type.
var bitTypes = map[types.OID]string{1560: "bit", 1561: "bit[]"}

// formatType is format_type(oid, typmod): the type's SQL name with its
// modifier; a NULL typmod gives the name without one (format_type_be),
// which differs from -1 for bpchar ("character" against "bpchar").
// pgvector's types are qualified when public is not on the search path,
// as PostgreSQL qualifies types that are not visible.
func formatType(env planner.Env, o types.OID, typmod types.Datum) string {
	if _, ok := types.Lookup(o); !ok {
		if name, ok := bitTypes[o]; ok {
			return name
		}
		return "???"
	}
	var s string
	if typmod == nil {
		s = types.TypeName(o)
	} else {
		s = types.T{OID: o, Mod: int32(typmod.(int64))}.String()
	}
	base := o
	if e, ok := types.ElemOf(o); ok {
		base = e
	}
	if base >= types.VectorOID && base < types.FirstUserOID && !containsString(env.SearchPath(), "public") {
		s = "public." + s
	}
	return s
}

// sizePretty is pg_size_pretty: bytes below 10 kB, then kB, MB, GB, TB
// and PB each below 20 of the next unit, halves rounded away from zero,
// as PostgreSQL's table of units computes it (for bigint and numeric).
func sizePretty(size *big.Int) string {
	units := []struct {
		name  string
		limit int64
		round bool
		bits  uint
	}{
		{"bytes", 10 * 1024, false, 0}, {"kB", 20*1024 - 1, true, 10}, {"MB", 20*1024 - 1, true, 20},
		{"GB", 20*1024 - 1, true, 30}, {"TB", 20*1024 - 1, true, 40}, {"PB", 20*1024 - 1, true, 50},
	}
	b2i := func(b bool) uint {
		if b {
			return 1
		}
		return 0
	}
	size = new(big.Int).Set(size)
	abs := new(big.Int)
	for i, u := range units {
		if i == len(units)-1 || abs.Abs(size).Cmp(big.NewInt(u.limit)) < 0 {
			if u.round {
				// half_rounded: (x + sign(x)) / 2, truncating.
				size.Add(size, big.NewInt(int64(size.Sign())))
				size.Quo(size, big.NewInt(2))
			}
			return size.String() + " " + u.name
		}
		next := units[i+1]
		size.Quo(size, new(big.Int).Lsh(big.NewInt(1), next.bits-u.bits-b2i(next.round)+b2i(u.round)))
	}
	return ""
}

// QuoteIdent quotes an identifier when it needs quoting, as quote_ident
// does: unless it is lower-case letters, digits and underscores, not
// starting with a digit, and not a keyword that needs quoting.
func QuoteIdent(s string) string {
	safe := s != "" && (s[0] == '_' || ('a' <= s[0] && s[0] <= 'z'))
	for i := 0; safe && i < len(s); i++ {
		c := s[i]
		safe = c == '_' || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9')
	}
	if safe && !quotedKeyword(s) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// quoteLiteral is quote_literal: quotes doubled, and a string with
// backslashes written as E'...' with them doubled.
func quoteLiteral(s string) string {
	q := "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
	if strings.Contains(s, `\`) {
		return "E" + q
	}
	return q
}

// RelationSizer is what an Env offers when it can measure relations: the
// bytes a table's rows or an index's entries take.
type RelationSizer interface {
	RelationSize(oid types.OID) (int64, error)
}

func relationSize(env planner.Env, oid types.OID) (int64, error) {
	if rs, ok := env.(RelationSizer); ok {
		return rs.RelationSize(oid)
	}
	return 0, nil
}

// indexesSize adds up the sizes of a table's indexes.
func indexesSize(env planner.Env, table types.OID) (int64, error) {
	var total int64
	for _, idx := range env.Catalog().TableIndexes(table) {
		n, err := relationSize(env, idx.OID)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}
