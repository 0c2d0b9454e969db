package hnsw

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expected output of testdata/*.txt")

// TestDataDriven runs the scripts in testdata/*.txt. A script is a list of
// cases, each a command line with key=value arguments, input lines, a
// line "----" and the expected output up to a blank line:
//
//	new dim=2 metric=l2 m=2 efc=4 seed=1
//	insert              rows "id [x,y,...]", one a line
//	delete ID...
//	search k=K ef=EF [accept=ID,ID...]   query vector on the input line
//	scan ef=EF order=strict|relaxed max=N [batches=B]
//	graph               prints entry point and every list (as row ids)
//	begin | commit | rollback | vacuum
//	persist             writes the graph, reloads it, and checks that
//	                    the reloaded graph prints the same
//	cut ID              removes every layer-0 link to row ID, as pruning
//	                    can
//
// go test -run TestDataDriven -update rewrites the expected output.
func TestDataDriven(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runScript(t, f) })
	}
}

// script is one parsed case of a data-driven file.
type script struct {
	notes  []string // comment lines before the case
	line   int
	cmd    string
	args   map[string]string
	pos    []string // arguments without '='
	input  []string
	output string
}

func parseScript(t *testing.T, path string) []script {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	var cases []script
	var notes []string
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "#") {
			notes = append(notes, l)
		}
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		c := script{notes: notes, line: i + 1, args: map[string]string{}}
		notes = nil
		f := strings.Fields(l)
		c.cmd = f[0]
		for _, a := range f[1:] {
			if k, v, ok := strings.Cut(a, "="); ok {
				c.args[k] = v
			} else {
				c.pos = append(c.pos, a)
			}
		}
		for i++; i < len(lines) && lines[i] != "----"; i++ {
			c.input = append(c.input, lines[i])
		}
		var out []string
		for i++; i < len(lines) && lines[i] != ""; i++ {
			out = append(out, lines[i])
		}
		c.output = strings.Join(out, "\n")
		cases = append(cases, c)
	}
	return cases
}

func runScript(t *testing.T, path string) {
	cases := parseScript(t, path)
	var r scriptRunner
	var b strings.Builder
	for _, c := range cases {
		got := strings.TrimRight(r.run(t, c), "\n")
		if *update {
			for _, n := range c.notes {
				b.WriteString(n + "\n")
			}
			fmt.Fprintf(&b, "%s\n", strings.Join(append([]string{c.header()}, c.input...), "\n"))
			b.WriteString("----\n")
			if got != "" {
				b.WriteString(got + "\n")
			}
			b.WriteString("\n")
			continue
		}
		if got != c.output {
			t.Errorf("%s:%d: %s\ngot:\n%s\nwant:\n%s", path, c.line, c.cmd, got, c.output)
		}
	}
	if *update {
		if err := os.WriteFile(path, []byte(strings.TrimRight(b.String(), "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func (c script) header() string {
	parts := []string{c.cmd}
	parts = append(parts, c.pos...)
	keys := make([]string, 0, len(c.args))
	for k := range c.args {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		parts = append(parts, k+"="+c.args[k])
	}
	return strings.Join(parts, " ")
}

// scriptRunner holds the state of one script.
type scriptRunner struct {
	g     *Graph
	cfg   Config
	tx    *Tx
	store *memStore
	s     Searcher
}

func (r *scriptRunner) run(t *testing.T, c script) string {
	t.Helper()
	switch c.cmd {
	case "new":
		return r.newGraph(t, c)
	case "insert":
		return r.insert(t, c)
	case "delete":
		return r.delete(t, c)
	case "search":
		return r.search(t, c)
	case "scan":
		return r.scanCmd(t, c)
	case "graph":
		return dumpGraph(r.g)
	case "begin":
		r.store = newMemStore()
		r.tx = r.g.Begin(r.store)
		return ""
	case "commit":
		if err := r.tx.Commit(); err != nil {
			return "error: " + err.Error()
		}
		r.tx = nil
		return ""
	case "rollback":
		r.tx.Rollback()
		r.tx = nil
		return ""
	case "vacuum":
		return r.vacuum(t)
	case "persist":
		return r.persist(t)
	case "cut":
		return r.cut(t, c)
	}
	t.Fatalf("line %d: unknown command %q", c.line, c.cmd)
	return ""
}

func (r *scriptRunner) newGraph(t *testing.T, c script) string {
	cfg := Config{Seed: 1}
	for k, v := range c.args {
		switch k {
		case "dim":
			cfg.Dim = atoi(t, v)
		case "metric":
			m, ok := MetricByOpclass("vector_" + v + "_ops")
			if !ok {
				t.Fatalf("line %d: unknown metric %s", c.line, v)
			}
			cfg.Metric = m
		case "m":
			cfg.M = atoi(t, v)
		case "efc":
			cfg.EfConstruction = atoi(t, v)
		case "seed":
			cfg.Seed = uint64(atoi(t, v))
		}
	}
	g, err := New(cfg)
	if err != nil {
		return "error: " + err.Error()
	}
	r.g, r.cfg = g, cfg
	return ""
}

// withTx runs f in the open Tx, or in a Tx of its own that commits.
func (r *scriptRunner) withTx(f func(tx *Tx) error) error {
	if r.tx != nil {
		return f(r.tx)
	}
	tx := r.g.Begin(nil)
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (r *scriptRunner) insert(t *testing.T, c script) string {
	var out []string
	for _, l := range c.input {
		id, v, _ := strings.Cut(strings.TrimSpace(l), " ")
		vec := parseVec(t, v)
		if err := r.withTx(func(tx *Tx) error { return tx.Insert(uint64(atoi(t, id)), vec) }); err != nil {
			out = append(out, "error: "+err.Error())
		}
	}
	return strings.Join(out, "\n")
}

func (r *scriptRunner) delete(t *testing.T, c script) string {
	for _, id := range c.pos {
		if err := r.withTx(func(tx *Tx) error { return tx.Delete(uint64(atoi(t, id))) }); err != nil {
			return "error: " + err.Error()
		}
	}
	return ""
}

func (r *scriptRunner) vacuum(t *testing.T) string {
	var st VacuumStats
	err := r.withTx(func(tx *Tx) error {
		var err error
		st, err = tx.Vacuum(t.Context())
		return err
	})
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprintf("reclaimed %d, repaired %d, reconnected %d", st.Reclaimed, st.Repaired, st.Reconnected)
}

func (r *scriptRunner) search(t *testing.T, c script) string {
	var accept func(uint64) bool
	if a, ok := c.args["accept"]; ok {
		ok := map[uint64]bool{}
		for _, s := range strings.Split(a, ",") {
			ok[uint64(atoi(t, s))] = true
		}
		accept = func(id uint64) bool { return ok[id] }
	}
	res, err := r.g.Search(&r.s, parseVec(t, strings.Join(c.input, "")), atoi(t, c.args["k"]), atoi(t, c.args["ef"]), accept)
	if err != nil {
		return "error: " + err.Error()
	}
	return formatResults(res)
}

func (r *scriptRunner) scanCmd(t *testing.T, c script) string {
	opt := ScanOptions{EfSearch: atoi(t, c.args["ef"]), MaxScanTuples: atoi(t, c.args["max"])}
	if c.args["order"] == "relaxed" {
		opt.Order = RelaxedOrder
	}
	if err := r.s.Scan(r.g, parseVec(t, strings.Join(c.input, "")), opt); err != nil {
		return "error: " + err.Error()
	}
	defer r.s.End()
	var out []string
	for i := 0; ; i++ {
		b := r.s.Next()
		if len(b) == 0 {
			break
		}
		out = append(out, fmt.Sprintf("batch %d:", i), formatResults(b))
	}
	return strings.Join(out, "\n")
}

func (r *scriptRunner) persist(t *testing.T) string {
	store := newMemStore()
	if err := r.g.WriteAll(store); err != nil {
		return "error: " + err.Error()
	}
	g, err := Load(r.cfg, store.iter)
	if err != nil {
		return "error: " + err.Error()
	}
	if a, b := dumpGraph(r.g), dumpGraph(g); a != b {
		t.Errorf("reloaded graph differs:\n%s\nwant:\n%s", b, a)
	}
	return fmt.Sprintf("%d records", len(store.m))
}

func formatResults(res []Result) string {
	var b strings.Builder
	for _, r := range res {
		fmt.Fprintf(&b, "%d %.6g\n", r.ID, r.Distance)
	}
	return strings.TrimRight(b.String(), "\n")
}

// dumpGraph prints the entry point and the lists of every node in use, by
// row id.
func dumpGraph(g *Graph) string {
	var b strings.Builder
	ep, level, ok := unpackEntry(g.entry.Load())
	if !ok {
		return "empty"
	}
	fmt.Fprintf(&b, "entry %d level %d, %d live\n", g.id(ep), level, g.Len())
	var links []uint32
	for n := range g.next {
		st := g.state(n)
		if st == stateFree {
			continue
		}
		fmt.Fprintf(&b, "%d", g.id(n))
		if st == stateDeleted {
			b.WriteString(" (deleted)")
		}
		b.WriteString(":")
		for lc := g.level(n); lc >= 0; lc-- {
			links = readList(g.slot(n, lc), links[:0])
			ids := make([]string, len(links))
			for i, e := range links {
				ids[i] = strconv.FormatUint(g.id(e), 10)
			}
			fmt.Fprintf(&b, " L%d[%s]", lc, strings.Join(ids, " "))
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("bad integer %q", s)
	}
	return v
}

func parseVec(t *testing.T, s string) []float32 {
	t.Helper()
	s = strings.Trim(strings.TrimSpace(s), "[]")
	var v []float32
	for _, f := range strings.Split(s, ",") {
		x, err := strconv.ParseFloat(strings.TrimSpace(f), 32)
		if err != nil {
			t.Fatalf("bad vector %q", s)
		}
		v = append(v, float32(x))
	}
	return v
}

func (r *scriptRunner) cut(t *testing.T, c script) string {
	g := r.g
	x := g.ids[uint64(atoi(t, c.pos[0]))]
	for n := range g.next {
		if g.state(n) == stateFree {
			continue
		}
		links := readList(g.slot(n, 0), nil)
		if i := slices.Index(links, x); i >= 0 {
			writeList(g.slot(n, 0), slices.Delete(links, i, i+1))
		}
	}
	return ""
}
