package bench

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// NewFlagSet returns a flag set named name whose flags write into cfg;
// cfg's current values are the flags' defaults, so pass a DefaultConfig.
func NewFlagSet(name string, cfg *Config) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&cfg.URL, "url", cfg.URL, "`URL` of the PostgreSQL-wire server to benchmark")
	fs.StringVar(&cfg.Dataset, "dataset", cfg.Dataset, "dataset `NAME` in --data-dir, or the PATH of its .json, or of a base .fvecs or .npy file")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "`directory` of the named datasets")
	fs.StringVar(&cfg.Queries, "queries", cfg.Queries, "query vectors `file` (.fvecs or .npy) of a file dataset")
	fs.StringVar(&cfg.GroundTruth, "gt", cfg.GroundTruth, "ground-truth ids `file` (.ivecs or .npy) of a file dataset; brute force when absent")
	fs.StringVar(&cfg.Metric, "metric", cfg.Metric, "distance `metric`: l2, cosine, ip or l1 (default: the dataset's)")
	fs.IntVar(&cfg.Limit, "limit", cfg.Limit, "load only the first `N` base rows (0: all)")
	fs.IntVar(&cfg.QueriesLimit, "queries-limit", cfg.QueriesLimit, "use only the first `N` queries (0: all)")
	fs.StringVar(&cfg.Table, "table", cfg.Table, "`table` to load into; its index is TABLE_embedding_idx")
	fs.BoolVar(&cfg.Drop, "drop", cfg.Drop, "drop the table (or, with --skip-load, the index) first")
	fs.BoolVar(&cfg.SkipLoad, "skip-load", cfg.SkipLoad, "use the table as it is")
	fs.BoolVar(&cfg.SkipBuild, "skip-build", cfg.SkipBuild, "use the index as it is")
	fs.IntVar(&cfg.BatchSize, "batch", cfg.BatchSize, "rows per INSERT when the server cannot COPY")
	fs.IntVar(&cfg.M, "m", cfg.M, "HNSW `m`")
	fs.IntVar(&cfg.EfConstruction, "ef-construction", cfg.EfConstruction, "HNSW `ef_construction`")
	fs.Var((*intList)(&cfg.EfSearch), "ef-search", "comma-separated hnsw.ef_search `values` to measure")
	fs.IntVar(&cfg.K, "k", cfg.K, "neighbours per query, the k of recall@k")
	fs.IntVar(&cfg.Clients, "clients", cfg.Clients, "concurrent connections sharing the queries")
	fs.BoolVar(&cfg.Warmup, "warmup", cfg.Warmup, "run the queries once, unmeasured, before measuring")
	fs.StringVar(&cfg.VectorFormat, "vector-format", cfg.VectorFormat, "`format` of the query vector parameter: binary or text")
	fs.Var((*stringList)(&cfg.Settings), "set", "`NAME=VALUE` to SET on every connection (repeatable)")
	fs.Var((*floatList)(&cfg.Selectivity), "selectivity", "comma-separated `fractions` of the rows that filtered queries admit (WHERE attr < $2); none: unfiltered")
	fs.BoolVar(&cfg.AttrIndex, "attr-index", cfg.AttrIndex, "with --selectivity: add a btree index on attr")
	fs.BoolVar(&cfg.FilterCorrelated, "filter-correlated", cfg.FilterCorrelated, "with --selectivity: attr ranks rows by distance to one base row, so a filter admits a ball, not a uniform sample")
	fs.StringVar(&cfg.Label, "label", cfg.Label, "`name` of this run in the report and plot (default: from the server version)")
	fs.StringVar(&cfg.JSON, "json", cfg.JSON, "write the report as JSON to `file`")
	fs.StringVar(&cfg.Plot, "plot", cfg.Plot, "draw recall against QPS into PNG `file`")
	fs.Var((*commaList)(&cfg.Compare), "compare", "comma-separated JSON `reports` of earlier runs to draw too")
	return fs
}

// ParseFlags parses the arguments of "vecgres bench" (without the
// command name) into a Config that starts from DefaultConfig. Usage and
// flag errors go to stderr, which also becomes Config.Progress.
func ParseFlags(args []string, stderr io.Writer) (Config, error) {
	cfg := DefaultConfig()
	fs := NewFlagSet("vecgres bench", &cfg)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	cfg.Progress = stderr
	return cfg, nil
}

// intList is a comma-separated list of integers; setting it replaces
// the default.
type intList []int

func (l *intList) String() string {
	if l == nil {
		return ""
	}
	s := make([]string, len(*l))
	for i, n := range *l {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func (l *intList) Set(s string) error {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("%q is not an integer", f)
		}
		out = append(out, n)
	}
	*l = out
	return nil
}

// floatList is a comma-separated list of numbers; setting it replaces
// the default.
type floatList []float64

func (l *floatList) String() string {
	if l == nil {
		return ""
	}
	s := make([]string, len(*l))
	for i, x := range *l {
		s[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(s, ",")
}

func (l *floatList) Set(s string) error {
	var out []float64
	for f := range strings.SplitSeq(s, ",") {
		x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", f)
		}
		out = append(out, x)
	}
	*l = out
	return nil
}

// commaList is a comma-separated list of strings; setting it replaces
// the default.
type commaList []string

func (l *commaList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ",")
}

func (l *commaList) Set(s string) error {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	*l = out
	return nil
}

// stringList collects a flag given several times.
type stringList []string

func (l *stringList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, " ")
}

func (l *stringList) Set(s string) error {
	*l = append(*l, s)
	return nil
}
