package hnsw

import "unsafe"

// Stats describes a graph's size, for monitoring and for the index's
// reported size.
type Stats struct {
	// Live, Deleted and Free count the node slots in use by live rows, by
	// deleted rows not yet vacuumed, and reclaimed for reuse.
	Live, Deleted, Free int
	// Capacity is the number of node slots allocated.
	Capacity int
	// Levels is the number of layers (the entry point's level + 1).
	Levels int

	// Memory held, in bytes: vectors (float32, float16, bits, or sparse
	// vectors' own allocations), records (quantised codes and per-node
	// header), layer-0 and upper lists, the other per-node data (row ids,
	// levels, upper list headers, sparse vectors' slice headers, the
	// versions of chunks that have had versioned nodes), the row
	// id map (estimated), and allocated slab memory not yet used by a
	// chunk.
	VectorBytes, RecordBytes, LinkBytes, NodeBytes, MapBytes, SlackBytes int64
}

// Bytes returns the total memory the graph holds.
func (s Stats) Bytes() int64 {
	return s.VectorBytes + s.RecordBytes + s.LinkBytes + s.NodeBytes + s.MapBytes + s.SlackBytes
}

// mapEntryBytes estimates the memory of one entry of the row id map
// (Go's swiss tables: 8+4 bytes padded to 16, a control byte, 7/8 load).
const mapEntryBytes = 20

// Stats returns the graph's statistics. It scans every node.
func (g *Graph) Stats() Stats {
	g.alloc.Lock()
	next, free, slack, ids := g.next, len(g.free), len(g.slab.free), len(g.ids)
	g.alloc.Unlock()
	st := Stats{Free: free, Capacity: g.capacity(), SlackBytes: int64(slack)}
	if _, top, ok := unpackEntry(g.entry.Load()); ok {
		st.Levels = top + 1
	}
	vec, rec, link, _ := g.chunkBlockBytes()
	chunks := int64(len(*g.dir.Load()))
	st.VectorBytes = chunks * int64(vec)
	st.RecordBytes = chunks * int64(rec)
	st.LinkBytes = chunks * int64(link)
	perNode := int64(unsafe.Sizeof(uint64(0)) + 2*unsafe.Sizeof(uint8(0)) + unsafe.Sizeof([]uint32(nil)))
	if g.kind == Sparsevec {
		perNode += int64(unsafe.Sizeof([]uint32(nil)))
	}
	st.NodeBytes = int64(st.Capacity)*perNode + int64(unsafe.Sizeof(*g))
	for _, c := range *g.dir.Load() {
		if vs := c.vers.Load(); vs != nil {
			st.NodeBytes += int64(len(*vs)) * int64(unsafe.Sizeof(nodeVersions{}))
		}
	}
	st.MapBytes = int64(ids) * mapEntryBytes
	for n := range next {
		switch g.state(n) {
		case stateLive:
			st.Live++
		case stateDeleted:
			st.Deleted++
		default:
			continue
		}
		st.LinkBytes += int64(g.level(n) * g.m * 4)
		if g.kind == Sparsevec {
			c, i := g.at(n)
			st.VectorBytes += int64(4 * cap(c.sparse[i]))
		}
	}
	return st
}
