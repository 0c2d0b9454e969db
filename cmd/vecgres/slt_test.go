package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/vecgres/vecgres/slt"
)

// TestSLT runs every testdata/*.slt file over the wire against a vecgres
// of its own, one subtest per file, reporting each failing record with
// its file and line.
func TestSLT(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "*.slt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*.slt files")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			in := startTestInstance(t)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			res, err := slt.RunFile(ctx, in.URL(), file, slt.Options{})
			for _, f := range res.Failures {
				t.Error(f.String())
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Log(res.Summary())
		})
	}
}
