package exec

import (
	"context"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Subqueries in expressions.
//
// A correlated subquery (one that reads a column of an enclosing query's
// row, at any depth) runs for every row of the enclosing query, with that
// row on the outer-row stack.
//
// An uncorrelated one runs at most once per statement, the first time
// its value is needed, as PostgreSQL runs an InitPlan or an uncorrelated
// SubPlan once (volatile functions in it included): a scalar, EXISTS or
// ARRAY subquery keeps its value, and ANY / ALL (IN, NOT IN, = ANY,
// <> ALL, and their row forms) keep the subquery's rows in a subquerySet
// (subquery_set.go), which answers each row of the enclosing query from
// a hash table when the comparison is an equality that hashes (the
// "hashed SubPlan"), by comparing with every row otherwise. The results
// are kept per statement by the builder (subplanCache), keyed by the
// planner's Subquery, so an uncorrelated subquery inside a correlated one
// also runs once, not once per run of its enclosing subquery.

// subplanCache holds the results of a statement's uncorrelated
// subqueries.
type subplanCache struct {
	values map[*planner.Subquery]types.Datum
	sets   map[*planner.Subquery]*subquerySet
}

// value returns the kept value of e, if it ran.
func (s *subplanCache) value(e *planner.Subquery) (types.Datum, bool) {
	v, ok := s.values[e]
	return v, ok
}

func (s *subplanCache) setValue(e *planner.Subquery, v types.Datum) {
	if s.values == nil {
		s.values = map[*planner.Subquery]types.Datum{}
	}
	s.values[e] = v
}

func (s *subplanCache) setSet(e *planner.Subquery, set *subquerySet) {
	if s.sets == nil {
		s.sets = map[*planner.Subquery]*subquerySet{}
	}
	s.sets[e] = set
}

// close releases the temporary files of the kept sets.
func (s *subplanCache) close() {
	for _, set := range s.sets {
		set.close()
	}
	s.sets = nil
}

// compileSubquery evaluates a subquery: see the comment at the top.
func (c *compiler) compileSubquery(e *planner.Subquery) (evalFn, error) {
	tests, err := c.compileAll(e.Tests)
	if err != nil {
		return nil, err
	}
	quantified := e.Kind == planner.AnySubquery || e.Kind == planner.AllSubquery
	if !e.Correlated && quantified {
		return func(row Row) (types.Datum, error) {
			tv, err := evalTests(tests, row)
			if err != nil {
				return nil, err
			}
			set, err := c.subquerySet(e)
			if err != nil {
				return nil, err
			}
			return set.eval(c.ctx, tv)
		}, nil
	}
	if !e.Correlated {
		return func(Row) (types.Datum, error) {
			if v, ok := c.b.subplans.value(e); ok {
				return v, nil
			}
			v, err := c.runSubquery(e, nil)
			if err != nil {
				return nil, err
			}
			c.b.subplans.setValue(e, v)
			return v, nil
		}, nil
	}
	return func(row Row) (types.Datum, error) {
		tv, err := evalTests(tests, row)
		if err != nil {
			return nil, err
		}
		c.outer.rows = append(c.outer.rows, row)
		v, err := c.runSubquery(e, tv)
		c.outer.rows = c.outer.rows[:len(c.outer.rows)-1]
		return v, err
	}, nil
}

// evalTests evaluates the left-hand side of ANY and ALL (nil for other
// kinds).
func evalTests(tests []evalFn, row Row) ([]types.Datum, error) {
	if len(tests) == 0 {
		return nil, nil
	}
	tv := make([]types.Datum, len(tests))
	for i, t := range tests {
		v, err := t(row)
		if err != nil {
			return nil, err
		}
		tv[i] = v
	}
	return tv, nil
}

// subquerySet returns the rows of the uncorrelated ANY / ALL subquery e,
// running it the first time.
func (c *compiler) subquerySet(e *planner.Subquery) (*subquerySet, error) {
	if set, ok := c.b.subplans.sets[e]; ok {
		return set, nil
	}
	op, err := c.b.build(e.Plan)
	if err != nil {
		return nil, err
	}
	defer op.Close()
	set := newSubquerySet(e, c.env, c.b.memLimits(), hashableSubquery(e))
	if err := set.load(c.ctx, op); err != nil {
		set.close()
		return nil, err
	}
	c.b.subplans.setSet(e, set)
	return set, nil
}

// runSubquery runs the plan of e and reduces its rows to e's value; tv is
// the value of the left-hand side of ANY and ALL.
func (c *compiler) runSubquery(e *planner.Subquery, tv []types.Datum) (types.Datum, error) {
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
	// ANY and ALL of a correlated subquery: compare with each row as it
	// comes, stopping at the first that settles the result.
	q := newQuantifier(e, c.env)
	var fold quantFold
	for {
		row, err := op.Next(c.ctx)
		if err != nil {
			return nil, err
		}
		if row == nil {
			return fold.result(q.decisive), nil
		}
		r, err := q.compare(tv, row)
		if err != nil {
			return nil, err
		}
		if fold.add(r, q.decisive) {
			return q.decisive, nil
		}
	}
}

// quantifier compares the left-hand side of ANY or ALL with one row of
// the subquery, in SQL's three-valued logic.
type quantifier struct {
	cmps []planner.FuncImpl
	env  planner.Env
	// or combines a row form's column comparisons with OR (operator <>),
	// not AND.
	or bool
	// decisive is the comparison result that settles the quantifier: TRUE
	// for ANY, FALSE for ALL.
	decisive bool
}

func newQuantifier(e *planner.Subquery, env planner.Env) quantifier {
	return quantifier{cmps: e.Cmps, env: env, or: len(e.Cmps) > 1 && e.Op == "<>", decisive: e.Kind == planner.AnySubquery}
}

// compare is the comparison of tv with row: TRUE, FALSE or NULL (nil).
// A comparison with a NULL operand is NULL; a row form's comparisons
// combine as AND (any FALSE is FALSE, else any NULL is NULL) or OR.
func (q *quantifier) compare(tv []types.Datum, row Row) (types.Datum, error) {
	sawNull := false
	args := make([]types.Datum, 2)
	for i, cmp := range q.cmps {
		if tv[i] == nil || row[i] == nil {
			sawNull = true
			continue
		}
		args[0], args[1] = tv[i], row[i]
		r, err := cmp(q.env, args)
		if err != nil {
			return nil, err
		}
		if r == nil {
			sawNull = true
		} else if r.(bool) == q.or {
			return q.or, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return !q.or, nil
}

// quantFold accumulates the comparisons of ANY or ALL.
type quantFold struct {
	sawNull bool
}

// add takes one comparison; it reports whether it settles the result
// (it is the decisive value).
func (f *quantFold) add(r types.Datum, decisive bool) bool {
	if r == nil {
		f.sawNull = true
		return false
	}
	return r.(bool) == decisive
}

// result is the quantifier's value when no comparison was decisive:
// over no rows ANY is FALSE and ALL TRUE, even for a NULL left-hand side;
// NULL when a comparison was NULL.
func (f *quantFold) result(decisive bool) types.Datum {
	if f.sawNull {
		return nil
	}
	return !decisive
}

// ctxCheck counts work and checks ctx now and then.
type ctxCheck struct{ n int }

func (k *ctxCheck) tick(ctx context.Context) error {
	if k.n++; k.n%checkEvery == 0 {
		return ctxErr(ctx)
	}
	return nil
}
