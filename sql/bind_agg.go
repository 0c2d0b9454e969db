package sql

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// aggContext collects the aggregate calls of one query level.
type aggContext struct {
	calls []*planner.AggCall
}

// aggRef stands for an aggregate's result inside a bound expression until
// the expression is rewritten over the Aggregate node's output.
type aggRef struct {
	idx int
	t   types.T
}

func (a *aggRef) Type() types.T { return a.t }

func (b *binder) aggregateCall(name string, fc *pg_query.FuncCall, sc *scope) (planner.Expr, error) {
	if b.agg == nil {
		if b.aggNotAllowed == "" {
			return nil, b.errAt(fc.Location, pgerr.GroupingError, "aggregate function calls cannot be nested")
		}
		return nil, b.errAt(fc.Location, pgerr.GroupingError, "aggregate functions are not allowed in %s", b.aggNotAllowed)
	}
	if len(fc.AggOrder) > 0 {
		return nil, b.unsupported(fc.Location, "ORDER BY inside an aggregate call")
	}
	outer := b.agg
	win, winBan := b.win, b.winNotAllowed
	b.agg, b.aggNotAllowed = nil, ""
	b.win, b.winNotAllowed = nil, winBanAgg
	defer func() { b.agg, b.aggNotAllowed, b.win, b.winNotAllowed = outer, "", win, winBan }()
	call, err := b.bindAggCall(name, fc, sc)
	if err != nil {
		return nil, err
	}
	outer.calls = append(outer.calls, call)
	return &aggRef{idx: len(outer.calls) - 1, t: call.T}, nil
}

// bindAggCall binds an aggregate call's arguments and FILTER and picks
// its overload.
func (b *binder) bindAggCall(name string, fc *pg_query.FuncCall, sc *scope) (*planner.AggCall, error) {
	var args []planner.Expr
	var locs []int32
	var err error
	if !fc.AggStar {
		if args, locs, err = b.exprList(fc.Args, sc); err != nil {
			return nil, err
		}
	}
	overloads := b.reg.Aggregate(name)
	shapes := make([]builtins.Overload, len(overloads))
	for i, o := range overloads {
		shapes[i] = builtins.Overload{Args: o.Args}
	}
	c, ambiguous := pickOverload(shapes, args)
	if c == nil {
		if ambiguous {
			return nil, b.errAt(fc.Location, pgerr.AmbiguousFunction, "function %s(%s) is not unique", name, typeList(args))
		}
		if fc.AggStar {
			return nil, b.errAt(fc.Location, pgerr.WrongObjectType, "%s(*) must be used to call a parameterless aggregate function", name)
		}
		return nil, b.errAt(fc.Location, pgerr.UndefinedFunction, "function %s(%s) does not exist", name, typeList(args)).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
	}
	var chosen *builtins.AggOverload
	for i := range shapes {
		if &shapes[i] == c.o {
			chosen = &overloads[i]
		}
	}
	argTypes := make([]types.T, len(args))
	for i := range args {
		if c.args[i] == builtins.AnyOID {
			if args[i], err = b.resolveUnknownAsText(args[i], locs[i]); err != nil {
				return nil, err
			}
		} else if args[i], err = b.mustCoerce(args[i], types.Of(c.args[i]), types.CastImplicit, locs[i]); err != nil {
			return nil, err
		}
		argTypes[i] = args[i].Type()
	}
	call := &planner.AggCall{
		Name:     name,
		Args:     args,
		Star:     fc.AggStar,
		Distinct: fc.AggDistinct,
		T:        chosen.ResultType(argTypes),
		New:      chosen.New(argTypes),
		Strict:   !chosen.NonStrict,
	}
	if fc.AggFilter != nil {
		savedNot := b.aggNotAllowed
		defer func() { b.aggNotAllowed = savedNot }()
		b.aggNotAllowed = "FILTER"
		f, err := b.expr(fc.AggFilter, sc)
		if err != nil {
			return nil, err
		}
		if call.Filter, err = b.boolArg(f, location(fc.AggFilter), "FILTER"); err != nil {
			return nil, err
		}
	}
	return call, nil
}

// overGroups rewrites an expression bound against a query's input so that
// it reads the Aggregate node's output instead: sub-expressions equal to
// a GROUP BY expression become references to that group column, aggRefs
// become references to the aggregate's result column, and any other
// column reference is a grouping error.
func (b *binder) overGroups(e planner.Expr, groups []planner.Expr, loc int32) (planner.Expr, error) {
	for i, g := range groups {
		if planner.Equal(e, g) {
			return &planner.ColRef{Idx: i, T: g.Type(), Name: colRefName(g)}, nil
		}
	}
	switch x := e.(type) {
	case *aggRef:
		return &planner.ColRef{Idx: len(groups) + x.idx, T: x.t}, nil
	case *planner.ColRef:
		return nil, b.errAt(loc, pgerr.GroupingError,
			"column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function", x.Name)
	}
	return planner.MapChildren(e, func(c planner.Expr) (planner.Expr, error) { return b.overGroups(c, groups, loc) })
}

func colRefName(e planner.Expr) string {
	if c, ok := e.(*planner.ColRef); ok {
		return c.Name
	}
	return ""
}

// containsAggRef reports whether e uses an aggregate's result.
func containsAggRef(e planner.Expr) bool {
	found := false
	var walk func(planner.Expr)
	walk = func(x planner.Expr) {
		if _, ok := x.(*aggRef); ok {
			found = true
			return
		}
		for _, c := range planner.Children(x) {
			walk(c)
		}
	}
	walk(e)
	return found
}
