package builtins

import (
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// Pseudo-types accepted in overload signatures.
const (
	// AnyOID matches any argument type; the implementation receives the
	// value as is.
	AnyOID types.OID = types.AnyElementOID
)

// Overload is one implementation of a function or operator.
type Overload struct {
	Args []types.OID
	// Variadic means the last entry of Args may repeat any number of times
	// (at least zero more).
	Variadic bool
	// Ret is the result type; RetFn, when set, computes it from the
	// argument types instead (for results that keep a typmod, or that have
	// the type of an argument).
	Ret   types.T
	RetFn func(args []types.T) types.T
	Impl  planner.FuncImpl
	// ImplFor, when set, makes the implementation for the argument types
	// the call resolved to, for functions whose behaviour depends on them
	// (to_json formats a value by its type); Impl is then a fallback.
	ImplFor func(args []types.T) planner.FuncImpl
	// NonStrict functions are called with NULL arguments too.
	NonStrict  bool
	Volatility planner.Volatility
	// Polymorphic marks an overload that stands for one of PostgreSQL's
	// anycompatible signatures (array_prepend, array_append): its
	// argument types never count as exact matches when an operator is
	// resolved, so that name || unknown is text concatenation, not the
	// prepending of a name to a name[].
	Polymorphic bool
}

// ResultType returns the overload's result type for the given argument
// types.
func (o *Overload) ResultType(args []types.T) types.T {
	if o.RetFn != nil {
		return o.RetFn(args)
	}
	return o.Ret
}

// AggOverload is one implementation of an aggregate.
type AggOverload struct {
	Args  []types.OID
	Ret   types.T
	RetFn func(args []types.T) types.T
	// New makes an accumulator for one group; arg is the argument type.
	New func(args []types.T) func() planner.Accumulator
	// NonStrict aggregates see rows whose arguments are NULL.
	NonStrict bool
}

// ResultType returns the aggregate's result type for the argument types.
func (o *AggOverload) ResultType(args []types.T) types.T {
	if o.RetFn != nil {
		return o.RetFn(args)
	}
	return o.Ret
}

// Registry maps names to overloads. It is immutable once built.
type Registry struct {
	binary map[string][]Overload
	prefix map[string][]Overload
	funcs  map[string][]Overload
	aggs   map[string][]AggOverload
}

// NewRegistry builds the registry of every built-in.
func NewRegistry() *Registry {
	r := &Registry{
		binary: map[string][]Overload{},
		prefix: map[string][]Overload{},
		funcs:  map[string][]Overload{},
		aggs:   map[string][]AggOverload{},
	}
	addComparisons(r)
	addArithmetic(r)
	addText(r)
	addVector(r)
	addHalfvec(r)
	addSparsevec(r)
	addBit(r)
	addMath(r)
	addSession(r)
	addAggregates(r)
	addCatalogFuncs(r)
	addArrayFuncs(r)
	addJSONFuncs(r)
	addIntervalOps(r)
	return r
}

// BinaryOperator returns the overloads of the infix operator name.
func (r *Registry) BinaryOperator(name string) []Overload { return r.binary[name] }

// PrefixOperator returns the overloads of the prefix operator name.
func (r *Registry) PrefixOperator(name string) []Overload { return r.prefix[name] }

// Function returns the overloads of the function name (lower case).
func (r *Registry) Function(name string) []Overload { return r.funcs[name] }

// Aggregate returns the overloads of the aggregate name (lower case).
func (r *Registry) Aggregate(name string) []AggOverload { return r.aggs[name] }

func (r *Registry) addBinary(name string, o Overload) {
	if o.Volatility == 0 {
		o.Volatility = planner.Immutable
	}
	r.binary[name] = append(r.binary[name], o)
}

func (r *Registry) addPrefix(name string, o Overload) {
	if o.Volatility == 0 {
		o.Volatility = planner.Immutable
	}
	r.prefix[name] = append(r.prefix[name], o)
}

func (r *Registry) addFunc(name string, o Overload) {
	if o.Volatility == 0 {
		o.Volatility = planner.Immutable
	}
	r.funcs[name] = append(r.funcs[name], o)
}

func (r *Registry) addAgg(name string, o AggOverload) {
	r.aggs[name] = append(r.aggs[name], o)
}

// sig is shorthand for an argument list.
func sig(oids ...types.OID) []types.OID { return oids }

// sameAsArg returns a RetFn giving argument i's type without its typmod.
func sameAsArg(i int) func([]types.T) types.T {
	return func(args []types.T) types.T { return types.Of(args[i].OID) }
}
