package hnsw

import (
	"bytes"
	"math/bits"
	"unsafe"

	"github.com/vecgres/vecgres/kernels"
)

// Chunks hold 2^shift nodes each, about chunkTarget bytes of vectors,
// records and layer-0 lists, so that a node's chunk and place in it are a
// shift and a mask away. Their blocks are carved out of slabs that grow
// with the graph, by a quarter of its size (at most slabMax) or to the
// size Build or Load expect: a small graph stays small, and a big one is
// made of big slabs, which
// the kernel can back with 2 MiB pages (searches touch memory all over
// the graph, and with 4 KiB pages nearly every access would also miss
// the TLB, a walk that virtualisation makes costly).
const (
	chunkTarget   = 512 << 10
	minChunkShift = 4
	maxChunkShift = 12
	slabMax       = 256 << 20
)

// nodeBytes returns the bytes of a node in its chunk's block: vector,
// record and layer-0 list (a Sparsevec's vector is apart, but for its
// slice header).
func (g *Graph) nodeBytes() int {
	n := g.vecBytes + g.recSize + 4*g.m0
	if g.kind == Sparsevec {
		n += int(unsafe.Sizeof([]uint32(nil)))
	}
	return n
}

// chunkShift returns the shift for nodes of nodeBytes.
func chunkShift(nodeBytes int) uint32 {
	s := uint32(bits.Len(uint(max(chunkTarget/nodeBytes, 1)))) - 1
	return min(max(s, minChunkShift), maxChunkShift)
}

// capacity returns the number of node numbers the allocated chunks hold:
// every node is below it.
func (g *Graph) capacity() int {
	return len(*g.dir.Load()) << g.shift
}

// slab is memory that chunk blocks are carved from. The graph's alloc
// mutex guards it.
type slab struct {
	free    []byte // what is left, 64-byte aligned
	reserve int    // chunks expected in all (reserve)
}

// chunkBlockBytes returns the size of a chunk's block and of its three
// parts.
func (g *Graph) chunkBlockBytes() (vec, rec, link, total int) {
	k := 1 << g.shift
	vec = roundUp(k*g.vecBytes, 64)
	rec = k * g.recSize
	link = roundUp(4*k*g.m0, 64)
	return vec, rec, link, vec + rec + link
}

// newChunk allocates the next chunk. The caller holds g.alloc.
func (g *Graph) newChunk() *chunk {
	k := 1 << g.shift
	vecBytes, recBytes, _, total := g.chunkBlockBytes()
	if len(g.slab.free) < total {
		have := len(*g.dir.Load())
		g.slab.free = g.newSlab(total, max(g.slab.reserve-have, have/4, 1))
	}
	block := g.slab.free[:total:total]
	g.slab.free = g.slab.free[total:]
	c := &chunk{
		recs:   block[vecBytes : vecBytes+recBytes : vecBytes+recBytes],
		links0: unsafe.Slice((*uint32)(unsafe.Pointer(&block[vecBytes+recBytes])), k*g.m0),
		upper:  make([][]uint32, k),
		ids:    make([]uint64, k),
		hard0:  bytes.Repeat([]byte{hardUnknown}, k),
		levels: make([]uint8, k),
	}
	switch g.kind {
	case Vector:
		c.vecs = unsafe.Slice((*float32)(unsafe.Pointer(&block[0])), k*g.dim)
	case Halfvec:
		c.halves = unsafe.Slice((*kernels.Float16)(unsafe.Pointer(&block[0])), k*g.dim)
	case Bit:
		c.bits = block[: k*g.vecBytes : k*g.vecBytes]
	case Sparsevec:
		c.sparse = make([][]uint32, k)
	}
	return c
}

// newSlab allocates a slab for the given number of chunks of total bytes
// each, at most slabMax bytes' worth (at least one chunk).
func (g *Graph) newSlab(total, chunks int) []byte {
	chunks = max(min(chunks, slabMax/total), 1)
	size := chunks * total
	raw := make([]byte, size+63)
	skip := int(-uintptr(unsafe.Pointer(unsafe.SliceData(raw))) & 63)
	s := raw[skip : skip+size : skip+size]
	adviseHugePages(s)
	return s
}

// reserve makes the next slabs big enough for n nodes in all (a hint:
// Build and Load know or guess the graph's size). The caller holds
// g.alloc or is the only one to know g.
func (g *Graph) reserve(n int) {
	g.slab.reserve = max(g.slab.reserve, (n+1<<g.shift-1)>>g.shift)
}

func roundUp(n, to int) int { return (n + to - 1) / to * to }
