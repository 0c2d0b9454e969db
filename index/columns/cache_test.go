package columns

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/vecgres/vecgres/sql/types"
)

func TestCachePutDeleteRead(t *testing.T) {
	c := New([]int{0, 2}, 3, 0)
	c.Put(10, []types.Datum{int64(1), "skipped", "a"})
	c.Put(20, []types.Datum{int64(2), "skipped", "b"})
	c.Put(30, []types.Datum{int64(3), "skipped", nil})
	c.Put(20, []types.Datum{int64(22), "skipped", "bb"})
	c.Delete(10)
	c.Delete(99)
	c.Put(40, []types.Datum{int64(4), "skipped", "d"}) // reuses 10's position

	r := c.Reader()
	if r.Len() != 3 {
		t.Fatalf("Len = %d, want 3", r.Len())
	}
	tests := []struct {
		id   uint64
		want string
	}{
		{10, "missing"}, {20, "[22 <nil> bb]"}, {30, "[3 <nil> <nil>]"}, {40, "[4 <nil> d]"},
	}
	for _, tc := range tests {
		row, ok := r.Row(tc.id)
		got := "missing"
		if ok {
			got = fmt.Sprint(row)
		}
		if got != tc.want {
			t.Errorf("Row(%d) = %s, want %s", tc.id, got, tc.want)
		}
	}
	var ids []int
	r.Each(func(id uint64, _ []types.Datum) bool { ids = append(ids, int(id)); return true })
	sort.Ints(ids)
	if fmt.Sprint(ids) != "[20 30 40]" {
		t.Errorf("Each visited %v", ids)
	}
}

func TestCacheCovers(t *testing.T) {
	c := New([]int{1, 3}, 4, 0)
	for _, tc := range []struct {
		need []bool
		want bool
	}{
		{nil, true},
		{[]bool{false, true}, true},
		{[]bool{false, true, false, true}, true},
		{[]bool{true}, false},
		{[]bool{false, false, true}, false},
	} {
		if got := c.Covers(tc.need); got != tc.want {
			t.Errorf("Covers(%v) = %v", tc.need, got)
		}
	}
}

func TestCacheBudget(t *testing.T) {
	c := New([]int{0}, 1, 1000)
	for i := 1; i <= 100; i++ {
		c.Put(uint64(i), []types.Datum{"a long enough string value"})
	}
	if c.Usable() || c.Len() != 0 {
		t.Fatalf("a cache over its budget must be empty and unusable: usable %v, len %d", c.Usable(), c.Len())
	}
}

func TestCacheSample(t *testing.T) {
	c := New([]int{0}, 1, 0)
	for i := 1; i <= 1000; i++ {
		c.Put(uint64(i), []types.Datum{int64(i % 10)})
	}
	r := c.Reader()
	rng := rand.New(rand.NewPCG(1, 2))
	n, zeros := 0, 0
	r.Sample(500, rng, func(row []types.Datum) bool {
		n++
		if row[0].(int64) == 0 {
			zeros++
		}
		return true
	})
	if n != 500 {
		t.Fatalf("sampled %d rows, want 500", n)
	}
	if zeros < 25 || zeros > 80 {
		t.Errorf("a tenth of the rows are 0, the sample has %d of 500", zeros)
	}
	all := 0
	small := New([]int{0}, 1, 0)
	small.Put(1, []types.Datum{int64(1)})
	small.Reader().Sample(10, rng, func([]types.Datum) bool { all++; return true })
	if all != 1 {
		t.Errorf("sampling 10 of 1 row gave %d", all)
	}
}

// TestRowsAsOf reads batches of rows: found ones in rows of their own,
// missing ones nil, nothing from a cache at another version.
func TestRowsAsOf(t *testing.T) {
	c := New([]int{0, 2}, 3, 0)
	c.Put(10, []types.Datum{int64(1), "skipped", "a"})
	c.Put(20, []types.Datum{int64(2), "skipped", "b"})
	c.Put(3000, []types.Datum{int64(3), "skipped", nil})
	c.SetVersion(5)
	r := c.Reader()
	tests := []struct {
		version uint64
		ids     []uint64
		want    string
		fresh   bool
	}{
		{5, []uint64{20, 10, 99, 3000, 20}, "[[2 <nil> b] [1 <nil> a] [] [3 <nil> <nil>] [2 <nil> b]]", true},
		{5, nil, "[]", true},
		{4, []uint64{10}, "[]", false},
	}
	for _, tt := range tests {
		rows, fresh := RowsAsOf(r, tt.version, tt.ids, nil)
		if got := fmt.Sprint(rows); fresh != tt.fresh || got != tt.want {
			t.Errorf("RowsAsOf(%d, %v) = %s, %v; want %s, %v", tt.version, tt.ids, got, fresh, tt.want, tt.fresh)
		}
		if len(rows) == 5 {
			rows[0][0] = int64(99) // rows have memory of their own
			if rows[4][0] != int64(2) {
				t.Errorf("two rows share memory")
			}
		}
	}
}

// BenchmarkRowsAsOf reads the rows of ten random ids, as an index scan
// with LIMIT 10 does, from a cache of 25,000 rows (fashion-mnist), with
// the processor's caches flushed between batches as the graph search in
// between does. Run it with a fixed -benchtime such as 3000x: the flush
// is not timed but takes milliseconds.
func BenchmarkRowsAsOf(b *testing.B) {
	const rows, batch = 25000, 10
	c := New([]int{0}, 2, 0)
	for id := uint64(1); id <= rows; id++ {
		c.Put(id, []types.Datum{int64(id), nil})
	}
	c.SetVersion(1)
	r := c.Reader()
	rng := rand.New(rand.NewPCG(1, 2))
	ids := make([][]uint64, 1024)
	for i := range ids {
		for range batch {
			ids[i] = append(ids[i], 1+rng.Uint64N(rows))
		}
	}
	flush := make([]byte, 32<<20)
	var sink int64
	var dst [][]types.Datum
	i := 0
	for b.Loop() {
		b.StopTimer()
		for j := 0; j < len(flush); j += 64 {
			flush[j]++
		}
		b.StartTimer()
		var fresh bool
		dst, fresh = RowsAsOf(r, 1, ids[i%len(ids)], dst[:0])
		if !fresh {
			b.Fatal("not fresh")
		}
		for _, row := range dst {
			sink += row[0].(int64)
		}
		i++
	}
}
