package builtins

import (
	"maps"
	"slices"
)

// FunctionNames returns the names of the registry's functions, sorted.
func (r *Registry) FunctionNames() []string { return slices.Sorted(maps.Keys(r.funcs)) }

// AggregateNames returns the names of the registry's aggregates, sorted.
func (r *Registry) AggregateNames() []string { return slices.Sorted(maps.Keys(r.aggs)) }

// BinaryOperatorNames returns the names of the infix operators, sorted.
func (r *Registry) BinaryOperatorNames() []string { return slices.Sorted(maps.Keys(r.binary)) }

// PrefixOperatorNames returns the names of the prefix operators, sorted.
func (r *Registry) PrefixOperatorNames() []string { return slices.Sorted(maps.Keys(r.prefix)) }
