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
