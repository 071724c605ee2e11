package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/provost-dev/provost/inventory"
)

// Sentinel errors, matched with errors.Is. The errors that wrap them name the database file.
var (
	// ErrNotFound: no such snapshot or principal.
	ErrNotFound = errors.New("not found")
	// ErrExists: a snapshot with that ID is already stored.
	ErrExists = errors.New("already exists")
	// ErrLocked: another process (or another DB in this one) holds the file.
	ErrLocked = errors.New("locked")
	// ErrNewerSchema: the file was written by a newer Provost.
	ErrNewerSchema = errors.New("newer schema")
	// ErrCorrupt: the file is damaged or is not a Provost database.
	ErrCorrupt = errors.New("corrupt or not a provost database")
)

// schemaVersion is the layout this code reads and writes (see doc.go).
const schemaVersion = 1

// migrations[v] upgrades a store at schema v-1 to v inside the opening transaction; migrations[1]
// lays out a new, empty file. Add an entry (and bump schemaVersion) for each layout change.
var migrations = map[int]func(tx *bolt.Tx) error{
	1: func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketSnapshots, bucketSnapshotIDs, bucketBodies, bucketPrincipals, bucketStrings, bucketObjects} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	},
}

var (
	bucketMeta        = []byte("meta")          // "schema" → uint32 schema version
	bucketSnapshots   = []byte("snapshots")     // seq → JSON header (SnapshotMeta)
	bucketSnapshotIDs = []byte("snapshot_ids")  // snapshot ID → seq
	bucketBodies      = []byte("snapshot_body") // seq → object references (accounts, people, docs)
	bucketPrincipals  = []byte("principals")    // one sub-bucket per segment seq: principal ID → version
	bucketStrings     = []byte("strings")       // uint32 ID → interned string
	bucketObjects     = []byte("objects")       // sha256 of content → encoded object
	keySchema         = []byte("schema")
)

const (
	defaultTimeout = 2 * time.Second
	flockRetry     = 50 * time.Millisecond // bbolt's interval between lock attempts
	// allocSize is how much bbolt grows the file by beyond what a commit needs (bbolt's default
	// is 16 MiB). Zero: the file is exactly as large as its pages, at the cost of one
	// truncate+fsync per commit that grows it — nothing for a store written a few times a day.
	allocSize = 0
	// minMmapSize reserves address space up front: when a commit outgrows the mapping, bbolt
	// remaps and first copies every node of the transaction out of the old mapping, which for a
	// large snapshot costs more than writing it. Reserving is free on 64-bit systems.
	minMmapSize = 1 << 30
)

// pageSize is the page size of new files (existing files keep theirs): 8 KiB rather than the
// OS's 4 KiB because bbolt writes each page of a commit with its own pwrite, and the first
// snapshot of 100k principals fills some 6,500 4-KiB pages (its commit takes ~15% less time with
// 8 KiB, ~40% less with 16 KiB). Bigger pages cost each nightly segment more slack (its branch
// page and the rest of its last leaf): with 16 KiB, ~26 KB a night more than with 4 KiB, which
// for small estates outweighs their records.
var pageSize = 8 << 10

// Options configure Open.
type Options struct {
	Timeout  time.Duration // how long Open waits for the file lock; default 2s
	ReadOnly bool
	Logger   *slog.Logger // nil → discard
}

// DB is an open snapshot store. Its methods are safe for concurrent use: reads run in parallel,
// writes one at a time.
type DB struct {
	bolt     *bolt.DB
	path     string
	readOnly bool
	log      *slog.Logger

	modeChange modeChange // what Open did about loose permissions

	writeMu sync.Mutex                            // serializes writers around their bbolt transaction
	table   atomic.Pointer[inventory.StringTable] // interned strings known to be committed
}

// Open opens (creating if needed, mode 0600) the store at path. It fails with an error wrapping
// ErrLocked when another process holds the file past opts.Timeout, ErrCorrupt when the file is
// not a sound Provost database, and ErrNewerSchema when a newer Provost wrote it.
func Open(path string, opts Options) (*DB, error) {
	if opts.Timeout < 0 {
		return nil, fmt.Errorf("open %s: negative lock timeout %v", path, opts.Timeout)
	}
	if opts.Timeout == 0 {
		opts.Timeout = defaultTimeout
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "store", "path", path)

	mc, err := checkFile(path, opts.ReadOnly, opts.Timeout)
	switch {
	case errors.Is(err, errLockTimeout):
		return nil, fmt.Errorf("database %s is in use by another process (%w)", path, ErrLocked)
	case err != nil:
		return nil, err
	}
	switch {
	case mc.from == 0:
	case mc.err != nil:
		log.Warn("database file is accessible to others than its owner and its mode could not be tightened",
			"mode", mc.from, "want", mc.to, "err", mc.err)
	default:
		log.Warn("database file was accessible to others than its owner: mode tightened",
			"old_mode", mc.from, "mode", mc.to)
	}
	bdb, err := openBolt(path, opts)
	if err != nil {
		return nil, err
	}
	bdb.AllocSize = allocSize
	db := &DB{bolt: bdb, path: path, readOnly: opts.ReadOnly, log: log, modeChange: mc}
	db.table.Store(&inventory.StringTable{})
	if err := db.initSchema(); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	if err := db.view(func(tx *bolt.Tx) error {
		_, err := db.tableFor(tx)
		return err
	}); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	log.Debug("store opened", "read_only", opts.ReadOnly)
	return db, nil
}

// openBolt opens the bbolt file, turning bbolt's errors into ours and its panics on garbage into
// ErrCorrupt without leaking the file (and its lock).
func openBolt(path string, opts Options) (bdb *bolt.DB, err error) {
	var file *os.File
	defer func() {
		if r := recover(); r != nil {
			if file != nil {
				_ = file.Close()
			}
			bdb, err = nil, fmt.Errorf("open %s: %w: %v", path, ErrCorrupt, r)
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	mmapSize := minMmapSize
	if fi, err := os.Stat(path); err == nil && 2*fi.Size() > int64(mmapSize) {
		mmapSize = int(2 * fi.Size())
	}
	bdb, err = bolt.Open(path, 0o600, &bolt.Options{
		// bbolt gives up one 50ms retry interval before its timeout; ours is a minimum.
		Timeout:         opts.Timeout + flockRetry,
		ReadOnly:        opts.ReadOnly,
		FreelistType:    bolt.FreelistMapType,
		PageSize:        pageSize,
		InitialMmapSize: mmapSize,
		OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
			f, err := os.OpenFile(name, flag, perm)
			file = f
			return f, err
		},
	})
	switch {
	case err == nil:
		return bdb, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("database %s is in use by another process (%w)", path, ErrLocked)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
		return nil, fmt.Errorf("open %s: %w: %w", path, ErrCorrupt, err)
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return nil, fmt.Errorf("open %s: %w", path, err)
}

// initSchema checks the schema version and, when writable, lays out or migrates the file.
func (db *DB) initSchema() error {
	var version int
	var foreign bool
	err := db.view(func(tx *bolt.Tx) error {
		version, foreign = schemaOf(tx)
		return nil
	})
	if err != nil {
		return err
	}
	switch {
	case foreign:
		return fmt.Errorf("open %s: %w: a bbolt database of another program (no %q bucket)", db.path, ErrCorrupt, bucketMeta)
	case version > schemaVersion:
		return fmt.Errorf("database %s has schema version %d, newer than version %d that this provost reads: %w (upgrade provost)",
			db.path, version, schemaVersion, ErrNewerSchema)
	case version == schemaVersion:
		return nil
	case db.readOnly:
		return fmt.Errorf("database %s has schema version %d and needs upgrading to %d: open it once read-write", db.path, version, schemaVersion)
	}
	return db.update(func(tx *bolt.Tx) error {
		v, _ := schemaOf(tx)
		for v < schemaVersion {
			next := v + 1
			m, ok := migrations[next]
			if !ok {
				return fmt.Errorf("no migration from schema version %d to %d", v, next)
			}
			if err := m(tx); err != nil {
				return fmt.Errorf("migrate %s to schema version %d: %w", db.path, next, err)
			}
			v = next
		}
		return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint32(nil, uint32(v)))
	})
}

// schemaOf returns the stored schema version (0 for an empty file) and whether the file holds
// buckets of another program.
func schemaOf(tx *bolt.Tx) (version int, foreign bool) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		k, _ := tx.Cursor().First()
		return 0, k != nil
	}
	v := meta.Get(keySchema)
	if len(v) != 4 {
		return 0, false
	}
	return int(binary.BigEndian.Uint32(v)), false
}

// Close closes the database, waiting for running transactions to finish.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("close %s: %w", db.path, err)
	}
	db.log.Debug("store closed")
	return nil
}

// TightenedMode reports whether Open found the existing file accessible to others than its owner
// (permission bits beyond 0600, e.g. 0644 from an old version or a careless cp) and with which
// mode; ok is whether it then changed the mode to now (old & 0600). Open also logs a warning
// either way. A file Open created, or one already private, gives old == 0.
func (db *DB) TightenedMode() (old, now fs.FileMode, ok bool) {
	mc := db.modeChange
	if mc.from == 0 {
		return 0, 0, false
	}
	if mc.err != nil {
		return mc.from, mc.from, false
	}
	return mc.from, mc.to, true
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// view runs fn in a read transaction. bbolt can panic on a damaged file (and the mapped file can
// fault): both become ErrCorrupt naming the file.
func (db *DB) view(fn func(tx *bolt.Tx) error) (err error) {
	defer db.recoverCorrupt(&err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return db.bolt.View(fn)
}

// update runs fn in a write transaction, committed when fn returns nil.
func (db *DB) update(fn func(tx *bolt.Tx) error) (err error) {
	if db.readOnly {
		return fmt.Errorf("database %s is open read-only", db.path)
	}
	defer db.recoverCorrupt(&err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return db.bolt.Update(fn)
}

func (db *DB) recoverCorrupt(err *error) {
	r := recover()
	if r == nil {
		return
	}
	if up, ok := r.(userPanic); ok {
		panic(up.v)
	}
	*err = fmt.Errorf("database %s: %w: %v", db.path, ErrCorrupt, r)
}

// userPanic carries a panic of a caller's callback through our recovery unchanged.
type userPanic struct{ v any }

// callUser calls fn, re-panicking its panics as userPanic so that they are not mistaken for a
// damaged file.
func callUser(fn func() error) error {
	defer func() {
		if r := recover(); r != nil {
			panic(userPanic{r})
		}
	}()
	return fn()
}

// corruptf returns an error wrapping ErrCorrupt that names the file.
func (db *DB) corruptf(format string, args ...any) error {
	return fmt.Errorf("database %s: %w: %s", db.path, ErrCorrupt, fmt.Sprintf(format, args...))
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// checkCtx returns ctx's error, if any, wrapped.
func checkCtx(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
