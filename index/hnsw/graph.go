package hnsw

import (
	"math"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/vecgres/vecgres/kernels"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// Node states, kept in the record's state word and changed with atomic
// stores.
const (
	stateFree    uint32 = iota // never used, or reclaimed by Vacuum
	stateLive                  // indexed and returned by searches
	stateDeleted               // still a waypoint, never returned
)

// stateVersioned, set in a state word beside stateLive or stateDeleted,
// says that the node's visibility depends on the snapshot: its versions
// are in its chunk (visibility.go). The state without the flag is what
// inserts, Vacuum and persistence go by.
const (
	stateVersioned uint32 = 1 << 8
	stateMask      uint32 = stateVersioned - 1
)

// Graph is an HNSW graph over vectors of one kind, dimension and metric,
// keyed by 64-bit row ids. See the package documentation for the design.
// Its methods are safe for concurrent use, with the rules of Tx.
type Graph struct {
	cfg    Config // with defaults applied
	dim    int
	metric Metric
	// linkMetric is the distance the graph's links are chosen by: metric,
	// except for InnerProduct (see New).
	linkMetric Metric
	m, m0      int     // links a node keeps above layer 0, and on layer 0
	mL         float64 // level multiplier 1/ln(M)

	// Node records (quant.go): quant says whether searches walk on
	// quantised codes, simd whether the assembly kernels may run.
	quant   bool
	simd    bool
	dimPad  int
	recSize int
	qmax    float64
	// recLines and vecLines are how many cache lines of a record and of
	// a vector searches prefetch.
	recLines, vecLines, linkLines int

	// Chunks (chunk.go) hold 2^shift nodes.
	shift, mask uint32
	// dir lists the chunks. It only grows: a new chunk is published by
	// storing a longer copy of the directory.
	dir atomic.Pointer[[]*chunk]

	// entry is the entry point packed by packEntry. entryMu serialises
	// its changes; an insert whose level is above the top holds it
	// throughout, as hnswlib does, so the top only ever moves to a node
	// whose upper links are complete.
	entry   atomic.Uint64
	entryMu sync.Mutex

	// alloc guards next, free, ids, shadows and slab.
	alloc sync.Mutex
	slab  slab
	next  uint32            // first slot never used
	free  []uint32          // reclaimed slots, reusable now
	ids   map[uint64]uint32 // row id of every live node -> node
	live  atomic.Int64      // live nodes
	// shadows holds, by row id, the deleted nodes that some snapshot may
	// still see (visibility.go).
	shadows map[uint64][]uint32
	// unsettled lists, oldest first, the nodes commits gave versions to
	// that Settle has not returned to plain states (guarded by writer);
	// unsettledNodes counts them.
	unsettled      []settleBatch
	unsettledNodes atomic.Int64

	// writer makes Tx exclusive: Begin takes it, Commit and Rollback
	// release it.
	writer sync.Mutex
	// readers protects node slots from reuse while a search may still
	// read them; reclaims counts reuse rounds for iterators.
	readers  epochs
	reclaims atomic.Uint64

	workers sync.Pool // of *worker, insertion scratch

	// The fields of kinds other than Vector come after the fields the
	// float32 search reads, so that its layout is that of a Vector-only
	// graph (the hot path's fields share cache lines as before).

	// kind is the element type.
	kind Kind
	// vecBytes is the size of a node's vector in its chunk's block (0 for
	// Sparsevec, whose vectors have allocations of their own).
	vecBytes int
	// keepPruned fills neighbour lists up with candidates the heuristic
	// refused (Sparsevec; see selectNeighbors).
	keepPruned bool

	// locks guard the nodes' lists (see lock).
	locks [lockStripes]struct {
		mu sync.Mutex
		_  [56]byte // own cache line
	}
}

// lockStripes is the number of list mutexes of a graph.
const lockStripes = 1024

// chunk holds a fixed number of consecutive nodes. Nothing in it moves
// once allocated, so readers can hold slices of it.
type chunk struct {
	vecs   []float32  // Vector: dim floats a node, normalised for Cosine
	recs   []byte     // recSize bytes a node: codes and header (quant.go)
	links0 []uint32   // m0 a node: node numbers, then noNode (atomic)
	upper  [][]uint32 // level·m a node above layer 0: same form
	ids    []uint64   // row ids
	levels []uint8    // top layer of each node
	// hard0 is how many of each node's layer-0 links come first and are
	// hard: chosen by the heuristic or links back from other nodes; the
	// rest are soft, filled in (see softFill). hardUnknown: all are.
	hard0 []uint8
	// vers holds the versions of the chunk's versioned nodes
	// (visibility.go), made when the first one needs them.
	vers atomic.Pointer[[]nodeVersions]

	// The vectors of the other kinds, in the one field of the graph's
	// kind (after the fields a Vector search reads):
	halves []kernels.Float16 // Halfvec: dim halves a node, as given
	bits   []byte            // Bit: vecBytes a node
	sparse [][]uint32        // Sparsevec: nnz indices, then nnz values' bits (normalised for Cosine)
}

// New returns an empty graph for cfg, or cfg.Validate's error.
func New(cfg Config) (*Graph, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	g := &Graph{
		cfg:        cfg,
		dim:        cfg.Dim,
		metric:     cfg.Metric,
		kind:       cfg.Kind,
		linkMetric: cfg.Metric,
		m:          cfg.M,
		m0:         2 * cfg.M,
		mL:         1 / math.Log(float64(cfg.M)),
		ids:        make(map[uint64]uint32),
	}
	if cfg.Metric == InnerProduct && cfg.Kind != Sparsevec {
		// The inner product is no metric: links chosen by it leave nodes
		// of small norm with no link to them (a quarter of the nodes of
		// clustered test data), which no search can reach. Links chosen
		// by L2 leave none; searches still order by the inner product.
		// Sparse graphs keep pruned links, which leave no node out, and
		// links by L2 there halve the recall of inner-product searches
		// (on generated SPLADE-like data: 0.44 against 0.98 at ef 64).
		g.linkMetric = L2
	}
	g.quant = cfg.Metric != L1 && (cfg.Kind == Vector || cfg.Kind == Halfvec)
	g.keepPruned = cfg.Kind == Sparsevec
	g.simd = kernels.Name() != "purego"
	g.dimPad, g.recSize = recordLayout(cfg.Dim, g.quant)
	g.qmax = queryScale(g.dimPad)
	g.recLines = max(min(g.recSize/64, 8), 1)
	switch cfg.Kind {
	case Vector:
		g.vecBytes = 4 * g.dim
	case Halfvec:
		g.vecBytes = 2 * g.dim
	case Bit:
		g.vecBytes = bitBytes(g.dim)
	}
	g.vecLines = min((g.vecBytes+63)/64+1, 8) // vectors are not line-aligned
	if cfg.Kind == Sparsevec {
		g.vecLines = 4
	}
	g.linkLines = (4*g.m0 + 63) / 64
	g.shift = chunkShift(g.nodeBytes())
	g.mask = 1<<g.shift - 1
	g.dir.Store(new([]*chunk))
	g.workers.New = func() any { return new(worker) }
	return g, nil
}

// Config returns the graph's configuration, defaults applied.
func (g *Graph) Config() Config { return g.cfg }

// Len returns the number of live (indexed, not deleted) rows.
func (g *Graph) Len() int { return int(g.live.Load()) }

// Contains reports whether row id is live in the graph.
func (g *Graph) Contains(id uint64) bool {
	g.alloc.Lock()
	_, ok := g.ids[id]
	g.alloc.Unlock()
	return ok
}

// at returns the chunk of node n and n's index in it.
func (g *Graph) at(n uint32) (*chunk, int) {
	return (*g.dir.Load())[n>>g.shift], int(n & g.mask)
}

// recPtr returns the address of node n's record.
func (g *Graph) recPtr(n uint32) unsafe.Pointer {
	c := (*g.dir.Load())[n>>g.shift]
	return unsafe.Add(unsafe.Pointer(unsafe.SliceData(c.recs)), int(n&g.mask)*g.recSize)
}

// vec returns the stored vector of node n of a Vector graph.
func (g *Graph) vec(n uint32) []float32 {
	c, i := g.at(n)
	off := i * g.dim
	return c.vecs[off : off+g.dim : off+g.dim]
}

// half returns the stored vector of node n of a Halfvec graph.
func (g *Graph) half(n uint32) []kernels.Float16 {
	c, i := g.at(n)
	off := i * g.dim
	return c.halves[off : off+g.dim : off+g.dim]
}

// bitsOf returns the stored bit string of node n of a Bit graph.
func (g *Graph) bitsOf(n uint32) []byte {
	c, i := g.at(n)
	off := i * g.vecBytes
	return c.bits[off : off+g.vecBytes : off+g.vecBytes]
}

// sparseOf returns the stored vector of node n of a Sparsevec graph.
func (g *Graph) sparseOf(n uint32) kernels.Sparse {
	c, i := g.at(n)
	return sparseOfWords(c.sparse[i])
}

// sparseOfWords returns the sparse vector that words holds: its indices,
// then its values' bits.
func sparseOfWords(words []uint32) kernels.Sparse {
	k := len(words) / 2
	return kernels.Sparse{Indices: asInt32(words[:k:k]), Values: asFloat32(words[k:])}
}

// vecPtr returns the address of node n's vector, to prefetch.
func (g *Graph) vecPtr(n uint32) unsafe.Pointer {
	c, i := g.at(n)
	switch g.kind {
	case Vector:
		return unsafe.Pointer(&c.vecs[i*g.dim])
	case Halfvec:
		return unsafe.Pointer(&c.halves[i*g.dim])
	case Bit:
		return unsafe.Pointer(&c.bits[i*g.vecBytes])
	}
	return unsafe.Pointer(unsafe.SliceData(c.sparse[i]))
}

// slot returns node n's neighbour list on level: maxLinks(level) node
// numbers, noNode in the unused places. Read and write it with readList
// and writeList.
func (g *Graph) slot(n uint32, level int) []uint32 {
	c, i := g.at(n)
	if level == 0 {
		off := i * g.m0
		return c.links0[off : off+g.m0 : off+g.m0]
	}
	off := (level - 1) * g.m
	return c.upper[i][off : off+g.m : off+g.m]
}

// maxLinks returns how many links a node keeps on level.
func (g *Graph) maxLinks(level int) int {
	if level == 0 {
		return g.m0
	}
	return g.m
}

func (g *Graph) level(n uint32) int {
	c, i := g.at(n)
	return int(c.levels[i])
}

func (g *Graph) id(n uint32) uint64 {
	c, i := g.at(n)
	return c.ids[i]
}

// state returns node n's state: free, live or deleted, as inserts, Vacuum
// and persistence see it (a node the open Tx deleted is deleted, one it
// added live).
func (g *Graph) state(n uint32) uint32 {
	return g.rawState(n) & stateMask
}

// setState sets node n's state, without versions.
func (g *Graph) setState(n uint32, s uint32) {
	g.setRawState(n, s)
}

// rawState is node n's state word, with the versioned flag.
func (g *Graph) rawState(n uint32) uint32 {
	return atomic.LoadUint32(g.hdr(g.rec(n), recState))
}

func (g *Graph) setRawState(n uint32, w uint32) {
	atomic.StoreUint32(g.hdr(g.rec(n), recState), w)
}

// lock returns the mutex that guards node n's lists: one of a fixed set,
// shared by many nodes. Nobody ever holds two, so sharing cannot deadlock.
func (g *Graph) lock(n uint32) *sync.Mutex {
	return &g.locks[splitmix64(uint64(n))%uint64(len(g.locks))].mu
}

// readList appends the links of a list slot to dst. It takes no lock:
// every entry is loaded atomically, so a list being rewritten reads as a
// mix of its old and new entries, each a valid node number or noNode.
func readList(slot []uint32, dst []uint32) []uint32 {
	for i := range slot {
		if n := atomic.LoadUint32(&slot[i]); n != noNode {
			dst = append(dst, n)
		}
	}
	return dst
}

// writeList replaces the links of a list slot. The caller holds the
// node's lock (or is the only one to know the node).
func writeList(slot []uint32, links []uint32) {
	for i, n := range links {
		atomic.StoreUint32(&slot[i], n)
	}
	for i := len(links); i < len(slot); i++ {
		atomic.StoreUint32(&slot[i], noNode)
	}
}

// Entry points are packed into one word: bit 63 set when there is one,
// the level in bits 32..39, the node in bits 0..31.
const entryValid = 1 << 63

func packEntry(n uint32, level int) uint64 { return entryValid | uint64(level)<<32 | uint64(n) }

func unpackEntry(e uint64) (n uint32, level int, ok bool) {
	return uint32(e), int(e>>32) & 0xff, e&entryValid != 0
}

// allocate returns a slot for a new node, reusing a reclaimed one first.
// The caller holds g.alloc.
func (g *Graph) allocate() uint32 {
	if k := len(g.free); k > 0 {
		n := g.free[k-1]
		g.free = g.free[:k-1]
		return n
	}
	n := g.next
	g.next++
	dir := *g.dir.Load()
	if int(n>>g.shift) >= len(dir) {
		grown := make([]*chunk, len(dir)+1)
		copy(grown, dir)
		grown[len(dir)] = g.newChunk()
		g.dir.Store(&grown)
	}
	return n
}

// newUpper returns the empty lists of a node's layers 1..level.
func (g *Graph) newUpper(level int) []uint32 {
	if level == 0 {
		return nil
	}
	u := make([]uint32, level*g.m)
	for i := range u {
		u[i] = noNode
	}
	return u
}

// initNode fills slot n for row id at level with v (normalised for
// Cosine, except Halfvec) and empty lists; w lends scratch memory. Nothing
// links to n yet, so plain writes are safe: the atomic link stores that
// later publish n order them before any reader's access.
func (g *Graph) initNode(w *worker, n uint32, id uint64, level int, v Value) {
	c, i := g.at(n)
	switch g.kind {
	case Vector:
		dst := c.vecs[i*g.dim : (i+1)*g.dim]
		copy(dst, v.f32)
		if g.metric == Cosine {
			normalize(dst)
		}
		g.encode(n, dst)
	case Halfvec:
		copy(c.halves[i*g.dim:(i+1)*g.dim], v.halves())
		g.encodeHalf(n, &w.wide)
	case Sparsevec:
		words := c.sparse[i]
		if need := 2 * len(v.idx); cap(words) >= need {
			words = words[:need] // a reused slot's: no search reads it now
		} else {
			words = make([]uint32, need)
		}
		nnz := len(v.idx)
		copy(asInt32(words[:nnz]), v.idx)
		copy(asFloat32(words[nnz:]), v.f32)
		if g.metric == Cosine {
			k, _ := normalizeSparse(asInt32(words[:nnz]), asFloat32(words[nnz:]))
			if k < nnz {
				copy(words[k:], words[nnz:nnz+k])
				words = words[:2*k]
			}
		}
		c.sparse[i] = words
	case Bit:
		dst := c.bits[i*g.vecBytes : (i+1)*g.vecBytes]
		copy(dst, v.bits)
		maskBits(dst, g.dim)
	}
	c.ids[i] = id
	c.levels[i] = uint8(level)
	c.upper[i] = g.newUpper(level)
	c.hard0[i] = 0
	writeList(g.slot(n, 0), nil)
	g.setState(n, stateLive)
}

// randomLevel draws the layer of row id: floor(-ln(u)·mL) for u uniform in
// (0, 1], from a hash of the seed and the id.
func (g *Graph) randomLevel(id uint64) int {
	x := splitmix64(g.cfg.Seed ^ splitmix64(id))
	u := float64(x>>11+1) / (1 << 53)
	return min(int(-math.Log(u)*g.mL), maxLevel)
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// maskBits clears the bits of b past the first n, which PostgreSQL keeps
// zero and the distance kernels expect to be.
func maskBits(b []byte, n int) {
	if r := n % 8; r != 0 && len(b) > 0 {
		b[len(b)-1] &= 0xff << (8 - r)
	}
}

// checkVector returns the error pgvector raises for a vector the graph
// cannot index.
func (g *Graph) checkVector(vec []float32) error {
	if len(vec) != g.dim {
		return pgerr.New(pgerr.DataException, "expected %d dimensions, not %d", g.dim, len(vec))
	}
	zero := true
	for _, f := range vec {
		if f != f {
			return pgerr.New(pgerr.DataException, "NaN not allowed in vector")
		}
		if math.IsInf(float64(f), 0) {
			return pgerr.New(pgerr.DataException, "infinite value not allowed in vector")
		}
		zero = zero && f == 0
	}
	if zero && g.metric == Cosine {
		return errZeroCosine()
	}
	return nil
}
