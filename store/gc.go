package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/provost-dev/provost/inventory"
)

// Retention says which snapshots Prune keeps, restic-style: a snapshot is kept if ANY rule
// that is set keeps it, and the newest snapshot is always kept.
//
//   - KeepLast n keeps the n newest snapshots.
//   - KeepDays d keeps every snapshot that started less than d×24h before now.
//
// A rule set to 0 is unset and keeps nothing by itself: {KeepLast: 0, KeepDays: 30} keeps a
// month, however many snapshots that is. With both rules unset Prune deletes nothing (there is
// no limit at all). Negative values are an error.
type Retention struct {
	KeepLast int
	KeepDays int
}

// PruneResult is what Prune deleted (or, in a dry run, would delete).
type PruneResult struct {
	Deleted      []string // snapshot IDs, oldest first
	RecordsFreed int      // stored principal versions (records and removal markers) no snapshot needs any more
}

// DeleteSnapshot deletes a snapshot (the latest one too) and collects the principal versions and
// objects no remaining snapshot refers to, in one transaction. Unknown IDs give an error wrapping
// ErrNotFound.
func (db *DB) DeleteSnapshot(id string) error {
	var freed, objs int
	err := db.update(func(tx *bolt.Tx) error {
		seq, err := db.seqOf(tx, id)
		if err != nil {
			return err
		}
		if err := deleteHeader(tx, id, seq); err != nil {
			return err
		}
		freed, objs, err = db.collect(context.Background(), tx, nil, true)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete snapshot %q: %w", id, err)
	}
	db.log.Info("snapshot deleted", "snapshot", id, "records_freed", freed, "objects_freed", objs)
	return nil
}

// Prune deletes the snapshots r does not keep (see Retention) and collects what they alone
// referred to, in one transaction. With dryRun it only reports what it would delete and leaves
// the file untouched (byte for byte).
func (db *DB) Prune(ctx context.Context, r Retention, now time.Time, dryRun bool) (PruneResult, error) {
	var res PruneResult
	if r.KeepLast < 0 || r.KeepDays < 0 {
		return res, fmt.Errorf("prune: negative retention (keep last %d, keep days %d)", r.KeepLast, r.KeepDays)
	}
	run := func(tx *bolt.Tx) error {
		res = PruneResult{}
		ms, err := db.allMetas(tx)
		if err != nil {
			return err
		}
		doomed := r.doomed(ms, now)
		if len(doomed) == 0 {
			return nil
		}
		for _, m := range doomed {
			res.Deleted = append(res.Deleted, m.meta.ID)
		}
		if dryRun {
			keep := make([]uint64, 0, len(ms))
			for _, m := range ms {
				if !slices.ContainsFunc(doomed, func(d storedMeta) bool { return d.seq == m.seq }) {
					keep = append(keep, m.seq)
				}
			}
			slices.Sort(keep)
			res.RecordsFreed, _, err = db.collect(ctx, tx, keep, false)
			return err
		}
		for _, m := range doomed {
			if err := deleteHeader(tx, m.meta.ID, m.seq); err != nil {
				return err
			}
		}
		var objs int
		res.RecordsFreed, objs, err = db.collect(ctx, tx, nil, true)
		if err == nil {
			db.log.Info("snapshots pruned", "deleted", len(res.Deleted), "records_freed", res.RecordsFreed, "objects_freed", objs)
		}
		return err
	}
	var err error
	if dryRun {
		err = db.view(run)
	} else {
		err = db.update(run)
	}
	if err != nil {
		return PruneResult{}, fmt.Errorf("prune: %w", err)
	}
	return res, nil
}

// doomed returns the snapshots r does not keep, oldest first; ms is in chronological order.
func (r Retention) doomed(ms []storedMeta, now time.Time) []storedMeta {
	if r.KeepLast == 0 && r.KeepDays == 0 {
		return nil
	}
	cutoff := now.Add(-time.Duration(r.KeepDays) * 24 * time.Hour)
	var out []storedMeta
	for i, m := range ms {
		newest := i == len(ms)-1
		inLast := r.KeepLast > 0 && i >= len(ms)-r.KeepLast
		inDays := r.KeepDays > 0 && m.meta.StartedAt.After(cutoff)
		if !newest && !inLast && !inDays {
			out = append(out, m)
		}
	}
	return out
}

func deleteHeader(tx *bolt.Tx, id string, seq uint64) error {
	for _, del := range []struct {
		bucket, key []byte
	}{
		{bucketSnapshotIDs, []byte(id)},
		{bucketSnapshots, seqKey(seq)},
		{bucketBodies, seqKey(seq)},
	} {
		if err := tx.Bucket(del.bucket).Delete(del.key); err != nil {
			return fmt.Errorf("delete snapshot %q header: %w", id, err)
		}
	}
	return deleteFindings(tx, seq)
}

// collect garbage-collects principal versions and objects. keep lists the remaining snapshots'
// sequence numbers in increasing order (nil: read them from the headers in tx). With apply it
// deletes what no remaining snapshot needs; either way it returns how many principal versions
// and objects that is.
//
// A version in segment s of a principal whose next version is in segment t (∞ for the last)
// is what snapshots s ≤ S < t see. It is dropped when no remaining snapshot lies in [s, t)
// (dropping it only widens the previous version's range over snapshot-free ground); so are a
// tombstone not preceded by a kept record, and a record with the same content hash as the kept
// record before it.
func (db *DB) collect(ctx context.Context, tx *bolt.Tx, keep []uint64, apply bool) (freed, freedObjs int, err error) {
	if keep == nil {
		c := tx.Bucket(bucketSnapshots).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			keep = append(keep, binary.BigEndian.Uint64(k))
		}
	}
	alive := func(lo, hi uint64) bool {
		i, _ := slices.BinarySearch(keep, lo)
		return i < len(keep) && keep[i] < hi
	}

	segs, err := db.segments(tx, math.MaxUint64)
	if err != nil {
		return 0, 0, err
	}
	index := make(map[uint64]int, len(segs))
	for i, s := range segs {
		index[s.seq] = i
	}
	total := make([]int, len(segs))
	drop := make([][][]byte, len(segs))
	m := newMerger(segs)
	for steps := 0; ; steps++ {
		if steps%ctxCheckEvery == 0 {
			if err := checkCtx(ctx); err != nil {
				return 0, 0, err
			}
		}
		k, vers, ok := m.next()
		if !ok {
			break
		}
		var prev []byte // the last kept version of this principal, nil if none
		for i, ver := range vers {
			hi := uint64(math.MaxUint64)
			if i+1 < len(vers) {
				hi = vers[i+1].seq
			}
			tomb := isTombstone(ver.v)
			if !tomb && len(ver.v) <= hashLen {
				return 0, 0, db.corruptf("principal %q has a %d-byte value in segment %d", k, len(ver.v), ver.seq)
			}
			var keepIt bool
			switch {
			case !alive(ver.seq, hi):
			case tomb:
				keepIt = prev != nil && !isTombstone(prev)
			default:
				keepIt = prev == nil || isTombstone(prev) || !bytes.Equal(prev[:hashLen], ver.v[:hashLen])
			}
			s := index[ver.seq]
			total[s]++
			if keepIt {
				prev = ver.v
				continue
			}
			freed++
			if apply {
				drop[s] = append(drop[s], bytes.Clone(k))
			}
		}
	}

	if apply {
		pb := tx.Bucket(bucketPrincipals)
		for s, keys := range drop {
			if len(keys) == 0 {
				continue
			}
			if len(keys) == total[s] {
				if err := pb.DeleteBucket(seqKey(segs[s].seq)); err != nil {
					return 0, 0, fmt.Errorf("delete segment %d: %w", segs[s].seq, err)
				}
				continue
			}
			b := pb.Bucket(seqKey(segs[s].seq))
			b.FillPercent = 1
			for _, key := range keys {
				if err := b.Delete(key); err != nil {
					return 0, 0, fmt.Errorf("delete principal %q from segment %d: %w", key, segs[s].seq, err)
				}
			}
		}
	}

	freedObjs, err = db.collectObjects(tx, keep, apply)
	return freed, freedObjs, err
}

// collectObjects deletes (with apply) or counts the objects no remaining snapshot's body names.
func (db *DB) collectObjects(tx *bolt.Tx, keep []uint64, apply bool) (int, error) {
	used := map[inventory.Hash]bool{}
	bodies := tx.Bucket(bucketBodies)
	for _, seq := range keep {
		bd, err := decodeBody(bodies.Get(seqKey(seq)))
		if err != nil {
			return 0, db.corruptf("snapshot %d: %v", seq, err)
		}
		bd.refs(func(h inventory.Hash) { used[h] = true })
	}
	var unused [][]byte
	objs := tx.Bucket(bucketObjects)
	c := objs.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if len(k) != hashLen || !used[inventory.Hash(k)] {
			unused = append(unused, bytes.Clone(k))
		}
	}
	if apply {
		for _, k := range unused {
			if err := objs.Delete(k); err != nil {
				return 0, fmt.Errorf("delete object: %w", err)
			}
		}
	}
	return len(unused), nil
}

// Compact copies the database into a new file at dstPath (mode 0600, which must not exist, and
// the same page size), leaving out free pages and packing every page full. The copy is a consistent view: writes may
// go on meanwhile and are not in it. On error no file is left at dstPath.
func (db *DB) Compact(dstPath string) (err error) {
	f, err := os.OpenFile(dstPath, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("compact %s: %w", db.path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("compact %s: %w", db.path, err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(dstPath)
		}
	}()
	dst, err := bolt.Open(dstPath, 0o600, &bolt.Options{Timeout: defaultTimeout, FreelistType: bolt.FreelistMapType, PageSize: db.bolt.Info().PageSize})
	if err != nil {
		return fmt.Errorf("compact %s into %s: %w", db.path, dstPath, err)
	}
	dst.AllocSize = allocSize
	start := time.Now()
	err = func() (err error) {
		defer db.recoverCorrupt(&err)
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		return bolt.Compact(dst, db.bolt, 64<<20)
	}()
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("compact %s into %s: %w", db.path, dstPath, err)
	}
	var before, after int64
	if fi, serr := os.Stat(db.path); serr == nil {
		before = fi.Size()
	}
	if fi, serr := os.Stat(dstPath); serr == nil {
		after = fi.Size()
	}
	db.log.Info("store compacted", "dst", dstPath, "bytes_before", before, "bytes_after", after, "duration", time.Since(start))
	return nil
}
