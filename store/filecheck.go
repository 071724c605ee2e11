package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"time"
)

// bbolt's on-disk header, checked before bbolt maps the file: bbolt trusts it and can panic or
// fault on garbage, sometimes in goroutines we cannot recover.
const (
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	pageHeaderSize   = 16
	metaSize         = 64 // magic … checksum, after the page header
	branchPageFlag   = 0x01
	leafPageFlag     = 0x02
	freelistPageFlag = 0x10
	noFreelist       = ^uint64(0)
	minPageSize      = 1 << 10
	maxPageSize      = 1 << 16
)

type boltMeta struct {
	magic, version, pageSize   uint32
	root, freelist, pgid, txid uint64
}

func parseMeta(b []byte) (boltMeta, error) {
	if len(b) < pageHeaderSize+metaSize {
		return boltMeta{}, errors.New("short meta page")
	}
	m := b[pageHeaderSize : pageHeaderSize+metaSize]
	le := binary.LittleEndian
	meta := boltMeta{
		magic:    le.Uint32(m[0:]),
		version:  le.Uint32(m[4:]),
		pageSize: le.Uint32(m[8:]),
		root:     le.Uint64(m[16:]),
		freelist: le.Uint64(m[32:]),
		pgid:     le.Uint64(m[40:]),
		txid:     le.Uint64(m[48:]),
	}
	switch {
	case meta.magic != boltMagic:
		return meta, errors.New("not a bbolt file (bad magic)")
	case meta.version != boltVersion:
		return meta, fmt.Errorf("unsupported bbolt format version %d", meta.version)
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if h.Sum64() != le.Uint64(m[56:]) {
		return meta, errors.New("meta page checksum mismatch")
	}
	return meta, nil
}

// errLockTimeout: another process holds the file's lock.
var errLockTimeout = errors.New("lock timeout")

// modeChange is what checkFile did about a file others could read, write or execute.
type modeChange struct {
	from, to fs.FileMode // permission bits before and after (from == 0: nothing to do)
	err      error       // why the chmod failed, if it did (the mode is then still from)
}

// checkFile validates the header of an existing database file: meta pages, their page size,
// that the file is as long as they say, and the root and freelist page headers. It holds the
// file's lock meanwhile, so that a writer in another process cannot recycle the pages it reads
// (it returns errLockTimeout if it cannot get it within timeout). A missing file is fine unless
// readOnly (bbolt creates it).
//
// A file with permission bits beyond 0600 (from an old version, a careless cp, a loose umask)
// has them cleared, also when opened read-only: the file holds who can get into what. A failed
// chmod is reported in the modeChange, not as an error.
func checkFile(path string, readOnly bool, timeout time.Duration) (modeChange, error) {
	var mc modeChange
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) && !readOnly {
		return mc, nil
	}
	if err != nil {
		return mc, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	if err := lockFile(f, !readOnly, timeout); err != nil {
		return mc, fmt.Errorf("lock %s: %w", path, err)
	}
	info, err := f.Stat()
	if err != nil {
		return mc, fmt.Errorf("open %s: %w", path, err)
	}
	if info.IsDir() {
		return mc, fmt.Errorf("open %s: is a directory", path)
	}
	if perm := info.Mode().Perm(); perm&^0o600 != 0 {
		mc = modeChange{from: perm, to: perm & 0o600}
		if err := f.Chmod(mc.to); err != nil {
			mc.err = err
		}
	}
	err = checkHeader(f, path, info.Size(), readOnly)
	return mc, err
}

// checkHeader is checkFile's check of the bbolt header of f, size bytes long.
func checkHeader(f *os.File, path string, size int64, readOnly bool) error {
	if size == 0 && !readOnly {
		return nil // bbolt initializes an empty file
	}
	corrupt := func(format string, args ...any) error {
		return fmt.Errorf("open %s: %w: %s", path, ErrCorrupt, fmt.Sprintf(format, args...))
	}
	if size < 2*minPageSize {
		return corrupt("%d bytes is too short for a database", size)
	}
	readAt := func(off int64, n int) ([]byte, error) {
		b := make([]byte, n)
		if off < 0 || off+int64(n) > size {
			return nil, fmt.Errorf("offset %d is beyond the end of the %d-byte file", off, size)
		}
		if _, err := f.ReadAt(b, off); err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		return b, nil
	}

	b0, err := readAt(0, pageHeaderSize+metaSize)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	m0, err0 := parseMeta(b0)
	var m1 boltMeta
	err1 := errors.New("second meta page is beyond the end of the file")
	if err0 == nil {
		if b1, err := readAt(int64(m0.pageSize), pageHeaderSize+metaSize); err == nil {
			m1, err1 = parseMeta(b1)
		}
	} else {
		// The page size is in the damaged first meta page: look for the second where each
		// page size would put it, as bbolt does.
		for ps := int64(minPageSize); ps <= maxPageSize; ps <<= 1 {
			b1, err := readAt(ps, pageHeaderSize+metaSize)
			if err != nil {
				break
			}
			if m, err := parseMeta(b1); err == nil && int64(m.pageSize) == ps {
				m1, err1 = m, nil
				break
			}
		}
	}
	m := m0
	switch {
	case err0 != nil && err1 != nil:
		return corrupt("%v", err0)
	case err0 != nil || (err1 == nil && m1.txid > m0.txid):
		m = m1
	}
	ps := int64(m.pageSize)
	if ps < minPageSize || ps > maxPageSize || ps&(ps-1) != 0 {
		return corrupt("page size %d", ps)
	}
	if m.pgid < 4 || m.pgid > uint64(size/ps) {
		return corrupt("truncated: %d bytes, but the database has %d pages of %d bytes", size, m.pgid, ps)
	}
	if m.root < 2 || m.root >= m.pgid {
		return corrupt("root page %d outside the %d pages", m.root, m.pgid)
	}
	page := func(id uint64) (flags uint16, count uint64, overflow uint64, err error) {
		h, err := readAt(int64(id)*ps, pageHeaderSize+8)
		if err != nil {
			return 0, 0, 0, err
		}
		le := binary.LittleEndian
		if got := le.Uint64(h[0:]); got != id {
			return 0, 0, 0, fmt.Errorf("page %d claims to be page %d", id, got)
		}
		count = uint64(le.Uint16(h[10:]))
		if count == 0xFFFF {
			count = le.Uint64(h[16:]) + 1 // the true count is in the first element
		}
		return le.Uint16(h[8:]), count, uint64(le.Uint32(h[12:])), nil
	}
	flags, _, overflow, err := page(m.root)
	if err != nil {
		return corrupt("root page: %v", err)
	}
	if flags != branchPageFlag && flags != leafPageFlag || m.root+overflow >= m.pgid {
		return corrupt("root page %d has flags %#x and %d overflow pages", m.root, flags, overflow)
	}
	if m.freelist == noFreelist {
		return corrupt("written without a freelist (not by provost)")
	}
	if m.freelist < 2 || m.freelist >= m.pgid {
		return corrupt("freelist page %d outside the %d pages", m.freelist, m.pgid)
	}
	flags, count, overflow, err := page(m.freelist)
	if err != nil {
		return corrupt("freelist page: %v", err)
	}
	if flags != freelistPageFlag || m.freelist+overflow >= m.pgid || (count*8+pageHeaderSize) > (overflow+1)*uint64(ps) {
		return corrupt("freelist page %d has flags %#x, %d entries and %d overflow pages", m.freelist, flags, count, overflow)
	}
	return nil
}
