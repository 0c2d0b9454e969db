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
// key of a data directory of up to VerifyAtOpenLimit bytes (about a
// second a gigabyte) and refuses to open one that is corrupted, naming
// the damage. Larger directories are checked as they are read.

// VerifyAtOpenLimit is the largest data directory (bytes on disk) whose
// every block Open verifies.
const VerifyAtOpenLimit = 2 << 30

// verify reads every key of the store when it is small enough, and
// fails with XX001 if a block is corrupted.
func (db *DB) verify(dir string) error {
	size := db.pebble.Metrics().DiskSpaceUsage()
	if size > VerifyAtOpenLimit {
		db.log.Info().Uint64("bytes", size).Msg("data directory too large to verify at start-up: its blocks are verified as they are read")
		return nil
	}
	start := time.Now()
	if err := db.pebble.CheckLevels(nil); err != nil {
		return corruptedDirectory(dir, err)
	}
	db.log.Debug().Uint64("bytes", size).Dur("took", time.Since(start)).Msg("data directory verified")
	return nil
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
