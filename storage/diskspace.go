package storage

import (
	"errors"
	"io"
	"syscall"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// Full disks and read-only data directories.
//
// Pebble cannot recover from a failed write to its write-ahead log: it
// stops the process, as PostgreSQL PANICs when it cannot write WAL. So
// vecgres refuses to start writing before the disk is full: a transaction
// that is about to write (LockForWrite) first looks at the space left on
// the data directory's file system, and below Options.DiskReserve
// (DefaultDiskReserve) fails with 53100 disk_full. Reads go on; once
// space is freed, writes work again. What is committed is never at risk:
// should the disk fill all the same (another process filling it between
// two checks), Pebble stops the server and a restart recovers every
// acknowledged commit from the log.
//
// A data directory that cannot be written (a read-only mount, or
// permissions) is opened read-only when Pebble cannot open it for
// writing: queries work, and every transaction that tries to write fails
// with 25006, as on a PostgreSQL standby.

// DefaultDiskReserve is the free space below which writes are refused
// when Options.DiskReserve is 0: room for the write-ahead log of the
// transactions in progress and for compactions to finish.
const DefaultDiskReserve = 256 << 20

// diskGuard decides whether a transaction may start writing.
type diskGuard struct {
	fs       vfs.FS
	dir      string
	reserve  int64 // bytes; < 0: no check
	readOnly bool
}

// check fails when the data directory is read-only or its disk is
// (nearly) full.
func (g *diskGuard) check() error {
	if g.readOnly {
		return pgerr.New(pgerr.ReadOnlySQLTransaction, "cannot write: the data directory %q is read-only", g.dir).
			WithHint("vecgres opened it read-only because it could not write to it; make it writable and restart to write.")
	}
	if g.reserve < 0 || g.fs == nil {
		return nil
	}
	u, err := g.fs.GetDiskUsage(g.dir)
	if err != nil {
		return nil // unknown (an in-memory store): nothing to check
	}
	if int64(u.AvailBytes) >= g.reserve {
		return nil
	}
	return pgerr.New(pgerr.DiskFull, "could not write to the data directory: only %d MB of disk space left", u.AvailBytes>>20).
		WithDetail("vecgres refuses writes while less than %d MB is free, so that what is committed stays safe; reads go on.", g.reserve>>20).
		WithHint("Free disk space, or move the data directory to a larger disk.")
}

// cannotWrite reports whether err from opening the store says that the
// directory cannot be written.
func cannotWrite(err error) bool {
	return errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM)
}

// readOnlyLockFS is the file system of a directory opened read-only: a
// lock file that cannot be made there is done without (nothing can write
// to the directory anyway).
type readOnlyLockFS struct{ vfs.FS }

func (f readOnlyLockFS) Lock(name string) (io.Closer, error) {
	c, err := f.FS.Lock(name)
	if err != nil && cannotWrite(err) {
		return io.NopCloser(nil), nil
	}
	return c, err
}

// ReadOnly reports whether the data directory was opened read-only.
func (db *DB) ReadOnly() bool { return db.space.readOnly }
