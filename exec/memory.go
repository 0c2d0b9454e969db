package exec

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Memory bounds.
//
// Every operator that holds rows — sorts, top-k heaps, hash aggregates,
// DISTINCT, joins, INTERSECT and EXCEPT, UNION's seen set — charges an
// estimate of what it holds (rowSize) to a memAccount with a limit taken
// from the session's work_mem, as in PostgreSQL: each such operator of a
// statement may use work_mem, hash tables work_mem × hash_mem_multiplier.
//
// Beyond the limit sorts, hash operators and nested loops spill to
// temporary files in the data directory (storage's TempDir, unlinked as
// soon as they are made; memory_spill.go), as PostgreSQL's do:
//
//   - a sort (and a top-k heap whose LIMIT is large) writes sorted runs
//     and merges them (memory_sort.go);
//   - a hash aggregate, DISTINCT, UNION, INTERSECT and EXCEPT keep the
//     entries they hold and write the input rows of new ones to partition
//     files by hash, then process each partition as a new input, dividing
//     it again if it still does not fit (aggregateOp, distinctOp,
//     setOpOp);
//   - a hash join whose right rows do not fit divides both sides into
//     batches by the hash of the join keys and joins batch by batch
//     (Grace hash join, joinOp);
//   - a nested loop writes the right rows beyond the limit to a file it
//     reads again for every left row (join_nestloop.go).
//
// A DISTINCT aggregate's values seen, beyond the limit, go to a sort and
// are added to their groups after the input (aggregateOp.addLate). What
// still fails with 53200 "out of memory", its detail naming the operator
// and the limit: the rows a window function reads, and a recursive
// union's working table and seen rows. An aggregate state that
// grows with its input (array_agg, string_agg, ...) is charged but never
// fails, as in PostgreSQL, since the result holds it anyway. vecgres's
// default work_mem stays 64MB rather than PostgreSQL's 4MB, so that
// ordinary queries do not spill.
//
// The estimates count the Go values a row holds (headers, boxed values,
// the bytes of strings and vectors), not allocator slack; they are meant
// to stop a statement from exhausting the process, not to be exact.

// Defaults used when the session's settings do not say (as in exec's own
// tests) or cannot be read.
const (
	// defaultWorkMem matches the default of sql's work_mem setting.
	defaultWorkMem = 64 << 20
	// defaultHashMemMultiplier is PostgreSQL's hash_mem_multiplier.
	defaultHashMemMultiplier = 2.0
	// minWorkMem is PostgreSQL's lower bound of work_mem.
	minWorkMem = 64 << 10
)

// memLimits are one statement's memory limits, read from its settings
// when its operators are built.
type memLimits struct {
	workMem  int64   // bytes
	hashMult float64 // hash_mem_multiplier
	tempDir  string  // where sorts spill; "" is the system's
}

// memLimits reads work_mem and hash_mem_multiplier from the session.
func (b *builder) memLimits() memLimits {
	l := memLimits{workMem: defaultWorkMem, hashMult: defaultHashMemMultiplier}
	if s := b.rt.Env; s != nil {
		if v, err := s.Setting("work_mem"); err == nil {
			if n, ok := parseMemSetting(v); ok {
				l.workMem = max(n, minWorkMem)
			}
		}
		if v, err := s.Setting("hash_mem_multiplier"); err == nil {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 1 {
				l.hashMult = f
			}
		}
	}
	if b.rt.Txn != nil {
		l.tempDir = b.rt.Txn.TempDir()
	}
	return l
}

// parseMemSetting reads a memory setting as SHOW prints it ("4MB",
// "65kB") or as it may be set: a number of kilobytes or a number with
// one of PostgreSQL's units.
func parseMemSetting(v string) (int64, bool) {
	s := strings.TrimSpace(v)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, false
	}
	mult := map[string]int64{"": 1 << 10, "b": 1, "kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30, "tb": 1 << 40}[strings.ToLower(strings.TrimSpace(s[i:]))]
	if mult == 0 || n > (1<<62)/mult {
		return 0, false
	}
	return n * mult, true
}

// formatMem prints bytes as PostgreSQL prints memory settings: in the
// largest unit that divides them.
func formatMem(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 40, "TB"}, {1 << 30, "GB"}, {1 << 20, "MB"}, {1 << 10, "kB"}} {
		if n != 0 && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// account returns a memory account for an operator: a hash table's limit
// is work_mem × hash_mem_multiplier, anything else's work_mem.
func (l memLimits) account(op string, hash bool) *memAccount {
	limit := l.workMem
	if hash {
		limit = int64(float64(l.workMem) * l.hashMult)
	}
	return &memAccount{op: op, hash: hash, limit: limit, limits: l}
}

// memAccount is what one operator holds, against its limit.
type memAccount struct {
	op    string // as EXPLAIN names the operator
	hash  bool
	limit int64
	used  int64
	// peak is the most used at once (for tests).
	peak   int64
	limits memLimits
}

// charge charges n more bytes, for what may pass the limit.
func (a *memAccount) charge(n int64) {
	a.used += n
	a.peak = max(a.peak, a.used)
}

// grow charges n more bytes and fails once the limit is passed.
func (a *memAccount) grow(n int64) error {
	a.charge(n)
	if a.used <= a.limit {
		return nil
	}
	return a.exceeded()
}

// over reports whether the account has passed its limit.
func (a *memAccount) over() bool { return a.used > a.limit }

// exceeded is the error of an operator that cannot stay within its limit.
func (a *memAccount) exceeded() *pgerr.Error {
	e := pgerr.New(pgerr.OutOfMemory, "out of memory")
	if a.hash {
		e.Detail = fmt.Sprintf("%s needs more than work_mem × hash_mem_multiplier = %s (%s × %s) for its hash table.",
			a.op, formatMem(a.limit), formatMem(a.limits.workMem), strconv.FormatFloat(a.limits.hashMult, 'g', -1, 64))
	} else {
		e.Detail = fmt.Sprintf("%s needs more than work_mem = %s.", a.op, formatMem(a.limit))
	}
	e.Hint = "Raise work_mem (SET work_mem = '256MB', say) for this query, or make it hold fewer rows or groups."
	return e
}

// Estimated sizes of Go values, in bytes.
const (
	sliceHeader = 24
	ifaceSize   = 16
)

// rowSize estimates the memory a row holds.
func rowSize(r []types.Datum) int64 {
	n := int64(sliceHeader + ifaceSize*len(r))
	for _, d := range r {
		n += datumSize(d)
	}
	return n
}

// keyedRowSize estimates the memory of a row kept with its sort keys.
func keyedRowSize(kr *keyedRow) int64 {
	return 48 + rowSize(kr.keys) + rowSize(kr.row)
}

// datumSize estimates the memory a datum holds beyond its interface
// value.
func datumSize(d types.Datum) int64 {
	switch v := d.(type) {
	case nil, bool:
		return 0
	case int64, float64:
		return 8
	case string:
		return 16 + int64(len(v))
	case []byte:
		return sliceHeader + int64(len(v))
	case types.JSON:
		return 16 + int64(len(v))
	case types.Vector:
		return sliceHeader + 4*int64(len(v))
	case *types.Decimal:
		return 64 + int64(v.Coeff.BitLen()/8)
	case time.Time:
		return 24
	case *types.Array:
		return 48 + rowSize(v.Elems)
	}
	// Other types (halfvec, sparsevec, bit strings): their slices.
	return reflectSize(reflect.ValueOf(d))
}

// reflectSize estimates a value of another type by the slices it holds.
func reflectSize(v reflect.Value) int64 {
	switch v.Kind() {
	case reflect.Slice:
		return sliceHeader + int64(v.Len())*int64(v.Type().Elem().Size())
	case reflect.Struct:
		n := int64(v.Type().Size())
		for i := range v.NumField() {
			if f := v.Field(i); f.Kind() == reflect.Slice {
				n += int64(f.Len()) * int64(f.Type().Elem().Size())
			}
		}
		return n
	}
	return 32
}

// aggregateAccount is the account of an aggregate's groups and states.
func (b *builder) aggregateAccount(n *planner.Aggregate) *memAccount {
	if len(n.Groups) == 0 {
		return b.memLimits().account("Aggregate", true)
	}
	return b.memLimits().account("HashAggregate", true)
}

// joinAccount is the account of the right rows a join holds.
func (b *builder) joinAccount(n *planner.Join) *memAccount {
	if len(n.EqRight) > 0 {
		return b.memLimits().account("Hash Join", true)
	}
	return b.memLimits().account("Nested Loop", false)
}

// setOpAccount is the account of a set operation's hash table.
func (b *builder) setOpAccount(n *planner.SetOp) *memAccount {
	switch n.Op {
	case planner.Intersect:
		return b.memLimits().account("HashSetOp Intersect", true)
	case planner.Except:
		return b.memLimits().account("HashSetOp Except", true)
	}
	return b.memLimits().account("HashAggregate", true)
}

// aggStateSize estimates an aggregate state of fixed size (count, sum,
// avg and the like).
const aggStateSize = 64

// growingAggs are the aggregates whose state keeps what they are given.
var growingAggs = map[string]bool{
	"array_agg": true, "string_agg": true, "json_agg": true, "jsonb_agg": true,
	"json_object_agg": true, "jsonb_object_agg": true, "xmlagg": true,
}

// chargeAdd charges what an aggregate keeps of one input; it does not
// fail (see aggregateOp).
func (a *aggregateOp) chargeAdd(c *planner.AggCall, args []types.Datum) {
	if growingAggs[c.Name] {
		a.mem.charge(rowSize(args))
	}
}
