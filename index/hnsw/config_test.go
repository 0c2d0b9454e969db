package hnsw

import (
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		code pgerr.Code
		msg  string
	}{
		{"defaults", Config{Dim: 3, Metric: L2}, "", ""},
		{"limits", Config{Dim: MaxDim, Metric: L1, M: MaxM, EfConstruction: MaxEfConstruction}, "", ""},
		{"small", Config{Dim: 1, Metric: Cosine, M: MinM, EfConstruction: MinEfConstruction}, "", ""},
		{"m low", Config{Dim: 3, Metric: L2, M: 1}, pgerr.InvalidParameterValue, `value 1 out of bounds for option "m"`},
		{"m high", Config{Dim: 3, Metric: L2, M: 101}, pgerr.InvalidParameterValue, `value 101 out of bounds for option "m"`},
		{"efc low", Config{Dim: 3, Metric: L2, EfConstruction: 3}, pgerr.InvalidParameterValue, `value 3 out of bounds for option "ef_construction"`},
		{"efc high", Config{Dim: 3, Metric: L2, EfConstruction: 1001}, pgerr.InvalidParameterValue, `value 1001 out of bounds for option "ef_construction"`},
		{"efc < 2m", Config{Dim: 3, Metric: L2, M: 16, EfConstruction: 31}, pgerr.InvalidParameterValue, "ef_construction must be greater than or equal to 2 * m"},
		{"efc < 2m default m", Config{Dim: 3, Metric: L2, EfConstruction: 16}, pgerr.InvalidParameterValue, "ef_construction must be greater than or equal to 2 * m"},
		{"no dims", Config{Dim: -1, Metric: L2}, pgerr.InvalidParameterValue, "column does not have dimensions"},
		{"too many dims", Config{Dim: MaxDim + 1, Metric: L2}, pgerr.ProgramLimitExceeded, "column cannot have more than 16000 dimensions for hnsw index"},
		{"no metric", Config{Dim: 3}, pgerr.InternalError, "hnsw: invalid metric 0"},
		{"halfvec limit", Config{Dim: MaxDim, Metric: L2, Kind: Halfvec}, "", ""},
		{"halfvec too many dims", Config{Dim: MaxDim + 1, Metric: L2, Kind: Halfvec}, pgerr.ProgramLimitExceeded, "column cannot have more than 16000 dimensions for hnsw index"},
		{"bit limit", Config{Dim: MaxBitDim, Metric: Hamming, Kind: Bit}, "", ""},
		{"bit too long", Config{Dim: MaxBitDim + 1, Metric: Jaccard, Kind: Bit}, pgerr.ProgramLimitExceeded, "column cannot have more than 64000 dimensions for hnsw index"},
		{"sparsevec limit", Config{Dim: MaxSparseDim, Metric: Cosine, Kind: Sparsevec}, "", ""},
		{"sparsevec too many dims", Config{Dim: MaxSparseDim + 1, Metric: L1, Kind: Sparsevec}, pgerr.ProgramLimitExceeded, "column cannot have more than 1000000000 dimensions for hnsw index"},
		{"bit l2", Config{Dim: 3, Metric: L2, Kind: Bit}, pgerr.InternalError, "hnsw: no l2 operator class for bit"},
		{"vector hamming", Config{Dim: 3, Metric: Hamming}, pgerr.InternalError, "hnsw: no hamming operator class for vector"},
		{"bad kind", Config{Dim: 3, Metric: L2, Kind: 7}, pgerr.InternalError, "hnsw: invalid kind 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.code == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			pe, ok := err.(*pgerr.Error)
			if !ok || pe.Code != tt.code || pe.Message != tt.msg {
				t.Fatalf("got %v, want %s %q", err, tt.code, tt.msg)
			}
		})
	}
}

func TestConfigSetOption(t *testing.T) {
	tests := []struct {
		name, value string
		want        int // the option's value after, or -1 for an error
		msg, detail string
	}{
		{"m", "24", 24, "", ""},
		{"M", " 8 ", 8, "", ""},
		{"m", "0x10", 16, "", ""},
		{"m", "010", 8, "", ""},
		{"m", "7.5", 8, "", ""},
		{"ef_construction", "200", 200, "", ""},
		{"m", "1", -1, `value 1 out of bounds for option "m"`, `Valid values are between "2" and "100".`},
		{"m", "abc", -1, `invalid value for integer option "m": abc`, ""},
		{"m", "", -1, `invalid value for integer option "m": `, ""},
		{"ef_construction", "1001", -1, `value 1001 out of bounds for option "ef_construction"`, `Valid values are between "4" and "1000".`},
		{"ef_search", "10", -1, `unrecognized parameter "ef_search"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			var c Config
			err := c.SetOption(tt.name, tt.value)
			if tt.want >= 0 {
				got := c.M
				if tt.name == "ef_construction" {
					got = c.EfConstruction
				}
				if err != nil || got != tt.want {
					t.Fatalf("got %d, %v; want %d", got, err, tt.want)
				}
				return
			}
			pe, ok := err.(*pgerr.Error)
			if !ok || pe.Code != pgerr.InvalidParameterValue || pe.Message != tt.msg || pe.Detail != tt.detail {
				t.Fatalf("got %#v, want %q / %q", err, tt.msg, tt.detail)
			}
		})
	}
}

func TestOpclassInfo(t *testing.T) {
	want := map[string]struct {
		m Metric
		k Kind
	}{
		"vector_l2_ops": {L2, Vector}, "vector_ip_ops": {InnerProduct, Vector},
		"vector_cosine_ops": {Cosine, Vector}, "vector_l1_ops": {L1, Vector},
		"halfvec_l2_ops": {L2, Halfvec}, "halfvec_ip_ops": {InnerProduct, Halfvec},
		"halfvec_cosine_ops": {Cosine, Halfvec}, "halfvec_l1_ops": {L1, Halfvec},
		"sparsevec_l2_ops": {L2, Sparsevec}, "sparsevec_ip_ops": {InnerProduct, Sparsevec},
		"sparsevec_cosine_ops": {Cosine, Sparsevec}, "sparsevec_l1_ops": {L1, Sparsevec},
		"bit_hamming_ops": {Hamming, Bit}, "bit_jaccard_ops": {Jaccard, Bit},
	}
	for name, w := range want {
		m, k, ok := OpclassInfo(name)
		if !ok || m != w.m || k != w.k {
			t.Errorf("OpclassInfo(%q) = %v, %v, %v", name, m, k, ok)
		}
		if got, ok := MetricByOpclass(name); !ok || got != w.m {
			t.Errorf("MetricByOpclass(%q) = %v, %v", name, got, ok)
		}
		if got := Opclass(k, m); got != name {
			t.Errorf("Opclass(%v, %v) = %q", k, m, got)
		}
		if err := (Config{Dim: 3, Metric: m, Kind: k}).Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, name := range []string{"vector_hamming_ops", "bit_l2_ops", "halfvec_jaccard_ops", "VECTOR_L2_OPS", "vector", "_l2_ops", "vector_l2", ""} {
		if m, k, ok := OpclassInfo(name); ok {
			t.Errorf("OpclassInfo(%q) = %v, %v, true", name, m, k)
		}
	}
	if got := Metric(9).String(); got != "Metric(9)" {
		t.Errorf("String of a bad metric = %q", got)
	}
	if got := Kind(9).String(); got != "Kind(9)" {
		t.Errorf("String of a bad kind = %q", got)
	}
	if err := (Config{Dim: 3, Metric: L2, Kind: Bit}).Validate(); pgerr.CodeOf(err) != pgerr.InternalError {
		t.Errorf("bit with L2: %v", err)
	}
}
