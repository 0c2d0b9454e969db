package exec

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// memEnv is a test Env with some settings.
type memEnv struct {
	testEnv
	settings map[string]string
}

func (e memEnv) Setting(name string) (string, error) {
	if v, ok := e.settings[name]; ok {
		return v, nil
	}
	return e.testEnv.Setting(name)
}

func TestParseMemSetting(t *testing.T) {
	tests := []struct {
		in   string
		want int64 // -1: not a memory setting
	}{
		{"4MB", 4 << 20},
		{"64kB", 64 << 10},
		{"1GB", 1 << 30},
		{"2TB", 2 << 40},
		{"1024", 1 << 20}, // kilobytes, as PostgreSQL reads work_mem
		{" 8 mb ", 8 << 20},
		{"100B", 100},
		{"MB", -1},
		{"4XB", -1},
		{"-1", -1},
		{"99999999999999TB", -1},
	}
	for _, tt := range tests {
		got, ok := parseMemSetting(tt.in)
		if !ok && tt.want != -1 || ok && got != tt.want {
			t.Errorf("parseMemSetting(%q) = %d, %v; want %d", tt.in, got, ok, tt.want)
		}
	}
	for _, n := range []int64{64 << 10, 4 << 20, 3 << 30, 1000, 1 << 40} {
		if got, ok := parseMemSetting(formatMem(n)); !ok || got != n {
			t.Errorf("formatMem(%d) = %q reads back as %d", n, formatMem(n), got)
		}
	}
}

// intKey orders rows by column i as int8, NULLs last (or first).
func intKey(i int, desc, nullsFirst bool) sortKey {
	return sortKey{
		eval:       func(r Row) (types.Datum, error) { return r[i], nil },
		cmp:        builtins.CompareFunc(types.TInt8),
		desc:       desc,
		nullsFirst: nullsFirst,
	}
}

// TestSorterSpills sorts more rows than work_mem holds, in enough runs
// to need a merge of merges, and checks the order against an in-memory
// stable sort, and that the temporary files are gone.
func TestSorterSpills(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	var rows []Row
	for i := range 6000 {
		var k types.Datum
		if rng.IntN(20) > 0 {
			k = int64(rng.IntN(500))
		}
		rows = append(rows, Row{k, strings.Repeat(fmt.Sprint(i%10), 200+rng.IntN(800)), int64(i), types.Vector{float32(i), -1}})
	}
	for _, tc := range []struct {
		name string
		keys []sortKey
	}{
		{"asc", []sortKey{intKey(0, false, false)}},
		{"desc nulls last", []sortKey{intKey(0, true, false)}},
		{"two keys", []sortKey{intKey(0, false, true), intKey(2, true, false)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			mem := memLimits{workMem: minWorkMem, hashMult: 2, tempDir: dir}.account("Sort", false)
			s := newSorter(tc.keys, mem)
			for i, r := range rows {
				k, err := evalKeys(tc.keys, r)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.add(&keyedRow{keys: k, row: r, seq: int64(i)}); err != nil {
					t.Fatal(err)
				}
			}
			if len(s.runs) <= mergeFanIn {
				t.Fatalf("%d runs: the test does not exercise merges of merges", len(s.runs))
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("%d temporary files are visible; runs are unlinked at once", len(entries))
			}
			out, err := s.finish(bg)
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			want := slices.Clone(rows)
			slices.SortStableFunc(want, func(a, b Row) int {
				ka, _ := evalKeys(tc.keys, a)
				kb, _ := evalKeys(tc.keys, b)
				return compareKeyed(tc.keys, &keyedRow{keys: ka}, &keyedRow{keys: kb})
			})
			for i := range want {
				got, err := out.Next(bg)
				if err != nil {
					t.Fatal(err)
				}
				if got == nil {
					t.Fatalf("only %d rows of %d", i, len(want))
				}
				if fmt.Sprint(got) != fmt.Sprint(want[i]) {
					t.Fatalf("row %d: got %.60v, want %.60v", i, got, want[i])
				}
			}
			if extra, err := out.Next(bg); extra != nil || err != nil {
				t.Fatalf("rows beyond the input: %v, %v", extra, err)
			}
		})
	}
}

// bigColumns is (id int8, grp int8, payload text).
func bigColumns() []storage.Column {
	return []storage.Column{
		{Name: "id", Type: types.TInt8, Attnum: 1},
		{Name: "grp", Type: types.TInt8, Attnum: 2},
		{Name: "payload", Type: types.TText, Attnum: 3},
	}
}

// TestWorkMem runs each operator that holds rows over a table larger than
// work_mem: sorts, hash operators and nested loops spill and return what
// they return with room.
func TestWorkMem(t *testing.T) {
	db := openDB(t)
	const n = 3000
	var rows [][]string
	for i := range n {
		rows = append(rows, []string{fmt.Sprint(n - i), fmt.Sprint(i % 7), strings.Repeat("x", 100+i%50)})
	}
	tbl := createTable(t, db, "big", bigColumns(), rows...)
	txn := db.Begin()
	defer txn.Rollback()
	scan := scanOf(tbl)
	id, grp := col(0, types.TInt8), col(1, types.TInt8)
	small := &Runtime{Txn: txn, Env: memEnv{settings: map[string]string{"work_mem": "64kB", "hash_mem_multiplier": "2"}}}
	large := &Runtime{Txn: txn, Env: memEnv{settings: map[string]string{"work_mem": "64MB"}}}
	idKey := planner.SortKey{Expr: id, Cmp: builtins.CompareFunc(types.TInt8)}
	eq := binop(t, "=", id, col(3, types.TInt8))

	ascending := func(from, count int) []string {
		var out []string
		for i := from; i < from+count; i++ {
			out = append(out, fmt.Sprint(i))
		}
		return out
	}
	firstColumn := func(rows []string) []string {
		for i, r := range rows {
			rows[i], _, _ = strings.Cut(r, " ")
		}
		return rows
	}

	t.Run("sort spills", func(t *testing.T) {
		got := firstColumn(mustRun(t, &planner.Sort{Input: scan, Keys: []planner.SortKey{idKey}}, small))
		wantRows(t, "ORDER BY id", got, ascending(1, n)...)
	})
	t.Run("top-k with a large LIMIT spills", func(t *testing.T) {
		got := firstColumn(mustRun(t, &planner.TopK{Input: scan, Keys: []planner.SortKey{idKey}, Count: i8(n - 100), Offset: i8(50)}, small))
		wantRows(t, "ORDER BY id LIMIT 2900 OFFSET 50", got, ascending(51, n-100)...)
	})
	t.Run("top-k with a small LIMIT", func(t *testing.T) {
		got := firstColumn(mustRun(t, &planner.TopK{Input: scan, Keys: []planner.SortKey{idKey}, Count: i8(3)}, small))
		wantRows(t, "ORDER BY id LIMIT 3", got, "1", "2", "3")
	})

	join := &planner.Join{Left: scan, Right: scan, Kind: planner.InnerJoin, Cond: eq,
		EqLeft: []planner.Expr{id}, EqRight: []planner.Expr{id}, Out: append(slices.Clone(scan.Out), scan.Out...)}
	distinctAgg := agg(t, "count", id)
	distinctAgg.Distinct = true
	for _, tc := range []struct {
		name string
		plan planner.Node
	}{
		{"hash aggregate", aggregateOf(scan, []planner.Expr{id}, agg(t, "count"))},
		{"array_agg", aggregateOf(scan, []planner.Expr{grp}, agg(t, "array_agg", col(2, types.TText)))},
		{"distinct", &planner.Distinct{Input: scan}},
		{"hash join", join},
		{"intersect", &planner.SetOp{Op: planner.Intersect, Left: scan, Right: scan, Out: scan.Out}},
		{"except", &planner.SetOp{Op: planner.Except, Left: scan, Right: scan, Out: scan.Out}},
		{"union", &planner.SetOp{Op: planner.Union, Left: scan, Right: scan, Out: scan.Out}},
		{"count distinct", aggregateOf(scan, nil, distinctAgg)},
		// A nested loop holds its right side; ten rows on the left keep the
		// pairs it tests few.
		{"nested loop", &planner.Join{Left: &planner.Limit{Input: scan, Count: i8(10)}, Right: scan, Kind: planner.InnerJoin, Cond: eq, Out: join.Out}},
	} {
		t.Run(tc.name+" spills", func(t *testing.T) {
			got := mustRun(t, tc.plan, small)
			want := mustRun(t, tc.plan, large)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%d rows with work_mem 64kB differ from the %d rows with 64MB", len(got), len(want))
			}
		})
	}
}

// TestDatumSize checks that the estimates grow with what values hold.
func TestDatumSize(t *testing.T) {
	small := []types.Datum{nil, true, int64(1), "ab", []byte("ab"), types.JSON(`{}`), types.Vector{1}}
	for _, d := range small {
		bigger := d
		switch v := d.(type) {
		case string:
			bigger = v + strings.Repeat("x", 100)
		case []byte:
			bigger = append(v, make([]byte, 100)...)
		case types.JSON:
			bigger = types.JSON(`{"a": "` + strings.Repeat("x", 100) + `"}`)
		case types.Vector:
			bigger = make(types.Vector, 100)
		default:
			continue
		}
		if datumSize(bigger) <= datumSize(d)+90 {
			t.Errorf("%T: %d bytes for a value 100 bytes larger than one of %d", d, datumSize(bigger), datumSize(d))
		}
	}
	arr := &types.Array{Elem: types.TText, Elems: []types.Datum{"abc", nil, strings.Repeat("x", 1000)}}
	if got := datumSize(arr); got < 1000 {
		t.Errorf("array of 1000 bytes estimated at %d", got)
	}
	if got := cmp.Compare(rowSize(Row{int64(1), "abc"}), rowSize(Row{int64(1)})); got <= 0 {
		t.Error("a wider row is not larger")
	}
}
