package store

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sync/errgroup"

	"github.com/provost-dev/provost/inventory"
)

// SnapshotMeta describes a stored snapshot without its contents.
type SnapshotMeta struct {
	ID             string               `json:"id"`
	StartedAt      time.Time            `json:"started_at"`
	FinishedAt     time.Time            `json:"finished_at"`
	ProvostVersion string               `json:"provost_version,omitempty"`
	PolicyVersion  string               `json:"policy_version,omitempty"`
	Coverage       []inventory.Coverage `json:"coverage,omitempty"`
	Principals     int                  `json:"principals"`
	Accounts       int                  `json:"accounts"`
	PolicyDocs     int                  `json:"policy_docs"`
	People         int                  `json:"people"`
}

const (
	chunkSize     = 2048  // principals per parallel work item
	ctxCheckEvery = 16384 // loop iterations between context checks
)

// PutSnapshot writes the whole snapshot in ONE bbolt transaction (wholly there or absent).
// snap.ID must be non-empty and new (ErrExists otherwise); principal IDs must be non-empty and
// unique. Principals are normalized/hashed with inventory's ContentHash; unchanged records are
// shared with earlier snapshots. snap is not modified. When ctx is cancelled, nothing is written.
func (db *DB) PutSnapshot(ctx context.Context, snap *inventory.Snapshot) error {
	if snap == nil {
		return fmt.Errorf("put snapshot: nil snapshot")
	}
	if snap.ID == "" {
		return fmt.Errorf("put snapshot: the snapshot has no ID")
	}
	if len(snap.ID) > bolt.MaxKeySize {
		return fmt.Errorf("put snapshot: the ID is %d bytes, more than %d", len(snap.ID), bolt.MaxKeySize)
	}
	if db.readOnly {
		return fmt.Errorf("put snapshot %q: database %s is open read-only", snap.ID, db.path)
	}
	start := time.Now()
	db.writeMu.Lock()
	defer db.writeMu.Unlock()

	if err := checkCtx(ctx); err != nil {
		return fmt.Errorf("put snapshot %q: %w", snap.ID, err)
	}
	order, err := prepare(snap)
	if err != nil {
		return fmt.Errorf("put snapshot %q: %w", snap.ID, err)
	}
	prepared := time.Since(start)
	var written time.Duration
	var (
		newTable *inventory.StringTable
		stats    writeStats
	)
	err = db.update(func(tx *bolt.Tx) error {
		ids := tx.Bucket(bucketSnapshotIDs)
		if ids.Get([]byte(snap.ID)) != nil {
			return fmt.Errorf("snapshot %q: %w", snap.ID, ErrExists)
		}
		snaps := tx.Bucket(bucketSnapshots)
		snaps.FillPercent = 1
		seq, err := snaps.NextSequence()
		if err != nil {
			return err
		}
		newTable, stats, err = db.writePrincipals(ctx, tx, seq, snap.Principals, order)
		if err != nil {
			return err
		}
		if err := db.writeHeader(tx, seq, snap); err != nil {
			return err
		}
		written = time.Since(start)
		if testHookBeforeCommit != nil {
			testHookBeforeCommit()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put snapshot %q: %w", snap.ID, err)
	}
	db.table.Store(newTable)
	db.log.Info("snapshot stored", "snapshot", snap.ID, "principals", len(order), "changed", stats.changed,
		"removed", stats.removed, "new_strings", stats.newStrings, "duration", time.Since(start),
		"prepare", prepared, "write", written-prepared, "commit", time.Since(start)-written)
	return nil
}

// testHookBeforeCommit, when set (by tests), runs just before PutSnapshot's transaction commits.
var testHookBeforeCommit func()

type writeStats struct{ changed, removed, newStrings int }

// prepare checks the snapshot's principal IDs and returns the principals' indexes in
// snap.Principals in ID order. Writing walks the principals in their order in memory wherever it
// can (the order they were collected, and usually allocated, in), which keeps the CPU's
// prefetchers busy, and only puts them into bbolt in ID order.
func prepare(snap *inventory.Snapshot) ([]int32, error) {
	ps := snap.Principals
	if len(ps) > math.MaxInt32 {
		return nil, fmt.Errorf("%d principals, more than %d", len(ps), math.MaxInt32)
	}
	sorted := true
	for i := range ps {
		p := &ps[i]
		if p.ID == "" {
			return nil, fmt.Errorf("principal %d (name %q) has no ID", i, p.Name)
		}
		if len(p.ID) > bolt.MaxKeySize {
			return nil, fmt.Errorf("principal %d: the ID %.64q… is %d bytes, more than %d", i, p.ID, len(p.ID), bolt.MaxKeySize)
		}
		if i > 0 && sorted && ps[i-1].ID >= p.ID {
			sorted = false
		}
	}
	order := make([]int32, len(ps))
	if sorted {
		for i := range order {
			order[i] = int32(i)
		}
		return order, nil
	}
	sortByID(ps, order, runtime.GOMAXPROCS(0))
	for j := 1; j < len(order); j++ {
		if ps[order[j-1]].ID == ps[order[j]].ID {
			return nil, fmt.Errorf("principal %q appears more than once", ps[order[j]].ID)
		}
	}
	return order, nil
}

// keyed is a principal's ID and index: sorting these compares without dereferencing the
// principals.
type keyed struct {
	id  string
	idx int32
}

func byKey(a, b keyed) int { return strings.Compare(a.id, b.id) }

// sortByID fills order with the indexes of ps in ID order, splitting the work over up to par
// goroutines.
func sortByID(ps []inventory.Principal, order []int32, par int) {
	ks := make([]keyed, len(ps))
	for i := range ps {
		ks[i] = keyed{ps[i].ID, int32(i)}
	}
	sortKeyed(ks, par)
	for j := range ks {
		order[j] = ks[j].idx
	}
}

func sortKeyed(ks []keyed, par int) {
	if par < 2 || len(ks) < 1<<15 {
		slices.SortFunc(ks, byKey)
		return
	}
	mid := len(ks) / 2
	var wg sync.WaitGroup
	wg.Go(func() { sortKeyed(ks[:mid], par/2) })
	sortKeyed(ks[mid:], par-par/2)
	wg.Wait()
	merged := make([]keyed, 0, len(ks))
	a, b := ks[:mid], ks[mid:]
	for len(a) > 0 && len(b) > 0 {
		if b[0].id < a[0].id {
			merged, b = append(merged, b[0]), b[1:]
		} else {
			merged, a = append(merged, a[0]), a[1:]
		}
	}
	merged = append(append(merged, a...), b...)
	copy(ks, merged)
}

// parallelChunks calls fn on [lo, hi) chunks of n items, on up to GOMAXPROCS goroutines.
func parallelChunks(ctx context.Context, n int, fn func(lo, hi int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for lo := 0; lo < n; lo += chunkSize {
		hi := min(lo+chunkSize, n)
		g.Go(func() error {
			if err := checkCtx(gctx); err != nil {
				return err
			}
			return fn(lo, hi)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return checkCtx(ctx)
}

// writeHeader stores the snapshot's header, body and objects.
func (db *DB) writeHeader(tx *bolt.Tx, seq uint64, snap *inventory.Snapshot) error {
	objs := tx.Bucket(bucketObjects)
	var bd body
	var err error
	if len(snap.Accounts) > 0 {
		if bd.accounts, err = putObject(objs, snap.Accounts); err != nil {
			return fmt.Errorf("accounts: %w", err)
		}
	}
	if len(snap.People) > 0 {
		if bd.people, err = putObject(objs, snap.People); err != nil {
			return fmt.Errorf("people: %w", err)
		}
	}
	bd.docs = make([]inventory.Hash, len(snap.PolicyDocs))
	for i := range snap.PolicyDocs {
		if bd.docs[i], err = putObject(objs, &snap.PolicyDocs[i]); err != nil {
			return fmt.Errorf("policy document %q: %w", snap.PolicyDocs[i].ID, err)
		}
	}
	meta := SnapshotMeta{
		ID:             snap.ID,
		StartedAt:      snap.StartedAt,
		FinishedAt:     snap.FinishedAt,
		ProvostVersion: snap.ProvostVersion,
		PolicyVersion:  snap.PolicyVersion,
		Coverage:       snap.Coverage,
		Principals:     len(snap.Principals),
		Accounts:       len(snap.Accounts),
		PolicyDocs:     len(snap.PolicyDocs),
		People:         len(snap.People),
	}
	js, err := json.Marshal(&meta)
	if err != nil {
		return fmt.Errorf("encode header: %w", err)
	}
	bodies := tx.Bucket(bucketBodies)
	bodies.FillPercent = 1
	for _, put := range []struct {
		b    *bolt.Bucket
		k, v []byte
	}{
		{tx.Bucket(bucketSnapshots), seqKey(seq), js},
		{bodies, seqKey(seq), bd.encode()},
		{tx.Bucket(bucketSnapshotIDs), []byte(snap.ID), seqKey(seq)},
	} {
		if err := put.b.Put(put.k, put.v); err != nil {
			return fmt.Errorf("put header: %w", err)
		}
	}
	return nil
}

// storedMeta is a header with its sequence number.
type storedMeta struct {
	seq  uint64
	meta SnapshotMeta
}

// allMetas returns every snapshot header in chronological order: by StartedAt, then by the
// order they were written in.
func (db *DB) allMetas(tx *bolt.Tx) ([]storedMeta, error) {
	var out []storedMeta
	c := tx.Bucket(bucketSnapshots).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 {
			return nil, db.corruptf("snapshot header key %x", k)
		}
		var m SnapshotMeta
		if err := json.Unmarshal(v, &m); err != nil {
			return nil, db.corruptf("snapshot header %d: %v", binary.BigEndian.Uint64(k), err)
		}
		out = append(out, storedMeta{seq: binary.BigEndian.Uint64(k), meta: m})
	}
	slices.SortStableFunc(out, func(a, b storedMeta) int {
		return cmp.Or(a.meta.StartedAt.Compare(b.meta.StartedAt), cmp.Compare(a.seq, b.seq))
	})
	return out, nil
}

func (db *DB) metas() ([]storedMeta, error) {
	var out []storedMeta
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		out, err = db.allMetas(tx)
		return err
	})
	return out, err
}

// Snapshots returns every snapshot's metadata, oldest first (by StartedAt, then by the order
// they were written in).
func (db *DB) Snapshots() ([]SnapshotMeta, error) {
	ms, err := db.metas()
	if err != nil {
		return nil, err
	}
	out := make([]SnapshotMeta, len(ms))
	for i := range ms {
		out[i] = ms[i].meta
	}
	return out, nil
}

// Meta returns one snapshot's metadata, or an error wrapping ErrNotFound.
func (db *DB) Meta(id string) (SnapshotMeta, error) {
	var m SnapshotMeta
	err := db.view(func(tx *bolt.Tx) error {
		seq, err := db.seqOf(tx, id)
		if err != nil {
			return err
		}
		m, err = db.metaAt(tx, seq)
		return err
	})
	return m, err
}

func (db *DB) metaAt(tx *bolt.Tx, seq uint64) (SnapshotMeta, error) {
	var m SnapshotMeta
	v := tx.Bucket(bucketSnapshots).Get(seqKey(seq))
	if v == nil {
		return m, db.corruptf("snapshot %d has no header", seq)
	}
	if err := json.Unmarshal(v, &m); err != nil {
		return m, db.corruptf("snapshot header %d: %v", seq, err)
	}
	return m, nil
}

// Latest returns the newest snapshot's metadata, or an error wrapping ErrNotFound when there is
// none.
func (db *DB) Latest() (SnapshotMeta, error) {
	ms, err := db.metas()
	if err != nil {
		return SnapshotMeta{}, err
	}
	if len(ms) == 0 {
		return SnapshotMeta{}, fmt.Errorf("latest snapshot: %w", ErrNotFound)
	}
	return ms[len(ms)-1].meta, nil
}

// Previous returns the metadata of the snapshot before id, or an error wrapping ErrNotFound
// when id is unknown or the oldest.
func (db *DB) Previous(id string) (SnapshotMeta, error) {
	ms, err := db.metas()
	if err != nil {
		return SnapshotMeta{}, err
	}
	i := slices.IndexFunc(ms, func(m storedMeta) bool { return m.meta.ID == id })
	switch {
	case i < 0:
		return SnapshotMeta{}, fmt.Errorf("snapshot %q: %w", id, ErrNotFound)
	case i == 0:
		return SnapshotMeta{}, fmt.Errorf("no snapshot before %q: %w", id, ErrNotFound)
	}
	return ms[i-1].meta, nil
}

// Snapshot loads a whole snapshot. Principals come back normalized and in ID order; empty slices
// and maps come back nil.
func (db *DB) Snapshot(id string) (*inventory.Snapshot, error) {
	return db.snapshot(id, true)
}

// SnapshotHeader loads a snapshot without its principals: its metadata, coverage, accounts,
// people and policy documents. It is what drift over the store (drift.DiffStore) and the roster
// guards need of a snapshot, at a fraction of a whole load (EachPrincipal streams the rest).
func (db *DB) SnapshotHeader(id string) (*inventory.Snapshot, error) {
	return db.snapshot(id, false)
}

func (db *DB) snapshot(id string, principals bool) (*inventory.Snapshot, error) {
	var snap *inventory.Snapshot
	err := db.view(func(tx *bolt.Tx) error {
		seq, err := db.seqOf(tx, id)
		if err != nil {
			return err
		}
		m, err := db.metaAt(tx, seq)
		if err != nil {
			return err
		}
		bd, err := decodeBody(tx.Bucket(bucketBodies).Get(seqKey(seq)))
		if err != nil {
			return db.corruptf("snapshot %q: %v", id, err)
		}
		s := &inventory.Snapshot{
			ID: m.ID, StartedAt: m.StartedAt, FinishedAt: m.FinishedAt,
			ProvostVersion: m.ProvostVersion, PolicyVersion: m.PolicyVersion, Coverage: m.Coverage,
		}
		objs := tx.Bucket(bucketObjects)
		var zero inventory.Hash
		if bd.accounts != zero {
			if err := getObject(objs, bd.accounts, &s.Accounts); err != nil {
				return db.corruptf("snapshot %q accounts: %v", id, err)
			}
		}
		if bd.people != zero {
			if err := getObject(objs, bd.people, &s.People); err != nil {
				return db.corruptf("snapshot %q people: %v", id, err)
			}
		}
		if len(bd.docs) > 0 {
			s.PolicyDocs = make([]inventory.PolicyDoc, len(bd.docs))
			for i, h := range bd.docs {
				if err := getObject(objs, h, &s.PolicyDocs[i]); err != nil {
					return db.corruptf("snapshot %q policy document %d: %v", id, i, err)
				}
			}
		}
		snap = s
		if !principals {
			return nil
		}
		table, err := db.tableFor(tx)
		if err != nil {
			return err
		}
		if m.Principals > 0 {
			s.Principals = make([]inventory.Principal, 0, m.Principals)
		}
		var buf []byte
		err = db.eachVisible(tx, seq, func(k, v []byte) error {
			s.Principals = append(s.Principals, inventory.Principal{})
			buf = append(append(buf[:0], k...), v[hashLen:]...)
			str := string(buf)
			if err := inventory.DecodePrincipalRecordString(str[len(k):], str[:len(k)], table, &s.Principals[len(s.Principals)-1]); err != nil {
				return db.corruptf("snapshot %q principal %q: %v", id, k, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(s.Principals) != m.Principals {
			return db.corruptf("snapshot %q has %d principals, its header says %d", id, len(s.Principals), m.Principals)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return snap, nil
}
