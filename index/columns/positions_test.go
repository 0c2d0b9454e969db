package columns

import (
	"math/rand/v2"
	"testing"
)

// TestPositionsMatchMap puts, moves and removes ids at random in
// positions and in a map, in patterns a table's row ids follow (dense,
// growing at the end, old ones deleted like a queue) and patterns they
// should not (sparse, far apart), and checks that both agree on every id,
// that pages are freed, and that sparse ids move to a map.
func TestPositionsMatchMap(t *testing.T) {
	tests := []struct {
		name   string
		nextID func(rng *rand.Rand, step int) uint64
		sparse bool // the ids end up in a map
	}{
		{"dense", func(rng *rand.Rand, _ int) uint64 { return 1 + rng.Uint64N(5000) }, false},
		{"queue", func(rng *rand.Rand, step int) uint64 { return uint64(step) + rng.Uint64N(3000) }, false},
		{"sparse", func(rng *rand.Rand, _ int) uint64 { return rng.Uint64N(1 << 40) }, true},
		{"below first", func(rng *rand.Rand, step int) uint64 { return uint64(50000 - step) }, false},
		{"far apart", func(rng *rand.Rand, step int) uint64 { return uint64(step%2) << 40 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 11))
			var x positions
			want := map[uint64]int32{}
			check := func(id uint64) {
				t.Helper()
				p, ok := x.get(id)
				wp, wok := want[id]
				if ok != wok || p != wp {
					t.Fatalf("get(%d) = %d, %v; want %d, %v", id, p, ok, wp, wok)
				}
			}
			for step := range 40000 {
				id := tt.nextID(rng, step)
				if rng.IntN(3) == 0 {
					x.remove(id)
					delete(want, id)
				} else {
					p := rng.Int32N(1 << 20)
					x.set(id, p)
					want[id] = p
				}
				check(id)
				check(id + 1)
				check(id - 1)
				if x.n != len(want) {
					t.Fatalf("step %d: %d ids, want %d", step, x.n, len(want))
				}
			}
			for id := range want {
				check(id)
			}
			for id := range want {
				x.remove(id)
			}
			if x.n != 0 || x.used != 0 || len(x.pages) != 0 || len(x.sparse) != 0 {
				t.Fatalf("all removed: %d ids, %d pages used, table of %d, %d in the map", x.n, x.used, len(x.pages), len(x.sparse))
			}
			if gotSparse := x.sparse != nil; gotSparse != tt.sparse {
				t.Fatalf("ids moved to a map: %v, want %v", gotSparse, tt.sparse)
			}
		})
	}
}

// TestPositionsTrimQueue checks that a table whose rows come and go like
// a queue (new ids at the end, the oldest deleted) keeps a page table
// only for the ids in use.
func TestPositionsTrimQueue(t *testing.T) {
	var x positions
	const live = 3 * pageSize
	for id := uint64(1); id <= 100*pageSize; id++ {
		x.set(id, int32(id))
		if id > live {
			x.remove(id - live)
		}
	}
	if x.n != live || len(x.pages) > live/pageSize+1 {
		t.Fatalf("%d ids in a table of %d pages, want %d ids in at most %d pages", x.n, len(x.pages), live, live/pageSize+1)
	}
}
