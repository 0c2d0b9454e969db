package storage

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTempDirEmptiedAtOpen leaves a file in the temporary directory, as a
// process killed in the middle of a sort might, and checks that opening
// the data directory removes it.
func TestTempDirEmptiedAtOpen(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	if want := filepath.Join(dir, tempDirName); db.TempDir() != want {
		t.Fatalf("TempDir = %q, want %q", db.TempDir(), want)
	}
	must(t, db.Close())
	left := filepath.Join(dir, tempDirName, "sort-1.tmp")
	must(t, os.WriteFile(left, []byte("spilled rows"), 0o600))
	db = openDir(t, dir)
	defer db.Close()
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("a temporary file survived Open: %v", err)
	}
	if fi, err := os.Stat(db.TempDir()); err != nil || !fi.IsDir() {
		t.Errorf("temporary directory after Open: %v", err)
	}
}
