package bench

import (
	"strings"
	"testing"
)

func validConfig() Config {
	c := DefaultConfig()
	c.URL = "postgres://localhost/postgres"
	c.Dataset = "glove-6b-100-cosine"
	return c
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		errs   []string // substrings of the error; none: valid
	}{
		{"defaults", func(*Config) {}, nil},
		{"plot only", func(c *Config) { *c = DefaultConfig(); c.Plot = "p.png"; c.Compare = []string{"a.json"} }, nil},
		{"nothing to do", func(c *Config) { c.Dataset = "" }, []string{"a dataset is required"}},
		{"no url", func(c *Config) { c.URL = "" }, []string{"--url"}},
		{"bad table", func(c *Config) { c.Table = "Items" }, []string{`table "Items"`}},
		{"injected table", func(c *Config) { c.Table = "t; DROP TABLE x" }, []string{"identifier"}},
		{"bad metric", func(c *Config) { c.Metric = "hamming" }, []string{`unknown metric "hamming"`}},
		{"bad numbers", func(c *Config) { c.K = 0; c.Clients = 0; c.M = 1; c.Limit = -1 },
			[]string{"k 0", "clients 0", "m 1", "limit -1"}},
		{"bad ef_search", func(c *Config) { c.EfSearch = []int{10, 0} }, []string{"ef_search 0"}},
		{"no ef_search", func(c *Config) { c.EfSearch = nil }, []string{"no ef_search"}},
		{"bad format", func(c *Config) { c.VectorFormat = "json" }, []string{`vector format "json"`}},
		{"bad setting", func(c *Config) { c.Settings = []string{"work_mem"} }, []string{`setting "work_mem"`}},
		{"good setting", func(c *Config) { c.Settings = []string{"hnsw.iterative_scan=relaxed_order"} }, nil},
		{"filtered", func(c *Config) {
			c.Selectivity = []float64{1, 0.5, 0.001}
			c.AttrIndex = true
			c.FilterCorrelated = true
		}, nil},
		{"bad selectivity", func(c *Config) { c.Selectivity = []float64{0.5, 0, 1.5, -1} },
			[]string{"selectivity 0:", "selectivity 1.5:", "selectivity -1:"}},
		{"filter options unfiltered", func(c *Config) { c.AttrIndex = true; c.FilterCorrelated = true },
			[]string{"--attr-index needs --selectivity", "--filter-correlated needs --selectivity"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.change(&c)
			err := c.Validate()
			if len(tt.errs) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want errors containing %q", tt.errs)
			}
			for _, want := range tt.errs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Validate() = %q, want it to contain %q", err, want)
				}
			}
		})
	}
}

func TestParseSetting(t *testing.T) {
	tests := []struct {
		in          string
		name, value string
		ok          bool
	}{
		{"maintenance_work_mem=1GB", "maintenance_work_mem", "1GB", true},
		{" hnsw.ef_search = 40 ", "hnsw.ef_search", "40", true},
		{"search_path=a,b", "search_path", "a,b", true},
		{"x=", "x", "", true},
		{"novalue", "", "", false},
		{"bad name=1", "", "", false},
		{"=1", "", "", false},
	}
	for _, tt := range tests {
		name, value, err := parseSetting(tt.in)
		if (err == nil) != tt.ok || name != tt.name || value != tt.value {
			t.Errorf("parseSetting(%q) = %q, %q, %v; want %q, %q, ok=%v", tt.in, name, value, err, tt.name, tt.value, tt.ok)
		}
	}
}
