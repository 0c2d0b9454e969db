package planner

// RecursiveUnion evaluates a WITH RECURSIVE query, non-recursive-term
// UNION [ALL] recursive-term, as PostgreSQL does: Init's rows are the
// first working table; Step is evaluated again and again, each time with
// its WorkTableScan (the one whose ID is this node's) reading the rows the
// previous evaluation produced, until one produces none. The result is
// every row produced; with Distinct (UNION) a row equal to one produced
// before is dropped, and so never enters the working table either.
type RecursiveUnion struct {
	Init, Step Node
	// ID ties the node to the WorkTableScan in Step; unique within a
	// statement.
	ID       int
	Name     string // the WITH query's name, for EXPLAIN
	Distinct bool
	Out      []OutCol
}

// WorkTableScan reads the working table of the RecursiveUnion with the
// same ID: the rows of the previous iteration.
type WorkTableScan struct {
	ID   int
	Name string
	Out  []OutCol
}

func (n *RecursiveUnion) Schema() []OutCol { return n.Out }
func (n *WorkTableScan) Schema() []OutCol  { return n.Out }
