package storage

import (
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// Corruption.
//
// Every block Pebble reads is checked against its checksum, so corrupted
// data is never returned: a read that meets it fails with XX001
// data_corrupted (ioError). To find a damaged data file when the server
// starts rather than when a query happens to read it, Open reads every
// key of a data directory of up to VerifyAtOpenLimit bytes and refuses to
// open one that is corrupted, naming the damage. Reading costs about a
// second for 100-300MB on a small machine, and start-up must stay within
// seconds (issue 4: a 150,000-vector index in under 3 s), so a directory
// of up to VerifyInBackgroundLimit bytes is read after Open returns, by a
// goroutine that logs an ERROR naming the damage (and Close waits for
// it). Larger directories are checked as they are read.

// VerifyAtOpenLimit is the largest data directory (bytes on disk) whose
// every block Open verifies before it returns.
const VerifyAtOpenLimit = 64 << 20

// VerifyInBackgroundLimit is the largest data directory whose every block
// is verified after Open, in the background.
const VerifyInBackgroundLimit = 2 << 30

// verify reads every key of the store when it is small enough, and
// fails with XX001 if a block is corrupted; a larger store is read in the
// background.
func (db *DB) verify(dir string) error {
	size := db.pebble.Metrics().DiskSpaceUsage()
	if size > VerifyInBackgroundLimit {
		db.log.Info().Uint64("bytes", size).Msg("data directory too large to verify at start-up: its blocks are verified as they are read")
		return nil
	}
	if size > VerifyAtOpenLimit {
		db.verifyLater = func() {
			db.verifying.Add(1)
			go func() {
				defer db.verifying.Done()
				start := time.Now()
				if err := db.pebble.CheckLevels(nil); err != nil {
					db.log.Error().Err(corruptedDirectory(dir, err)).Msg("data directory verification failed: reads of the damaged data fail with XX001")
					return
				}
				db.log.Info().Uint64("bytes", size).Dur("took", time.Since(start)).Msg("data directory verified")
			}()
		}
		return nil
	}
	start := time.Now()
	if err := db.pebble.CheckLevels(nil); err != nil {
		return corruptedDirectory(dir, err)
	}
	db.log.Debug().Uint64("bytes", size).Dur("took", time.Since(start)).Msg("data directory verified")
	return nil
}

// VerifyInBackground starts the background check of a data directory too
// large to check in Open (see verify), if there is one to do: the caller
// starts it once its own start-up work (loading indexes) is done, so that
// the two do not compete for the cores.
func (db *DB) VerifyInBackground() {
	if f := db.verifyLater; f != nil && !db.closed.Load() {
		db.verifyLater = nil
		f()
	}
}

// corruptedDirectory is the error of a data directory found corrupted at
// open.
func corruptedDirectory(dir string, err error) *pgerr.Error {
	return pgerr.New(pgerr.DataCorrupted, "data directory %q is corrupted: %v", dir, err).
		WithHint("A data file was damaged outside vecgres (disk, file system or a copy). Restore the data directory from a backup.")
}

// isCorruption reports whether err is Pebble's report of corrupted data.
func isCorruption(err error) bool { return pebble.IsCorruptionError(err) }

// corruptionListener reports corrupted data files in the log. Pebble's
// default stops the process; vecgres lets the read that met the damage
// fail with XX001 instead, so that the rest of the data stays readable
// and Open can say what it found.
func corruptionListener(log zerolog.Logger) *pebble.EventListener {
	return &pebble.EventListener{DataCorruption: func(info pebble.DataCorruptionInfo) {
		log.Error().Str("file", info.Path).Err(info.Details).Msg("corrupted data file")
	}}
}
