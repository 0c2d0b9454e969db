package columns

import (
	"math/rand/v2"
	"sync"

	"github.com/vecgres/vecgres/sql/types"
)

// Cache is the in-memory copy of some columns (slots) of one table.
type Cache struct {
	mu sync.RWMutex
	// slots are the table slots cached, in order; width is the table's
	// slot count, the length of the rows Reader.Row fills.
	slots []int
	width int
	// Row positions: ids[p] is the row id at position p (0 when free);
	// pos maps row ids back; free lists reusable positions.
	ids  []uint64
	pos  positions
	free []int32
	// cols[i][p] is slot slots[i] of the row at position p; ints[i][p]
	// is the same value when it is an integer (int64), with notInt[i][p]
	// set otherwise (NULL, or another type): a filter on integer columns
	// runs over these flat arrays without touching the boxed values.
	cols   [][]types.Datum
	ints   [][]int64
	notInt [][]bool
	// bytes estimates the memory the values hold, against budget (with
	// pos.bytes()).
	bytes, budget int64
	// overflow is set when the budget was exceeded: the cache is then
	// useless and stays empty.
	overflow bool
	// version is the table version (storage.Txn.TableVersion) whose rows
	// the cache holds: a reader whose snapshot sees another version must
	// not take the cache's word for it.
	version uint64
}

// New makes an empty cache of the given slots of a table with width
// slots, holding at most budget bytes of values (0: no limit).
func New(slots []int, width int, budget int64) *Cache {
	return &Cache{slots: slots, width: width, cols: make([][]types.Datum, len(slots)),
		ints: make([][]int64, len(slots)), notInt: make([][]bool, len(slots)), budget: budget}
}

// Slots returns the cached slots.
func (c *Cache) Slots() []int { return c.slots }

// Covers reports whether every slot in need is cached.
func (c *Cache) Covers(need []bool) bool {
	cached := make([]bool, c.width)
	for _, s := range c.slots {
		cached[s] = true
	}
	for s, n := range need {
		if n && (s >= len(cached) || !cached[s]) {
			return false
		}
	}
	return true
}

// Usable reports whether the cache holds every row (it has not run over
// its memory budget).
func (c *Cache) Usable() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return !c.overflow
}

// Len is the number of rows cached.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.pos.n
}

// Put stores (or replaces) the cached slots of row id from a full table
// row.
func (c *Cache) Put(id uint64, row []types.Datum) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.put(id, row)
}

func (c *Cache) put(id uint64, row []types.Datum) {
	if c.overflow {
		return
	}
	p, ok := c.pos.get(id)
	if !ok {
		if n := len(c.free); n > 0 {
			p, c.free = c.free[n-1], c.free[:n-1]
		} else {
			p = int32(len(c.ids))
			c.ids = append(c.ids, 0)
			for i := range c.cols {
				c.cols[i] = append(c.cols[i], nil)
				c.ints[i] = append(c.ints[i], 0)
				c.notInt[i] = append(c.notInt[i], true)
			}
		}
		c.ids[p] = id
		c.pos.set(id, p)
		c.bytes += rowBytes(len(c.slots))
	}
	for i, s := range c.slots {
		var v types.Datum
		if s < len(row) {
			v = row[s]
		}
		c.bytes += size(v) - size(c.cols[i][p])
		c.cols[i][p] = v
		n, ok := v.(int64)
		c.ints[i][p], c.notInt[i][p] = n, !ok
	}
	if c.budget > 0 && c.bytes+c.pos.bytes() > c.budget {
		c.reset()
		c.overflow = true
	}
}

// SetVersion records the table version the cache's rows are as of.
func (c *Cache) SetVersion(version uint64) {
	c.mu.Lock()
	c.version = version
	c.mu.Unlock()
}

// Update applies the changes of one commit, which brought the table to
// version, under one lock: a reader sees the cache before or after the
// whole commit, and the version that goes with it. changes calls put for
// each row written and del for each row deleted.
func (c *Cache) Update(version uint64, changes func(put func(id uint64, row []types.Datum), del func(id uint64))) {
	c.mu.Lock()
	defer c.mu.Unlock()
	changes(c.put, c.delete)
	c.version = version
}

// Delete forgets row id.
func (c *Cache) Delete(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delete(id)
}

func (c *Cache) delete(id uint64) {
	p, ok := c.pos.get(id)
	if !ok {
		return
	}
	for i := range c.cols {
		c.bytes -= size(c.cols[i][p])
		c.cols[i][p] = nil
	}
	c.bytes -= rowBytes(len(c.slots))
	c.pos.remove(id)
	c.ids[p] = 0
	c.free = append(c.free, p)
}

func (c *Cache) reset() {
	c.ids, c.free, c.pos = nil, nil, positions{}
	c.cols = make([][]types.Datum, len(c.slots))
	c.ints, c.notInt = make([][]int64, len(c.slots)), make([][]bool, len(c.slots))
	c.bytes = 0
}

// size estimates the memory a value holds.
func size(v types.Datum) int64 {
	switch v := v.(type) {
	case nil:
		return 0
	case string:
		return 16 + int64(len(v))
	case []byte:
		return 24 + int64(len(v))
	case types.JSON:
		return 16 + int64(len(v))
	}
	return 16
}

// Reader reads the cache; it holds a buffer for the rows it returns and is
// used by one goroutine. Each call takes the cache's read lock for its
// own duration only, so a search that pauses between rows (its client is
// slow to read) never holds up a commit.
type Reader struct {
	c   *Cache
	row []types.Datum
}

// Reader returns a reader of the cache.
func (c *Cache) Reader() *Reader {
	return &Reader{c: c, row: make([]types.Datum, c.width)}
}

// Row returns row id with its cached slots filled (the others NULL), in a
// buffer the next call reuses; ok is false when the row is not cached.
func (r *Reader) Row(id uint64) (row []types.Datum, ok bool) {
	r.c.mu.RLock()
	defer r.c.mu.RUnlock()
	p, ok := r.c.pos.get(id)
	if !ok {
		return nil, false
	}
	return r.at(p), true
}

func (r *Reader) at(p int32) []types.Datum {
	for i, s := range r.c.slots {
		r.row[s] = r.c.cols[i][p]
	}
	return r.row
}

// RowsAsOf reads the rows of ids for a reader whose snapshot sees the
// table at version, under one read lock: it appends to dst, for each id
// in order, a row of its own with the cached slots filled (the others
// NULL), or nil when the row is not cached, and returns it. fresh is
// false (and dst returned as it was) when the cache holds another
// version: the rows must be read from storage. The positions of all ids
// are looked up before any value is read, so that their cache misses
// overlap.
func RowsAsOf[ID ~uint64](r *Reader, version uint64, ids []ID, dst [][]types.Datum) (rows [][]types.Datum, fresh bool) {
	c := r.c
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.version != version || c.overflow {
		return dst, false
	}
	var small [64]int32
	pos := small[:0]
	if len(ids) > len(small) {
		pos = make([]int32, 0, len(ids))
	}
	for _, id := range ids {
		p, ok := c.pos.get(uint64(id))
		if !ok {
			p = -1
		}
		pos = append(pos, p)
	}
	arena := make([]types.Datum, len(ids)*c.width)
	for i, p := range pos {
		if p < 0 {
			dst = append(dst, nil)
			continue
		}
		row := arena[i*c.width : (i+1)*c.width : (i+1)*c.width]
		for j, s := range c.slots {
			row[s] = c.cols[j][p]
		}
		dst = append(dst, row)
	}
	return dst, true
}

// Fresh reports whether the cache holds the table at version, the one a
// reader's snapshot sees.
func (r *Reader) Fresh(version uint64) bool {
	r.c.mu.RLock()
	defer r.c.mu.RUnlock()
	return r.c.version == version && !r.c.overflow
}

// Len is the number of rows cached.
func (r *Reader) Len() int { return r.c.Len() }

// Sample calls fn for up to n rows chosen at random (all rows when there
// are fewer), for estimating how many rows a condition selects.
func (r *Reader) Sample(n int, rng *rand.Rand, fn func(row []types.Datum) bool) {
	c := r.c
	c.mu.RLock()
	defer c.mu.RUnlock()
	live := c.pos.n
	if live == 0 {
		return
	}
	if live <= n {
		r.each(func(_ uint64, row []types.Datum) bool { return fn(row) })
		return
	}
	for taken := 0; taken < n; {
		p := int32(rng.IntN(len(c.ids)))
		if c.ids[p] == 0 {
			continue
		}
		taken++
		if !fn(r.at(p)) {
			return
		}
	}
}

// Each calls fn for every cached row until it returns false, holding the
// read lock throughout.
func (r *Reader) Each(fn func(id uint64, row []types.Datum) bool) {
	r.c.mu.RLock()
	defer r.c.mu.RUnlock()
	r.each(fn)
}

func (r *Reader) each(fn func(id uint64, row []types.Datum) bool) {
	for p, id := range r.c.ids {
		if id == 0 {
			continue
		}
		if !fn(id, r.at(int32(p))) {
			return
		}
	}
}

// ScanInts calls fn once, holding the read lock throughout, with the row
// ids by position (0 at a free position) and, per slot in the order of
// Slots, the values as integers and whether each is not one (NULL or not
// an integer): the fastest pass over integer columns. fn must not keep
// the slices.
func (r *Reader) ScanInts(fn func(ids []uint64, ints [][]int64, notInt [][]bool)) {
	r.c.mu.RLock()
	defer r.c.mu.RUnlock()
	fn(r.c.ids, r.c.ints, r.c.notInt)
}

// rowBytes is the memory a cached row takes besides its values: its id,
// position and each slot's integer copy.
func rowBytes(slots int) int64 { return 24 + 9*int64(slots) }
