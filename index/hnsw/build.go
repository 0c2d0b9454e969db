package hnsw

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// BuildOptions tunes Build.
type BuildOptions struct {
	// Workers is the number of goroutines that insert; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
	// Rows, if known, is about how many rows rows will yield: memory is
	// then allocated in one piece instead of growing.
	Rows int
	// Progress, if set, is told how many rows are linked into the graph
	// out of how many: once with done = 0 when all rows are read, then
	// about every 1,000 rows and at the end. Calls never overlap and done
	// never decreases.
	Progress func(done, total int)
}

// progressEvery is how many rows Build links between Progress calls.
const progressEvery = 1024

// sequentialRows is how many rows Build links from one goroutine before
// the others join.
const sequentialRows = 1000

// Build is BuildValues for a Vector graph: rows yields every (row id,
// vector) pair to index.
func Build(ctx context.Context, cfg Config, rows func(yield func(id uint64, vec []float32) error) error, opt BuildOptions) (*Graph, error) {
	return BuildValues(ctx, cfg, func(yield func(uint64, Value) error) error {
		return rows(func(id uint64, vec []float32) error { return yield(id, VectorValue(vec)) })
	}, opt)
}

// BuildValues creates the graph of CREATE INDEX on a filled table: rows
// yields every (row id, value) pair to index (the value is copied before
// yield returns); then Workers goroutines link them into the graph in
// parallel. The graph is not persisted: write it with WriteAll. Values
// that InsertValue would refuse make BuildValues fail with its error, and
// so does a cancelled ctx (with PostgreSQL's cancellation error).
func BuildValues(ctx context.Context, cfg Config, rows func(yield func(id uint64, v Value) error) error, opt BuildOptions) (*Graph, error) {
	g, err := New(cfg)
	if err != nil {
		return nil, err
	}
	g.reserve(opt.Rows)
	w := g.getWorker()
	err = rows(func(id uint64, v Value) error { return g.appendRow(w, id, v) })
	g.putWorker(w)
	if err != nil {
		return nil, err
	}
	total := int(g.next)
	g.live.Store(int64(total))
	p := progress{report: opt.Progress, total: total}
	p.add(0)
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Link the first rows from one goroutine: while the graph is tiny,
	// concurrent inserters would mostly find each other's half-linked
	// nodes.
	w = g.getWorker()
	seq := min(total, sequentialRows)
	for n := range uint32(seq) {
		if n%progressEvery == 0 && ctx.Err() != nil {
			break
		}
		g.link(w, n, nil)
	}
	g.putWorker(w)
	p.add(seq)
	var next atomic.Uint32
	next.Store(uint32(seq))
	var wg sync.WaitGroup
	for range min(workers, max(total, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := g.getWorker()
			defer g.putWorker(w)
			done := 0
			for ctx.Err() == nil {
				n := next.Add(1) - 1
				if int(n) >= total {
					break
				}
				g.link(w, n, nil)
				if done++; done == progressEvery {
					p.add(done)
					done = 0
				}
			}
			p.add(done)
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, canceled(ctx)
	}
	w = g.getWorker()
	g.reconnect(w, nil)
	g.putWorker(w)
	return g, nil
}

// appendRow adds a row to a graph being built, unlinked.
func (g *Graph) appendRow(w *worker, id uint64, v Value) error {
	if err := g.checkValue(v); err != nil {
		return err
	}
	if _, dup := g.ids[id]; dup {
		return pgerr.New(pgerr.InternalError, "hnsw: row %d is already indexed", id)
	}
	if g.next == noNode {
		return pgerr.New(pgerr.ProgramLimitExceeded, "hnsw: too many rows for one index")
	}
	n := g.allocate()
	g.ids[id] = n
	g.initNode(w, n, id, g.randomLevel(id), v)
	return nil
}

// progress serialises Build's Progress calls.
type progress struct {
	mu     sync.Mutex
	report func(done, total int)
	done   int
	total  int
}

func (p *progress) add(k int) {
	if p.report == nil {
		return
	}
	p.mu.Lock()
	p.done += k
	if k > 0 || p.done == 0 {
		p.report(p.done, p.total)
	}
	p.mu.Unlock()
}

// canceled returns the error PostgreSQL reports for a cancelled
// statement, or the *pgerr.Error the context was cancelled with.
func canceled(ctx context.Context) error {
	var pe *pgerr.Error
	if errors.As(context.Cause(ctx), &pe) {
		return pe
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return pgerr.New(pgerr.QueryCanceled, "canceling statement due to statement timeout")
	}
	return pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
}
