package storage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// TestCorruptedDataFileAtOpen damages a byte in the middle of the largest
// table file of a closed data directory: Open refuses it with XX001,
// naming the directory and the damage.
func TestCorruptedDataFileAtOpen(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	f := newFixture(t, db)
	tx := db.Begin()
	for i := range int64(2000) {
		_, err := tx.Insert(bg, f.tbl, item(i, strings.Repeat("row", 20)))
		must(t, err)
	}
	must(t, tx.Commit())
	must(t, db.pebble.Flush())
	must(t, db.Close())

	ssts, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
	var largest string
	var size int64
	for _, p := range ssts {
		if fi, err := os.Stat(p); err == nil && fi.Size() > size {
			largest, size = p, fi.Size()
		}
	}
	if largest == "" {
		t.Fatal("no table file was written")
	}
	data, err := os.ReadFile(largest)
	must(t, err)
	for i := size / 3; i < size/3+16; i++ {
		data[i] ^= 0x5a
	}
	must(t, os.WriteFile(largest, data, 0o600))

	_, err = Open(Options{Dir: dir, Logger: zerolog.Nop()})
	pe := wantCode(t, err, pgerr.DataCorrupted)
	t.Logf("%s", pe.Message)
	if !strings.Contains(pe.Message, "is corrupted") || !strings.Contains(pe.Message, dir) || pe.Hint == "" {
		t.Errorf("error %q (hint %q) does not say which directory is corrupted", pe.Message, pe.Hint)
	}
}
