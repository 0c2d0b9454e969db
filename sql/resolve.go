package sql

import (
	"strings"

	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// isUnknown reports whether e has no type yet: a string literal, a NULL
// literal, or a parameter whose type is still to be inferred.
func isUnknown(e planner.Expr) bool { return e.Type().OID == types.UnknownOID }

// coerceMode says how strict a coercion is, as PostgreSQL's cast contexts.
type coerceMode = types.CastContext

// coerce converts e to type to when a cast allowed in mode exists. Unknown
// literals are parsed as the target type (errors point at the literal);
// unknown parameters take the target type. ok is false when no such cast
// exists; the caller words that error.
func (b *binder) coerce(e planner.Expr, to types.T, mode coerceMode, loc int32) (out planner.Expr, ok bool, err error) {
	from := e.Type()
	if isUnknown(e) {
		switch e := e.(type) {
		case *planner.Const:
			if e.Value == nil {
				return &planner.Const{T: to}, true, nil
			}
			if to.OID == types.RegclassOID {
				return b.regclassConst(e.Value.(string), loc)
			}
			// The literal is read as the type, then its modifier applied
			// with the cast's strictness: an explicit cast truncates a
			// too-long string, an assignment rejects it.
			// (interval's input function takes the modifier: under INTERVAL
			// DAY a bare number is days.)
			parseAs := types.Of(to.OID)
			if to.OID == types.IntervalOID {
				parseAs = to
			}
			v, err := types.ParseTextWith(parseAs, e.Value.(string), b.format)
			if err == nil && to.Mod >= 0 {
				v, err = types.CoerceTypmod(v, to, mode == types.CastExplicit)
			}
			if err != nil {
				return nil, true, b.at(loc, err)
			}
			return &planner.Const{Value: v, T: to}, true, nil
		case *planner.Param:
			b.params[e.Index] = types.Of(to.OID)
			p := &planner.Param{Index: e.Index, T: types.Of(to.OID)}
			if to.Mod >= 0 {
				return &planner.Cast{Arg: p, To: to, Explicit: mode == types.CastExplicit}, true, nil
			}
			return p, true, nil
		}
	}
	if from.OID == to.OID {
		if to.Mod >= 0 && to.Mod != from.Mod {
			return b.foldCast(&planner.Cast{Arg: e, To: to, Explicit: mode == types.CastExplicit}, loc)
		}
		return e, true, nil
	}
	if to.OID == builtins.AnyOID {
		return e, true, nil
	}
	cc, exists := types.CastContextOf(from.OID, to.OID)
	if !exists || cc > mode {
		return nil, false, nil
	}
	return b.foldCast(&planner.Cast{Arg: e, To: to, Explicit: mode == types.CastExplicit}, loc)
}

// foldCast evaluates a cast of a constant at bind time, so that the plan
// carries the converted value.
func (b *binder) foldCast(c *planner.Cast, loc int32) (planner.Expr, bool, error) {
	k, ok := c.Arg.(*planner.Const)
	if !ok {
		return c, true, nil
	}
	if k.Value == nil {
		return &planner.Const{T: c.To}, true, nil
	}
	v, err := types.CastWith(k.Value, k.T, c.To, c.Explicit, b.format)
	if err != nil {
		return nil, true, b.at(loc, err)
	}
	return &planner.Const{Value: v, T: c.To}, true, nil
}

// mustCoerce is coerce with PostgreSQL's error when no cast applies.
func (b *binder) mustCoerce(e planner.Expr, to types.T, mode coerceMode, loc int32) (planner.Expr, error) {
	out, ok, err := b.coerce(e, to, mode, loc)
	if err != nil {
		return nil, err
	}
	if !ok {
		if mode == types.CastExplicit {
			return nil, b.errAt(loc, pgerr.CannotCoerce, "cannot cast type %s to %s", e.Type(), to)
		}
		return nil, b.errAt(loc, pgerr.DatatypeMismatch, "cannot convert type %s to %s", e.Type(), to)
	}
	return out, nil
}

// resolveUnknownAsText gives a still-unknown literal the type text, as
// PostgreSQL does for SELECT-list literals and other places where nothing
// decides their type.
func (b *binder) resolveUnknownAsText(e planner.Expr, loc int32) (planner.Expr, error) {
	if c, ok := e.(*planner.Const); ok && isUnknown(c) {
		return b.mustCoerce(e, types.TText, types.CastImplicit, loc)
	}
	return e, nil
}

// candidate is an overload being considered for a call.
type candidate struct {
	o    *builtins.Overload
	args []types.OID
}

// argTypesAt returns the overload's argument types expanded to n arguments
// (for variadic ones); ok is false if it cannot take n arguments.
func argTypesAt(o *builtins.Overload, n int) (args []types.OID, ok bool) {
	if o.Variadic {
		if n < len(o.Args)-1 {
			return nil, false
		}
		out := append([]types.OID(nil), o.Args[:len(o.Args)-1]...)
		for len(out) < n {
			out = append(out, o.Args[len(o.Args)-1])
		}
		return out, true
	}
	return o.Args, len(o.Args) == n
}

// pickOverload chooses among overloads for arguments args, following the
// steps of PostgreSQL's func_select_candidate in simplified form: exact
// matches first, then implicit casts, more exact matches winning, then
// preferred types, then the string category for unknown literals.
func pickOverload(overloads []builtins.Overload, args []planner.Expr) (*candidate, bool) {
	argOIDs := make([]types.OID, len(args))
	for i, a := range args {
		argOIDs[i] = a.Type().OID
	}
	var cands []candidate
	for i := range overloads {
		at, ok := argTypesAt(&overloads[i], len(args))
		if !ok || !feasible(argOIDs, at) || overloads[i].Polymorphic && !polymorphicFits(argOIDs, at) {
			continue
		}
		cands = append(cands, candidate{o: &overloads[i], args: at})
	}
	if len(cands) <= 1 {
		if len(cands) == 1 {
			return &cands[0], false
		}
		return nil, false
	}
	// A binary operator with one unknown side: PostgreSQL first assumes the
	// unknown has the other side's type.
	if len(args) == 2 {
		for _, pair := range [][2]int{{0, 1}, {1, 0}} {
			u, k := pair[0], pair[1]
			if argOIDs[u] == types.UnknownOID && argOIDs[k] != types.UnknownOID {
				for i := range cands {
					if cands[i].args[u] == argOIDs[k] && cands[i].args[k] == argOIDs[k] {
						return &cands[i], false
					}
				}
			}
		}
	}
	cands = keepBest(cands, func(c candidate) int {
		if c.o.Polymorphic {
			return 0
		}
		n := 0
		for i, t := range c.args {
			if t == argOIDs[i] {
				n++
			}
		}
		return n
	})
	cands = keepBest(cands, func(c candidate) int {
		n := 0
		for i, t := range c.args {
			if t != argOIDs[i] && isPreferred(t) {
				n++
			}
		}
		return n
	})
	if len(cands) > 1 {
		// Unknown arguments: prefer candidates taking a string type there.
		cands = keepBest(cands, func(c candidate) int {
			n := 0
			for i, t := range c.args {
				if argOIDs[i] == types.UnknownOID && category(t) == 'S' {
					n++
				}
			}
			return n
		})
	}
	if len(cands) > 1 {
		cands = keepBest(cands, func(c candidate) int {
			n := 0
			for i, t := range c.args {
				if argOIDs[i] == types.UnknownOID && isPreferred(t) {
					n++
				}
			}
			return n
		})
	}
	if len(cands) == 1 {
		return &cands[0], false
	}
	return nil, true
}

// polymorphicFits reports whether a Polymorphic overload is the one
// instance of its anycompatible signature that PostgreSQL would infer for
// the arguments: one whose type is known is taken as it is (or no
// argument's type is known), not cast to another instance.
func polymorphicFits(args, params []types.OID) bool {
	known := false
	for i, a := range args {
		if a == types.UnknownOID {
			continue
		}
		known = true
		if a == params[i] {
			return true
		}
	}
	return !known
}

func feasible(args, params []types.OID) bool {
	for i, a := range args {
		p := params[i]
		if a == p || a == types.UnknownOID || p == builtins.AnyOID {
			continue
		}
		cc, ok := types.CastContextOf(a, p)
		if !ok || cc != types.CastImplicit {
			return false
		}
	}
	return true
}

func keepBest(cands []candidate, score func(candidate) int) []candidate {
	best := -1
	var out []candidate
	for _, c := range cands {
		s := score(c)
		switch {
		case s > best:
			best, out = s, []candidate{c}
		case s == best:
			out = append(out, c)
		}
	}
	return out
}

func isPreferred(oid types.OID) bool {
	info, ok := types.Lookup(oid)
	return ok && info.Preferred
}

func category(oid types.OID) byte {
	info, ok := types.Lookup(oid)
	if !ok {
		return 0
	}
	return info.Category
}

// typeList renders argument types as PostgreSQL's messages do.
func typeList(args []planner.Expr) string {
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = a.Type().String()
	}
	return strings.Join(names, ", ")
}

// applyOverload coerces the arguments to the chosen overload's types and
// builds the call.
func (b *binder) applyOverload(c *candidate, name, op string, args []planner.Expr, locs []int32) (*planner.Func, error) {
	coerced := make([]planner.Expr, len(args))
	argTypes := make([]types.T, len(args))
	for i, a := range args {
		to := types.Of(c.args[i])
		if c.args[i] == builtins.AnyOID {
			// Polymorphic argument: an unknown literal becomes text.
			var err error
			if a, err = b.resolveUnknownAsText(a, locs[i]); err != nil {
				return nil, err
			}
			coerced[i] = a
			argTypes[i] = a.Type()
			continue
		}
		x, err := b.mustCoerce(a, to, types.CastImplicit, locs[i])
		if err != nil {
			return nil, err
		}
		coerced[i] = x
		argTypes[i] = x.Type()
	}
	impl := c.o.Impl
	if c.o.ImplFor != nil {
		impl = c.o.ImplFor(argTypes)
	}
	return &planner.Func{
		Name:       name,
		Op:         op,
		Args:       coerced,
		T:          c.o.ResultType(argTypes),
		Impl:       impl,
		Strict:     !c.o.NonStrict,
		Volatility: c.o.Volatility,
	}, nil
}

// bindOperator resolves an infix (left != nil) or prefix operator.
func (b *binder) bindOperator(op string, left, right planner.Expr, leftLoc, rightLoc, loc int32) (planner.Expr, error) {
	if op == "!=" {
		op = "<>"
	}
	var overloads []builtins.Overload
	var args []planner.Expr
	var locs []int32
	if left == nil {
		overloads = b.reg.PrefixOperator(op)
		args, locs = []planner.Expr{right}, []int32{rightLoc}
	} else {
		overloads = b.reg.BinaryOperator(op)
		args, locs = []planner.Expr{left, right}, []int32{leftLoc, rightLoc}
	}
	c, ambiguous := pickOverload(overloads, args)
	if c == nil {
		sigText := "operator does not exist: "
		code := pgerr.UndefinedFunction
		hint := "No operator matches the given name and argument types. You might need to add explicit type casts."
		if ambiguous {
			sigText = "operator is not unique: "
			code = pgerr.AmbiguousFunction
			hint = "Could not choose a best candidate operator. You might need to add explicit type casts."
		}
		if left == nil {
			return nil, b.errAt(loc, code, "%s%s %s", sigText, op, right.Type()).WithHint("%s", hint)
		}
		return nil, b.errAt(loc, code, "%s%s %s %s", sigText, left.Type(), op, right.Type()).WithHint("%s", hint)
	}
	return b.applyOverload(c, "", op, args, locs)
}

// bindFunction resolves a function call by name and arguments.
func (b *binder) bindFunction(name string, args []planner.Expr, locs []int32, loc int32) (planner.Expr, error) {
	overloads := b.reg.Function(name)
	c, ambiguous := pickOverload(overloads, args)
	if c == nil {
		if ambiguous {
			return nil, b.errAt(loc, pgerr.AmbiguousFunction, "function %s(%s) is not unique", name, typeList(args)).
				WithHint("Could not choose a best candidate function. You might need to add explicit type casts.")
		}
		return nil, b.errAt(loc, pgerr.UndefinedFunction, "function %s(%s) does not exist", name, typeList(args)).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
	}
	return b.applyOverload(c, name, "", args, locs)
}

// commonType picks the type that CASE, COALESCE, VALUES columns and IN
// lists resolve their branches to, as PostgreSQL's select_common_type:
// all unknown gives text; otherwise the first known type, moved to a later
// type when the earlier one casts implicitly to it and not back (or the
// later one is the category's preferred type).
func commonType(exprs []planner.Expr) (types.T, bool) {
	var out types.T
	found := false
	for _, e := range exprs {
		t := e.Type()
		if t.OID == types.UnknownOID {
			continue
		}
		if !found {
			out, found = types.Of(t.OID), true
			continue
		}
		if t.OID == out.OID {
			continue
		}
		if category(t.OID) != category(out.OID) {
			return types.T{}, false
		}
		toNew, ok1 := types.CastContextOf(out.OID, t.OID)
		toOld, ok2 := types.CastContextOf(t.OID, out.OID)
		canToNew := ok1 && toNew == types.CastImplicit
		canToOld := ok2 && toOld == types.CastImplicit
		if canToNew && (!canToOld || isPreferred(t.OID)) {
			out = types.Of(t.OID)
		}
	}
	if !found {
		return types.TText, true
	}
	return out, true
}
