package planner

import (
	"time"

	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// Expr is a bound, typed scalar expression. Expressions are immutable once
// bound, so a plan can be cached and run many times, even concurrently.
type Expr interface {
	// Type is the SQL type of the expression's value.
	Type() types.T
}

// Const is a constant value.
type Const struct {
	Value types.Datum
	T     types.T
}

// Param is a query parameter ($1 is Index 0). Its type was given by the
// client or inferred by the binder.
type Param struct {
	Index int
	T     types.T
}

// ColRef reads column Idx of the row produced by the operator's input.
type ColRef struct {
	Idx  int
	T    types.T
	Name string
}

// FuncImpl computes a scalar function from its evaluated arguments. It is
// called only with non-NULL arguments when the function is strict.
type FuncImpl func(env Env, args []types.Datum) (types.Datum, error)

// Volatility says when a function's result may change, as
// pg_proc.provolatile does.
type Volatility byte

// Volatilities.
const (
	Immutable Volatility = 'i'
	Stable    Volatility = 's'
	Volatile  Volatility = 'v'
)

// Func is a call of a scalar function or operator, resolved to one
// implementation. Op is the operator's name when it was written as an
// operator (e.g. "<->"), and Name the function's name otherwise.
type Func struct {
	Name string
	Op   string
	Args []Expr
	T    types.T
	Impl FuncImpl
	// Strict functions return NULL as soon as one argument is NULL, without
	// being called.
	Strict     bool
	Volatility Volatility
}

// Cast converts Arg to type To. Explicit is false for implicit and
// assignment casts (varchar length overflow is an error then, not a
// truncation).
type Cast struct {
	Arg      Expr
	To       types.T
	Explicit bool
}

// BoolOpKind is AND, OR or NOT.
type BoolOpKind uint8

// Boolean operators.
const (
	And BoolOpKind = iota
	Or
	Not
)

// BoolOp combines boolean expressions with SQL's three-valued logic.
type BoolOp struct {
	Op   BoolOpKind
	Args []Expr
}

// IsNull tests for NULL (IS NULL, or IS NOT NULL when Negate).
type IsNull struct {
	Arg    Expr
	Negate bool
}

// When is one WHEN ... THEN ... arm of a Case.
type When struct {
	Cond   Expr
	Result Expr
}

// Case is a searched CASE; a simple CASE x WHEN v is bound as x = v.
type Case struct {
	Whens []When
	Else  Expr // nil means NULL
	T     types.T
}

// Coalesce returns its first non-NULL argument.
type Coalesce struct {
	Args []Expr
	T    types.T
}

// InList is x IN (a, b, ...), or NOT IN when Negate. Eq compares x with
// each item and has the signature (x's type, item type) -> bool.
type InList struct {
	Arg    Expr
	List   []Expr
	Eq     FuncImpl
	Negate bool
}

// ArrayExpr builds an array from its elements (ARRAY[...]).
type ArrayExpr struct {
	Elems []Expr
	T     types.T
}

// Type implementations.
func (e *Const) Type() types.T     { return e.T }
func (e *Param) Type() types.T     { return e.T }
func (e *ColRef) Type() types.T    { return e.T }
func (e *Func) Type() types.T      { return e.T }
func (e *Cast) Type() types.T      { return e.To }
func (e *BoolOp) Type() types.T    { return types.TBool }
func (e *IsNull) Type() types.T    { return types.TBool }
func (e *Case) Type() types.T      { return e.T }
func (e *Coalesce) Type() types.T  { return e.T }
func (e *InList) Type() types.T    { return types.TBool }
func (e *ArrayExpr) Type() types.T { return e.T }

// Env is what a function may ask of the session and transaction that runs
// it. The session implements it; tests can use a small fake.
type Env interface {
	// StatementTime is when the current statement started;
	// TransactionTime when the current transaction started (now()).
	StatementTime() time.Time
	TransactionTime() time.Time
	// Setting returns a session setting's current value as SHOW prints it.
	Setting(name string) (string, error)
	// SetSetting changes a session setting, as set_config does, and
	// returns its new value.
	SetSetting(name, value string, local bool) (string, error)
	// NextVal, CurrVal and SetVal implement the sequence functions on the
	// sequence with the given OID.
	NextVal(seq types.OID) (int64, error)
	CurrVal(seq types.OID) (int64, error)
	SetVal(seq types.OID, value int64, isCalled bool) (int64, error)
	// RelationOID resolves a relation name as a cast to regclass does.
	RelationOID(name string) (types.OID, error)
	// Format gives the session's output settings, for casts to text.
	Format() *types.FormatOptions
	// Database, User and BackendPID describe the session.
	Database() string
	User() string
	BackendPID() int32
	// Catalog is the schema as the statement sees it, for the catalog
	// functions and tables.
	Catalog() *storage.Catalog
	// SearchPath is the schemas unqualified names are looked up in.
	SearchPath() []string
}

// Walk calls fn for e and each of its sub-expressions, depth first, and
// stops descending where fn returns false.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	for _, c := range Children(e) {
		Walk(c, fn)
	}
}

// Children returns e's direct sub-expressions.
func Children(e Expr) []Expr {
	switch e := e.(type) {
	case *Func:
		return e.Args
	case *Cast:
		return []Expr{e.Arg}
	case *BoolOp:
		return e.Args
	case *IsNull:
		return []Expr{e.Arg}
	case *Case:
		out := make([]Expr, 0, 2*len(e.Whens)+1)
		for _, w := range e.Whens {
			out = append(out, w.Cond, w.Result)
		}
		if e.Else != nil {
			out = append(out, e.Else)
		}
		return out
	case *Coalesce:
		return e.Args
	case *InList:
		return append([]Expr{e.Arg}, e.List...)
	case *ArrayExpr:
		return e.Elems
	case *Subquery:
		return e.Tests
	}
	return nil
}

// IsConstant reports whether e depends on no row, no parameter and no
// volatile function, so it can be folded once at plan time.
func IsConstant(e Expr) bool {
	ok := true
	Walk(e, func(x Expr) bool {
		switch x := x.(type) {
		case *ColRef, *Param, *OuterRef, *Subquery:
			ok = false
		case *Func:
			if x.Volatility != Immutable {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// MapChildren returns e with each direct sub-expression replaced by f(sub).
// Expressions are immutable, so a changed expression is a copy; e itself is
// returned when nothing changed.
func MapChildren(e Expr, f func(Expr) (Expr, error)) (Expr, error) {
	mapAll := func(es []Expr) ([]Expr, bool, error) {
		out := make([]Expr, len(es))
		changed := false
		for i, x := range es {
			y, err := f(x)
			if err != nil {
				return nil, false, err
			}
			out[i] = y
			changed = changed || y != x
		}
		return out, changed, nil
	}
	switch e := e.(type) {
	case *Func:
		args, changed, err := mapAll(e.Args)
		if err != nil || !changed {
			return e, err
		}
		c := *e
		c.Args = args
		return &c, nil
	case *Cast:
		a, err := f(e.Arg)
		if err != nil || a == e.Arg {
			return e, err
		}
		c := *e
		c.Arg = a
		return &c, nil
	case *BoolOp:
		args, changed, err := mapAll(e.Args)
		if err != nil || !changed {
			return e, err
		}
		c := *e
		c.Args = args
		return &c, nil
	case *IsNull:
		a, err := f(e.Arg)
		if err != nil || a == e.Arg {
			return e, err
		}
		c := *e
		c.Arg = a
		return &c, nil
	case *Case:
		c := *e
		c.Whens = make([]When, len(e.Whens))
		changed := false
		for i, w := range e.Whens {
			cond, err := f(w.Cond)
			if err != nil {
				return nil, err
			}
			res, err := f(w.Result)
			if err != nil {
				return nil, err
			}
			c.Whens[i] = When{Cond: cond, Result: res}
			changed = changed || cond != w.Cond || res != w.Result
		}
		if e.Else != nil {
			el, err := f(e.Else)
			if err != nil {
				return nil, err
			}
			c.Else = el
			changed = changed || el != e.Else
		}
		if !changed {
			return e, nil
		}
		return &c, nil
	case *Coalesce:
		args, changed, err := mapAll(e.Args)
		if err != nil || !changed {
			return e, err
		}
		c := *e
		c.Args = args
		return &c, nil
	case *InList:
		a, err := f(e.Arg)
		if err != nil {
			return nil, err
		}
		list, changed, err := mapAll(e.List)
		if err != nil {
			return nil, err
		}
		if !changed && a == e.Arg {
			return e, nil
		}
		c := *e
		c.Arg, c.List = a, list
		return &c, nil
	case *ArrayExpr:
		elems, changed, err := mapAll(e.Elems)
		if err != nil || !changed {
			return e, err
		}
		c := *e
		c.Elems = elems
		return &c, nil
	case *Subquery:
		tests, changed, err := mapAll(e.Tests)
		if err != nil || !changed {
			return e, err
		}
		c := *e
		c.Tests = tests
		return &c, nil
	}
	return e, nil
}

// Equal reports whether two expressions compute the same thing: the same
// shape, functions, types, columns and constant values. It is used to
// match SELECT-list expressions with GROUP BY ones.
func Equal(a, b Expr) bool {
	switch a := a.(type) {
	case *Const:
		b, ok := b.(*Const)
		return ok && a.T == b.T && constEqual(a.T, a.Value, b.Value)
	case *Param:
		b, ok := b.(*Param)
		return ok && a.Index == b.Index && a.T == b.T
	case *ColRef:
		b, ok := b.(*ColRef)
		return ok && a.Idx == b.Idx
	case *Func:
		b, ok := b.(*Func)
		return ok && a.Name == b.Name && a.Op == b.Op && a.T == b.T && a.Volatility != Volatile &&
			equalAll(a.Args, b.Args)
	case *Cast:
		b, ok := b.(*Cast)
		return ok && a.To == b.To && a.Explicit == b.Explicit && Equal(a.Arg, b.Arg)
	case *BoolOp:
		b, ok := b.(*BoolOp)
		return ok && a.Op == b.Op && equalAll(a.Args, b.Args)
	case *IsNull:
		b, ok := b.(*IsNull)
		return ok && a.Negate == b.Negate && Equal(a.Arg, b.Arg)
	case *Coalesce:
		b, ok := b.(*Coalesce)
		return ok && equalAll(a.Args, b.Args)
	case *Case:
		b, ok := b.(*Case)
		if !ok || len(a.Whens) != len(b.Whens) || (a.Else == nil) != (b.Else == nil) {
			return false
		}
		for i := range a.Whens {
			if !Equal(a.Whens[i].Cond, b.Whens[i].Cond) || !Equal(a.Whens[i].Result, b.Whens[i].Result) {
				return false
			}
		}
		return a.Else == nil || Equal(a.Else, b.Else)
	case *InList:
		b, ok := b.(*InList)
		return ok && a.Negate == b.Negate && Equal(a.Arg, b.Arg) && equalAll(a.List, b.List)
	case *ArrayExpr:
		b, ok := b.(*ArrayExpr)
		return ok && a.T == b.T && equalAll(a.Elems, b.Elems)
	case *OuterRef:
		b, ok := b.(*OuterRef)
		return ok && a.Depth == b.Depth && a.Idx == b.Idx
	case *Subquery:
		// Two subqueries are the same only as the same object.
		return a == b
	}
	return false
}

func equalAll(a, b []Expr) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// constEqual tells whether two constants of type t are the same value in
// the same form, as PostgreSQL's equal() compares Const datums byte for
// byte: 1.5 and 1.50 differ, so do 0 and -0, and NaN equals NaN. Values
// that Go cannot compare with == (decimals, vectors, arrays) compare by
// their text, which is exact for every type.
func constEqual(t types.T, a, b types.Datum) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	switch a.(type) {
	case bool, int64, string:
		return a == b
	}
	return string(types.AppendText(nil, t, a, nil)) == string(types.AppendText(nil, t, b, nil))
}
