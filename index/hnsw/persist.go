package hnsw

import (
	"encoding/binary"
	"math"

	"github.com/vecgres/vecgres/kernels"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// Record kinds: the first byte of every key of a graph's key space.
const (
	kindMeta    = 0x01
	kindNode    = 0x02
	kindLinks   = 0x03
	kindDeleted = 0x04
)

// formatVersion is the first byte of the meta record. Version 2 added
// the kind after the metric; Load still reads version 1, whose graphs are
// all of Vector.
const (
	formatVersion   = 2
	formatVersionV1 = 1
)

// metaLen and metaLenV1 are the lengths of the meta record's value.
const (
	metaLenV1 = 1 + 1 + 4 + 2 + 2 + 8 + 8 + 4
	metaLen   = metaLenV1 + 1
)

func metaKey(dst []byte) []byte { return append(dst, kindMeta) }

func nodeKey(dst []byte, n uint32) []byte {
	return binary.BigEndian.AppendUint32(append(dst, kindNode), n)
}

func linksKey(dst []byte, n uint32, level int) []byte {
	return append(binary.BigEndian.AppendUint32(append(dst, kindLinks), n), byte(level))
}

func deletedKey(dst []byte, n uint32) []byte {
	return binary.BigEndian.AppendUint32(append(dst, kindDeleted), n)
}

// appendMeta appends the meta record's value: format version, metric,
// kind, dimensions, M, EfConstruction, seed, entry point and the number
// of node slots in use when it was written (a hint for Load).
func (g *Graph) appendMeta(dst []byte, entry uint64, slots uint32) []byte {
	dst = append(dst, formatVersion, byte(g.metric), byte(g.kind))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(g.dim))
	dst = binary.LittleEndian.AppendUint16(dst, uint16(g.m))
	dst = binary.LittleEndian.AppendUint16(dst, uint16(g.cfg.EfConstruction))
	dst = binary.LittleEndian.AppendUint64(dst, g.cfg.Seed)
	dst = binary.LittleEndian.AppendUint64(dst, entry)
	return binary.LittleEndian.AppendUint32(dst, slots)
}

// appendNode appends node n's record value: row id, level, then the
// stored vector, little-endian: float32s (Vector), float16s (Halfvec),
// the bytes of a bit string (Bit), or a sparse vector's indices (int32s)
// then its values (float32s).
func (g *Graph) appendNode(dst []byte, n uint32) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, g.id(n))
	dst = append(dst, byte(g.level(n)))
	switch g.kind {
	case Vector:
		for _, f := range g.vec(n) {
			dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(f))
		}
	case Halfvec:
		for _, h := range g.half(n) {
			dst = binary.LittleEndian.AppendUint16(dst, uint16(h))
		}
	case Bit:
		dst = append(dst, g.bitsOf(n)...)
	case Sparsevec:
		c, i := g.at(n)
		for _, w := range c.sparse[i] {
			dst = binary.LittleEndian.AppendUint32(dst, w)
		}
	}
	return dst
}

// appendLinks appends a neighbour list's record value: the node numbers
// as little-endian uint32s.
func appendLinks(dst []byte, links []uint32) []byte {
	for _, n := range links {
		dst = binary.LittleEndian.AppendUint32(dst, n)
	}
	return dst
}

// WriteAll writes the whole graph to store: what CREATE INDEX persists
// after Build, in one pass with no rewrites. It waits for any open Tx.
func (g *Graph) WriteAll(store Store) error {
	g.writer.Lock()
	defer g.writer.Unlock()
	var key, val []byte
	g.alloc.Lock()
	next := g.next
	g.alloc.Unlock()
	val = g.appendMeta(val[:0], g.entry.Load(), next)
	if err := store.Put(metaKey(key[:0]), val); err != nil {
		return err
	}
	var links []uint32
	for n := range next {
		st := g.state(n)
		if st == stateFree {
			continue
		}
		if err := store.Put(nodeKey(key[:0], n), g.appendNode(val[:0], n)); err != nil {
			return err
		}
		for lc := range g.level(n) + 1 {
			links = readList(g.slot(n, lc), links[:0])
			if err := store.Put(linksKey(key[:0], n, lc), appendLinks(val[:0], links)); err != nil {
				return err
			}
		}
		if st == stateDeleted {
			if err := store.Put(deletedKey(key[:0], n), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// Load rebuilds a graph from the records WriteAll and Tx wrote, which iter
// yields (in any order; key order is fastest), without computing a single
// distance. Links to nodes that have no record are dropped, and an entry
// point that has none is replaced by a node of the highest level. The
// stored meta record must agree with cfg.
func Load(cfg Config, iter func(yield func(key, value []byte) error) error) (*Graph, error) {
	g, err := New(cfg)
	if err != nil {
		return nil, err
	}
	l := loader{g: g, entry: 0, pending: map[uint64][]uint32{}}
	if err := iter(l.record); err != nil {
		return nil, err
	}
	if err := l.finish(); err != nil {
		return nil, err
	}
	return g, nil
}

// loader accumulates a graph's records for Load.
type loader struct {
	g        *Graph
	wide     []float32 // scratch of encodeHalf
	entry    uint64
	deleted  []uint32
	pending  map[uint64][]uint32 // links records seen before their node's
	scratch  []uint32
	maxLevel int
}

func corrupt(format string, args ...any) error {
	return pgerr.New(pgerr.DataCorrupted, "hnsw: "+format, args...)
}

func (l *loader) record(key, value []byte) error {
	if len(key) == 0 {
		return corrupt("empty key")
	}
	switch key[0] {
	case kindMeta:
		return l.meta(value)
	case kindNode:
		if len(key) != 5 {
			return corrupt("bad node key %x", key)
		}
		return l.node(binary.BigEndian.Uint32(key[1:]), value)
	case kindLinks:
		if len(key) != 6 || len(value)%4 != 0 {
			return corrupt("bad links record %x", key)
		}
		return l.links(binary.BigEndian.Uint32(key[1:]), int(key[5]), value)
	case kindDeleted:
		if len(key) != 5 {
			return corrupt("bad deletion key %x", key)
		}
		l.deleted = append(l.deleted, binary.BigEndian.Uint32(key[1:]))
		return nil
	}
	return corrupt("unknown record kind %#x", key[0])
}

func (l *loader) meta(v []byte) error {
	g := l.g
	kind := Vector
	switch {
	case len(v) == metaLen && v[0] == formatVersion:
		kind = Kind(v[2])
		v = append(v[:2:2], v[3:]...) // the rest as in version 1
	case len(v) == metaLenV1 && v[0] == formatVersionV1:
	default:
		return corrupt("unknown meta record format")
	}
	metric := Metric(v[1])
	dim := int(binary.LittleEndian.Uint32(v[2:]))
	m := int(binary.LittleEndian.Uint16(v[6:]))
	if metric != g.metric || kind != g.kind || dim != g.dim || m != g.m {
		return corrupt("stored graph is %s, %d dimensions, m = %d; expected %s, %d, %d",
			Opclass(kind, metric), dim, m, Opclass(g.kind, g.metric), g.dim, g.m)
	}
	l.entry = binary.LittleEndian.Uint64(v[18:])
	g.reserve(int(binary.LittleEndian.Uint32(v[26:])))
	return nil
}

func (l *loader) node(n uint32, v []byte) error {
	g := l.g
	if !g.validNodeRecord(v) || n == noNode {
		return corrupt("bad node record %d", n)
	}
	level := int(v[8])
	if level > maxLevel {
		return corrupt("node %d has level %d", n, level)
	}
	for g.next <= n {
		g.allocate()
	}
	c, i := g.at(n)
	c.ids[i] = binary.LittleEndian.Uint64(v)
	c.levels[i] = uint8(level)
	c.upper[i] = g.newUpper(level)
	setList(g.slot(n, 0), nil)
	src := v[9:]
	switch g.kind {
	case Vector:
		dst := c.vecs[i*g.dim : (i+1)*g.dim]
		for j := range dst {
			dst[j] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*j:]))
		}
		g.encode(n, dst)
	case Halfvec:
		dst := c.halves[i*g.dim : (i+1)*g.dim]
		for j := range dst {
			dst[j] = kernels.Float16(binary.LittleEndian.Uint16(src[2*j:]))
		}
		g.encodeHalf(n, &l.wide)
	case Bit:
		copy(c.bits[i*g.vecBytes:(i+1)*g.vecBytes], src)
	case Sparsevec:
		words := make([]uint32, len(src)/4)
		for j := range words {
			words[j] = binary.LittleEndian.Uint32(src[4*j:])
		}
		c.sparse[i] = words
	}
	g.setState(n, stateLive)
	l.maxLevel = max(l.maxLevel, level)
	for lc := range level + 1 {
		if p, ok := l.pending[uint64(n)<<8|uint64(lc)]; ok {
			l.place(n, lc, p)
		}
	}
	return nil
}

// validNodeRecord reports whether v has the length of a node record of
// g, and for Sparsevec in-range increasing indices.
func (g *Graph) validNodeRecord(v []byte) bool {
	if len(v) < 9 {
		return false
	}
	body := len(v) - 9
	switch g.kind {
	case Vector:
		return body == 4*g.dim
	case Halfvec:
		return body == 2*g.dim
	case Bit:
		return body == g.vecBytes
	}
	nnz := body / 8
	if body%8 != 0 || nnz > MaxSparseNNZ {
		return false
	}
	prev := int64(-1)
	for j := range nnz {
		x := int64(int32(binary.LittleEndian.Uint32(v[9+4*j:])))
		if x <= prev || x >= int64(g.dim) {
			return false
		}
		prev = x
	}
	return true
}

func (l *loader) links(n uint32, level int, v []byte) error {
	l.scratch = l.scratch[:0]
	for i := 0; i < len(v); i += 4 {
		l.scratch = append(l.scratch, binary.LittleEndian.Uint32(v[i:]))
	}
	if n < l.g.next && l.g.state(n) != stateFree {
		if level <= l.g.level(n) {
			l.place(n, level, l.scratch)
		}
		return nil
	}
	l.pending[uint64(n)<<8|uint64(level)] = append([]uint32(nil), l.scratch...)
	return nil
}

// setList is writeList for a graph nobody else knows yet: plain stores.
func setList(slot, links []uint32) {
	n := copy(slot, links)
	for i := n; i < len(slot); i++ {
		slot[i] = noNode
	}
}

// place stores a list as read; finish filters it.
func (l *loader) place(n uint32, level int, links []uint32) {
	slot := l.g.slot(n, level)
	setList(slot, links[:min(len(links), len(slot))])
}

// finish drops links to absent nodes, applies deletions, and sets the
// entry point, free slots, row id map and count.
func (l *loader) finish() error {
	g := l.g
	for _, n := range l.deleted {
		if n < g.next && g.state(n) == stateLive {
			g.setState(n, stateDeleted)
		}
	}
	var live int64
	for n := range g.next {
		c, i := g.at(n)
		switch g.state(n) {
		case stateFree:
			g.free = append(g.free, n)
			continue
		case stateLive:
			g.ids[c.ids[i]] = n
			live++
		}
		for lc := range int(c.levels[i]) + 1 {
			l.filter(g.slot(n, lc))
		}
	}
	g.live.Store(live)
	// Reuse the lowest free slots first.
	for i, j := 0, len(g.free)-1; i < j; i, j = i+1, j-1 {
		g.free[i], g.free[j] = g.free[j], g.free[i]
	}
	g.entry.Store(l.chooseEntry())
	return nil
}

// filter drops from a list the links to absent nodes.
func (l *loader) filter(slot []uint32) {
	g := l.g
	k := 0
	for _, e := range slot {
		if e < g.next && g.state(e) != stateFree {
			slot[k] = e
			k++
		}
	}
	for ; k < len(slot); k++ {
		slot[k] = noNode
	}
}

// chooseEntry returns the stored entry point if its node exists at its
// level, else a node of the highest level.
func (l *loader) chooseEntry() uint64 {
	g := l.g
	if n, level, ok := unpackEntry(l.entry); ok && n < g.next && g.state(n) != stateFree && g.level(n) == level {
		return l.entry
	}
	for lv := l.maxLevel; lv >= 0; lv-- {
		for n := range g.next {
			if g.state(n) != stateFree && g.level(n) == lv {
				return packEntry(n, lv)
			}
		}
	}
	return 0
}
