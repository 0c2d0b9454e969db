package exec

import (
	"context"
	"strconv"

	"github.com/vecgres/vecgres/index/hnsw"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// Indexes gives the executor the HNSW graphs as the statement's
// transaction sees them.
type Indexes interface {
	// Graph is the graph of an hnsw index, for searches.
	Graph(idx *storage.Index) (*hnsw.Graph, error)
	// Writer is the transaction's write transaction on the graph, for
	// keeping it in step with INSERT, UPDATE and DELETE.
	Writer(idx *storage.Index) (*hnsw.Tx, error)
	// Searcher lends reusable search scratch; PutSearcher returns it.
	Searcher() *hnsw.Searcher
	PutSearcher(s *hnsw.Searcher)
}

// scanSettings are the hnsw.* settings an index scan follows.
type scanSettings struct {
	efSearch      int
	iterative     string // off, relaxed_order, strict_order
	maxScanTuples int
}

func readScanSettings(env planner.Env) scanSettings {
	st := scanSettings{efSearch: 40, iterative: "strict_order", maxScanTuples: 20000}
	if env == nil {
		return st
	}
	if v, err := env.Setting("hnsw.ef_search"); err == nil {
		if n, err := strconv.Atoi(v); err == nil {
			st.efSearch = n
		}
	}
	if v, err := env.Setting("hnsw.iterative_scan"); err == nil {
		st.iterative = v
	}
	if v, err := env.Setting("hnsw.max_scan_tuples"); err == nil {
		if n, err := strconv.Atoi(v); err == nil {
			st.maxScanTuples = n
		}
	}
	return st
}

// indexScanOp produces a table's rows nearest first from an HNSW graph:
// it runs an iterative scan and reads each found row from the
// transaction's snapshot, skipping rows it cannot see (deleted, or written
// by a transaction that has not committed) and rows the filter rejects.
// With hnsw.iterative_scan = off it stops after the first batch, as
// pgvector does; otherwise it resumes the scan until its consumer stops
// pulling or the scan runs out.
type indexScanOp struct {
	rt        *Runtime
	n         *planner.IndexScan
	query     evalFn
	filter    evalFn
	searcher  *hnsw.Searcher
	started   bool
	batch     []uint64
	pos       int
	done      bool
	firstOnly bool
}

func (b *builder) buildIndexScan(n *planner.IndexScan) (Operator, error) {
	if b.rt.Indexes == nil {
		return nil, pgerr.New(pgerr.InternalError, "exec: index scan without index access")
	}
	q, err := b.c.compile(n.Query)
	if err != nil {
		return nil, err
	}
	op := &indexScanOp{rt: b.rt, n: n, query: q}
	if n.Filter != nil {
		if op.filter, err = b.c.compile(n.Filter); err != nil {
			return nil, err
		}
	}
	return op, nil
}

func (o *indexScanOp) start() error {
	o.started = true
	qv, err := o.query(nil)
	if err != nil {
		return err
	}
	if qv == nil {
		// ORDER BY distance to NULL: every distance is NULL, so no row is
		// nearer than another; PostgreSQL returns the rows in no order.
		o.done = true
		return nil
	}
	g, err := o.rt.Indexes.Graph(o.n.Index)
	if err != nil {
		return err
	}
	st := readScanSettings(o.rt.Env)
	order := hnsw.StrictOrder
	if st.iterative == "relaxed_order" {
		order = hnsw.RelaxedOrder
	}
	o.firstOnly = st.iterative == "off"
	o.searcher = o.rt.Indexes.Searcher()
	return o.searcher.Scan(g, []float32(qv.(types.Vector)), hnsw.ScanOptions{
		EfSearch: st.efSearch, Order: order, MaxScanTuples: st.maxScanTuples,
	})
}

func (o *indexScanOp) Next(ctx context.Context) (Row, error) {
	if !o.started {
		if err := o.start(); err != nil {
			return nil, err
		}
	}
	for n := 0; !o.done; n++ {
		if n%checkEvery == checkEvery-1 {
			if err := ctxErr(ctx); err != nil {
				return nil, err
			}
		}
		if o.pos >= len(o.batch) {
			if o.firstOnly && o.batch != nil {
				o.done = true
				break
			}
			res := o.searcher.Next()
			if len(res) == 0 {
				o.done = true
				break
			}
			o.batch, o.pos = o.batch[:0], 0
			for _, r := range res {
				o.batch = append(o.batch, r.ID)
			}
		}
		id := o.batch[o.pos]
		o.pos++
		row, found, err := o.rt.Txn.GetSlots(o.n.Table, storage.RowID(id), o.n.Need)
		if err != nil {
			return nil, err
		}
		if !found {
			continue
		}
		if o.filter != nil {
			ok, err := o.filter(row)
			if err != nil {
				return nil, err
			}
			if !isTrue(ok) {
				continue
			}
		}
		return row, nil
	}
	return nil, nil
}

func (o *indexScanOp) Close() {
	if o.searcher != nil {
		o.searcher.End()
		o.rt.Indexes.PutSearcher(o.searcher)
		o.searcher = nil
	}
}
