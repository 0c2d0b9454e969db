package bench

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Config says what a run does. DefaultConfig returns the defaults that
// the flags document; Run calls Validate before it does anything.
type Config struct {
	// URL is the server to benchmark, as a libpq connection URL or
	// keyword/value string. Required.
	URL string

	// Dataset names what to load: the name of a dataset in DataDir
	// ("glove-6b-100-cosine" reads DataDir/glove-6b-100-cosine.json and
	// the files beside it), the path of such a .json file, or the path
	// of a base file in TEXMEX .fvecs or NumPy .npy format, which then
	// needs Queries. Empty: only draw Compare into Plot.
	Dataset string
	// DataDir is where named datasets are looked for (default
	// "../shared/data", relative to the working directory).
	DataDir string
	// Queries is the query file (.fvecs or .npy) of a file dataset.
	Queries string
	// GroundTruth is the ground-truth file (.ivecs or .npy of int32
	// ids, nearest first) of a file dataset; without it the ground truth
	// is computed by brute force.
	GroundTruth string
	// Metric is l2, cosine, ip or l1. Empty: the dataset's own metric
	// (required for file datasets). A metric other than the dataset's
	// makes Run recompute the ground truth.
	Metric string
	// Limit loads only the first Limit base rows (0: all). The ground
	// truth is then recomputed by brute force over the loaded rows,
	// unless the dataset ships one for that prefix.
	Limit int
	// QueriesLimit uses only the first QueriesLimit queries (0: all).
	QueriesLimit int

	// Table is the table the base vectors go into (default
	// "bench_items"): a lower-case SQL identifier. Its HNSW index is
	// Table + "_embedding_idx".
	Table string
	// Drop drops the table (or, with SkipLoad, the index) before
	// creating it (default true).
	Drop bool
	// SkipLoad uses the table as it is; SkipBuild uses the index as it
	// is.
	SkipLoad  bool
	SkipBuild bool
	// BatchSize is the number of rows per INSERT statement when the
	// server cannot COPY (default 500).
	BatchSize int

	// M and EfConstruction are the HNSW build parameters (defaults 16
	// and 64).
	M              int
	EfConstruction int
	// EfSearch lists the hnsw.ef_search values to measure, in order
	// (default 10, 20, 40, 80, 120, 200, 400, 800).
	EfSearch []int
	// K is the number of neighbours each query asks for, and the k of
	// recall@k (default 10).
	K int
	// Clients is the number of concurrent connections the queries are
	// shared between (default 1).
	Clients int
	// Warmup runs the query set once, unmeasured, before the sweep
	// (default true).
	Warmup bool
	// VectorFormat is the format of the query vector parameter: "binary"
	// (pgvector's send/recv form, the default) or "text".
	VectorFormat string
	// Settings are NAME=VALUE pairs applied with SET on every
	// connection, e.g. "maintenance_work_mem=1GB".
	Settings []string

	// Selectivity lists the fractions of the rows that the filtered
	// queries admit, each above 0 and at most 1, measured in order
	// (e.g. 0.5, 0.1, 0.01, 0.001). Empty: the queries are not filtered.
	// Otherwise the table gets an int column attr and each query is
	// SELECT id FROM t WHERE attr < $2 ORDER BY embedding <op> $1 LIMIT
	// k, recall measured against the exact neighbours among the rows
	// the filter admits.
	Selectivity []float64
	// AttrIndex adds a btree index on attr (default none).
	AttrIndex bool
	// FilterCorrelated makes attr the rank of each row's distance to
	// one base row instead of a random permutation, so that the rows a
	// filter admits are one ball of the space rather than spread over
	// all of it.
	FilterCorrelated bool

	// Label names this run in the report and the plot's legend. Empty:
	// derived from the server's version.
	Label string
	// JSON, when set, is the file the Report is written to.
	JSON string
	// Plot, when set, is the PNG file that recall against QPS is drawn
	// into, for this run and every report in Compare.
	Plot string
	// Compare lists JSON reports of earlier runs to draw beside this
	// one.
	Compare []string

	// Progress receives a progress line, redrawn in place, while rows
	// load and the index builds. Nothing is drawn unless it is a
	// terminal; nil draws nothing.
	Progress io.Writer
}

// Defaults of Config's fields.
const (
	DefaultDataDir        = "../shared/data"
	DefaultTable          = "bench_items"
	DefaultBatchSize      = 500
	DefaultM              = 16
	DefaultEfConstruction = 64
	DefaultK              = 10
	DefaultClients        = 1
)

// DefaultEfSearch returns the default hnsw.ef_search sweep.
func DefaultEfSearch() []int { return []int{10, 20, 40, 80, 120, 200, 400, 800} }

// DefaultConfig returns a Config holding every default; URL and Dataset
// are left for the caller.
func DefaultConfig() Config {
	return Config{
		DataDir:        DefaultDataDir,
		Table:          DefaultTable,
		Drop:           true,
		BatchSize:      DefaultBatchSize,
		M:              DefaultM,
		EfConstruction: DefaultEfConstruction,
		EfSearch:       DefaultEfSearch(),
		K:              DefaultK,
		Clients:        DefaultClients,
		Warmup:         true,
		VectorFormat:   "binary",
	}
}

// identifier is what Table may be: an unquoted SQL name that PostgreSQL
// does not fold, short enough that "_embedding_idx" still fits in 63
// bytes.
var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,48}$`)

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	plotOnly := c.Dataset == ""
	check(!plotOnly || (c.Plot != "" && len(c.Compare) > 0),
		"a dataset is required (--dataset), unless only drawing earlier reports (--plot with --compare)")
	if plotOnly {
		return errors.Join(errs...)
	}
	check(c.URL != "", "a server URL is required (--url)")
	check(identifier.MatchString(c.Table), "table %q: want a lower-case SQL identifier of at most 49 characters", c.Table)
	if c.Metric != "" {
		_, err := parseMetric(c.Metric)
		check(err == nil, "%v", err)
	}
	check(c.Limit >= 0, "limit %d: want 0 (all rows) or more", c.Limit)
	check(c.QueriesLimit >= 0, "queries limit %d: want 0 (all queries) or more", c.QueriesLimit)
	check(c.BatchSize >= 1 && c.BatchSize <= 30000, "batch size %d: want 1 to 30000 rows", c.BatchSize)
	check(c.M >= 2, "m %d: want at least 2", c.M)
	check(c.EfConstruction >= 1, "ef_construction %d: want at least 1", c.EfConstruction)
	check(len(c.EfSearch) > 0, "no ef_search values to measure")
	for _, ef := range c.EfSearch {
		check(ef >= 1, "ef_search %d: want at least 1", ef)
	}
	check(c.K >= 1, "k %d: want at least 1", c.K)
	check(c.Clients >= 1, "clients %d: want at least 1", c.Clients)
	check(c.VectorFormat == "binary" || c.VectorFormat == "text", "vector format %q: want binary or text", c.VectorFormat)
	for _, s := range c.Settings {
		_, _, err := parseSetting(s)
		check(err == nil, "%v", err)
	}
	for _, s := range c.Selectivity {
		check(s > 0 && s <= 1, "selectivity %v: want a fraction above 0 and at most 1", s)
	}
	check(len(c.Selectivity) > 0 || !c.AttrIndex, "--attr-index needs --selectivity")
	check(len(c.Selectivity) > 0 || !c.FilterCorrelated, "--filter-correlated needs --selectivity")
	return errors.Join(errs...)
}

// settingName is a GUC name, possibly qualified (hnsw.ef_search).
var settingName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$`)

// parseSetting splits "name=value".
func parseSetting(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || !settingName.MatchString(name) {
		return "", "", fmt.Errorf("setting %q: want NAME=VALUE", s)
	}
	return name, strings.TrimSpace(value), nil
}

// indexName is the name of the HNSW index on table.
func indexName(table string) string { return table + "_embedding_idx" }

// attrIndexName is the name of the btree index on table's attr column.
func attrIndexName(table string) string { return table + "_attr_idx" }
