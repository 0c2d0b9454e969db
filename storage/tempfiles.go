package storage

import (
	"os"
	"path/filepath"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Temporary files.
//
// Operators that outgrow work_mem (exec's sorts) write what they spill to
// temporary files in <data directory>/pgsql_tmp, as PostgreSQL does in
// base/pgsql_tmp, so that they land on the disk that was sized for the
// data rather than on a small /tmp. Open empties the directory: files
// there are never needed after the process that made them (exec unlinks
// its own at once, so normally there are none).

// tempDirName is the temporary directory's name inside the data
// directory.
const tempDirName = "pgsql_tmp"

// prepareTempDir makes an empty temporary directory in dataDir.
func prepareTempDir(dataDir string) (string, error) {
	dir := filepath.Join(dataDir, tempDirName)
	if err := os.RemoveAll(dir); err != nil {
		return "", pgerr.New(pgerr.IOError, "could not remove temporary directory %q: %v", dir, err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", pgerr.New(pgerr.IOError, "could not create temporary directory %q: %v", dir, err)
	}
	return dir, nil
}

// TempDir is the directory for temporary files: pgsql_tmp in the data
// directory, or "" (the system's temporary directory) for a store that
// is not on the operating system's file system.
func (db *DB) TempDir() string { return db.tempDir }

// TempDir is the DB's TempDir.
func (t *Txn) TempDir() string { return t.db.tempDir }

// AppendRow appends row in storage's row encoding (see rowenc.go), which
// DecodeRow reads back exactly: self-describing, so that it needs no
// types, and able to hold every value a row may carry. Operators use it
// for what they spill to temporary files.
func AppendRow(dst []byte, row []types.Datum) ([]byte, error) { return appendRow(dst, row) }
