package sql

import (
	"math"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// winContext collects the window function calls of one query level,
// bound over its input (or its Aggregate's output, after rewriting).
type winContext struct {
	funcs []*planner.WindowFunc
	// named are the WINDOW clause's definitions.
	named map[string]*pg_query.WindowDef
}

// winRef stands for a window function's result inside a bound expression
// until the expression is rewritten over the Window node's output.
type winRef struct {
	idx int
	t   types.T
}

func (w *winRef) Type() types.T { return w.t }

// Reasons window functions are not allowed, besides a clause name.
const (
	winBanNested = "\x00nested"
	winBanAgg    = "\x00aggregate"
)

// isWindowFunction reports whether name is a built-in window function,
// which may be called only with OVER.
func isWindowFunction(name string) bool {
	_, _, ok := builtins.WindowFunction(name)
	return ok
}

// windowCall binds a function call with OVER.
func (b *binder) windowCall(name string, fc *pg_query.FuncCall, sc *scope) (planner.Expr, error) {
	if b.win == nil {
		switch {
		case b.winNotAllowed == winBanNested:
			return nil, b.errAt(fc.Location, pgerr.WindowingError, "window function calls cannot be nested")
		case b.winNotAllowed == winBanAgg:
			return nil, b.errAt(fc.Location, pgerr.GroupingError, "aggregate function calls cannot contain window function calls")
		case b.winNotAllowed != "":
			return nil, b.errAt(fc.Location, pgerr.WindowingError, "window functions are not allowed in %s", b.winNotAllowed)
		case b.aggNotAllowed != "":
			return nil, b.errAt(fc.Location, pgerr.WindowingError, "window functions are not allowed in %s", b.aggNotAllowed)
		}
		return nil, b.errAt(fc.Location, pgerr.WindowingError, "window function calls cannot be nested")
	}
	win := b.win
	b.win, b.winNotAllowed = nil, winBanNested
	defer func() { b.win, b.winNotAllowed = win, "" }()

	isAgg := len(b.reg.Aggregate(name)) > 0
	minArgs, maxArgs, isWin := builtins.WindowFunction(name)
	if !isAgg && !isWin {
		if len(b.reg.Function(name)) > 0 {
			return nil, b.errAt(fc.Location, pgerr.WrongObjectType, "OVER specified, but %s is not a window function nor an aggregate function", name)
		}
	}
	spec, err := b.windowSpec(fc.Over, win, sc)
	if err != nil {
		return nil, err
	}
	f := &planner.WindowFunc{Name: name, Spec: spec}
	if isAgg {
		if fc.AggDistinct {
			return nil, b.errAt(fc.Location, pgerr.FeatureNotSupported, "DISTINCT is not implemented for window functions")
		}
		if len(fc.AggOrder) > 0 {
			return nil, b.errAt(fc.Location, pgerr.FeatureNotSupported, "aggregate ORDER BY is not implemented for window functions")
		}
		b.winNotAllowed = winBanNested
		call, err := b.bindAggCall(name, fc, sc)
		if err != nil {
			return nil, err
		}
		f.Agg, f.T = call, call.T
	} else {
		if fc.AggFilter != nil {
			return nil, b.errAt(fc.Location, pgerr.FeatureNotSupported, "FILTER is not implemented for non-aggregate window functions")
		}
		args, locs, err := b.exprList(fc.Args, sc)
		if err != nil {
			return nil, err
		}
		if !isWin || len(args) < minArgs || len(args) > maxArgs || fc.AggStar || fc.AggDistinct {
			return nil, b.errAt(fc.Location, pgerr.UndefinedFunction, "function %s(%s) does not exist", name, typeList(args)).
				WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
		}
		for i := range args {
			switch {
			case i == 0 && name != "ntile":
				args[i], err = b.resolveUnknownAsText(args[i], locs[i])
			case i == 2:
				if out, ok, cerr := b.coerce(args[i], args[0].Type(), types.CastImplicit, locs[i]); cerr != nil {
					err = cerr
				} else if ok {
					args[i] = out
				} else if out0, ok0, cerr0 := b.coerce(args[0], args[i].Type(), types.CastImplicit, locs[0]); cerr0 == nil && ok0 {
					args[0] = out0
				} else {
					err = b.errAt(locs[i], pgerr.UndefinedFunction, "function %s(%s) does not exist", name, typeList(args)).
						WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
				}
			default:
				args[i], err = b.mustCoerce(args[i], types.TInt4, types.CastImplicit, locs[i])
			}
			if err != nil {
				return nil, err
			}
		}
		f.Args = args
		switch name {
		case "row_number", "rank", "dense_rank":
			f.T = types.TInt8
		case "percent_rank", "cume_dist":
			f.T = types.TFloat8
		case "ntile":
			f.T = types.TInt4
		default:
			f.T = args[0].Type()
		}
	}
	win.funcs = append(win.funcs, f)
	return &winRef{idx: len(win.funcs) - 1, t: f.T}, nil
}

// effectiveWindow resolves a window reference (OVER w, or OVER (w ...))
// into the definition it stands for, as PostgreSQL's rules for copying a
// window say.
// over is set for an OVER clause, where a bare name refers to a window.
func (b *binder) effectiveWindow(def *pg_query.WindowDef, win *winContext, over bool) (*pg_query.WindowDef, error) {
	ref := def.Refname
	bare := false
	if over && def.Name != "" && def.Refname == "" && len(def.PartitionClause) == 0 && len(def.OrderClause) == 0 &&
		def.FrameOptions&frameNonDefault == 0 {
		ref, bare = def.Name, true
	}
	if ref == "" {
		return def, nil
	}
	named, ok := win.named[ref]
	if !ok {
		return nil, b.errAt(def.Location, pgerr.UndefinedObject, "window \"%s\" does not exist", ref)
	}
	base, err := b.effectiveWindow(named, win, false)
	if err != nil {
		return nil, err
	}
	if bare {
		return base, nil
	}
	if len(def.PartitionClause) > 0 {
		return nil, b.errAt(def.Location, pgerr.WindowingError, "cannot override PARTITION BY clause of window \"%s\"", ref)
	}
	if len(def.OrderClause) > 0 && len(base.OrderClause) > 0 {
		return nil, b.errAt(def.Location, pgerr.WindowingError, "cannot override ORDER BY clause of window \"%s\"", ref)
	}
	if base.FrameOptions&frameNonDefault != 0 {
		return nil, b.errAt(def.Location, pgerr.WindowingError, "cannot copy window \"%s\" because it has a frame clause", ref)
	}
	out := &pg_query.WindowDef{PartitionClause: base.PartitionClause, OrderClause: base.OrderClause,
		FrameOptions: def.FrameOptions, StartOffset: def.StartOffset, EndOffset: def.EndOffset, Location: def.Location}
	if len(def.OrderClause) > 0 {
		out.OrderClause = def.OrderClause
	}
	return out, nil
}

// Frame option bits of pg_query's WindowDef.FrameOptions.
const (
	frameNonDefault         = 0x00001
	frameRange              = 0x00002
	frameRows               = 0x00004
	frameGroups             = 0x00008
	frameStartUnboundedPrec = 0x00020
	frameEndUnboundedFoll   = 0x00100
	frameStartCurrentRow    = 0x00200
	frameEndCurrentRow      = 0x00400
	frameStartOffsetPrec    = 0x00800
	frameEndOffsetPrec      = 0x01000
	frameStartOffsetFoll    = 0x02000
	frameEndOffsetFoll      = 0x04000
	frameExcludeCurrentRow  = 0x08000
	frameExcludeGroup       = 0x10000
	frameExcludeTies        = 0x20000
)

// windowSpec binds an OVER clause over the query's input.
func (b *binder) windowSpec(over *pg_query.WindowDef, win *winContext, sc *scope) (*planner.WindowSpec, error) {
	def, err := b.effectiveWindow(over, win, true)
	if err != nil {
		return nil, err
	}
	b.winNotAllowed = "window definitions"
	spec := &planner.WindowSpec{Name: over.Name}
	for _, p := range def.PartitionClause {
		e, err := b.expr(p, sc)
		if err != nil {
			return nil, err
		}
		if e, err = b.resolveUnknownAsText(e, location(p)); err != nil {
			return nil, err
		}
		cmp, err := b.sortCompare(e.Type(), location(p))
		if err != nil {
			return nil, err
		}
		if !hasKey(spec.Partition, e) {
			spec.Partition = append(spec.Partition, planner.SortKey{Expr: e, Cmp: cmp})
		}
	}
	for _, it := range def.OrderClause {
		sb := it.GetSortBy()
		if sb.SortbyDir == pg_query.SortByDir_SORTBY_USING {
			return nil, b.unsupported(sb.Location, "ORDER BY ... USING")
		}
		e, err := b.expr(sb.Node, sc)
		if err != nil {
			return nil, err
		}
		if e, err = b.resolveUnknownAsText(e, location(sb.Node)); err != nil {
			return nil, err
		}
		cmp, err := b.sortCompare(e.Type(), location(sb.Node))
		if err != nil {
			return nil, err
		}
		desc := sb.SortbyDir == pg_query.SortByDir_SORTBY_DESC
		nullsFirst := desc
		switch sb.SortbyNulls {
		case pg_query.SortByNulls_SORTBY_NULLS_FIRST:
			nullsFirst = true
		case pg_query.SortByNulls_SORTBY_NULLS_LAST:
			nullsFirst = false
		}
		// A key repeated adds nothing to the ordering, and PostgreSQL
		// drops it (RANGE offsets then still see one key).
		if !hasKey(spec.Order, e) {
			spec.Order = append(spec.Order, planner.SortKey{Expr: e, Desc: desc, NullsFirst: nullsFirst, Cmp: cmp})
		}
	}
	opts := def.FrameOptions
	fr := planner.Frame{Mode: planner.FrameRange, Start: planner.FrameBound{Kind: planner.UnboundedPreceding},
		End: planner.FrameBound{Kind: planner.CurrentRow}}
	if opts&frameNonDefault != 0 {
		mode := "RANGE"
		switch {
		case opts&frameRows != 0:
			fr.Mode, mode = planner.FrameRows, "ROWS"
		case opts&frameGroups != 0:
			fr.Mode, mode = planner.FrameGroups, "GROUPS"
			if len(spec.Order) == 0 {
				return nil, b.errAt(def.Location, pgerr.WindowingError, "GROUPS mode requires an ORDER BY clause")
			}
		}
		bound := func(unboundedPrec, unboundedFoll, current, offPrec, offFoll int32, off *pg_query.Node) (planner.FrameBound, error) {
			switch {
			case opts&unboundedPrec != 0:
				return planner.FrameBound{Kind: planner.UnboundedPreceding}, nil
			case opts&unboundedFoll != 0:
				return planner.FrameBound{Kind: planner.UnboundedFollowing}, nil
			case opts&current != 0:
				return planner.FrameBound{Kind: planner.CurrentRow}, nil
			}
			kind := planner.OffsetPreceding
			if opts&offFoll != 0 {
				kind = planner.OffsetFollowing
			}
			offT := types.TInt8
			if fr.Mode == planner.FrameRange {
				if len(spec.Order) != 1 {
					return planner.FrameBound{}, b.errAt(def.Location, pgerr.WindowingError,
						"RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column")
				}
				keyT := spec.Order[0].Expr.Type()
				var ok bool
				loc := time.UTC
				if b.format != nil && b.format.Location != nil {
					loc = b.format.Location
				}
				if offT, fr.Shift, ok = rangeShift(keyT, loc); !ok {
					return planner.FrameBound{}, b.errAt(location(off), pgerr.FeatureNotSupported,
						"RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s", keyT)
				}
			}
			b.winNotAllowed = "window definitions"
			e, err := b.expr(off, nil)
			if err != nil {
				if pgerr.CodeOf(err) == pgerr.UndefinedColumn {
					return planner.FrameBound{}, b.errAt(location(off), pgerr.Code("42P10"), "argument of %s must not contain variables", mode)
				}
				return planner.FrameBound{}, err
			}
			// ROWS and GROUPS offsets convert to bigint as an assignment
			// would (1.5 rounds to 2); RANGE offsets must fit the key.
			cast := types.CastAssignment
			if fr.Mode == planner.FrameRange {
				cast = types.CastImplicit
			}
			out, ok, err := b.coerce(e, offT, cast, location(off))
			if err != nil {
				return planner.FrameBound{}, err
			}
			if !ok || fr.Mode == planner.FrameRange && offT == types.TInt8 && !isIntegerType(e.Type()) && e.Type() != types.TUnknown {
				if fr.Mode == planner.FrameRange {
					return planner.FrameBound{}, b.errAt(location(off), pgerr.FeatureNotSupported,
						"RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s and offset type %s",
						spec.Order[0].Expr.Type(), e.Type()).WithHint("Cast the offset value to an appropriate type.")
				}
				return planner.FrameBound{}, b.errAt(location(off), pgerr.DatatypeMismatch, "argument of %s must be type bigint, not type %s", mode, e.Type())
			}
			return planner.FrameBound{Kind: kind, Offset: out}, nil
		}
		if fr.Start, err = bound(frameStartUnboundedPrec, 0x80, frameStartCurrentRow, frameStartOffsetPrec, frameStartOffsetFoll, def.StartOffset); err != nil {
			return nil, err
		}
		if fr.End, err = bound(0x40, frameEndUnboundedFoll, frameEndCurrentRow, frameEndOffsetPrec, frameEndOffsetFoll, def.EndOffset); err != nil {
			return nil, err
		}
		switch {
		case opts&frameExcludeCurrentRow != 0:
			fr.Exclude = planner.ExcludeCurrentRow
		case opts&frameExcludeGroup != 0:
			fr.Exclude = planner.ExcludeGroup
		case opts&frameExcludeTies != 0:
			fr.Exclude = planner.ExcludeTies
		}
	}
	spec.Frame = fr
	b.winNotAllowed = winBanNested
	return spec, nil
}

// overWindow rewrites an expression bound over a query's input (or its
// groups) to read the Window node's output: winRefs become references to
// the functions' result columns, after the input's width columns.
func overWindow(e planner.Expr, width int) planner.Expr {
	if w, ok := e.(*winRef); ok {
		return &planner.ColRef{Idx: width + w.idx, T: w.t}
	}
	out, _ := planner.MapChildren(e, func(c planner.Expr) (planner.Expr, error) { return overWindow(c, width), nil })
	return out
}

// windowOverGroups rewrites a window function's expressions over the
// Aggregate node's output, as overGroups does for the SELECT list.
func (b *binder) windowOverGroups(f *planner.WindowFunc, groups []planner.Expr, loc int32) error {
	var err error
	mapAll := func(es []planner.Expr) ([]planner.Expr, error) {
		out := make([]planner.Expr, len(es))
		for i, e := range es {
			if out[i], err = b.overGroups(e, groups, loc); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	if f.Args, err = mapAll(f.Args); err != nil {
		return err
	}
	if f.Agg != nil {
		c := *f.Agg
		if c.Args, err = mapAll(c.Args); err != nil {
			return err
		}
		if c.Filter != nil {
			if c.Filter, err = b.overGroups(c.Filter, groups, loc); err != nil {
				return err
			}
		}
		f.Agg = &c
	}
	spec := *f.Spec
	keys := func(ks []planner.SortKey) ([]planner.SortKey, error) {
		out := append([]planner.SortKey(nil), ks...)
		for i := range out {
			if out[i].Expr, err = b.overGroups(out[i].Expr, groups, loc); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	if spec.Partition, err = keys(spec.Partition); err != nil {
		return err
	}
	if spec.Order, err = keys(spec.Order); err != nil {
		return err
	}
	f.Spec = &spec
	return nil
}

// windowClause reads a SELECT's WINDOW clause into a fresh context for
// the query's window functions.
func (b *binder) windowClause(defs []*pg_query.Node) (*winContext, error) {
	win := &winContext{named: map[string]*pg_query.WindowDef{}}
	for _, n := range defs {
		d := n.GetWindowDef()
		if _, dup := win.named[d.Name]; dup {
			return nil, b.errAt(d.Location, pgerr.WindowingError, "window \"%s\" is already defined", d.Name)
		}
		if d.Refname != "" {
			if _, err := b.effectiveWindow(d, win, false); err != nil {
				return nil, err
			}
		}
		win.named[d.Name] = d
	}
	return win, nil
}

// windowNode puts a Window node over input and rewrites the SELECT
// list's and ORDER BY's expressions to read its function columns.
func (b *binder) windowNode(input planner.Node, win *winContext, targets, keyTargets []target) planner.Node {
	in := input.Schema()
	out := append([]planner.OutCol(nil), in...)
	for _, f := range win.funcs {
		out = append(out, planner.OutCol{Name: f.Name, T: f.T})
	}
	for i := range targets {
		targets[i].expr = overWindow(targets[i].expr, len(in))
	}
	for i := range keyTargets {
		keyTargets[i].expr = overWindow(keyTargets[i].expr, len(in))
	}
	return &planner.Window{Input: input, Funcs: win.funcs, Out: out}
}

func isIntegerType(t types.T) bool {
	return t.OID == types.Int2OID || t.OID == types.Int4OID || t.OID == types.Int8OID
}

// rangeShift returns, for the type of a RANGE frame's ORDER BY key, the
// type its offsets take and how to add one to a key: integers take
// integer offsets (int8 here), floats float8, numeric numeric; dates,
// timestamps and intervals take an interval (timestamptz moves in loc, the
// session's TimeZone, as timestamptz + interval does); other types have no
// RANGE offsets.
func rangeShift(key types.T, loc *time.Location) (types.T, func(k, off types.Datum, subtract bool) (types.Datum, error), bool) {
	switch key.OID {
	case types.DateOID, types.TimestampOID, types.TimestampTZOID:
		if key.OID != types.TimestampTZOID {
			loc = time.UTC
		}
		return types.TInterval, func(k, off types.Datum, sub bool) (types.Datum, error) {
			iv := off.(types.Interval)
			if sub {
				var err error
				if iv, err = types.NegateInterval(iv); err != nil {
					return nil, err
				}
			}
			return types.AddIntervalToTime(k.(time.Time), iv, loc)
		}, true
	case types.IntervalOID:
		return types.TInterval, func(k, off types.Datum, sub bool) (types.Datum, error) {
			if sub {
				return types.SubtractIntervals(k.(types.Interval), off.(types.Interval))
			}
			return types.AddIntervals(k.(types.Interval), off.(types.Interval))
		}, true
	case types.Int2OID, types.Int4OID, types.Int8OID:
		return types.TInt8, func(k, off types.Datum, sub bool) (types.Datum, error) {
			a, o := k.(int64), off.(int64)
			if sub {
				o = -o
			}
			// Saturate: a bound beyond int8's range is beyond every key.
			r := a + o
			if o > 0 && r < a {
				r = math.MaxInt64
			} else if o < 0 && r > a {
				r = math.MinInt64
			}
			return r, nil
		}, true
	case types.Float4OID, types.Float8OID:
		return types.TFloat8, func(k, off types.Datum, sub bool) (types.Datum, error) {
			if sub {
				return k.(float64) - off.(float64), nil
			}
			return k.(float64) + off.(float64), nil
		}, true
	case types.NumericOID:
		return types.TNumeric, func(k, off types.Datum, sub bool) (types.Datum, error) {
			if sub {
				return types.NumericSub(k.(*types.Decimal), off.(*types.Decimal))
			}
			return types.NumericAdd(k.(*types.Decimal), off.(*types.Decimal))
		}, true
	}
	return types.T{}, nil, false
}

// hasKey reports whether keys already sort by e.
func hasKey(keys []planner.SortKey, e planner.Expr) bool {
	for _, k := range keys {
		if planner.Equal(k.Expr, e) {
			return true
		}
	}
	return false
}
