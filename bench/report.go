package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Report is what a run measured, and how. It is written as JSON with
// --json and read back by ReadReport to draw several runs in one plot.
type Report struct {
	// Label names the run in tables and plots.
	Label string `json:"label"`
	// Server is the server's version(); Extension is the vector
	// extension's name and version where pg_extension lists it.
	Server    string    `json:"server"`
	Extension string    `json:"extension,omitempty"`
	Started   time.Time `json:"started"`

	Dataset string `json:"dataset"`
	Metric  string `json:"metric"`
	Dim     int    `json:"dim"`
	// Rows is the number of base rows loaded; Queries the number of
	// queries in each pass.
	Rows    int `json:"rows"`
	Queries int `json:"queries"`
	K       int `json:"k"`
	// GroundTruth says where the exact neighbours came from: a file, or
	// the brute force over the loaded rows.
	GroundTruth string `json:"ground_truth"`

	M              int      `json:"m"`
	EfConstruction int      `json:"ef_construction"`
	Clients        int      `json:"clients"`
	VectorFormat   string   `json:"vector_format"`
	Settings       []string `json:"settings,omitempty"`

	// LoadMethod says how the rows were loaded, empty when loading was
	// skipped; LoadNote why COPY was not used, if it was not.
	LoadMethod  string  `json:"load_method,omitempty"`
	LoadNote    string  `json:"load_note,omitempty"`
	LoadSeconds float64 `json:"load_seconds,omitempty"`
	// BuildSeconds is zero when the build was skipped.
	BuildSeconds float64 `json:"build_seconds,omitempty"`
	// IndexBytes is pg_relation_size of the index, zero when unknown.
	IndexBytes int64 `json:"index_bytes,omitempty"`
	// Plan is EXPLAIN's output for the search query.
	Plan []string `json:"plan,omitempty"`
	// Notices are the distinct notices and warnings the server sent.
	Notices []string `json:"notices,omitempty"`

	// Attr says how a filtered run (--selectivity) filters: the WHERE
	// clause, how the attr column was generated and whether it is
	// indexed. Empty for an unfiltered run.
	Attr string `json:"attr,omitempty"`
	// AttrIndexSeconds is the build time of the btree index on attr
	// (--attr-index), zero without one.
	AttrIndexSeconds float64 `json:"attr_index_seconds,omitempty"`
	// Filters holds, in a filtered run, one entry per selectivity, in
	// the order measured.
	Filters []Filter `json:"filters,omitempty"`

	// Points holds one measurement per hnsw.ef_search value (per
	// selectivity and hnsw.ef_search value in a filtered run), in the
	// order measured.
	Points []Point `json:"points"`
}

// Filter is one selectivity of a filtered run.
type Filter struct {
	// Selectivity is the fraction of the rows the filter admits, as
	// asked for.
	Selectivity float64 `json:"selectivity"`
	// Threshold is the t of WHERE attr < t, and so the number of rows
	// the filter admits: Selectivity times the rows, rounded.
	Threshold int `json:"threshold"`
	// Plan is EXPLAIN's output for the search query with this
	// threshold.
	Plan []string `json:"plan,omitempty"`
}

// filtered reports whether r is a filtered run's.
func (r *Report) filtered() bool { return len(r.Filters) > 0 }

// Point is one pass over the queries at one hnsw.ef_search (and, in a
// filtered run, one selectivity).
type Point struct {
	// Selectivity is the fraction of the rows the pass's filter admits;
	// zero in an unfiltered run.
	Selectivity float64 `json:"selectivity,omitempty"`
	EfSearch    int     `json:"ef_search"`
	// Recall is the tie-tolerant recall@k, from 0 to 1, against the
	// exact neighbours among the rows the filter admits.
	Recall float64 `json:"recall"`
	// QPS is the number of queries divided by the pass's wall time.
	QPS float64 `json:"qps"`
	// Client-side latencies of single queries, in milliseconds.
	P50Ms  float64 `json:"p50_ms"`
	P99Ms  float64 `json:"p99_ms"`
	MeanMs float64 `json:"mean_ms"`
	// MeanRows is the mean number of rows a query returned: k, unless
	// the server returned fewer (pgvector does when a filter rejects
	// most of the rows its index scan finds).
	MeanRows float64 `json:"mean_rows"`
	// WrongRows counts, over the pass, the rows returned that the
	// filter does not admit: a server's error, never a hit.
	WrongRows int `json:"wrong_rows,omitempty"`
}

// WriteJSON writes r as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadReport reads a report that WriteJSON wrote.
func ReadReport(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(r.Points) == 0 {
		return nil, fmt.Errorf("%s: a report with no points", path)
	}
	return &r, nil
}

// WriteText writes r as a run prints it: the summary, then the table.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, key := range summaryKeys() {
		if line := r.summaryLine(key); line != "" {
			b.WriteString(line + "\n")
		}
	}
	b.WriteString("\n" + pointHeader(r.K, r.filtered()) + "\n")
	for i, p := range r.Points {
		if i > 0 && p.Selectivity != r.Points[i-1].Selectivity {
			b.WriteString("\n")
		}
		b.WriteString(formatPoint(p, r.filtered()) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// summaryKeys returns the lines of a report's summary, in order.
func summaryKeys() []string {
	return []string{"label", "server", "dataset", "ground truth", "load note", "load", "build", "index size",
		"attr index", "filter", "plans", "queries"}
}

// summaryLine is the summary's line for key, "key: value" with the
// values aligned; "" for a line that does not apply. The plans of a
// filtered run take a line per selectivity.
func (r *Report) summaryLine(key string) string {
	var value string
	switch key {
	case "label":
		value = r.Label
	case "server":
		value = r.Server
		if r.Extension != "" {
			value += "; " + r.Extension
		}
	case "dataset":
		value = fmt.Sprintf("%s, %s, %d dimensions, %d rows, %d queries, k=%d", r.Dataset, r.Metric, r.Dim, r.Rows, r.Queries, r.K)
	case "ground truth":
		value = r.GroundTruth
	case "load note":
		if r.LoadNote == "" {
			return ""
		}
		key, value = "load", r.LoadNote
	case "load":
		value = "skipped"
		if r.LoadMethod != "" {
			value = fmt.Sprintf("%s with %s, %.0f rows/s", formatSeconds(r.LoadSeconds), r.LoadMethod, float64(r.Rows)/r.LoadSeconds)
		}
	case "build":
		value = "skipped"
		if r.BuildSeconds > 0 {
			value = fmt.Sprintf("%s, hnsw m=%d ef_construction=%d", formatSeconds(r.BuildSeconds), r.M, r.EfConstruction)
		}
	case "index size":
		value = formatBytes(r.IndexBytes)
	case "attr index":
		if r.AttrIndexSeconds == 0 {
			return ""
		}
		value = fmt.Sprintf("%s, btree on attr", formatSeconds(r.AttrIndexSeconds))
	case "filter":
		if r.Attr == "" {
			return ""
		}
		value = r.Attr
	case "plans":
		var lines []string
		if len(r.Filters) > 0 && len(r.Plan) > 0 {
			lines = append(lines, fmt.Sprintf("%-14s%s", "plan:", planSummary(r.Plan)))
		}
		for _, f := range r.Filters {
			if len(f.Plan) > 0 {
				lines = append(lines, fmt.Sprintf("%-14s%s", "plan "+formatSelectivity(f.Selectivity)+":", planSummary(f.Plan)))
			}
		}
		return strings.Join(lines, "\n")
	case "queries":
		value = fmt.Sprintf("%d per pass over %d connection(s), prepared, vector parameter in %s", r.Queries, r.Clients, r.VectorFormat)
		if r.filtered() {
			value += ", threshold in text, prepared anew for each selectivity"
		}
	default:
		panic("bench: no summary line " + key)
	}
	return fmt.Sprintf("%-14s%s", key+":", value)
}

// pointHeader heads the table of points; a filtered run's has a
// column for the selectivity and one for the rows returned.
func pointHeader(k int, filtered bool) string {
	h := fmt.Sprintf("%9s  %9s  %9s  %8s  %8s", "ef_search", fmt.Sprintf("recall@%d", k), "QPS", "p50 ms", "p99 ms")
	if filtered {
		h = fmt.Sprintf("%11s  %s  %6s", "selectivity", h, "rows")
	}
	return h
}

// formatPoint is one row of the table, aligned under pointHeader.
func formatPoint(p Point, filtered bool) string {
	s := fmt.Sprintf("%9d  %9.4f  %9.1f  %8.3f  %8.3f", p.EfSearch, p.Recall, p.QPS, p.P50Ms, p.P99Ms)
	if filtered {
		s = fmt.Sprintf("%11s  %s  %6.2f", selectivityColumn(p.Selectivity), s, p.MeanRows)
	}
	if p.WrongRows > 0 {
		s += fmt.Sprintf("  (%d rows returned fail the filter)", p.WrongRows)
	}
	return s
}

// formatSelectivity writes a selectivity as given: 0.5, 0.001.
func formatSelectivity(s float64) string { return strconv.FormatFloat(s, 'g', -1, 64) }

// selectivityColumn is a point's selectivity in a filtered run's table:
// the fraction, or "unfiltered" for the baseline.
func selectivityColumn(s float64) string {
	if s == 0 {
		return "unfiltered"
	}
	return formatSelectivity(s)
}

// planSummary condenses an EXPLAIN output to its nodes, top first,
// without costs: "Limit <- Index Scan using t_embedding_idx on t".
func planSummary(plan []string) string {
	var nodes []string
	for i, line := range plan {
		line = strings.TrimSpace(line)
		if i > 0 && !strings.HasPrefix(line, "->") {
			continue // a node's detail: Order By, Filter, Sort Key
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, "->"))
		if cut := strings.Index(line, "  ("); cut >= 0 {
			line = line[:cut]
		}
		nodes = append(nodes, line)
	}
	return strings.Join(nodes, " <- ")
}

func formatSeconds(s float64) string { return fmt.Sprintf("%.2fs", s) }

// formatBytes formats an index size in binary units; zero is unknown.
func formatBytes(n int64) string {
	if n <= 0 {
		return "n/a"
	}
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, exp := float64(n), 0
	for v >= unit && exp < 4 {
		v /= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGT"[exp-1])
}

// vecgresVersion finds vecgres's own version in version()'s text.
var vecgresVersion = regexp.MustCompile(`\(vecgres ([^)]+)\)`)

// defaultLabel names a run after the server: "vecgres 0.1.0",
// "pgvector 0.8.6", or version()'s first two words.
func defaultLabel(server, extension string) string {
	if m := vecgresVersion.FindStringSubmatch(server); m != nil {
		return "vecgres " + m[1]
	}
	if extension != "" {
		return extension
	}
	fields := strings.Fields(server)
	return strings.Join(fields[:min(2, len(fields))], " ")
}
