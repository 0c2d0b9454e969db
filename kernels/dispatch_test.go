package kernels

import (
	"slices"
	"strings"
	"testing"
)

func TestChoose(t *testing.T) {
	fast := &set{name: "avx2", needs: "AVX2"}
	slow := &set{name: "purego", needs: "no CPU features"}
	supported := []*set{fast, slow}
	tests := []struct {
		env        string
		want       *set
		reasonHave string
	}{
		{"", fast, "best set this CPU supports"},
		{"purego", slow, "chosen by VECGRES_KERNELS=purego"},
		{" AVX2 ", fast, "chosen by VECGRES_KERNELS=avx2"},
		{"avx512", fast, "VECGRES_KERNELS=avx512 asks for a set this CPU or build cannot run"},
		{"sse9", fast, `VECGRES_KERNELS="sse9" is not a kernel set`},
	}
	for _, tt := range tests {
		got, reason := choose(tt.env, supported)
		if got != tt.want {
			t.Errorf("choose(%q) = %s, want %s", tt.env, got.name, tt.want.name)
		}
		if !strings.HasPrefix(reason, tt.want.name+": ") || !strings.Contains(reason, tt.reasonHave) {
			t.Errorf("choose(%q) reason %q, want it to start with %q and say %q", tt.env, reason, tt.want.name, tt.reasonHave)
		}
	}
	if got, _ := choose("avx2", []*set{slow}); got != slow {
		t.Errorf("choose(avx2) with only purego = %s, want purego", got.name)
	}
}

func TestActiveSet(t *testing.T) {
	names := Available()
	if len(names) == 0 || names[len(names)-1] != "purego" {
		t.Fatalf("Available() = %v, want it to end with purego", names)
	}
	if !slices.Contains(names, Name()) {
		t.Errorf("Name() = %q, not among Available() = %v", Name(), names)
	}
	if !strings.HasPrefix(Reason(), Name()+": ") {
		t.Errorf("Reason() = %q, want it to start with %q", Reason(), Name()+": ")
	}
	t.Logf("kernel sets available: %v; in use: %s", names, Reason())
}

// TestSetsComplete checks that no set leaves a kernel out.
func TestSetsComplete(t *testing.T) {
	for _, s := range testSets() {
		if s.l2Squared == nil || s.dot == nil || s.l1 == nil || s.cosine == nil ||
			s.l2SquaredBatch == nil || s.dotBatch == nil || s.l1Batch == nil || s.cosineBatch == nil ||
			s.l2SquaredF16 == nil || s.dotF16 == nil || s.l1F16 == nil || s.cosineF16 == nil ||
			s.l2SquaredBatchF16 == nil || s.dotBatchF16 == nil || s.l1BatchF16 == nil || s.cosineBatchF16 == nil ||
			s.encodeF16 == nil || s.decodeF16 == nil || s.hamming == nil || s.jaccard == nil || s.needs == "" {
			t.Errorf("set %s is missing a kernel", s.name)
		}
	}
}
