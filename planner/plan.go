package planner

import (
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// OutCol describes one column a plan node produces.
type OutCol struct {
	Name string
	T    types.T
	// TableOID and Attnum name the table column the value comes from
	// unchanged, or are zero for computed values (RowDescription reports
	// them).
	TableOID types.OID
	Attnum   int16
}

// Node is one operator of a plan. Nodes are immutable once planned.
type Node interface {
	// Schema describes the rows the node produces.
	Schema() []OutCol
}

// Scan reads every row of a table. Its rows have one column per slot of
// Table.Columns (dropped slots are NULL), followed by the row id (int8)
// when RowID is set, for UPDATE and DELETE.
type Scan struct {
	Table *storage.Table
	Alias string
	RowID bool
	Out   []OutCol
}

// Values produces literal rows (VALUES lists, and SELECT without FROM).
type Values struct {
	Rows [][]Expr
	Out  []OutCol
}

// VirtualScan reads a table whose rows are computed when the statement
// runs, from the catalog the statement sees: pg_catalog's and
// information_schema's tables.
type VirtualScan struct {
	// Name is the table's qualified name, for EXPLAIN.
	Name  string
	Alias string
	Out   []OutCol
	// Rows computes the rows.
	Rows func(env Env) ([][]types.Datum, error)
	// RowsOf, when set, computes the rows instead of Rows from the values
	// of Args, evaluated when the scan starts: the set-returning functions
	// in FROM (generate_series, unnest). Args may refer to the rows of
	// enclosing queries, never to the other FROM items.
	Args   []Expr
	RowsOf func(env Env, args []types.Datum) ([][]types.Datum, error)
}

// RowSource produces rows handed to the executor at run time, one by one:
// the rows of COPY FROM STDIN.
type RowSource struct {
	Out []OutCol
}

// Filter passes the rows for which Cond is true.
type Filter struct {
	Input Node
	Cond  Expr
}

// Project computes one expression per output column.
type Project struct {
	Input Node
	Exprs []Expr
	Out   []OutCol
}

// SortKey is one ORDER BY key, an expression over the input's columns.
type SortKey struct {
	Expr       Expr
	Desc       bool
	NullsFirst bool
	// Cmp orders two non-NULL values of Expr's type.
	Cmp func(a, b types.Datum) int
}

// Sort orders all its input rows.
type Sort struct {
	Input Node
	Keys  []SortKey
}

// Limit skips Offset rows and stops after Count rows. A nil Count means no
// limit; both are int8 expressions evaluated once.
type Limit struct {
	Input  Node
	Count  Expr
	Offset Expr
}

// TopK is Sort followed by Limit, done with a bounded heap of
// Count+Offset rows instead of a full sort.
type TopK struct {
	Input  Node
	Keys   []SortKey
	Count  Expr
	Offset Expr
}

// Accumulator folds the rows of one group into an aggregate's value.
type Accumulator interface {
	// Add takes one row's evaluated arguments. For strict aggregates it is
	// not called when an argument is NULL.
	Add(env Env, args []types.Datum) error
	// Result returns the aggregate's value for the rows added so far.
	Result(env Env) (types.Datum, error)
}

// AggCall is one aggregate function call.
type AggCall struct {
	Name     string
	Args     []Expr
	Star     bool // count(*)
	Distinct bool
	Filter   Expr
	T        types.T
	// New makes a fresh accumulator for a group.
	New    func() Accumulator
	Strict bool
	// ArgEq tells equal argument values apart for DISTINCT aggregates.
	ArgEq func(a, b types.Datum) bool
	ArgT  types.T
}

// Aggregate groups its input by Groups and computes Aggs per group. It
// produces the group key values followed by the aggregate results. With no
// Groups it produces exactly one row, even for empty input.
type Aggregate struct {
	Input  Node
	Groups []Expr
	Aggs   []*AggCall
	Out    []OutCol
}

// Distinct removes duplicate rows.
type Distinct struct {
	Input Node
}

// Insert writes the rows of Input, whose columns are the table's slots in
// order, into Table. Returning is computed over each written row.
type Insert struct {
	Table     *storage.Table
	Input     Node
	Returning []Expr
	Out       []OutCol
	// OnConflict, when set, says what to do with a row whose key is
	// already in a unique index (INSERT ... ON CONFLICT).
	OnConflict *OnConflict
	// Checks are the table's CHECK constraints, which every row written
	// (inserted, or updated by DO UPDATE) must not make false.
	Checks []Check
}

// Check is a bound CHECK constraint: Expr is over the table's slots.
type Check struct {
	Name string
	Expr Expr
}

// OnConflict is an INSERT's ON CONFLICT clause.
type OnConflict struct {
	// Arbiters are the unique btree indexes whose conflicts the clause
	// handles. Empty only for DO NOTHING without a conflict target, which
	// handles a conflict in any unique index.
	Arbiters []*storage.Index
	// Update is DO UPDATE; otherwise the clause is DO NOTHING.
	Update bool
	// Sets and Where (nil for none) of DO UPDATE are over the existing
	// row's slots followed by the proposed row's (EXCLUDED).
	Sets  []SetItem
	Where Expr
}

// SetItem assigns Expr (over the input row) to a table slot.
type SetItem struct {
	Slot int
	Expr Expr
}

// Update changes the rows of Input (table slots followed by the row id).
type Update struct {
	Table     *storage.Table
	Input     Node
	Sets      []SetItem
	Returning []Expr
	Out       []OutCol
	// Checks are the table's CHECK constraints, as Insert's.
	Checks []Check
}

// Delete removes the rows of Input (table slots followed by the row id).
type Delete struct {
	Table     *storage.Table
	Input     Node
	Returning []Expr
	Out       []OutCol
}

// Schema implementations.
func (n *Scan) Schema() []OutCol        { return n.Out }
func (n *Values) Schema() []OutCol      { return n.Out }
func (n *RowSource) Schema() []OutCol   { return n.Out }
func (n *VirtualScan) Schema() []OutCol { return n.Out }
func (n *Filter) Schema() []OutCol      { return n.Input.Schema() }
func (n *Project) Schema() []OutCol     { return n.Out }
func (n *Sort) Schema() []OutCol        { return n.Input.Schema() }
func (n *Limit) Schema() []OutCol       { return n.Input.Schema() }
func (n *TopK) Schema() []OutCol        { return n.Input.Schema() }
func (n *Aggregate) Schema() []OutCol   { return n.Out }
func (n *Distinct) Schema() []OutCol    { return n.Input.Schema() }
func (n *Insert) Schema() []OutCol      { return n.Out }
func (n *Update) Schema() []OutCol      { return n.Out }
func (n *Delete) Schema() []OutCol      { return n.Out }

// Inputs returns a node's children.
func Inputs(n Node) []Node {
	switch n := n.(type) {
	case *Join:
		return []Node{n.Left, n.Right}
	case *SetOp:
		return []Node{n.Left, n.Right}
	case *RecursiveUnion:
		return []Node{n.Init, n.Step}
	case *Filter:
		return []Node{n.Input}
	case *Project:
		return []Node{n.Input}
	case *Sort:
		return []Node{n.Input}
	case *Limit:
		return []Node{n.Input}
	case *TopK:
		return []Node{n.Input}
	case *Aggregate:
		return []Node{n.Input}
	case *Window:
		return []Node{n.Input}
	case *Distinct:
		return []Node{n.Input}
	case *Insert:
		return []Node{n.Input}
	case *Update:
		return []Node{n.Input}
	case *Delete:
		return []Node{n.Input}
	}
	return nil
}
