package exec

import (
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// compileSubquery evaluates a subquery by running its plan: once for an
// uncorrelated one (the result is kept), for every row of the enclosing
// query for a correlated one, with that row on the outer-row stack.
func (c *compiler) compileSubquery(e *planner.Subquery) (evalFn, error) {
	var test evalFn
	if e.Test != nil {
		var err error
		if test, err = c.compile(e.Test); err != nil {
			return nil, err
		}
	}
	var cached types.Datum
	var haveCached bool
	return func(row Row) (types.Datum, error) {
		var tv types.Datum
		if test != nil {
			var err error
			if tv, err = test(row); err != nil {
				return nil, err
			}
		}
		if !e.Correlated && haveCached && test == nil {
			return cached, nil
		}
		c.outer.rows = append(c.outer.rows, row)
		v, err := c.runSubquery(e, tv)
		c.outer.rows = c.outer.rows[:len(c.outer.rows)-1]
		if err != nil {
			return nil, err
		}
		if !e.Correlated && test == nil {
			cached, haveCached = v, true
		}
		return v, nil
	}, nil
}

// runSubquery runs the plan of e and reduces its rows to e's value; tv is
// the value of the left-hand side of ANY and ALL.
func (c *compiler) runSubquery(e *planner.Subquery, tv types.Datum) (types.Datum, error) {
	op, err := c.b.build(e.Plan)
	if err != nil {
		return nil, err
	}
	defer op.Close()
	next := func() (types.Datum, bool, error) {
		row, err := op.Next(c.ctx)
		if err != nil || row == nil {
			return nil, false, err
		}
		return row[0], true, nil
	}
	switch e.Kind {
	case planner.ExistsSubquery:
		row, err := op.Next(c.ctx)
		return row != nil, err
	case planner.ScalarSubquery:
		v, ok, err := next()
		if err != nil || !ok {
			return nil, err
		}
		if _, more, err := next(); err != nil || more {
			if err == nil {
				err = pgerr.New(pgerr.CardinalityViolation, "more than one row returned by a subquery used as an expression")
			}
			return nil, err
		}
		return v, nil
	case planner.ArraySubquery:
		elem := types.Of(e.Plan.Schema()[0].T.OID)
		arr := &types.Array{Elem: elem, Elems: []types.Datum{}, LowerBound: 1}
		for {
			v, ok, err := next()
			if err != nil {
				return nil, err
			}
			if !ok {
				return arr, nil
			}
			arr.Elems = append(arr.Elems, v)
		}
	}
	// ANY and ALL: SQL's three-valued quantified comparison.
	any := e.Kind == planner.AnySubquery
	sawNull, sawRow := false, false
	for {
		v, ok, err := next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		sawRow = true
		if tv == nil || v == nil {
			sawNull = true
			continue
		}
		r, err := e.Cmp(c.env, []types.Datum{tv, v})
		if err != nil {
			return nil, err
		}
		if r == nil {
			sawNull = true
		} else if r.(bool) == any {
			return any, nil
		}
	}
	if !sawRow {
		return !any, nil
	}
	if sawNull {
		return nil, nil
	}
	return !any, nil
}
