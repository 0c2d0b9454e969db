package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedFilesUpToDate fails when the committed assembly or its Go
// declarations differ from what this generator writes: edit the generator
// and run `go generate ./kernels/`, never the output.
func TestGeneratedFilesUpToDate(t *testing.T) {
	for name, want := range generate() {
		got, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("kernels/%s is out of date: run go generate ./kernels/", name)
		}
	}
}
