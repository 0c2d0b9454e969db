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
		r.readDataset, r.computeTruth, r.connect, r.load, r.build, r.explain, r.measure, r.writeFiles,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
		r.printNotices()
	}
	return r.report, nil
}

// runner holds one run's state as its steps fill it in.
type runner struct {
	cfg     Config
	out     io.Writer
	earlier []*Report // to draw beside this run

	ds     *dataset
	metric metric
	k      int       // cfg.K, or fewer when fewer rows are loaded
	kth    []float64 // per query: the distance of its k-th true neighbour

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
	r.k = min(r.cfg.K, ds.base.rows())
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
func (r *runner) computeTruth(ctx context.Context) error {
	base, queries := r.ds.base, r.ds.queries
	truth, why := r.ds.usableTruth(r.k)
	if truth == nil {
		start := time.Now()
		ids, err := exactNeighbors(ctx, base, queries, r.metric, r.k)
		if err != nil {
			return err
		}
		truth = &groundTruth{ids: ids, source: fmt.Sprintf("brute force over the %d loaded rows in %s, as %s",
			base.rows(), formatSeconds(time.Since(start).Seconds()), why)}
	}
	kth, err := kthDistances(base, queries, truth.ids, r.metric, r.k)
	if err != nil {
		return fmt.Errorf("%s: %w", truth.source, err)
	}
	r.kth = kth
	r.report.GroundTruth = truth.source
	r.printSummary("ground truth")
	return nil
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
	err := copyRows(ctx, r.conn, table, base, progress)
	r.report.LoadMethod = "COPY FROM STDIN (FORMAT BINARY)"
	if err != nil && isServerError(err) && ctx.Err() == nil {
		line.clear()
		r.report.LoadNote = fmt.Sprintf("COPY failed (%v): loading with INSERT instead", err)
		r.printSummary("load note")
		if err := r.redial(ctx); err != nil {
			return err
		}
		start = time.Now()
		err = insertRows(ctx, r.conn, table, base, r.cfg.BatchSize, progress)
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
	sql := createTableSQL(table, r.ds.base.cols)
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
// dataset loads: recall is measured against exactly those rows.
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

// explain records the search query's plan and warns when it does not
// use the index: recall and speed would then be those of a scan.
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

// measure runs the query set at every ef_search and adds a Point for
// each.
func (r *runner) measure(ctx context.Context) error {
	s, err := r.newSearcher(ctx)
	if err != nil {
		return err
	}
	r.printSummary("queries")
	if r.cfg.Warmup {
		if err := s.setEfSearch(ctx, r.cfg.EfSearch[0]); err != nil {
			return err
		}
		wall, err := s.pass(ctx)
		if err != nil {
			return fmt.Errorf("warmup: %w", err)
		}
		r.printf("warmup:       one pass at ef_search %d in %s\n", r.cfg.EfSearch[0], formatSeconds(wall.Seconds()))
	}
	r.printf("\n%s\n", pointHeader(r.cfg.K))
	for _, ef := range r.cfg.EfSearch {
		if err := s.setEfSearch(ctx, ef); err != nil {
			return err
		}
		wall, err := s.pass(ctx)
		if err != nil {
			return fmt.Errorf("ef_search %d: %w", ef, err)
		}
		p := r.point(ef, wall, s)
		r.report.Points = append(r.report.Points, p)
		r.printf("%s\n", formatPoint(p))
	}
	r.printf("\n")
	return nil
}

// newSearcher opens the extra client connections and prepares the
// search query on all of them.
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
	return newSearcher(ctx, conns, searchSQL(r.cfg.Table, r.metric, r.cfg.K), params, format, r.cfg.K)
}

// point condenses a pass.
func (r *runner) point(ef int, wall time.Duration, s *searcher) Point {
	lat := summarizeLatencies(s.latency)
	return Point{
		EfSearch: ef,
		Recall:   recall(r.ds.base, r.ds.queries, s.found, r.kth, r.metric, r.k),
		QPS:      float64(len(s.found)) / wall.Seconds(),
		P50Ms:    milliseconds(lat.p50),
		P99Ms:    milliseconds(lat.p99),
		MeanMs:   milliseconds(lat.mean),
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
