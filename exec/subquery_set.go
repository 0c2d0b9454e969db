package exec

import (
	"context"
	"hash/maphash"
	"io"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// subquerySet is the rows of an uncorrelated ANY or ALL subquery, read
// once and asked for every row of the enclosing query.
//
// When the comparison is an equality that hashes — x = ANY, IN, and its
// negation x <> ALL, NOT IN, over columns whose two sides hash alike
// (the same type, or two integer types, or two float types) — the rows
// without a NULL are kept in a hash table (PostgreSQL's hashed SubPlan),
// and a left-hand side without a NULL is answered by its bucket: a row
// that compares equal there settles the result; no row elsewhere can, so
// only the rows with a NULL (which make the result NULL when nothing
// matches) are compared one by one. A left-hand side with a NULL is NULL
// against a non-empty set of one column, and compared with every row for
// a row form (a row may still differ in another column). Every other
// comparison is made with every row, stopping at the first that settles
// the result. The comparison itself is always the operator's (q.compare),
// so the hash only chooses which rows to compare.
//
// The rows are charged to a memory account with the limit of a hash
// table (work_mem × hash_mem_multiplier), or work_mem when not hashed.
// Rows beyond it go to a temporary file, as a nested loop's do
// (join_nestloop.go), and are compared one by one after the rows in
// memory, for every left-hand side the rows in memory do not settle: a
// set that does not fit stays correct and bounded, only slower. Nothing
// fails with 53200.
type subquerySet struct {
	q     quantifier
	width int
	rows  []Row
	// hashed is set when rows are found by hash; table holds the rows
	// without a NULL by the hash of their values, nullRows the indexes of
	// the others.
	hashed   bool
	testT    []types.T // the left-hand side's types, to hash it
	rowT     []types.T // the subquery's column types
	seed     maphash.Seed
	table    map[uint64][]int
	nullRows []int

	mem          *memAccount
	overflow     *spillFile
	overflowRows int64
	check        ctxCheck
}

// newSubquerySet makes the set of e's rows; hashed (see
// hashableSubquery) keeps them in a hash table.
func newSubquerySet(e *planner.Subquery, env planner.Env, limits memLimits, hashed bool) *subquerySet {
	s := &subquerySet{q: newQuantifier(e, env), width: len(e.Cmps), hashed: hashed}
	for i, t := range e.Tests {
		s.testT = append(s.testT, t.Type())
		s.rowT = append(s.rowT, e.Plan.Schema()[i].T)
	}
	if s.hashed {
		s.seed = maphash.MakeSeed()
		s.table = map[uint64][]int{}
		s.mem = limits.account("Hashed SubPlan", true)
	} else {
		s.mem = limits.account("SubPlan", false)
	}
	return s
}

// hashableSubquery reports whether the rows of e can be found by hash:
// an equality (IN, = ANY) or its negation (NOT IN is NOT of IN; <> ALL)
// between values that hash alike when equal.
func hashableSubquery(e *planner.Subquery) bool {
	switch {
	case e.Kind == planner.AnySubquery && e.Op == "=":
	case e.Kind == planner.AllSubquery && e.Op == "<>":
	default:
		return false
	}
	schema := e.Plan.Schema()
	for i, t := range e.Tests {
		if hashFamily(t.Type().OID) != hashFamily(schema[i].T.OID) {
			return false
		}
	}
	return true
}

// hashFamily groups the types whose equal values hash alike with
// types.Hash: the integers (int64 whatever their width) and the floats
// (float64); any other type only with itself.
func hashFamily(oid types.OID) types.OID {
	switch oid {
	case types.Int2OID, types.Int4OID, types.Int8OID:
		return types.Int8OID
	case types.Float4OID, types.Float8OID:
		return types.Float8OID
	}
	return oid
}

// load reads the subquery's rows from op.
func (s *subquerySet) load(ctx context.Context, op Operator) error {
	for {
		row, err := op.Next(ctx)
		if err != nil {
			return err
		}
		if row == nil {
			return nil
		}
		row = row[:s.width:s.width]
		if s.overflow == nil {
			size := rowSize(row) + 32
			if err := s.mem.grow(size); err == nil {
				s.add(row)
				continue
			}
			s.mem.used -= size
			if s.overflow, err = newSpillFile(s.mem, "subplan-*.tmp", spillBufSize); err != nil {
				return err
			}
		}
		if err := s.overflow.write(row); err != nil {
			return err
		}
		s.overflowRows++
	}
}

// add keeps row in memory.
func (s *subquerySet) add(row Row) {
	// The operator may reuse its row; keep a copy.
	row = append(Row(nil), row...)
	i := len(s.rows)
	s.rows = append(s.rows, row)
	if !s.hashed {
		return
	}
	if hasNull(row) {
		s.nullRows = append(s.nullRows, i)
		return
	}
	h := s.hash(s.rowT, row)
	s.table[h] = append(s.table[h], i)
}

func hasNull(vals []types.Datum) bool {
	for _, v := range vals {
		if v == nil {
			return true
		}
	}
	return false
}

func (s *subquerySet) hash(ts []types.T, vals []types.Datum) uint64 {
	var h maphash.Hash
	h.SetSeed(s.seed)
	for i, v := range vals {
		types.Hash(ts[i], v, &h)
	}
	return h.Sum64()
}

// eval is ANY or ALL of the comparisons of tv with the set's rows.
func (s *subquerySet) eval(ctx context.Context, tv []types.Datum) (types.Datum, error) {
	if len(s.rows) == 0 && s.overflowRows == 0 {
		return !s.q.decisive, nil
	}
	if len(tv) == 1 && tv[0] == nil {
		// NULL compared with anything is NULL.
		return nil, nil
	}
	var fold quantFold
	settled, err := s.evalMemory(ctx, tv, &fold)
	if err != nil || settled {
		return s.q.decisive, err
	}
	if s.overflow != nil {
		settled, err := s.evalOverflow(ctx, tv, &fold)
		if err != nil || settled {
			return s.q.decisive, err
		}
	}
	return fold.result(s.q.decisive), nil
}

// evalMemory compares tv with the rows in memory; settled reports a
// decisive comparison.
func (s *subquerySet) evalMemory(ctx context.Context, tv []types.Datum, fold *quantFold) (settled bool, err error) {
	candidates := func(yield func(i int) bool) {
		for i := range s.rows {
			if !yield(i) {
				return
			}
		}
	}
	if s.hashed {
		if !hasNull(tv) {
			// Only the rows in tv's bucket can be equal; the other rows
			// without a NULL are not, which settles nothing.
			for _, i := range s.table[s.hash(s.testT, tv)] {
				r, err := s.q.compare(tv, s.rows[i])
				if err != nil {
					return false, err
				}
				if fold.add(r, s.q.decisive) {
					return true, nil
				}
			}
			candidates = func(yield func(i int) bool) {
				for _, i := range s.nullRows {
					if !yield(i) {
						return
					}
				}
			}
		}
	}
	for i := range candidates {
		if err := s.check.tick(ctx); err != nil {
			return false, err
		}
		r, err := s.q.compare(tv, s.rows[i])
		if err != nil {
			return false, err
		}
		if fold.add(r, s.q.decisive) {
			return true, nil
		}
	}
	return false, nil
}

// evalOverflow compares tv with the rows on disk.
func (s *subquerySet) evalOverflow(ctx context.Context, tv []types.Datum, fold *quantFold) (settled bool, err error) {
	if err := s.overflow.rewind(spillBufSize); err != nil {
		return false, err
	}
	for n := int64(0); n < s.overflowRows; n++ {
		if err := s.check.tick(ctx); err != nil {
			return false, err
		}
		vals, err := s.overflow.read(s.width)
		if err == nil && vals == nil {
			err = tempFileError("read from", io.ErrUnexpectedEOF)
		}
		if err != nil {
			return false, err
		}
		r, err := s.q.compare(tv, vals)
		if err != nil {
			return false, err
		}
		if fold.add(r, s.q.decisive) {
			return true, nil
		}
	}
	return false, nil
}

func (s *subquerySet) close() {
	if s.overflow != nil {
		s.overflow.close()
		s.overflow = nil
	}
}
