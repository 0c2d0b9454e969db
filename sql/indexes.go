package sql

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/index/columns"
	"github.com/vecgres/vecgres/index/hnsw"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// graphs holds the in-memory HNSW graph of every committed hnsw index.
// Graphs are loaded when the engine starts, added when a transaction that
// created an index commits, and removed when one that dropped it commits.
type graphs struct {
	mu  sync.RWMutex
	m   map[types.OID]*hnsw.Graph
	log zerolog.Logger
	// searchers are reused across queries, so a search allocates nothing.
	searchers sync.Pool
	// caches are the column caches of tables searched with filters.
	caches caches
}

func newGraphs(log zerolog.Logger) *graphs {
	return &graphs{m: map[types.OID]*hnsw.Graph{}, log: log,
		searchers: sync.Pool{New: func() any { return hnsw.NewSearcher() }}}
}

func (g *graphs) get(oid types.OID) (*hnsw.Graph, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	gr, ok := g.m[oid]
	return gr, ok
}

func (g *graphs) put(oid types.OID, gr *hnsw.Graph) {
	g.mu.Lock()
	g.m[oid] = gr
	g.mu.Unlock()
}

func (g *graphs) remove(oid types.OID) {
	g.mu.Lock()
	delete(g.m, oid)
	g.mu.Unlock()
}

// graphConfig derives a graph's configuration from its index: the
// column's dimensions (a bit string's length), the operator class's
// metric and element kind, the WITH options.
// The seed is the index OID, so a graph's random levels are fixed.
func graphConfig(t *storage.Table, idx *storage.Index) (hnsw.Config, error) {
	keyType := idx.Columns[0].KeyType(t)
	metric, kind, ok := hnsw.OpclassInfo(idx.Columns[0].Opclass)
	if !ok {
		return hnsw.Config{}, pgerr.New(pgerr.UndefinedObject, "operator class \"%s\" does not exist for access method \"hnsw\"", idx.Columns[0].Opclass)
	}
	cfg := hnsw.Config{Dim: int(keyType.Mod), Metric: metric, Kind: kind, Seed: uint64(idx.OID)}
	for _, name := range []string{"m", "ef_construction"} {
		if v, ok := idx.Options[name]; ok {
			if err := cfg.SetOption(name, v); err != nil {
				return hnsw.Config{}, err
			}
		}
	}
	return cfg, nil
}

// load reads every committed hnsw index's graph from storage, several at
// once (one per core), so that start-up takes about as long as the largest
// index.
func (g *graphs) load(db *storage.DB) error {
	cat := db.Catalog()
	var wg sync.WaitGroup
	errs := make(chan error, len(cat.Indexes()))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for _, idx := range cat.Indexes() {
		if idx.Method != "hnsw" {
			continue
		}
		t, ok := cat.Table(idx.Table)
		if !ok {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := g.loadOne(db, t, idx); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func (g *graphs) loadOne(db *storage.DB, t *storage.Table, idx *storage.Index) error {
	cfg, err := graphConfig(t, idx)
	if err != nil {
		return err
	}
	start := time.Now()
	txn := db.Begin()
	gr, err := hnsw.Load(cfg, func(yield func(key, value []byte) error) error {
		return txn.ScanRaw(idx.OID, nil, yield)
	})
	txn.Rollback()
	if err != nil {
		return pgerr.New(pgerr.DataCorrupted, "cannot load hnsw index \"%s\": %s", idx.Name, pgerr.From(err).Message)
	}
	g.put(idx.OID, gr)
	g.log.Info().Str("index", idx.Name).Int("rows", gr.Len()).Dur("took", time.Since(start)).Msg("hnsw index loaded")
	return nil
}

// txnIndexes is one transaction's use of hnsw graphs: the graphs it
// created (visible to it before they commit) and the write transaction
// open on each graph it changed. It implements exec.Indexes.
type txnIndexes struct {
	s       *Session
	created map[types.OID]*hnsw.Graph
	writers map[types.OID]*hnsw.Tx
	dropped map[types.OID]bool
	// written holds the rows the transaction wrote in tables, by row id
	// (nil: deleted), for the column caches; schema lists the tables whose
	// definition it changed, whose caches are dropped at commit.
	written map[types.OID]map[storage.RowID][]types.Datum
	schema  map[types.OID]bool
	// retired are write transactions TRUNCATE replaced while a savepoint
	// was set, and writtenLog undoes written back to a savepoint
	// (savepoint.go).
	retired    []retiredWriter
	writtenLog []writtenUndo
}

// indexes returns the open transaction's index state, making it (and the
// hooks that end it with the transaction) on first use.
func (s *Session) indexes() *txnIndexes {
	if s.txnIdx != nil {
		return s.txnIdx
	}
	ti := &txnIndexes{s: s, created: map[types.OID]*hnsw.Graph{}, writers: map[types.OID]*hnsw.Tx{},
		dropped: map[types.OID]bool{}}
	s.txnIdx = ti
	reg := s.e.graphs
	txn := s.txn
	db := s.e.db
	// The graphs' changes take the commit's version just before its rows
	// become visible, so that every statement sees a graph's rows as its
	// snapshot holds them (hnsw's Snapshot); once no running statement
	// is older than a change, the change settles.
	s.txn.OnPrepare(func(version uint64) {
		for _, tx := range ti.writers {
			tx.Prepare(version)
		}
	})
	s.txn.OnCommit(func() {
		oldest := db.OldestReadVersion()
		for _, tx := range ti.writers {
			tx.Settle(oldest)
			if err := tx.Commit(); err != nil {
				reg.log.Error().Err(err).Msg("hnsw: commit of an index transaction failed")
			}
		}
		for _, r := range ti.retired {
			r.tx.Rollback() // its graph is replaced by TRUNCATE's
		}
		for oid, gr := range ti.created {
			reg.put(oid, gr)
		}
		for oid := range ti.dropped {
			reg.remove(oid)
		}
		for oid := range ti.schema {
			s.e.graphs.caches.forget(oid)
		}
		s.e.applyWritten(ti.written, txn.Version())
	})
	s.txn.OnRollback(func() {
		for _, tx := range ti.writers {
			tx.Rollback()
		}
		for _, r := range ti.retired {
			r.tx.Rollback()
		}
	})
	return ti
}

// Graph returns the graph of an hnsw index as the transaction sees it.
// Searches need no transaction state, so the committed graph is returned
// without making any when the transaction created none.
func (si sessionIndexes) graphFast(idx *storage.Index) (*hnsw.Graph, bool) {
	if si.s.txnIdx == nil {
		gr, ok := si.s.e.graphs.get(idx.OID)
		if ok {
			settle(si.s.e.db, gr)
		}
		return gr, ok
	}
	return nil, false
}

// settle returns a graph's versioned nodes to plain states when no running
// statement is older than their commits: their commit settles them when
// it can, and the next search after the older statements ended does it
// otherwise (it never waits for a writer).
func settle(db *storage.DB, gr *hnsw.Graph) {
	if gr.Unsettled() {
		gr.Settle(db.OldestReadVersion())
	}
}

// Graph returns the graph of an hnsw index as the transaction sees it.
func (ti *txnIndexes) Graph(idx *storage.Index) (*hnsw.Graph, error) {
	if gr, ok := ti.created[idx.OID]; ok {
		return gr, nil
	}
	if gr, ok := ti.s.e.graphs.get(idx.OID); ok {
		settle(ti.s.e.db, gr)
		return gr, nil
	}
	return nil, pgerr.New(pgerr.InternalError, "hnsw index \"%s\" has no graph loaded", idx.Name)
}

// Writer returns the transaction's write transaction on an index's graph,
// which persists through the storage transaction's batch.
func (ti *txnIndexes) Writer(idx *storage.Index) (*hnsw.Tx, error) {
	if tx, ok := ti.writers[idx.OID]; ok {
		return tx, nil
	}
	gr, err := ti.Graph(idx)
	if err != nil {
		return nil, err
	}
	tx := gr.Begin(rawStore{txn: ti.s.txn, index: idx.OID})
	ti.writers[idx.OID] = tx
	return tx, nil
}

// rawStore persists a graph's records in the index's key space of the
// storage transaction. The statement that writes has taken the writer
// lock already, so no context is needed to wait for it.
type rawStore struct {
	txn   *storage.Txn
	index types.OID
}

func (r rawStore) Put(key, value []byte) error {
	return r.txn.PutRaw(context.Background(), r.index, key, value)
}

func (r rawStore) Delete(key []byte) error {
	return r.txn.DeleteRaw(context.Background(), r.index, key)
}

// hnswBuildProgress logs a build's progress about every ten seconds.
type hnswBuildProgress struct {
	log   zerolog.Logger
	name  string
	start time.Time
	last  time.Time
}

func (p *hnswBuildProgress) report(done, total int) {
	now := time.Now()
	if done != 0 && done != total && now.Sub(p.last) < 10*time.Second {
		return
	}
	p.last = now
	rate := 0.0
	if el := now.Sub(p.start).Seconds(); el > 0 {
		rate = float64(done) / el
	}
	p.log.Info().Str("index", p.name).Int("done", done).Int("total", total).
		Str("rate", strconv.FormatFloat(rate, 'f', 0, 64)+" rows/s").Msg("building hnsw index")
}

// sessionIndexes is exec.Indexes for a session's current transaction. It
// makes the transaction's index state only when a graph is used, so that
// statements that touch no hnsw index cost nothing.
type sessionIndexes struct{ s *Session }

func (si sessionIndexes) Graph(idx *storage.Index) (*hnsw.Graph, error) {
	if g, ok := si.graphFast(idx); ok {
		return g, nil
	}
	return si.s.indexes().Graph(idx)
}

func (si sessionIndexes) Writer(idx *storage.Index) (*hnsw.Tx, error) {
	return si.s.indexes().Writer(idx)
}

func (si sessionIndexes) Searcher() *hnsw.Searcher {
	return si.s.e.graphs.searchers.Get().(*hnsw.Searcher)
}

func (si sessionIndexes) PutSearcher(h *hnsw.Searcher) { si.s.e.graphs.searchers.Put(h) }

// RowWritten records a write for the column caches (row nil: deleted).
// Only tables with an hnsw index can have a cache, so others are not
// recorded.
func (si sessionIndexes) RowWritten(t *storage.Table, id storage.RowID, row []types.Datum) {
	si.s.indexes().rowWritten(t, id, row)
}

// Columns returns the column cache of a table for a filtered search, or
// nil when the transaction wrote the table (the cache does not have its
// uncommitted rows), the table's values do not fit in one, or the cache
// holds another version of the table than the statement's snapshot (a
// commit landed in between).
func (si sessionIndexes) Columns(ctx context.Context, t *storage.Table) (*columns.Cache, error) {
	c, err := si.columns(ctx, t)
	if err != nil || c == nil || si.s.txn == nil {
		return nil, err
	}
	version, err := si.s.txn.TableVersion(t.OID)
	if err != nil || !c.Reader().Fresh(version) {
		return nil, err
	}
	return c, nil
}

// columns returns the column cache of a table, building it if there is
// none yet and the transaction may, or nil.
func (si sessionIndexes) columns(ctx context.Context, t *storage.Table) (*columns.Cache, error) {
	if ti := si.s.txnIdx; ti != nil && (ti.written[t.OID] != nil || ti.schema[t.OID]) {
		return nil, nil
	}
	if c := si.s.e.graphs.caches.get(t.OID); c != nil {
		if !c.Usable() {
			return nil, nil
		}
		return c, nil
	}
	if si.s.txn != nil && si.s.txn.Writing() {
		// Building takes the writer lock, which this transaction holds.
		return nil, nil
	}
	c, err := si.s.e.buildCache(ctx, t)
	if err != nil || c == nil || !c.Usable() {
		return nil, err
	}
	return c, nil
}

// RowCache returns the column cache of a table for reading result rows
// (exec's rowsFromCache), only when every slot in need is of a kind the
// cache keeps: a query returning vectors must not build a cache it cannot
// use.
func (si sessionIndexes) RowCache(ctx context.Context, t *storage.Table, need []bool) (*columns.Cache, error) {
	for i, n := range need {
		if n && (i >= len(t.Columns) || t.Columns[i].Dropped || !cacheable(t.Columns[i].Type)) {
			return nil, nil
		}
	}
	c, err := si.columns(ctx, t)
	if err != nil || c == nil || !c.Covers(need) {
		return nil, err
	}
	return c, nil
}

// SchemaChanged records that the transaction changed a table's definition.
func (ti *txnIndexes) schemaChanged(oid types.OID) {
	if ti.schema == nil {
		ti.schema = map[types.OID]bool{}
	}
	ti.schema[oid] = true
}
