package exec

import (
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// IndexKeyFunc computes a row's entry in an index with key expressions or
// a predicate: its key values, and whether the row is in the index at all
// (the predicate is true for it). row has one value per table slot.
type IndexKeyFunc func(row []types.Datum) (key []types.Datum, in bool, err error)

// CompileIndexDef compiles an index definition bound over a table's slots
// into the function that computes its entries. The expressions are
// immutable (CREATE INDEX checks it), so env matters only to functions
// that read no setting; it may be a minimal one.
func CompileIndexDef(def *planner.IndexDef, env planner.Env) (IndexKeyFunc, error) {
	c := &compiler{env: env}
	keys, err := c.compileAll(def.Keys)
	if err != nil {
		return nil, err
	}
	var pred evalFn
	if def.Predicate != nil {
		if pred, err = c.compile(def.Predicate); err != nil {
			return nil, err
		}
	}
	return func(row []types.Datum) ([]types.Datum, bool, error) {
		if pred != nil {
			ok, err := pred(row)
			if err != nil || !isTrue(ok) {
				return nil, false, err
			}
		}
		out := make([]types.Datum, len(keys))
		for i, k := range keys {
			v, err := k(row)
			if err != nil {
				return nil, false, err
			}
			out[i] = v
		}
		return out, true, nil
	}, nil
}
