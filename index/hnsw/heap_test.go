package hnsw

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestOrderedBits(t *testing.T) {
	vals := []float32{float32(math.Inf(-1)), -1e30, -2, -1, -1e-40, 0, 1e-40, 0.5, 1, 3, 1e30, float32(math.Inf(1))}
	for i, v := range vals {
		if got := fromOrderedBits(orderedBits(v)); got != v {
			t.Errorf("round trip of %v = %v", v, got)
		}
		if i > 0 && orderedBits(vals[i-1]) >= orderedBits(v) {
			t.Errorf("orderedBits(%v) >= orderedBits(%v)", vals[i-1], v)
		}
	}
	if orderedBits(float32(math.Copysign(0, -1))) > orderedBits(0) {
		t.Error("-0 orders after +0")
	}
}

func TestHeaps(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 10, 100, 1000} {
		var items []item
		for i := range n {
			items = append(items, makeItem(float32(r.NormFloat64()), uint32(i)))
		}
		var lo minHeap
		var hi maxHeap
		for _, it := range items {
			lo.push(it)
			hi.push(it)
		}
		want := slices.Sorted(slices.Values(items))
		for i := range n {
			if got := lo.pop(); got != want[i] {
				t.Fatalf("n=%d: min pop %d = %x, want %x", n, i, got, want[i])
			}
		}
		if got := hi.drainSorted(nil); !slices.Equal(got, want) {
			t.Fatalf("n=%d: drainSorted not sorted", n)
		}
		// A bounded heap of the 10 smallest, kept with replaceTop.
		var best maxHeap
		for _, it := range items {
			switch {
			case len(best) < 10:
				best.push(it)
			case it < best[0]:
				best.replaceTop(it)
			}
		}
		if got := best.drainSorted(nil); !slices.Equal(got, want[:min(10, n)]) {
			t.Fatalf("n=%d: replaceTop kept %v, want %v", n, got, want[:min(10, n)])
		}
	}
}
