package planner

import "github.com/vecgres/vecgres/sql/types"

// JoinKind is the kind of a join.
type JoinKind uint8

// Join kinds. Right joins are bound as left joins with the inputs swapped.
const (
	InnerJoin JoinKind = iota
	LeftJoin
	FullJoin
)

// Join combines the rows of Left and Right whose combined row satisfies
// Cond (nil: every pair). Its rows are the left columns followed by the
// right ones; outer joins fill the missing side with NULLs.
type Join struct {
	Left, Right Node
	Kind        JoinKind
	Cond        Expr
	// EqLeft and EqRight, when set, are equality keys (over the left and
	// the right row) that Cond implies, so the executor can hash the
	// right side instead of testing every pair.
	EqLeft, EqRight []Expr
	Out             []OutCol
}

// SetOpKind is UNION, INTERSECT or EXCEPT.
type SetOpKind uint8

// Set operations.
const (
	Union SetOpKind = iota
	Intersect
	Except
)

// SetOp combines two inputs of the same column types.
type SetOp struct {
	Op          SetOpKind
	All         bool
	Left, Right Node
	Out         []OutCol
}

// SubqueryKind says how a subquery is used in an expression.
type SubqueryKind uint8

// Subquery uses.
const (
	ScalarSubquery SubqueryKind = iota // (SELECT x ...)
	ExistsSubquery                     // EXISTS (SELECT ...)
	AnySubquery                        // x = ANY (SELECT ...), x IN (SELECT ...)
	AllSubquery                        // x <> ALL (SELECT ...)
	ArraySubquery                      // ARRAY(SELECT ...)
)

// Subquery is a query used as a value. Its plan may read columns of the
// enclosing queries' rows through OuterRef (Correlated); an uncorrelated
// subquery is run once per statement.
type Subquery struct {
	Kind SubqueryKind
	Plan Node
	// Tests and Cmps are the left-hand side and the comparison of ANY and
	// ALL, one per column of the plan: Cmps[i](Tests[i], column i) -> bool.
	// More than one is a row form, (a, b) IN (SELECT c, d ...), whose
	// comparisons combine as a row comparison: with AND for Op "=", with
	// OR for Op "<>" (the only operators a row form binds with).
	Tests []Expr
	Cmps  []FuncImpl
	// Op is the name of the comparison operator of ANY and ALL ("=" for
	// IN).
	Op         string
	Correlated bool
	T          types.T
}

// OuterRef reads column Idx of the row of an enclosing query, Depth levels
// out (1 is the query directly around the subquery).
type OuterRef struct {
	Depth int
	Idx   int
	T     types.T
	Name  string
}

func (e *Subquery) Type() types.T { return e.T }
func (e *OuterRef) Type() types.T { return e.T }

func (n *Join) Schema() []OutCol  { return n.Out }
func (n *SetOp) Schema() []OutCol { return n.Out }
