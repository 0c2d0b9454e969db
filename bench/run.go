package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Run benchmarks the server at cfg.URL: it loads the dataset, builds the
// HNSW index, measures recall, QPS and latency at every
// hnsw.ef_search, and writes what it does and finds to out as it goes.
// With cfg.JSON and cfg.Plot it also writes the report and the plot.
// When cfg.Dataset is empty it only draws the reports of cfg.Compare
// into cfg.Plot, and returns a nil Report.
func Run(ctx context.Context, cfg Config, out io.Writer) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	earlier, err := readReports(cfg.Compare)
	if err != nil {
		return nil, err
	}
	if cfg.Dataset == "" {
		return nil, drawOnly(cfg.Plot, earlier, out)
	}
	r := &runner{cfg: cfg, out: out, earlier: earlier}
	defer r.closeConns()
	steps := []func(context.Context) error{
		r.readDataset, r.computeTruth, r.connect, r.load, r.build, r.indexAttr, r.explain, r.measure, r.writeFiles,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
		r.printNotices()
	}
	return r.report, nil
}

// sweep is a series of passes, one per ef_search, and what they are
// measured against: every loaded row, or the rows one filter admits.
type sweep struct {
	selectivity float64   // 0: unfiltered
	filter      rowFilter // the zero rowFilter when unfiltered
	k           int       // recall's k: Config.K capped at the rows the filter admits
	kth         []float64 // per query: the distance of its k-th true neighbour
}

// runner holds one run's state as its steps fill it in.
type runner struct {
	cfg     Config
	out     io.Writer
	earlier []*Report // to draw beside this run

	ds     *dataset
	metric metric
	attr   []int32 // per row: the attr column of a filtered run; nil otherwise
	sweeps []sweep // one, or in a filtered run one per selectivity

	notices noticeLog
	conn    *pgconn.PgConn   // the main connection
	clients []*pgconn.PgConn // the other query connections
	report  *Report
}

func (r *runner) printf(format string, args ...any) { fmt.Fprintf(r.out, format, args...) }

// printSummary prints one line of the report's summary.
func (r *runner) printSummary(key string) { r.printf("%s\n", r.report.summaryLine(key)) }

// printNotices prints the server's notices since the last call and
// keeps them in the report.
func (r *runner) printNotices() {
	for _, n := range r.notices.take() {
		r.printf("  server %s\n", n)
		r.report.Notices = append(r.report.Notices, n)
	}
}

func (r *runner) readDataset(context.Context) error {
	ds, err := loadDataset(r.cfg)
	if err != nil {
		return err
	}
	r.ds, r.metric = ds, ds.metric
	r.report = &Report{
		Label:          r.cfg.Label,
		Started:        time.Now().UTC().Truncate(time.Second),
		Dataset:        ds.name,
		Metric:         ds.metric.String(),
		Dim:            ds.base.cols,
		Rows:           ds.base.rows(),
		Queries:        ds.queries.rows(),
		K:              r.cfg.K,
		M:              r.cfg.M,
		EfConstruction: r.cfg.EfConstruction,
		Clients:        r.cfg.Clients,
		VectorFormat:   r.cfg.VectorFormat,
		Settings:       r.cfg.Settings,
	}
	r.printSummary("dataset")
	return nil
}

// computeTruth finds the distance of every query's k-th true neighbour,
// from the dataset's ground truth where one applies to the loaded rows,
// by brute force otherwise.
// A filtered run measures the unfiltered query first, as the baseline
// its filtered sweeps are compared with, then finds the truth of each
// filter.
func (r *runner) computeTruth(ctx context.Context) error {
	base, queries := r.ds.base, r.ds.queries
	k := min(r.cfg.K, base.rows())
	truth, why := r.ds.usableTruth(k)
	if truth == nil {
		start := time.Now()
		ids, err := exactNeighbors(ctx, base, queries, r.metric, k)
		if err != nil {
			return err
		}
		truth = &groundTruth{ids: ids, source: fmt.Sprintf("brute force over the %d loaded rows in %s, as %s",
			base.rows(), formatSeconds(time.Since(start).Seconds()), why)}
	}
	kth, err := kthDistances(base, queries, truth.ids, r.metric, k)
	if err != nil {
		return fmt.Errorf("%s: %w", truth.source, err)
	}
	r.sweeps = []sweep{{k: k, kth: kth}}
	r.report.GroundTruth = truth.source
	if len(r.cfg.Selectivity) > 0 {
		return r.computeFilteredTruth(ctx)
	}
	r.printSummary("ground truth")
	return nil
}

// computeFilteredTruth generates the attr column and, for each
// selectivity, finds by brute force the exact neighbours among the rows
// its threshold admits.
func (r *runner) computeFilteredTruth(ctx context.Context) error {
	base, queries := r.ds.base, r.ds.queries
	n := base.rows()
	thresholds := make([]int32, len(r.cfg.Selectivity))
	for j, sel := range r.cfg.Selectivity {
		if thresholds[j] = threshold(sel, n); thresholds[j] < 1 {
			return fmt.Errorf("selectivity %v of %d rows admits no row: load more rows or filter less", sel, n)
		}
	}
	start := time.Now()
	if r.cfg.FilterCorrelated {
		r.attr = clusteredAttr(base, r.metric)
	} else {
		r.attr = uniformAttr(n)
	}
	truths, err := filteredNeighbors(ctx, base, queries, r.metric, r.attr, thresholds, r.cfg.K)
	if err != nil {
		return err
	}
	for j, ids := range truths {
		kth, err := kthDistances(base, queries, ids, r.metric, ids.cols)
		if err != nil {
			return err
		}
		sel, t := r.cfg.Selectivity[j], thresholds[j]
		r.sweeps = append(r.sweeps, sweep{selectivity: sel, filter: rowFilter{attr: r.attr, threshold: t}, k: ids.cols, kth: kth})
		r.report.Filters = append(r.report.Filters, Filter{Selectivity: sel, Threshold: int(t)})
	}
	r.report.GroundTruth = fmt.Sprintf("unfiltered: %s; filtered: brute force over the rows each of the %d filters admits, in %s",
		r.report.GroundTruth, len(thresholds), formatSeconds(time.Since(start).Seconds()))
	r.printSummary("ground truth")
	return nil
}

// attrDescription says how attr was made and indexed, for the report.
func (r *runner) attrDescription() string {
	n := r.ds.base.rows()
	var s string
	if r.cfg.FilterCorrelated {
		s = fmt.Sprintf("WHERE attr < $2, attr the rank 0..%d of each row's distance to one row (--filter-correlated): a filter admits a ball", n-1)
	} else {
		s = fmt.Sprintf("WHERE attr < $2, attr a seeded random permutation of 0..%d, independent of the vectors", n-1)
	}
	switch {
	case r.cfg.SkipLoad && !r.cfg.Drop && !r.cfg.AttrIndex:
		return s + "; any index on attr left as it was"
	case r.cfg.AttrIndex:
		return s + "; btree index on attr"
	}
	return s + "; no index on attr"
}

// dial opens a connection with the run's settings.
func (r *runner) dial(ctx context.Context) (*pgconn.PgConn, error) {
	return connect(ctx, r.cfg.URL, r.cfg.Settings, &r.notices)
}

// connect opens the main connection and asks the server what it is.
func (r *runner) connect(ctx context.Context) error {
	conn, err := r.dial(ctx)
	if err != nil {
		return fmt.Errorf("connecting to the server: %w", err)
	}
	r.conn = conn
	r.report.Server = conn.ParameterStatus("server_version")
	if row, err := queryRow(ctx, conn, "SELECT version()"); err == nil {
		r.report.Server = row[0]
	}
	if row, err := queryRow(ctx, conn, "SELECT extversion FROM pg_extension WHERE extname = 'vector'"); err == nil {
		r.report.Extension = "pgvector " + row[0]
	}
	if r.report.Label == "" {
		r.report.Label = defaultLabel(r.report.Server, r.report.Extension)
	}
	r.printSummary("label")
	r.printSummary("server")
	return nil
}

// load creates the table and fills it, with COPY where the server can,
// with INSERT otherwise. With SkipLoad it checks the table instead.
func (r *runner) load(ctx context.Context) error {
	if r.cfg.SkipLoad {
		return r.checkRows(ctx)
	}
	if err := r.createTable(ctx); err != nil {
		return err
	}
	r.notices.take() // "... already exists, skipping" and the like
	base, table := r.ds.base, r.cfg.Table
	line := newProgressLine(r.cfg.Progress, "load")
	progress := func(rows int) { line.update(int64(rows), int64(base.rows()), "") }
	start := time.Now()
	err := copyRows(ctx, r.conn, table, base, r.attr, progress)
	r.report.LoadMethod = "COPY FROM STDIN (FORMAT BINARY)"
	if err != nil && isServerError(err) && ctx.Err() == nil {
		line.clear()
		r.report.LoadNote = fmt.Sprintf("COPY failed (%v): loading with INSERT instead", err)
		r.printSummary("load note")
		if err := r.redial(ctx); err != nil {
			return err
		}
		start = time.Now()
		err = insertRows(ctx, r.conn, table, base, r.attr, r.cfg.BatchSize, progress)
		r.report.LoadMethod = fmt.Sprintf("INSERT, %d rows per statement", r.cfg.BatchSize)
	}
	line.clear()
	if err != nil {
		return fmt.Errorf("loading %s: %w", table, err)
	}
	r.report.LoadSeconds = time.Since(start).Seconds()
	r.printSummary("load")
	return nil
}

// redial replaces the main connection: after a failed COPY, the old one
// may still be sending the rest of the stream.
func (r *runner) redial(ctx context.Context) error {
	closeQuietly(r.conn)
	conn, err := r.dial(ctx)
	if err != nil {
		return fmt.Errorf("reconnecting after COPY failed: %w", err)
	}
	r.conn = conn
	return nil
}

// createTable creates the table, dropping it first with Drop.
func (r *runner) createTable(ctx context.Context) error {
	// pgvector needs its extension; vecgres has the type built in and
	// accepts the statement. Failures show up in CREATE TABLE.
	_ = execSQL(ctx, r.conn, "CREATE EXTENSION IF NOT EXISTS vector")
	table := r.cfg.Table
	if r.cfg.Drop {
		if err := execSQL(ctx, r.conn, "DROP TABLE IF EXISTS "+table); err != nil {
			return fmt.Errorf("dropping %s: %w", table, err)
		}
	}
	sql := createTableSQL(table, r.ds.base.cols, r.attr != nil)
	if err := execSQL(ctx, r.conn, sql); err != nil {
		hint := ""
		if !r.cfg.Drop {
			hint = " (use --drop to replace it, or --skip-load to use it)"
		}
		return fmt.Errorf("%s: %w%s", sql, err, hint)
	}
	return nil
}

// checkRows makes sure an existing table holds as many rows as the
// dataset loads, and in a filtered run the attr values this run would
// load: recall is measured against exactly those rows.
func (r *runner) checkRows(ctx context.Context) error {
	table := r.cfg.Table
	row, err := queryRow(ctx, r.conn, "SELECT count(*) FROM "+table)
	if err != nil {
		return fmt.Errorf("--skip-load: counting the rows of %s: %w", table, err)
	}
	if n, _ := strconv.Atoi(row[0]); n != r.ds.base.rows() {
		return fmt.Errorf("--skip-load: %s has %s rows, the dataset loads %d: load it again (without --skip-load, or with the same --limit)",
			table, row[0], r.ds.base.rows())
	}
	if r.attr != nil {
		row, err := queryRow(ctx, r.conn, attrChecksumSQL(table))
		if err != nil {
			return fmt.Errorf("--skip-load: reading attr of %s: %w (load it again with --selectivity)", table, err)
		}
		if want := attrChecksum(r.attr); row[0] != want {
			return fmt.Errorf("--skip-load: the attr values in %s are not those this run generates (checksum %s, want %s): load it again, with --filter-correlated as this run has it",
				table, row[0], want)
		}
	}
	r.printSummary("load")
	return nil
}

// build creates the HNSW index and reads its size.
func (r *runner) build(ctx context.Context) error {
	if !r.cfg.SkipBuild {
		if err := r.createIndex(ctx); err != nil {
			return err
		}
	}
	r.printSummary("build")
	r.printNotices()
	if row, err := queryRow(ctx, r.conn, indexSizeSQL(r.cfg.Table)); err == nil {
		r.report.IndexBytes, _ = strconv.ParseInt(row[0], 10, 64)
	}
	r.printSummary("index size")
	return nil
}

// createIndex times CREATE INDEX while a watcher draws its progress.
func (r *runner) createIndex(ctx context.Context) error {
	if r.cfg.SkipLoad && r.cfg.Drop {
		if err := execSQL(ctx, r.conn, "DROP INDEX IF EXISTS "+indexName(r.cfg.Table)); err != nil {
			return err
		}
		r.notices.take()
	}
	line := newProgressLine(r.cfg.Progress, "build")
	var watcher *buildWatcher
	if line.w != nil {
		watcher = watchBuild(ctx, line, r.cfg.Table, r.dial)
	}
	start := time.Now()
	err := buildIndex(ctx, r.conn, r.cfg.Table, r.metric, r.cfg.M, r.cfg.EfConstruction)
	elapsed := time.Since(start)
	if watcher != nil {
		watcher.stopAndWait()
	}
	line.clear()
	if err != nil {
		return err
	}
	r.report.BuildSeconds = elapsed.Seconds()
	return nil
}

// indexAttr, in a filtered run, builds the btree index on attr with
// AttrIndex (after dropping, with SkipLoad and Drop, the one an earlier
// run may have left), then runs ANALYZE so that a planner that keeps
// statistics knows how many rows a threshold admits. Servers that
// cannot ANALYZE are measured all the same.
func (r *runner) indexAttr(ctx context.Context) error {
	if r.attr == nil {
		return nil
	}
	table := r.cfg.Table
	if r.cfg.SkipLoad && r.cfg.Drop {
		if err := execSQL(ctx, r.conn, "DROP INDEX IF EXISTS "+attrIndexName(table)); err != nil {
			return err
		}
		r.notices.take()
	}
	if r.cfg.AttrIndex {
		sql := createAttrIndexSQL(table)
		if r.cfg.SkipLoad && !r.cfg.Drop {
			sql = strings.Replace(sql, "CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1)
		}
		start := time.Now()
		if err := execSQL(ctx, r.conn, sql); err != nil {
			return fmt.Errorf("%s: %w", sql, err)
		}
		r.report.AttrIndexSeconds = time.Since(start).Seconds()
		r.printSummary("attr index")
	}
	_ = execSQL(ctx, r.conn, "ANALYZE "+table)
	r.report.Attr = r.attrDescription()
	r.printSummary("filter")
	return nil
}

// explain records the search query's plan and warns when it does not
// use the index: recall and speed would then be those of a scan. A
// filtered run records the plan of each threshold and prints their
// nodes: a scan of the table, or of an index on attr, is a plan a
// server may rightly choose for a filter that admits few rows.
func (r *runner) explain(ctx context.Context) error {
	vector := appendVectorText(nil, r.ds.queries.row(0))
	plan, err := queryLines(ctx, r.conn, explainSQL(r.cfg.Table, r.metric, r.cfg.K, vector))
	if err != nil {
		return nil // a server without EXPLAIN can still be measured
	}
	r.report.Plan = plan
	if !usesIndex(plan, indexName(r.cfg.Table)) {
		r.printf("warning: the search query's plan does not use the index:\n")
		for _, line := range plan {
			r.printf("  %s\n", shorten(line, maxPlanLine))
		}
	}
	if r.attr == nil {
		return nil
	}
	for j := range r.report.Filters {
		f := &r.report.Filters[j]
		plan, err := queryLines(ctx, r.conn, explainFilteredSQL(r.cfg.Table, r.metric, r.cfg.K, vector, int32(f.Threshold)))
		if err != nil {
			return nil
		}
		f.Plan = plan
	}
	r.printSummary("plans")
	return nil
}

// maxPlanLine is the width plan lines are cut to in the warning: the
// query vector's literal would fill the screen.
const maxPlanLine = 100

// shorten cuts s to n bytes, marking the cut with "...".
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// usesIndex reports whether an EXPLAIN output scans an index.
func usesIndex(plan []string, index string) bool {
	for _, line := range plan {
		l := strings.ToLower(line)
		if strings.Contains(l, index) || strings.Contains(l, "index scan") || strings.Contains(l, "hnsw") {
			return true
		}
	}
	return false
}

// measure runs the query set at every ef_search, for each selectivity
// in a filtered run, and adds a Point for each.
func (r *runner) measure(ctx context.Context) error {
	s, err := r.newSearcher(ctx)
	if err != nil {
		return err
	}
	r.printSummary("queries")
	filtered := r.attr != nil
	for j, sw := range r.sweeps {
		if err := r.prepareSweep(ctx, s, j); err != nil {
			return err
		}
		if j == 0 {
			r.printf("\n%s\n", pointHeader(r.cfg.K, filtered))
		} else {
			r.printf("\n")
		}
		for _, ef := range r.cfg.EfSearch {
			if err := s.setEfSearch(ctx, ef); err != nil {
				return err
			}
			wall, err := s.pass(ctx)
			if err != nil {
				return fmt.Errorf("%sef_search %d: %w", sweepName(sw), ef, err)
			}
			p := r.point(sw, ef, wall, s)
			r.report.Points = append(r.report.Points, p)
			r.printf("%s\n", formatPoint(p, filtered))
		}
	}
	r.printf("\n")
	return nil
}

// prepareSweep prepares the query of sweep j and runs the warmup pass
// (printed for the first sweep only: the others' would break the
// table). The unfiltered sweep runs searchSQL; each filtered one the
// filtered query under a name of its own, with its threshold as the
// second parameter. Preparing anew for each selectivity keeps one
// selectivity's measurement from depending on those before it:
// PostgreSQL's plan cache settles on a generic or a custom plan after a
// statement's first five executions, and keeps it.
func (r *runner) prepareSweep(ctx context.Context, s *searcher, j int) error {
	sw := r.sweeps[j]
	var err error
	if sw.selectivity == 0 {
		err = s.prepare(ctx, searchStatement, searchSQL(r.cfg.Table, r.metric, r.cfg.K), nil)
	} else {
		name := fmt.Sprintf("%s_%d", searchStatement, j)
		args := [][]byte{strconv.AppendInt(nil, int64(sw.filter.threshold), 10)}
		err = s.prepare(ctx, name, filteredSearchSQL(r.cfg.Table, r.metric, r.cfg.K), args)
	}
	if err != nil {
		return err
	}
	if r.cfg.Warmup {
		wall, err := r.warmup(ctx, s)
		if err != nil {
			return fmt.Errorf("%s%w", sweepName(sw), err)
		}
		if j == 0 {
			r.printf("warmup:       one pass at ef_search %d in %s\n", r.cfg.EfSearch[0], formatSeconds(wall.Seconds()))
		}
	}
	return nil
}

// warmup runs one unmeasured pass at the first ef_search.
func (r *runner) warmup(ctx context.Context, s *searcher) (time.Duration, error) {
	if err := s.setEfSearch(ctx, r.cfg.EfSearch[0]); err != nil {
		return 0, err
	}
	wall, err := s.pass(ctx)
	if err != nil {
		return 0, fmt.Errorf("warmup: %w", err)
	}
	return wall, nil
}

// sweepName prefixes the errors of a filtered sweep.
func sweepName(sw sweep) string {
	if sw.selectivity == 0 {
		return ""
	}
	return fmt.Sprintf("selectivity %s (attr < %d), ", formatSelectivity(sw.selectivity), sw.filter.threshold)
}

// newSearcher opens the extra client connections and returns a searcher
// over all of them.
func (r *runner) newSearcher(ctx context.Context) (*searcher, error) {
	for len(r.clients) < r.cfg.Clients-1 {
		conn, err := r.dial(ctx)
		if err != nil {
			return nil, fmt.Errorf("opening client connection %d: %w", len(r.clients)+2, err)
		}
		r.clients = append(r.clients, conn)
	}
	conns := append([]*pgconn.PgConn{r.conn}, r.clients...)
	format := binaryFormat
	if r.cfg.VectorFormat == "text" {
		format = textFormat
	}
	params := encodeVectors(r.ds.queries, format)
	return newSearcher(conns, params, format, r.cfg.K), nil
}

// point condenses a pass of sweep sw.
func (r *runner) point(sw sweep, ef int, wall time.Duration, s *searcher) Point {
	lat := summarizeLatencies(s.latency)
	base := r.ds.base
	return Point{
		Selectivity: sw.selectivity,
		EfSearch:    ef,
		Recall:      recall(base, r.ds.queries, s.found, sw.kth, r.metric, sw.k, sw.filter),
		QPS:         float64(len(s.found)) / wall.Seconds(),
		P50Ms:       milliseconds(lat.p50),
		P99Ms:       milliseconds(lat.p99),
		MeanMs:      milliseconds(lat.mean),
		MeanRows:    meanRows(s.found),
		WrongRows:   wrongRows(s.found, sw.filter, base.rows(), r.cfg.K),
	}
}

// writeFiles writes the JSON report and the plot.
func (r *runner) writeFiles(context.Context) error {
	if r.cfg.JSON != "" {
		if err := writeFile(r.cfg.JSON, r.report.WriteJSON); err != nil {
			return err
		}
		r.printf("report:       %s\n", r.cfg.JSON)
	}
	if r.cfg.Plot != "" {
		reports := append([]*Report{r.report}, r.earlier...)
		if err := writeFile(r.cfg.Plot, func(w io.Writer) error { return WritePlot(w, reports) }); err != nil {
			return err
		}
		r.printf("plot:         %s\n", r.cfg.Plot)
	}
	return nil
}

func (r *runner) closeConns() {
	for _, c := range append(r.clients, r.conn) {
		if c != nil {
			closeQuietly(c)
		}
	}
}

// readReports reads the reports at paths.
func readReports(paths []string) ([]*Report, error) {
	var reports []*Report
	for _, p := range paths {
		rep, err := ReadReport(p)
		if err != nil {
			return nil, err
		}
		reports = append(reports, rep)
	}
	return reports, nil
}

// drawOnly prints earlier reports and draws them into plot.
func drawOnly(plot string, reports []*Report, out io.Writer) error {
	for _, rep := range reports {
		if err := rep.WriteText(out); err != nil {
			return err
		}
		fmt.Fprintln(out)
	}
	if err := writeFile(plot, func(w io.Writer) error { return WritePlot(w, reports) }); err != nil {
		return err
	}
	fmt.Fprintf(out, "plot:         %s\n", plot)
	return nil
}

// writeFile creates path and fills it with write.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}
