package hnsw

import "math"

// An item is a (distance, node) pair packed into one word so that the
// heaps compare plain integers: the distance's bits, mapped so that
// unsigned order is float order, above the node number. Equal distances
// thus order by node number, which keeps every search deterministic.
type item uint64

func makeItem(d float32, n uint32) item { return item(uint64(orderedBits(d))<<32 | uint64(n)) }

func (it item) node() uint32 { return uint32(it) }

func (it item) dist() float32 { return fromOrderedBits(uint32(it >> 32)) }

// orderedBits maps a float32 to a uint32 with the same order: negative
// numbers have all bits flipped, others the sign bit set.
func orderedBits(f float32) uint32 {
	b := math.Float32bits(f)
	mask := uint32(int32(b)>>31) | 0x80000000
	return b ^ mask
}

func fromOrderedBits(u uint32) float32 {
	if u&0x80000000 != 0 {
		return math.Float32frombits(u ^ 0x80000000)
	}
	return math.Float32frombits(^u)
}

// minHeap is a binary heap of items, smallest first, on a reused slice.
type minHeap []item

func (h *minHeap) push(x item) {
	s := append(*h, x)
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if s[p] <= x {
			break
		}
		s[i] = s[p]
		i = p
	}
	s[i] = x
	*h = s
}

func (h *minHeap) pop() item {
	s := *h
	top := s[0]
	last := s[len(s)-1]
	s = s[:len(s)-1]
	n := len(s)
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && s[c+1] < s[c] {
			c++
		}
		if last <= s[c] {
			break
		}
		s[i] = s[c]
		i = c
	}
	if n > 0 {
		s[i] = last
	}
	*h = s
	return top
}

// init orders a slice of items as a heap, in linear time.
func (h minHeap) init() {
	n := len(h)
	for i := n/2 - 1; i >= 0; i-- {
		x := h[i]
		j := i
		for {
			c := 2*j + 1
			if c >= n {
				break
			}
			if c+1 < n && h[c+1] < h[c] {
				c++
			}
			if x <= h[c] {
				break
			}
			h[j] = h[c]
			j = c
		}
		h[j] = x
	}
}

// maxHeap is a binary heap of items, largest first, on a reused slice.
type maxHeap []item

func (h *maxHeap) push(x item) {
	s := append(*h, x)
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if s[p] >= x {
			break
		}
		s[i] = s[p]
		i = p
	}
	s[i] = x
	*h = s
}

func (h *maxHeap) pop() item {
	s := *h
	top := s[0]
	last := s[len(s)-1]
	*h = s[:len(s)-1]
	if len(s) > 1 {
		h.siftDown(last)
	}
	return top
}

// replaceTop replaces the largest item by x (a pop and a push in one).
func (h *maxHeap) replaceTop(x item) { h.siftDown(x) }

// siftDown puts x in the root's place and restores the heap order.
func (h *maxHeap) siftDown(x item) {
	s := *h
	n := len(s)
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && s[c+1] > s[c] {
			c++
		}
		if x >= s[c] {
			break
		}
		s[i] = s[c]
		i = c
	}
	s[i] = x
}

// drainSorted empties h into dst in increasing order and returns dst.
func (h *maxHeap) drainSorted(dst []item) []item {
	k := len(*h)
	start := len(dst)
	for range k {
		dst = append(dst, 0)
	}
	for i := k - 1; i >= 0; i-- {
		dst[start+i] = h.pop()
	}
	return dst
}
