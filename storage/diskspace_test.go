package storage

import (
	"io"
	"os"
	"syscall"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// TestDiskFull fills the disk (as an in-memory file system reports it):
// a transaction that starts writing fails with 53100, reads go on, what
// was committed stays, and writes work again once space is freed.
func TestDiskFull(t *testing.T) {
	fs := vfs.NewMem()
	fs.TestingSetDiskUsage(vfs.DiskUsage{AvailBytes: 1 << 30, TotalBytes: 2 << 30})
	db, err := Open(Options{Dir: "data", Logger: zerolog.Nop(), fs: fs, DiskReserve: 64 << 20})
	must(t, err)
	defer db.Close()
	f := newFixture(t, db)
	tx := db.Begin()
	_, err = tx.Insert(bg, f.tbl, item(1, "before"))
	must(t, err)
	must(t, tx.Commit())

	fs.TestingSetDiskUsage(vfs.DiskUsage{AvailBytes: 10 << 20, TotalBytes: 2 << 30})
	tx = db.Begin()
	_, err = tx.Insert(bg, f.tbl, item(2, "full"))
	pe := wantCode(t, err, pgerr.DiskFull)
	if pe.Message != "could not write to the data directory: only 10 MB of disk space left" || pe.Hint == "" {
		t.Errorf("disk full error: %q (hint %q)", pe.Message, pe.Hint)
	}
	tx.Rollback()
	reader := db.Begin()
	if rows := scanAll(t, reader, f.tbl); len(rows) != 1 {
		t.Errorf("reads on a full disk: %d rows, want the committed 1", len(rows))
	}
	reader.Rollback()

	fs.TestingSetDiskUsage(vfs.DiskUsage{AvailBytes: 1 << 30, TotalBytes: 2 << 30})
	tx = db.Begin()
	_, err = tx.Insert(bg, f.tbl, item(2, "freed"))
	must(t, err)
	must(t, tx.Commit())
}

// readOnlyFS is a file system that refuses every change, as a read-only
// mount does.
type readOnlyFS struct{ vfs.FS }

func (readOnlyFS) refuse(op, name string) error {
	return &os.PathError{Op: op, Path: name, Err: syscall.EROFS}
}
func (f readOnlyFS) Create(name string, _ vfs.DiskWriteCategory) (vfs.File, error) {
	return nil, f.refuse("create", name)
}
func (f readOnlyFS) OpenReadWrite(name string, _ vfs.DiskWriteCategory, _ ...vfs.OpenOption) (vfs.File, error) {
	return nil, f.refuse("open", name)
}
func (f readOnlyFS) Link(_, newname string) error   { return f.refuse("link", newname) }
func (f readOnlyFS) Remove(name string) error       { return f.refuse("remove", name) }
func (f readOnlyFS) RemoveAll(name string) error    { return f.refuse("remove", name) }
func (f readOnlyFS) Rename(_, newname string) error { return f.refuse("rename", newname) }
func (f readOnlyFS) ReuseForWrite(_, newname string, _ vfs.DiskWriteCategory) (vfs.File, error) {
	return nil, f.refuse("rename", newname)
}
func (f readOnlyFS) MkdirAll(dir string, _ os.FileMode) error { return f.refuse("mkdir", dir) }
func (f readOnlyFS) Lock(name string) (io.Closer, error)      { return nil, f.refuse("lock", name) }

// TestReadOnlyDataDirectory opens a data directory that cannot be
// written: it is served read-only, reads work, and a transaction that
// starts writing fails with 25006.
func TestReadOnlyDataDirectory(t *testing.T) {
	mem := vfs.NewMem()
	db, err := Open(Options{Dir: "data", Logger: zerolog.Nop(), fs: mem})
	must(t, err)
	f := newFixture(t, db)
	tx := db.Begin()
	for i := range int64(3) {
		_, err = tx.Insert(bg, f.tbl, item(i, "kept"))
		must(t, err)
	}
	must(t, tx.Commit())
	must(t, db.Close())

	db, err = Open(Options{Dir: "data", Logger: zerolog.Nop(), fs: readOnlyFS{mem}})
	must(t, err)
	defer db.Close()
	if !db.ReadOnly() {
		t.Fatal("a directory that cannot be written was not opened read-only")
	}
	tbl, _ := db.Catalog().Table(f.tbl.OID)
	reader := db.Begin()
	if rows := scanAll(t, reader, tbl); len(rows) != 3 {
		t.Errorf("reads of a read-only directory: %d rows, want 3", len(rows))
	}
	reader.Rollback()
	tx = db.Begin()
	_, err = tx.Insert(bg, tbl, item(9, "refused"))
	pe := wantCode(t, err, pgerr.ReadOnlySQLTransaction)
	if pe.Hint == "" {
		t.Errorf("no hint: %v", pe)
	}
	tx.Rollback()
}
