package exec

import (
	"context"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Row is one row flowing between operators. Operators never modify a row
// they passed on: a consumer may keep it.
type Row = []types.Datum

// evalFn computes an expression over a row.
type evalFn func(row Row) (types.Datum, error)

// compiler turns planner expressions into evalFns for one execution.
type compiler struct {
	env    planner.Env
	params []types.Datum
	// ctx is the statement's context, for the plans of subqueries run
	// while an expression is evaluated.
	ctx context.Context
	// outer holds the rows of the enclosing queries while a correlated
	// subquery runs; b builds subquery plans.
	outer *outerRows
	b     *builder
}

// outerRows is the stack of rows of enclosing queries.
type outerRows struct {
	rows []Row
}

func (c *compiler) compile(e planner.Expr) (evalFn, error) {
	switch e := e.(type) {
	case *planner.Const:
		v := e.Value
		return func(Row) (types.Datum, error) { return v, nil }, nil
	case *planner.Param:
		if e.Index >= len(c.params) {
			return nil, pgerr.New(pgerr.UndefinedParameter, "there is no parameter $%d", e.Index+1)
		}
		v := c.params[e.Index]
		return func(Row) (types.Datum, error) { return v, nil }, nil
	case *planner.ColRef:
		idx := e.Idx
		return func(row Row) (types.Datum, error) { return row[idx], nil }, nil
	case *planner.Func:
		return c.compileFunc(e)
	case *planner.Cast:
		return c.compileCast(e)
	case *planner.BoolOp:
		return c.compileBoolOp(e)
	case *planner.IsNull:
		arg, err := c.compile(e.Arg)
		if err != nil {
			return nil, err
		}
		neg := e.Negate
		return func(row Row) (types.Datum, error) {
			v, err := arg(row)
			if err != nil {
				return nil, err
			}
			return (v == nil) != neg, nil
		}, nil
	case *planner.Case:
		return c.compileCase(e)
	case *planner.Coalesce:
		args, err := c.compileAll(e.Args)
		if err != nil {
			return nil, err
		}
		return func(row Row) (types.Datum, error) {
			for _, a := range args {
				v, err := a(row)
				if err != nil || v != nil {
					return v, err
				}
			}
			return nil, nil
		}, nil
	case *planner.InList:
		return c.compileInList(e)
	case *planner.OuterRef:
		outer, depth, idx := c.outer, e.Depth, e.Idx
		return func(Row) (types.Datum, error) {
			return outer.rows[len(outer.rows)-depth][idx], nil
		}, nil
	case *planner.Subquery:
		return c.compileSubquery(e)
	case *planner.ArrayExpr:
		elems, err := c.compileAll(e.Elems)
		if err != nil {
			return nil, err
		}
		elemOID, _ := types.ElemOf(e.T.OID)
		elemT := types.Of(elemOID)
		return func(row Row) (types.Datum, error) {
			out := make([]types.Datum, len(elems))
			for i, el := range elems {
				v, err := el(row)
				if err != nil {
					return nil, err
				}
				out[i] = v
			}
			return &types.Array{Elem: elemT, Elems: out, LowerBound: 1}, nil
		}, nil
	}
	return nil, pgerr.New(pgerr.InternalError, "exec: cannot evaluate expression %T", e)
}

func (c *compiler) compileAll(es []planner.Expr) ([]evalFn, error) {
	out := make([]evalFn, len(es))
	for i, e := range es {
		f, err := c.compile(e)
		if err != nil {
			return nil, err
		}
		out[i] = f
	}
	return out, nil
}

func (c *compiler) compileFunc(e *planner.Func) (evalFn, error) {
	args, err := c.compileAll(e.Args)
	if err != nil {
		return nil, err
	}
	impl, env, strict := e.Impl, c.env, e.Strict
	switch len(args) {
	case 1:
		a0 := args[0]
		return func(row Row) (types.Datum, error) {
			v0, err := a0(row)
			if err != nil {
				return nil, err
			}
			if strict && v0 == nil {
				return nil, nil
			}
			return impl(env, []types.Datum{v0})
		}, nil
	case 2:
		a0, a1 := args[0], args[1]
		return func(row Row) (types.Datum, error) {
			v0, err := a0(row)
			if err != nil {
				return nil, err
			}
			if strict && v0 == nil {
				return nil, nil
			}
			v1, err := a1(row)
			if err != nil {
				return nil, err
			}
			if strict && v1 == nil {
				return nil, nil
			}
			var buf [2]types.Datum
			buf[0], buf[1] = v0, v1
			return impl(env, buf[:])
		}, nil
	}
	return func(row Row) (types.Datum, error) {
		vals := make([]types.Datum, len(args))
		for i, a := range args {
			v, err := a(row)
			if err != nil {
				return nil, err
			}
			if strict && v == nil {
				return nil, nil
			}
			vals[i] = v
		}
		return impl(env, vals)
	}, nil
}

func (c *compiler) compileCast(e *planner.Cast) (evalFn, error) {
	arg, err := c.compile(e.Arg)
	if err != nil {
		return nil, err
	}
	from, to, explicit := e.Arg.Type(), e.To, e.Explicit
	var format *types.FormatOptions
	if c.env != nil {
		format = c.env.Format()
	}
	return func(row Row) (types.Datum, error) {
		v, err := arg(row)
		if err != nil || v == nil {
			return v, err
		}
		return types.CastWith(v, from, to, explicit, format)
	}, nil
}

func (c *compiler) compileBoolOp(e *planner.BoolOp) (evalFn, error) {
	args, err := c.compileAll(e.Args)
	if err != nil {
		return nil, err
	}
	switch e.Op {
	case planner.Not:
		a := args[0]
		return func(row Row) (types.Datum, error) {
			v, err := a(row)
			if err != nil || v == nil {
				return v, err
			}
			return !v.(bool), nil
		}, nil
	case planner.And:
		return func(row Row) (types.Datum, error) {
			sawNull := false
			for _, a := range args {
				v, err := a(row)
				if err != nil {
					return nil, err
				}
				if v == nil {
					sawNull = true
				} else if !v.(bool) {
					return false, nil
				}
			}
			if sawNull {
				return nil, nil
			}
			return true, nil
		}, nil
	default:
		return func(row Row) (types.Datum, error) {
			sawNull := false
			for _, a := range args {
				v, err := a(row)
				if err != nil {
					return nil, err
				}
				if v == nil {
					sawNull = true
				} else if v.(bool) {
					return true, nil
				}
			}
			if sawNull {
				return nil, nil
			}
			return false, nil
		}, nil
	}
}

func (c *compiler) compileCase(e *planner.Case) (evalFn, error) {
	type arm struct{ cond, result evalFn }
	arms := make([]arm, len(e.Whens))
	for i, w := range e.Whens {
		cond, err := c.compile(w.Cond)
		if err != nil {
			return nil, err
		}
		res, err := c.compile(w.Result)
		if err != nil {
			return nil, err
		}
		arms[i] = arm{cond, res}
	}
	var elseFn evalFn
	if e.Else != nil {
		f, err := c.compile(e.Else)
		if err != nil {
			return nil, err
		}
		elseFn = f
	}
	return func(row Row) (types.Datum, error) {
		for _, a := range arms {
			v, err := a.cond(row)
			if err != nil {
				return nil, err
			}
			if v != nil && v.(bool) {
				return a.result(row)
			}
		}
		if elseFn != nil {
			return elseFn(row)
		}
		return nil, nil
	}, nil
}

func (c *compiler) compileInList(e *planner.InList) (evalFn, error) {
	arg, err := c.compile(e.Arg)
	if err != nil {
		return nil, err
	}
	list, err := c.compileAll(e.List)
	if err != nil {
		return nil, err
	}
	eq, env, neg := e.Eq, c.env, e.Negate
	return func(row Row) (types.Datum, error) {
		x, err := arg(row)
		if err != nil || x == nil {
			return nil, err
		}
		sawNull := false
		for _, item := range list {
			v, err := item(row)
			if err != nil {
				return nil, err
			}
			if v == nil {
				sawNull = true
				continue
			}
			r, err := eq(env, []types.Datum{x, v})
			if err != nil {
				return nil, err
			}
			if r == true {
				return !neg, nil
			}
		}
		if sawNull {
			return nil, nil
		}
		return neg, nil
	}, nil
}

// isTrue reports whether a predicate's value lets a row through: NULL and
// false do not.
func isTrue(v types.Datum) bool {
	b, ok := v.(bool)
	return ok && b
}

// virtualRows computes the rows of a VirtualScan, evaluating the
// arguments of a function scan first.
func (b *builder) virtualRows(n *planner.VirtualScan) ([][]types.Datum, error) {
	if n.RowsOf == nil {
		return n.Rows(b.rt.Env)
	}
	vals := make([]types.Datum, len(n.Args))
	for i, a := range n.Args {
		f, err := b.c.compile(a)
		if err != nil {
			return nil, err
		}
		if vals[i], err = f(nil); err != nil {
			return nil, err
		}
	}
	return n.RowsOf(b.rt.Env, vals)
}
