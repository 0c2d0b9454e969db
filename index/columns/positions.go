package columns

// positions maps row ids to positions in a cache. Row ids are a table's
// counter, so the ids of its rows are dense, and a paged array finds one
// with two dependent loads where a map lookup took several cache misses
// (reading ten result rows of an index scan from a map cost 8µs of a
// 130µs query on fashion-mnist, the graph search having evicted the map
// from the processor's caches).
//
// A page holds the positions of pageSize consecutive ids; it is allocated
// when one of its ids is put and freed when its last one goes, and the
// table of pages spans only the pages between the first and the last in
// use, so a table whose old rows were deleted like a queue's keeps no
// pages for them. Should the ids in use become sparse (the pages, or the
// span of the table, much larger than the ids need), positions moves them
// to a map for good.
type positions struct {
	first uint64 // page number of pages[0]
	pages []*positionPage
	n     int // ids present
	used  int // pages allocated
	// sparse, once not nil, holds every id instead of the pages.
	sparse map[uint64]int32
}

const (
	pageBits = 10
	pageSize = 1 << pageBits
	// slackPages is how many pages, beyond eight per page of ids
	// present, the pages in use and the table's span may reach before
	// the ids move to a map.
	slackPages = 64
)

type positionPage struct {
	pos  [pageSize]int32 // position+1; 0: no row
	live int
}

// get returns the position of id.
func (x *positions) get(id uint64) (int32, bool) {
	if x.sparse != nil {
		p, ok := x.sparse[id]
		return p, ok
	}
	i := id>>pageBits - x.first // ids before first wrap around to a large i
	if i >= uint64(len(x.pages)) {
		return 0, false
	}
	page := x.pages[i]
	if page == nil {
		return 0, false
	}
	v := page.pos[id&(pageSize-1)]
	if v == 0 {
		return 0, false
	}
	return v - 1, true
}

// limit is the most pages, in use or spanned, that n ids may take.
func limit(n int) uint64 { return 8*uint64(n/pageSize) + slackPages }

// set records id at position p.
func (x *positions) set(id uint64, p int32) {
	if x.sparse != nil {
		if _, ok := x.sparse[id]; !ok {
			x.n++
		}
		x.sparse[id] = p
		return
	}
	pn := id >> pageBits
	if len(x.pages) > 0 {
		lo, hi := min(pn, x.first), max(pn, x.first+uint64(len(x.pages))-1)
		if hi-lo+1 > limit(x.n+1) {
			x.toMap()
			x.set(id, p)
			return
		}
	}
	switch {
	case len(x.pages) == 0:
		x.first = pn
		x.pages = append(x.pages, nil)
	case pn < x.first:
		grown := make([]*positionPage, x.first-pn, x.first-pn+uint64(len(x.pages)))
		x.pages = append(grown, x.pages...)
		x.first = pn
	}
	for pn-x.first >= uint64(len(x.pages)) {
		x.pages = append(x.pages, nil)
	}
	page := x.pages[pn-x.first]
	if page == nil {
		page = new(positionPage)
		x.pages[pn-x.first] = page
		x.used++
	}
	e := &page.pos[id&(pageSize-1)]
	if *e == 0 {
		page.live++
		x.n++
	}
	*e = p + 1
}

// remove forgets id.
func (x *positions) remove(id uint64) {
	if x.sparse != nil {
		if _, ok := x.sparse[id]; ok {
			delete(x.sparse, id)
			x.n--
		}
		return
	}
	i := id>>pageBits - x.first
	if i >= uint64(len(x.pages)) || x.pages[i] == nil {
		return
	}
	page := x.pages[i]
	e := &page.pos[id&(pageSize-1)]
	if *e == 0 {
		return
	}
	*e = 0
	page.live--
	x.n--
	if page.live == 0 {
		x.pages[i] = nil
		x.used--
		x.trim()
	}
	if uint64(x.used) > limit(x.n) {
		x.toMap()
	}
}

// trim drops the free pages at both ends of the table.
func (x *positions) trim() {
	lead := 0
	for lead < len(x.pages) && x.pages[lead] == nil {
		lead++
	}
	end := len(x.pages)
	for end > lead && x.pages[end-1] == nil {
		end--
	}
	switch {
	case lead == end:
		x.pages, x.first = nil, 0
	case lead > 0 || end < len(x.pages):
		x.pages = append([]*positionPage(nil), x.pages[lead:end]...)
		x.first += uint64(lead)
	}
}

// toMap moves the ids to a map.
func (x *positions) toMap() {
	x.sparse = make(map[uint64]int32, x.n)
	for i, page := range x.pages {
		if page == nil {
			continue
		}
		base := (x.first + uint64(i)) << pageBits
		for j, v := range page.pos {
			if v != 0 {
				x.sparse[base+uint64(j)] = v - 1
			}
		}
	}
	x.pages, x.first, x.used = nil, 0, 0
}

// bytes is the memory the positions take.
func (x *positions) bytes() int64 {
	if x.sparse != nil {
		return 24 * int64(x.n)
	}
	return int64(8*cap(x.pages)) + int64(x.used)*(4*pageSize+8)
}
