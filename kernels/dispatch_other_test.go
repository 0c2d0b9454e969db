//go:build !amd64 || purego

package kernels

import "testing"

func TestOnlyPurego(t *testing.T) {
	if names := Available(); len(names) != 1 || names[0] != "purego" || Name() != "purego" {
		t.Errorf("Available() = %v, Name() = %q; this build has only purego", names, Name())
	}
}
