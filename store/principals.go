package store

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/provost-dev/provost/inventory"
)

// Principal versions live in segments: the sub-bucket of "principals" named by a snapshot's
// sequence number holds what that snapshot changed — principal ID → hash ‖ record for a new or
// changed principal, principal ID → tombstone for one that disappeared. Snapshot S sees, for each
// principal ID, the version in the highest segment ≤ S. See doc.go.

// tombstone is the value of a version that says "this principal is gone". A version with a
// record is at least hashLen+1 bytes, so the two cannot be confused.
var tombstone = []byte{0}

func isTombstone(v []byte) bool { return len(v) == 1 && v[0] == 0 }

// segment is one snapshot's principal changes.
type segment struct {
	seq uint64
	b   *bolt.Bucket
}

// segments returns the segments with seq ≤ max, in increasing order.
func (db *DB) segments(tx *bolt.Tx, max uint64) ([]segment, error) {
	pb := tx.Bucket(bucketPrincipals)
	var segs []segment
	c := pb.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 || v != nil {
			return nil, db.corruptf("stray key %q in the principals bucket", k)
		}
		seq := binary.BigEndian.Uint64(k)
		if seq > max {
			break
		}
		segs = append(segs, segment{seq: seq, b: pb.Bucket(k)})
	}
	return segs, nil
}

// version is one stored version of a principal: the segment it is in and its value.
type version struct {
	seq uint64
	v   []byte
}

// merger walks several segments at once in principal-ID order, yielding for each ID all its
// versions in increasing segment order.
type merger struct {
	heap []*segCursor
	vers []version
}

type segCursor struct {
	seq  uint64
	c    *bolt.Cursor
	k, v []byte
}

func less(a, b *segCursor) bool {
	if c := bytes.Compare(a.k, b.k); c != 0 {
		return c < 0
	}
	return a.seq < b.seq
}

func newMerger(segs []segment) *merger {
	m := &merger{heap: make([]*segCursor, 0, len(segs))}
	for _, s := range segs {
		sc := &segCursor{seq: s.seq, c: s.b.Cursor()}
		sc.k, sc.v = sc.c.First()
		if sc.k != nil {
			m.heap = append(m.heap, sc)
		}
	}
	for i := len(m.heap)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
	return m
}

func (m *merger) down(i int) {
	h := m.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		j := l
		if r := l + 1; r < len(h) && less(h[r], h[l]) {
			j = r
		}
		if !less(h[j], h[i]) {
			return
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
}

// next returns the next principal ID and its versions (valid until the following call), or
// ok == false at the end.
func (m *merger) next() (k []byte, vers []version, ok bool) {
	if len(m.heap) == 0 {
		return nil, nil, false
	}
	k = m.heap[0].k
	m.vers = m.vers[:0]
	for len(m.heap) > 0 && bytes.Equal(m.heap[0].k, k) {
		sc := m.heap[0]
		m.vers = append(m.vers, version{seq: sc.seq, v: sc.v})
		sc.k, sc.v = sc.c.Next()
		if sc.k == nil {
			last := len(m.heap) - 1
			m.heap[0] = m.heap[last]
			m.heap = m.heap[:last]
		}
		m.down(0)
	}
	return k, m.vers, true
}

// eachVisible calls fn with every principal version visible at seq, in ID order, skipping
// tombstones. k and v are valid only during the call.
func (db *DB) eachVisible(tx *bolt.Tx, seq uint64, fn func(k, v []byte) error) error {
	segs, err := db.segments(tx, seq)
	if err != nil {
		return err
	}
	check := func(k, v []byte) error {
		if len(v) <= hashLen && !isTombstone(v) {
			return db.corruptf("principal %q has a %d-byte value", k, len(v))
		}
		return nil
	}
	if len(segs) == 1 {
		c := segs[0].b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if err := check(k, v); err != nil {
				return err
			}
			if isTombstone(v) {
				continue
			}
			if err := fn(k, v); err != nil {
				return err
			}
		}
		return nil
	}
	m := newMerger(segs)
	for {
		k, vers, ok := m.next()
		if !ok {
			return nil
		}
		v := vers[len(vers)-1].v
		if err := check(k, v); err != nil {
			return err
		}
		if isTombstone(v) {
			continue
		}
		if err := fn(k, v); err != nil {
			return err
		}
	}
}

// seqOf returns the sequence number of snapshot id.
func (db *DB) seqOf(tx *bolt.Tx, id string) (uint64, error) {
	v := tx.Bucket(bucketSnapshotIDs).Get([]byte(id))
	if v == nil {
		return 0, fmt.Errorf("snapshot %q: %w", id, ErrNotFound)
	}
	if len(v) != 8 {
		return 0, db.corruptf("snapshot %q has a %d-byte sequence number", id, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// EachPrincipal streams a snapshot's principals in principal-ID order without loading the whole
// snapshot; fn's *Principal (and its slices and maps) is only valid during the call. Stops at
// fn's first error and returns it. fn must not write to db: it runs inside a read transaction.
func (db *DB) EachPrincipal(id string, fn func(*inventory.Principal) error) error {
	return db.view(func(tx *bolt.Tx) error {
		seq, err := db.seqOf(tx, id)
		if err != nil {
			return err
		}
		table, err := db.tableFor(tx)
		if err != nil {
			return err
		}
		rd := inventory.NewRecordDecoder(table)
		var buf []byte
		return db.eachVisible(tx, seq, func(k, v []byte) error {
			// One allocation holds the ID and every literal string of the record.
			buf = append(append(buf[:0], k...), v[hashLen:]...)
			s := string(buf)
			p, err := rd.DecodeString(s[len(k):], s[:len(k)])
			if err != nil {
				return db.corruptf("snapshot %q principal %q: %v", id, k, err)
			}
			return callUser(func() error { return fn(p) })
		})
	})
}

// EachPrincipalHash streams (principal ID, content hash) of a snapshot in ID order without
// decoding records. Stops at fn's first error and returns it.
func (db *DB) EachPrincipalHash(id string, fn func(principalID string, h inventory.Hash) error) error {
	return db.view(func(tx *bolt.Tx) error {
		seq, err := db.seqOf(tx, id)
		if err != nil {
			return err
		}
		return db.eachVisible(tx, seq, func(k, v []byte) error {
			return callUser(func() error { return fn(string(k), inventory.Hash(v[:hashLen])) })
		})
	})
}

// Principal returns one principal of a snapshot, or an error wrapping ErrNotFound.
func (db *DB) Principal(snapshotID, principalID string) (*inventory.Principal, error) {
	var p *inventory.Principal
	err := db.view(func(tx *bolt.Tx) error {
		seq, err := db.seqOf(tx, snapshotID)
		if err != nil {
			return err
		}
		segs, err := db.segments(tx, seq)
		if err != nil {
			return err
		}
		key := []byte(principalID)
		for i := len(segs) - 1; i >= 0; i-- {
			v := segs[i].b.Get(key)
			if v == nil {
				continue
			}
			if isTombstone(v) {
				break
			}
			if len(v) <= hashLen {
				return db.corruptf("principal %q has a %d-byte value", principalID, len(v))
			}
			table, err := db.tableFor(tx)
			if err != nil {
				return err
			}
			p = new(inventory.Principal)
			if err := inventory.DecodePrincipalRecord(v[hashLen:], principalID, table, p); err != nil {
				return db.corruptf("snapshot %q principal %q: %v", snapshotID, principalID, err)
			}
			return nil
		}
		return fmt.Errorf("principal %q in snapshot %q: %w", principalID, snapshotID, ErrNotFound)
	})
	return p, err
}

// tableFor returns the string table as of tx, loading entries committed since it was last read.
func (db *DB) tableFor(tx *bolt.Tx) (*inventory.StringTable, error) {
	t := db.table.Load()
	b := tx.Bucket(bucketStrings)
	if b == nil {
		return nil, db.corruptf("the %q bucket is missing", bucketStrings)
	}
	last, _ := b.Cursor().Last()
	if last == nil {
		return t, nil
	}
	if len(last) != 4 {
		return nil, db.corruptf("string table key %x", last)
	}
	n := int(binary.BigEndian.Uint32(last)) + 1
	if n <= t.Len() {
		return t, nil
	}
	nt := t.Clone()
	c := b.Cursor()
	for k, v := c.Seek(binary.BigEndian.AppendUint32(nil, uint32(t.Len()))); k != nil; k, v = c.Next() {
		if len(k) != 4 || int(binary.BigEndian.Uint32(k)) != nt.Len() || len(v) == 0 {
			return nil, db.corruptf("string table entry %x (want entry %d)", k, nt.Len())
		}
		s := string(v)
		if _, dup := nt.ID(s); dup {
			return nil, db.corruptf("string table entry %d repeats %q", nt.Len(), s)
		}
		nt.Add(s)
	}
	db.table.CompareAndSwap(t, nt)
	return nt, nil
}
