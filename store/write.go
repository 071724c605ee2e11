package store

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sync/errgroup"

	"github.com/provost-dev/provost/inventory"
)

const (
	// A string enters the table when at least minInternUses of the sampled written records use
	// it. The sample is every k-th written record, at most internSample of them: counting every
	// record of a first snapshot would cost as much as encoding it.
	minInternUses = 2
	internSample  = 32768
)

// writePrincipals writes segment seq: the principals of ps (sorted by ID) that differ from the
// newest stored versions, and tombstones for stored principals ps no longer has. It returns the
// string table the records refer to.
//
// When nothing is stored yet (the first snapshot), every principal is new: each is hashed and
// encoded in one go while its data is in cache. Otherwise all are hashed first, and only the
// changed ones are encoded. Either way encoding runs on all cores and feeds bbolt in key order,
// and bbolt's Puts overlap the encoding of later chunks.
func (db *DB) writePrincipals(ctx context.Context, tx *bolt.Tx, seq uint64, ps []*inventory.Principal) (*inventory.StringTable, writeStats, error) {
	var stats writeStats
	table, err := db.tableFor(tx)
	if err != nil {
		return nil, stats, err
	}
	segs, err := db.segments(tx, math.MaxUint64)
	if err != nil {
		return nil, stats, err
	}
	if len(segs) > 0 && segs[len(segs)-1].seq >= seq {
		return nil, stats, db.corruptf("segment %d exists before snapshot %d is written", segs[len(segs)-1].seq, seq)
	}

	var (
		hashes  []inventory.Hash // nil when the first snapshot hashes as it encodes
		changed []int            // indexes into ps
		removed [][]byte         // stored IDs the snapshot lacks, sorted
	)
	if len(segs) == 0 {
		changed = make([]int, len(ps))
		for i := range changed {
			changed[i] = i
		}
	} else {
		hashes = make([]inventory.Hash, len(ps))
		if err := parallelChunks(ctx, len(ps), func(lo, hi int) error {
			var h inventory.Hasher
			for i := lo; i < hi; i++ {
				hashes[i] = h.Sum(ps[i])
			}
			return nil
		}); err != nil {
			return nil, stats, err
		}
		if changed, removed, err = db.diff(ctx, segs, ps, hashes); err != nil {
			return nil, stats, err
		}
	}
	stats.changed, stats.removed = len(changed), len(removed)

	table, added, err := extendTable(ctx, table, ps, changed)
	if err != nil {
		return nil, stats, err
	}
	stats.newStrings = len(added)
	if len(added) > 0 {
		sb := tx.Bucket(bucketStrings)
		sb.FillPercent = 1
		first := table.Len() - len(added)
		for j, s := range added {
			if err := sb.Put(binary.BigEndian.AppendUint32(nil, uint32(first+j)), []byte(s)); err != nil {
				return nil, stats, fmt.Errorf("put string: %w", err)
			}
		}
	}
	if len(changed) == 0 && len(removed) == 0 {
		return table, stats, nil
	}
	seg, err := tx.Bucket(bucketPrincipals).CreateBucket(seqKey(seq))
	if err != nil {
		return nil, stats, fmt.Errorf("create segment %d: %w", seq, err)
	}
	seg.FillPercent = 1 // a new segment is only ever appended to
	return table, stats, putEncoded(ctx, seg, ps, hashes, changed, removed, table)
}

// diff compares ps with the newest stored version of every principal. Garbage collection
// leaves no version that no snapshot sees, so those are the latest remaining snapshot's.
func (db *DB) diff(ctx context.Context, segs []segment, ps []*inventory.Principal, hashes []inventory.Hash) (changed []int, removed [][]byte, err error) {
	m := newMerger(segs)
	k, vers, more := m.next()
	for i, steps := 0, 0; i < len(ps) || more; steps++ {
		if steps%ctxCheckEvery == 0 {
			if err := checkCtx(ctx); err != nil {
				return nil, nil, err
			}
		}
		var c int
		switch {
		case !more:
			c = 1
		case i == len(ps):
			c = -1
		default:
			c = strings.Compare(string(k), ps[i].ID)
		}
		var v []byte
		if c <= 0 {
			v = vers[len(vers)-1].v
			if len(v) <= hashLen && !isTombstone(v) {
				return nil, nil, db.corruptf("principal %q has a %d-byte value", k, len(v))
			}
		}
		switch {
		case c < 0: // stored, not in the snapshot
			if !isTombstone(v) {
				removed = append(removed, append([]byte(nil), k...))
			}
			k, vers, more = m.next()
		case c > 0: // new
			changed = append(changed, i)
			i++
		default:
			if isTombstone(v) || inventory.Hash(v[:hashLen]) != hashes[i] {
				changed = append(changed, i)
			}
			i++
			k, vers, more = m.next()
		}
	}
	return changed, removed, nil
}

// extendTable returns t, or a copy extended with the internable strings that t lacks and at
// least minInternUses sampled records of ps[changed] use (most used first), and those strings.
func extendTable(ctx context.Context, t *inventory.StringTable, ps []*inventory.Principal, changed []int) (*inventory.StringTable, []string, error) {
	stride := max(1, (len(changed)+internSample-1)/internSample)
	sample := make([]int, 0, len(changed)/stride+1)
	for j := 0; j < len(changed); j += stride {
		sample = append(sample, changed[j])
	}
	var (
		mu    sync.Mutex
		total map[string]int
	)
	err := parallelChunks(ctx, len(sample), func(lo, hi int) error {
		counts := map[string]int{}
		for _, i := range sample[lo:hi] {
			inventory.EachInternable(ps[i], func(s string) {
				if _, ok := t.ID(s); !ok {
					counts[s]++
				}
			})
		}
		mu.Lock()
		defer mu.Unlock()
		if total == nil {
			total = counts
			return nil
		}
		for s, n := range counts {
			total[s] += n
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	var added []string
	for s, n := range total {
		if n >= minInternUses {
			added = append(added, s)
		}
	}
	if len(added) == 0 {
		return t, nil, nil
	}
	slices.SortFunc(added, func(a, b string) int { return cmp.Or(cmp.Compare(total[b], total[a]), strings.Compare(a, b)) })
	nt := t.Clone()
	for _, s := range added {
		nt.Add(s)
	}
	return nt, added, nil
}

// encodedChunk is the values of changed[lo:hi], ready once done is closed.
type encodedChunk struct {
	lo, hi int
	vals   [][]byte
	done   chan struct{}
}

// putEncoded encodes ps[changed] (hashing them too when hashes is nil) on worker goroutines,
// chunk by chunk, and puts them and the tombstones of removed into seg in key order as the
// chunks complete. bbolt keeps a reference to every value until commit, so each chunk encodes
// into its own arena and no buffer is ever reused.
func putEncoded(ctx context.Context, seg *bolt.Bucket, ps []*inventory.Principal, hashes []inventory.Hash, changed []int, removed [][]byte, table *inventory.StringTable) (err error) {
	chunks := make([]encodedChunk, (len(changed)+chunkSize-1)/chunkSize)
	for c := range chunks {
		chunks[c] = encodedChunk{lo: c * chunkSize, hi: min((c+1)*chunkSize, len(changed)), done: make(chan struct{})}
	}
	wctx, cancel := context.WithCancel(ctx)
	g, gctx := errgroup.WithContext(wctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		for c := range chunks {
			ch := &chunks[c]
			g.Go(func() error {
				defer close(ch.done)
				if err := checkCtx(gctx); err != nil {
					return err
				}
				ch.vals = encodeChunk(ps, hashes, changed[ch.lo:ch.hi], table)
				return nil
			})
		}
	}()
	defer func() {
		cancel()
		<-fed
		if werr := g.Wait(); err == nil && werr != nil {
			err = werr
		}
	}()

	key := make([]byte, 0, 256)
	r := 0
	put := func(k, v []byte) error {
		if err := seg.Put(k, v); err != nil {
			return fmt.Errorf("put principal %q: %w", k, err)
		}
		return nil
	}
	for c := range chunks {
		ch := &chunks[c]
		<-ch.done
		if ch.vals == nil {
			return nil // a worker failed or was cancelled; g.Wait reports why
		}
		if err := checkCtx(ctx); err != nil {
			return err
		}
		for j, v := range ch.vals {
			id := ps[changed[ch.lo+j]].ID
			for r < len(removed) && string(removed[r]) < id {
				if err := put(removed[r], tombstone); err != nil {
					return err
				}
				r++
			}
			key = append(key[:0], id...)
			if err := put(key, v); err != nil {
				return err
			}
		}
	}
	for ; r < len(removed); r++ {
		if err := put(removed[r], tombstone); err != nil {
			return err
		}
	}
	return nil
}

// encodeChunk returns hash ‖ record for each of ps[idx], hashing with the encoding when hashes
// is nil.
func encodeChunk(ps []*inventory.Principal, hashes []inventory.Hash, idx []int, table *inventory.StringTable) [][]byte {
	vals := make([][]byte, len(idx))
	offs := make([]int, len(idx)+1)
	arena := make([]byte, 0, len(idx)*256)
	var h inventory.Hasher
	for j, i := range idx {
		offs[j] = len(arena)
		p := h.Canonical(ps[i])
		var sum inventory.Hash
		if hashes == nil {
			sum = h.Sum(p)
		} else {
			sum = hashes[i]
		}
		arena = append(arena, sum[:]...)
		arena = inventory.AppendPrincipalRecord(arena, p, table)
	}
	offs[len(idx)] = len(arena)
	for j := range idx {
		vals[j] = arena[offs[j]:offs[j+1]:offs[j+1]]
	}
	return vals
}
