package storage

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Options configures Open.
type Options struct {
	// Dir is the data directory; it is created if missing.
	Dir string
	// Logger receives storage's own log lines and Pebble's.
	Logger zerolog.Logger
	// InMemory uses Pebble's in-memory file system (for tests); Dir is
	// ignored and nothing survives Close.
	InMemory bool
	// FormatKey renders a key value in error details such as
	// `Key (id)=(1) already exists.`. The server sets it to the text output
	// function of sql/types; nil means fmt.Sprint.
	FormatKey func(t types.T, d types.Datum) string
	// CacheSize is the size in bytes of the block cache shared by all reads
	// (like PostgreSQL's shared_buffers); 0 means DefaultCacheSize.
	CacheSize int64
	// DiskReserve is the free disk space below which transactions may not
	// start writing (53100); 0 means DefaultDiskReserve, < 0 no check
	// (diskspace.go).
	DiskReserve int64

	// fs, when set (by tests), is the file system to use, with Dir in it:
	// crash tests use a crashable in-memory one.
	fs vfs.FS
}

// DefaultCacheSize is the block cache size when Options.CacheSize is 0.
const DefaultCacheSize = 128 << 20

// DB is an open data directory. All methods are safe for concurrent use;
// a Txn is not (one goroutine, one session, at a time).
type DB struct {
	pebble    *pebble.DB
	log       zerolog.Logger
	formatKey func(types.T, types.Datum) string

	// cat is the latest committed catalog.
	cat atomic.Pointer[Catalog]

	// writeLock is the DB-wide writer lock: a channel semaphore, so that
	// waiting for it can be cancelled.
	writeLock chan struct{}

	// The fields below are only read or written by the holder of writeLock.
	nextOID   types.OID
	nextRowID map[types.OID]RowID // per table; absent = recover from the highest key

	// rowCounts holds each table's committed row count (types.OID -> int64),
	// written by committing writers, read by anyone.
	rowCounts sync.Map
	// versions holds each table's version (types.OID -> uint64): the
	// commit version of the last transaction that wrote its rows (see
	// Txn.TableVersion); commitVersion is the latest commit version.
	versions      sync.Map
	commitVersion atomic.Uint64
	// pendingVersion is the version of the commit under way (set before
	// its batch becomes visible), or commitVersion when none is.
	pendingVersion atomic.Uint64
	// stmtReaders counts the statement snapshots in use by version
	// (readers.go).
	stmtReaders statementReaders
	// sharedSnap is the snapshot statements starting at its commit
	// version share (snapshots.go), or nil.
	sharedSnap atomic.Pointer[pebbleSnapshot]
	// verifyLater starts the background check of the data directory
	// (verify.go); verifying counts it running, which Close waits for.
	verifyLater func()
	verifying   sync.WaitGroup

	// seqMu guards the map seqs (not the states, which have their own locks).
	seqMu sync.RWMutex
	seqs  map[types.OID]*seqState

	closed atomic.Bool

	// tempDir is where operators spill (tempfiles.go).
	tempDir string
	// space refuses writes on a full disk or a read-only directory
	// (diskspace.go).
	space diskGuard
}

// descriptor is the JSON value stored under a catalog key.
type descriptor struct {
	Schema   *Schema   `json:"schema,omitempty"`
	Table    *Table    `json:"table,omitempty"`
	Index    *Index    `json:"index,omitempty"`
	Sequence *Sequence `json:"sequence,omitempty"`
	Role     *Role     `json:"role,omitempty"`
}

// Open opens the data directory (creating it, and a fresh catalog, when it
// is new), loads the catalog and the sequences' states.
func Open(opts Options) (*DB, error) {
	start := time.Now()
	cacheSize := opts.CacheSize
	if cacheSize <= 0 {
		cacheSize = DefaultCacheSize
	}
	cache := pebble.NewCache(cacheSize)
	defer cache.Unref() // the store holds its own reference
	popts := &pebble.Options{
		Logger:             pebbleLogger{opts.Logger},
		FormatMajorVersion: pebble.FormatNewest,
		Cache:              cache,
		EventListener:      corruptionListener(opts.Logger),
	}
	// Rows with vectors are large (a 128-d vector is 512 bytes): 32 KiB
	// blocks cost one cache lookup per ~60 rows of a scan instead of ~8.
	// Bloom filters let unique checks and row reads skip tables that do
	// not hold the key. Other levels inherit these.
	popts.Levels[0].BlockSize = 32 << 10
	popts.Levels[0].FilterPolicy = bloom.FilterPolicy(10)
	dir := opts.Dir
	switch {
	case opts.fs != nil:
		popts.FS = opts.fs
	case opts.InMemory:
		popts.FS = vfs.NewMem()
		dir = ""
	default:
		if dir == "" {
			return nil, pgerr.New(pgerr.ConfigFileError, "storage: no data directory given")
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, pgerr.New(pgerr.IOError, "could not create data directory %q: %v", dir, err)
		}
	}
	pdb, err := pebble.Open(dir, popts)
	if err != nil && cannotWrite(err) {
		// A directory that cannot be written is served read-only.
		opts.Logger.Warn().Err(err).Str("dir", dir).Msg("the data directory cannot be written: opening it read-only; writes will fail with 25006")
		popts.ReadOnly = true
		fs := popts.FS
		if fs == nil {
			fs = vfs.Default
		}
		popts.FS = readOnlyLockFS{fs}
		pdb, err = pebble.Open(dir, popts)
	}
	if err != nil {
		return nil, pgerr.New(pgerr.IOError, "could not open data directory %q: %v", dir, err)
	}
	reserve := opts.DiskReserve
	if reserve == 0 {
		reserve = DefaultDiskReserve
	}
	space := diskGuard{fs: popts.FS, dir: dir, reserve: reserve, readOnly: popts.ReadOnly}
	if space.fs == nil {
		space.fs = vfs.Default
	}
	var tempDir string
	if popts.FS == nil && !popts.ReadOnly {
		if tempDir, err = prepareTempDir(dir); err != nil {
			_ = pdb.Close()
			return nil, err
		}
	}
	db := &DB{
		pebble:    pdb,
		log:       opts.Logger,
		formatKey: opts.FormatKey,
		writeLock: make(chan struct{}, 1),
		nextRowID: map[types.OID]RowID{},
		seqs:      map[types.OID]*seqState{},
		tempDir:   tempDir,
		space:     space,
	}
	if db.formatKey == nil {
		db.formatKey = func(_ types.T, d types.Datum) string { return fmt.Sprint(d) }
	}
	if err := db.load(); err != nil {
		_ = pdb.Close()
		if isCorruption(err) {
			return nil, corruptedDirectory(dir, err)
		}
		return nil, err
	}
	if err := db.verify(dir); err != nil {
		_ = pdb.Close()
		return nil, err
	}
	cat := db.Catalog()
	db.log.Info().
		Str("dir", opts.Dir).
		Bool("in_memory", opts.InMemory).
		Int("tables", len(cat.tables)).
		Int("indexes", len(cat.indexes)).
		Int("sequences", len(cat.sequences)).
		Dur("took", time.Since(start)).
		Msg("storage opened")
	return db, nil
}

// load reads the meta keys, the catalog and the sequences; on a new data
// directory it writes the initial catalog first.
func (db *DB) load() error {
	v, err := db.getUint(metaFormatKey)
	if err != nil {
		return err
	}
	if v == 0 {
		if err := db.bootstrap(); err != nil {
			return err
		}
	} else if v != formatVersion {
		return pgerr.New(pgerr.DataCorrupted, "storage: data directory has format %d, this build reads format %d", v, formatVersion)
	}
	next, err := db.getUint(metaNextOIDKey)
	if err != nil {
		return err
	}
	db.nextOID = max(types.OID(next), types.FirstUserOID)
	version, err := db.getUint(metaCatalogVers)
	if err != nil {
		return err
	}

	cat := &Catalog{
		Version:   version,
		schemas:   map[string]*Schema{},
		tables:    map[types.OID]*Table{},
		indexes:   map[types.OID]*Index{},
		sequences: map[types.OID]*Sequence{},
		names:     map[string]types.OID{},
	}
	err = db.scanPrefix([]byte{spaceCatalog}, func(k, v []byte) error {
		var d descriptor
		if err := json.Unmarshal(v, &d); err != nil {
			return pgerr.New(pgerr.DataCorrupted, "storage: bad catalog descriptor %x: %v", k, err)
		}
		switch {
		case d.Schema != nil:
			cat.putSchema(d.Schema)
		case d.Table != nil:
			cat.putTable(d.Table)
		case d.Index != nil:
			cat.putIndex(d.Index)
		case d.Sequence != nil:
			cat.putSequence(d.Sequence)
		case d.Role != nil:
			cat.putRole(d.Role)
		default:
			return pgerr.New(pgerr.DataCorrupted, "storage: empty catalog descriptor %x", k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	db.cat.Store(cat)

	err = db.scanPrefix(metaRowCounts, func(k, v []byte) error {
		if len(k) != len(metaRowCounts)+4 || (len(v) != 8 && len(v) != 16) {
			return pgerr.New(pgerr.DataCorrupted, "storage: bad row count %x", k)
		}
		oid := types.OID(binary.BigEndian.Uint32(k[len(metaRowCounts):]))
		db.rowCounts.Store(oid, int64(binary.BigEndian.Uint64(v)))
		if v := countVersion(v); v != 0 {
			db.versions.Store(oid, v)
			if v > db.commitVersion.Load() {
				db.commitVersion.Store(v)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	db.pendingVersion.Store(db.commitVersion.Load())

	var orphans [][]byte
	err = db.scanPrefix([]byte{spaceSequences}, func(k, v []byte) error {
		if len(k) != 5 {
			return pgerr.New(pgerr.DataCorrupted, "storage: bad sequence key %x", k)
		}
		oid := types.OID(binary.BigEndian.Uint32(k[1:]))
		if _, ok := cat.sequences[oid]; !ok {
			// nextval raced with the DROP that removed it; harmless.
			orphans = append(orphans, append([]byte(nil), k...))
			return nil
		}
		st, err := decodeSeqRecord(v)
		if err != nil {
			return err
		}
		db.seqs[oid] = st
		return nil
	})
	if err != nil {
		return err
	}
	for oid, s := range cat.sequences {
		if db.seqs[oid] == nil {
			// Created before this format stored states eagerly: start fresh.
			db.seqs[oid] = &seqState{last: s.Start}
		}
	}
	if len(orphans) > 0 {
		b := db.pebble.NewBatch()
		for _, k := range orphans {
			_ = b.Delete(k, nil)
		}
		if err := b.Commit(pebble.Sync); err != nil {
			return ioError("remove orphaned sequence state", err)
		}
	}
	return nil
}

// bootstrap writes the meta keys and the built-in schemas of a new data
// directory, in one synced batch.
func (db *DB) bootstrap() error {
	b := db.pebble.NewBatch()
	defer b.Close()
	for _, s := range NewCatalog().Schemas() {
		v, err := json.Marshal(descriptor{Schema: s})
		if err != nil {
			return err
		}
		_ = b.Set(catalogKey(s.OID), v, nil)
	}
	_ = b.Set(metaNextOIDKey, binary.BigEndian.AppendUint64(nil, uint64(types.FirstUserOID)), nil)
	_ = b.Set(metaCatalogVers, binary.BigEndian.AppendUint64(nil, 0), nil)
	_ = b.Set(metaFormatKey, binary.BigEndian.AppendUint64(nil, formatVersion), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		return ioError("initialise data directory", err)
	}
	db.log.Info().Msg("storage: initialised a new data directory")
	return nil
}

// getUint reads a meta key holding a big-endian uint64; 0 when absent.
func (db *DB) getUint(key []byte) (uint64, error) {
	v, closer, err := db.pebble.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, ioError("read", err)
	}
	defer closer.Close()
	if len(v) != 8 {
		return 0, pgerr.New(pgerr.DataCorrupted, "storage: bad meta value under %x", key)
	}
	return binary.BigEndian.Uint64(v), nil
}

func (db *DB) scanPrefix(prefix []byte, fn func(k, v []byte) error) error {
	it, err := db.pebble.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixEnd(prefix)})
	if err != nil {
		return ioError("read", err)
	}
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			it.Close()
			return ioError("read", err)
		}
		if err := fn(it.Key(), v); err != nil {
			it.Close()
			return err
		}
	}
	if err := it.Close(); err != nil {
		return ioError("read", err)
	}
	return nil
}

// Catalog returns the latest committed catalog. It never blocks.
func (db *DB) Catalog() *Catalog { return db.cat.Load() }

// Close writes the sequences' exact positions (so a clean restart leaves
// no gaps) and closes the store. Every Txn must have ended before.
func (db *DB) Close() error {
	if db.closed.Swap(true) {
		return nil
	}
	db.verifying.Wait()
	db.releaseSharedSnapshot()
	if db.space.readOnly {
		if err := db.pebble.Close(); err != nil {
			return ioError("close data directory", err)
		}
		return nil
	}
	b := db.pebble.NewBatch()
	db.seqMu.RLock()
	for oid, st := range db.seqs {
		st.mu.Lock()
		if !st.dropped {
			_ = b.Set(sequenceKey(oid), st.record(st.last, st.called), nil)
		}
		st.mu.Unlock()
	}
	db.seqMu.RUnlock()
	err := b.Commit(pebble.Sync)
	_ = b.Close()
	if cerr := db.pebble.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return ioError("close data directory", err)
	}
	db.log.Info().Msg("storage closed")
	return nil
}

// ioError wraps an error from Pebble for a client.
func ioError(what string, err error) error {
	var pe *pgerr.Error
	if errors.As(err, &pe) {
		return pe
	}
	if errors.Is(err, pebble.ErrClosed) {
		return pgerr.New(pgerr.AdminShutdown, "terminating connection due to administrator command")
	}
	if isCorruption(err) {
		return pgerr.New(pgerr.DataCorrupted, "storage: could not %s: a data file is corrupted: %v", what, err)
	}
	return pgerr.New(pgerr.IOError, "storage: could not %s: %v", what, err)
}

// pebbleLogger sends Pebble's log lines to zerolog.
type pebbleLogger struct{ log zerolog.Logger }

func (l pebbleLogger) Infof(format string, args ...any) {
	l.log.Debug().Str("component", "pebble").Msgf(format, args...)
}

func (l pebbleLogger) Errorf(format string, args ...any) {
	l.log.Error().Str("component", "pebble").Msgf(format, args...)
}

func (l pebbleLogger) Fatalf(format string, args ...any) {
	l.log.Fatal().Str("component", "pebble").Msgf(format, args...)
}

// RelationSize estimates the bytes a relation's data takes on disk: the
// rows of a table, the entries of a btree index, or the records of an
// index kept by an index package (hnsw). Data still only in the write-
// ahead log and memtable is not counted, so a relation written moments
// ago may read 0.
func (db *DB) RelationSize(oid types.OID) (int64, error) {
	var prefix []byte
	switch db.Catalog().KindOf(oid) {
	case KindTable:
		prefix = tablePrefix(oid)
	case KindIndex:
		idx, _ := db.Catalog().Index(oid)
		if isBtree(idx) {
			prefix = btreePrefix(oid)
		} else {
			prefix = indexDataPrefix(oid)
		}
	default:
		return 0, nil
	}
	n, err := db.pebble.EstimateDiskUsage(prefix, prefixEnd(prefix))
	if err != nil {
		return 0, ioError("read", err)
	}
	return int64(n), nil
}
