package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"
)

// The soak command.
//
// vecgres soak runs a mixed load for minutes against a vecgres it starts
// in this process (or any server, with --url): clients insert and delete
// rows (as many deletes as inserts, so that the table keeps its size),
// and run nearest-neighbour queries with and without a WHERE filter
// through an hnsw index; a VACUUM runs every --vacuum-every, as
// autovacuum would. Every --report it prints throughput, p50/p99 latency
// of each kind of operation, errors, the recall@10 (ef_search 100) of 20
// queries, half of them filtered, against an exact scan, and the server's goroutines, Go heap
// (after a GC) and resident memory. At the end it fails (exit status 1)
// if any operation failed, if goroutines or memory grew between the first
// report after warm-up and the last under load, or if recall fell by more
// than 0.1 (the sample of 200 neighbours varies by a few hundredths).

// soakConfig is what the soak command is told.
type soakConfig struct {
	URL         string
	Duration    time.Duration
	Clients     int
	Rows        int
	Dim         int
	Categories  int
	Report      time.Duration
	VacuumEvery time.Duration
	ServerPID   int
	Seed        uint64
}

func parseSoakFlags(args []string, stderr io.Writer) (soakConfig, error) {
	var cfg soakConfig
	fs := flag.NewFlagSet("vecgres soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.URL, "url", "", "server to load (default: a vecgres started in this process over a temporary data directory)")
	fs.DurationVar(&cfg.Duration, "duration", 5*time.Minute, "how long to run the load")
	fs.IntVar(&cfg.Clients, "clients", 64, "concurrent clients")
	fs.IntVar(&cfg.Rows, "rows", 20000, "rows in the table (kept: each insert is matched by a delete)")
	fs.IntVar(&cfg.Dim, "dim", 64, "vector dimension")
	fs.IntVar(&cfg.Categories, "categories", 20, "distinct values of the filtered column")
	fs.DurationVar(&cfg.Report, "report", 30*time.Second, "interval between reports")
	fs.DurationVar(&cfg.VacuumEvery, "vacuum-every", 30*time.Second, "interval between VACUUMs of the table (0: none)")
	fs.IntVar(&cfg.ServerPID, "server-pid", 0, "with --url, the server's process id, to report its resident memory from /proc")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the vectors and the operation mix")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	switch {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	case cfg.Clients < 1 || cfg.Rows < 100 || cfg.Dim < 1 || cfg.Categories < 1:
		return cfg, errors.New("--clients, --dim and --categories must be positive and --rows at least 100")
	case cfg.Duration <= 0 || cfg.Report <= 0:
		return cfg, errors.New("--duration and --report must be positive")
	}
	return cfg, nil
}

func runSoak(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	cfg, err := parseSoakFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintf(stderr, "vecgres soak: %v\n", err)
		return exitUsage
	}
	log, err := newLogger(stderr, envOr(getenv, "VECGRES_LOG_LEVEL", "warn"))
	if err != nil {
		fmt.Fprintf(stderr, "vecgres soak: %v\n", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ok, err := soakAgainst(ctx, cfg, stdout, log)
	if err != nil {
		fmt.Fprintf(stderr, "vecgres soak: %v\n", err)
		return exitFailure
	}
	if !ok {
		return exitFailure
	}
	return exitOK
}

// soakAgainst runs the soak against cfg.URL, or against a vecgres it
// starts over a temporary data directory. It reports whether every check
// passed.
func soakAgainst(ctx context.Context, cfg soakConfig, out io.Writer, log zerolog.Logger) (bool, error) {
	probe := processProbe{pid: cfg.ServerPID}
	if cfg.URL == "" {
		dir, err := os.MkdirTemp("", "vecgres-soak-")
		if err != nil {
			return false, err
		}
		defer os.RemoveAll(dir)
		in, err := startInstance(instanceConfig{Listen: "127.0.0.1:0", DataDir: dir, Logger: log, MaxConnections: cfg.Clients + 10})
		if err != nil {
			return false, err
		}
		defer func() {
			stopCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
			defer cancel()
			in.Stop(stopCtx)
		}()
		cfg.URL = in.URL()
		probe = processProbe{pid: os.Getpid(), inProcess: true}
	}
	s, err := newSoak(ctx, cfg, out)
	if err != nil {
		return false, err
	}
	defer s.pool.Close()
	return s.run(ctx, probe)
}

// soak is one run of the soak command.
type soak struct {
	cfg  soakConfig
	out  io.Writer
	pool *pgxpool.Pool
	// nextID is the id of the next insert; oldest the next id to delete:
	// the rows are ids oldest..nextID-1 (less those deleted early).
	nextID, oldest atomic.Int64
	stats          soakStats
}

// soak operation kinds.
const (
	opInsert = iota
	opDelete
	opSearch
	opFilteredSearch
	opKinds
)

var opNames = [opKinds]string{"insert", "delete", "search", "filtered"}

// soakStats collects latencies and errors between reports.
type soakStats struct {
	mu        sync.Mutex
	latencies [opKinds][]time.Duration
	errors    int
	firstErrs []string
}

func (st *soakStats) record(kind int, d time.Duration, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if err != nil {
		st.errors++
		if len(st.firstErrs) < 5 {
			st.firstErrs = append(st.firstErrs, opNames[kind]+": "+err.Error())
		}
		return
	}
	st.latencies[kind] = append(st.latencies[kind], d)
}

// take returns and resets what was collected.
func (st *soakStats) take() (lat [opKinds][]time.Duration, errs int, firstErrs []string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	lat, errs, firstErrs = st.latencies, st.errors, st.firstErrs
	st.latencies, st.errors, st.firstErrs = [opKinds][]time.Duration{}, 0, nil
	return lat, errs, firstErrs
}

// soakVector is the deterministic vector of row (or query) n.
func soakVector(seed uint64, n int64, dim int) string {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	var b strings.Builder
	b.WriteByte('[')
	for i := range dim {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatFloat(rng.Float64()*2-1, 'f', 4, 32))
	}
	b.WriteByte(']')
	return b.String()
}

func newSoak(ctx context.Context, cfg soakConfig, out io.Writer) (*soak, error) {
	pcfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, err
	}
	pcfg.MaxConns = int32(cfg.Clients + 2)
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, err
	}
	s := &soak{cfg: cfg, out: out, pool: pool}
	start := time.Now()
	for _, q := range []string{
		"DROP TABLE IF EXISTS soak_items",
		fmt.Sprintf("CREATE TABLE soak_items (id bigint PRIMARY KEY, category integer NOT NULL, embedding vector(%d) NOT NULL)", cfg.Dim),
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			pool.Close()
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	// Multi-row INSERTs of 500 rows, the vectors in text.
	for lo := 0; lo < cfg.Rows; lo += 500 {
		var b strings.Builder
		b.WriteString("INSERT INTO soak_items (id, category, embedding) VALUES ")
		for i := lo; i < min(lo+500, cfg.Rows); i++ {
			if i > lo {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "(%d,%d,'%s')", i, i%cfg.Categories, soakVector(cfg.Seed, int64(i), cfg.Dim))
		}
		if _, err := pool.Exec(ctx, b.String()); err != nil {
			pool.Close()
			return nil, fmt.Errorf("loading: %w", err)
		}
	}
	if _, err := pool.Exec(ctx, "CREATE INDEX soak_items_embedding ON soak_items USING hnsw (embedding vector_l2_ops)"); err != nil {
		pool.Close()
		return nil, fmt.Errorf("building the index: %w", err)
	}
	s.nextID.Store(int64(cfg.Rows))
	fmt.Fprintf(out, "loaded %d rows of %d dimensions and built the hnsw index in %v; %d clients for %v\n",
		cfg.Rows, cfg.Dim, time.Since(start).Round(time.Millisecond), cfg.Clients, cfg.Duration)
	return s, nil
}

// client runs operations until ctx is done: 20% inserts, 20% deletes
// of the oldest row, 40% searches, 20% filtered searches.
func (s *soak) client(ctx context.Context, n int) {
	rng := rand.New(rand.NewPCG(s.cfg.Seed, uint64(1000+n)))
	for ctx.Err() == nil {
		r := rng.IntN(10)
		var kind int
		var err error
		start := time.Now()
		switch {
		case r < 2:
			kind = opInsert
			id := s.nextID.Add(1) - 1
			_, err = s.pool.Exec(ctx, "INSERT INTO soak_items (id, category, embedding) VALUES ($1, $2, $3)",
				id, int(id)%s.cfg.Categories, soakVector(s.cfg.Seed, id, s.cfg.Dim))
		case r < 4:
			kind = opDelete
			id := s.oldest.Add(1) - 1
			_, err = s.pool.Exec(ctx, "DELETE FROM soak_items WHERE id = $1", id)
		case r < 8:
			kind = opSearch
			err = s.search(ctx, rng, "SELECT id FROM soak_items ORDER BY embedding <-> $1 LIMIT 10")
		default:
			kind = opFilteredSearch
			err = s.search(ctx, rng, "SELECT id FROM soak_items WHERE category = $2 ORDER BY embedding <-> $1 LIMIT 10", rng.IntN(s.cfg.Categories))
		}
		if ctx.Err() != nil {
			return
		}
		s.stats.record(kind, time.Since(start), err)
	}
}

func (s *soak) search(ctx context.Context, rng *rand.Rand, sql string, args ...any) error {
	q := soakVector(s.cfg.Seed^0x5eed, rng.Int64N(1<<40), s.cfg.Dim)
	rows, err := s.pool.Query(ctx, sql, append([]any{q}, args...)...)
	if err != nil {
		return err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err == nil && len(ids) != 10 {
		err = fmt.Errorf("%d rows, want 10", len(ids))
	}
	return err
}

// recall measures recall@10 of 20 queries, with and without a filter,
// through the index against an exact scan.
func (s *soak) recall(ctx context.Context) (float64, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	// A fixed ef_search, larger than the default 40, so that recall
	// measures the graph rather than the search's budget.
	if _, err := conn.Exec(ctx, "SET hnsw.ef_search = 100"); err != nil {
		return 0, err
	}
	defer conn.Exec(context.Background(), "RESET hnsw.ef_search")
	found, total := 0, 0
	for q := range 20 {
		vec := soakVector(s.cfg.Seed^0xec, int64(q), s.cfg.Dim)
		where, args := "", []any{vec}
		if q%2 == 1 {
			where, args = "WHERE category = $2 ", append(args, q%s.cfg.Categories)
		}
		approx, err := ids(ctx, conn.Conn(), "SELECT id FROM soak_items "+where+"ORDER BY embedding <-> $1 LIMIT 10", args...)
		if err != nil {
			return 0, err
		}
		exact, err := ids(ctx, conn.Conn(), "SELECT id FROM soak_items "+where+"ORDER BY (embedding <-> $1) + 0 LIMIT 10", args...)
		if err != nil {
			return 0, err
		}
		for _, id := range exact {
			if slices.Contains(approx, id) {
				found++
			}
		}
		total += len(exact)
	}
	if total == 0 {
		return 0, errors.New("no rows")
	}
	return float64(found) / float64(total), nil
}

func ids(ctx context.Context, conn *pgx.Conn, sql string, args ...any) ([]int64, error) {
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// soakSample is one report's measurements.
type soakSample struct {
	at         time.Duration
	ops        int
	errors     int
	goroutines int // -1: unknown
	heap       int64
	rss        int64 // -1: unknown
	recall     float64
	rows       int64
}

// run runs the clients, reports, and judges the run.
func (s *soak) run(ctx context.Context, probe processProbe) (bool, error) {
	loadCtx, cancel := context.WithTimeout(ctx, s.cfg.Duration)
	defer cancel()
	var wg sync.WaitGroup
	for n := range s.cfg.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.client(loadCtx, n)
		}()
	}
	var vacuum <-chan time.Time
	if s.cfg.VacuumEvery > 0 {
		t := time.NewTicker(s.cfg.VacuumEvery)
		defer t.Stop()
		vacuum = t.C
	}
	report := time.NewTicker(s.cfg.Report)
	defer report.Stop()
	start := time.Now()
	var all [opKinds][]time.Duration
	var samples []soakSample
	var errs []string
	fmt.Fprintf(s.out, "%8s %9s %6s %-29s %-29s %-29s %-29s %7s %10s %10s %6s %8s\n", "elapsed", "ops/s", "errors",
		"insert p50/p99", "delete p50/p99", "search p50/p99", "filtered p50/p99", "recall", "heap", "rss", "gorout", "rows")
	last := start
	takeSample := func() error {
		lat, nerr, first := s.stats.take()
		errs = append(errs, first...)
		ops := 0
		for k := range lat {
			ops += len(lat[k])
			all[k] = append(all[k], lat[k]...)
		}
		rec, err := s.recall(ctx)
		if err != nil {
			return fmt.Errorf("recall: %w", err)
		}
		var rows int64
		if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM soak_items").Scan(&rows); err != nil {
			return err
		}
		sm := soakSample{at: time.Since(start), ops: ops, errors: nerr, recall: rec, rows: rows}
		sm.goroutines, sm.heap, sm.rss = probe.measure()
		samples = append(samples, sm)
		now := time.Now()
		fmt.Fprintf(s.out, "%8s %9.0f %6d %-29s %-29s %-29s %-29s %7.3f %10s %10s %6s %8d\n",
			sm.at.Round(time.Second), float64(ops)/now.Sub(last).Seconds(), nerr,
			percentiles(lat[opInsert]), percentiles(lat[opDelete]), percentiles(lat[opSearch]), percentiles(lat[opFilteredSearch]),
			rec, mb(sm.heap), mb(sm.rss), count(sm.goroutines), rows)
		last = now
		return nil
	}
loop:
	for {
		select {
		case <-loadCtx.Done():
			break loop
		case <-vacuum:
			if _, err := s.pool.Exec(loadCtx, "VACUUM soak_items"); err != nil && loadCtx.Err() == nil {
				s.stats.record(opDelete, 0, fmt.Errorf("VACUUM: %w", err))
			}
		case <-report.C:
			if err := takeSample(); err != nil {
				return false, err
			}
		}
	}
	wg.Wait()
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err := takeSample(); err != nil {
		return false, err
	}
	return s.judge(all, samples, errs, time.Since(start)), nil
}

// judge prints the totals and the verdict.
func (s *soak) judge(all [opKinds][]time.Duration, samples []soakSample, errs []string, took time.Duration) bool {
	ops, nerr := 0, 0
	for k := range all {
		ops += len(all[k])
	}
	for _, sm := range samples {
		nerr += sm.errors
	}
	fmt.Fprintf(s.out, "\ntotal: %d operations in %v: %.0f ops/s\n", ops, took.Round(time.Second), float64(ops)/took.Seconds())
	for k := range all {
		fmt.Fprintf(s.out, "  %-9s %8d ops  p50/p99 %s\n", opNames[k], len(all[k]), percentiles(all[k]))
	}
	ok := true
	fail := func(format string, args ...any) {
		ok = false
		fmt.Fprintf(s.out, "FAIL: "+format+"\n", args...)
	}
	if nerr > 0 {
		fail("%d operations failed; the first: %s", nerr, strings.Join(errs, "; "))
	}
	// Growth is judged from the first sample after warm-up (a quarter of
	// the run) to the last: more than a quarter more (plus slack for small
	// numbers) is growth.
	loaded := samples[:max(1, len(samples)-1)] // the last sample is taken after the load
	base := loaded[min(len(loaded)-1, len(loaded)/4)]
	end := loaded[len(loaded)-1]
	if base.goroutines >= 0 && end.goroutines > base.goroutines+base.goroutines/4+8 {
		fail("goroutines grew from %d to %d", base.goroutines, end.goroutines)
	}
	if end.heap > base.heap+base.heap/4+32<<20 {
		fail("Go heap grew from %s to %s", mb(base.heap), mb(end.heap))
	}
	if base.rss >= 0 && end.rss > base.rss+base.rss/4+64<<20 {
		fail("resident memory grew from %s to %s", mb(base.rss), mb(end.rss))
	}
	minRecall, maxRecall := 1.0, 0.0
	for _, sm := range samples {
		minRecall, maxRecall = min(minRecall, sm.recall), max(maxRecall, sm.recall)
	}
	if minRecall < samples[0].recall-0.1 {
		fail("recall fell from %.3f to %.3f", samples[0].recall, minRecall)
	}
	fmt.Fprintf(s.out, "recall@10 between %.3f and %.3f; goroutines %s -> %s; heap %s -> %s; rss %s -> %s\n",
		minRecall, maxRecall, count(base.goroutines), count(end.goroutines), mb(base.heap), mb(end.heap), mb(base.rss), mb(end.rss))
	if ok {
		fmt.Fprintln(s.out, "PASS")
	}
	return ok
}

// percentiles prints the p50 and p99 of ds.
func percentiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "-"
	}
	slices.Sort(ds)
	p := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	return fmt.Sprintf("%v/%v", p(0.50).Round(10*time.Microsecond), p(0.99).Round(10*time.Microsecond))
}

func mb(n int64) string {
	if n < 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fMB", float64(n)/(1<<20))
}

func count(n int) string {
	if n < 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

// processProbe measures the server process: in this process, its
// goroutines and Go heap after a GC; any process on this machine, its
// resident memory from /proc.
type processProbe struct {
	pid       int
	inProcess bool
}

func (p processProbe) measure() (goroutines int, heap, rss int64) {
	goroutines, heap, rss = -1, -1, -1
	if p.inProcess {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		goroutines, heap = runtime.NumGoroutine(), int64(ms.HeapAlloc)
	}
	if p.pid > 0 {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.pid)); err == nil {
			for line := range strings.Lines(string(b)) {
				if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
					if f := strings.Fields(rest); len(f) > 0 {
						if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
							rss = kb << 10
						}
					}
				}
			}
		}
	}
	return goroutines, heap, rss
}
