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

	// arenaPerRecord is the arena space reserved per encoded value: hash and record of a
	// typical principal (~180 bytes) fit with room to spare; a chunk of bigger ones grows its
	// arena as append does.
	arenaPerRecord = 256
)

// writePrincipals writes segment seq: the principals of ps that differ from the newest stored
// versions, and tombstones for stored principals ps no longer has. order lists ps's indexes in
// ID order (prepare). It returns the string table the records refer to.
//
// When nothing is stored yet (the first snapshot), every principal is new: each is hashed and
// encoded in one go while its data is in cache. Otherwise all are hashed first, and only the
// changed ones are encoded. Either way hashing and encoding run on all cores, walking ps in its
// order in memory, and bbolt's Puts go in key order, overlapping the encoding of later chunks.
func (db *DB) writePrincipals(ctx context.Context, tx *bolt.Tx, seq uint64, ps []inventory.Principal, order []int32) (*inventory.StringTable, writeStats, error) {
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

	var job encodeJob
	var removed [][]byte // stored IDs the snapshot lacks, sorted
	if len(segs) == 0 {
		// Encode everything in memory order; put in ID order.
		job = encodeJob{ps: ps, all: true, puts: order}
		stats.changed = len(ps)
	} else {
		hashes := make([]inventory.Hash, len(ps)) // by index in ps
		if err := parallelChunks(ctx, len(ps), func(lo, hi int) error {
			var h inventory.Hasher
			for i := lo; i < hi; i++ {
				hashes[i] = h.Sum(&ps[i])
			}
			return nil
		}); err != nil {
			return nil, stats, err
		}
		var changed []int32 // indexes in ps, in ID order
		if changed, removed, err = db.diff(ctx, segs, ps, order, hashes); err != nil {
			return nil, stats, err
		}
		// The few changed principals are encoded in ID order.
		job = encodeJob{ps: ps, hashes: hashes, work: changed}
		stats.changed = len(changed)
	}
	stats.removed = len(removed)

	table, added, err := extendTable(ctx, table, &job)
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
	if stats.changed == 0 && len(removed) == 0 {
		return table, stats, nil
	}
	seg, err := tx.Bucket(bucketPrincipals).CreateBucket(seqKey(seq))
	if err != nil {
		return nil, stats, fmt.Errorf("create segment %d: %w", seq, err)
	}
	seg.FillPercent = 1 // a new segment is only ever appended to
	job.table = table
	return table, stats, putEncoded(ctx, seg, job, removed)
}

// diff compares ps, walked in ID order, with the newest stored version of every principal, and
// returns the indexes of the new and changed ones in ID order. Garbage collection leaves no
// version that no snapshot sees, so those are the latest remaining snapshot's.
func (db *DB) diff(ctx context.Context, segs []segment, ps []inventory.Principal, order []int32, hashes []inventory.Hash) (changed []int32, removed [][]byte, err error) {
	m := newMerger(segs)
	k, vers, more := m.next()
	for j, steps := 0, 0; j < len(order) || more; steps++ {
		if steps%ctxCheckEvery == 0 {
			if err := checkCtx(ctx); err != nil {
				return nil, nil, err
			}
		}
		var c int
		switch {
		case !more:
			c = 1
		case j == len(order):
			c = -1
		default:
			c = strings.Compare(string(k), ps[order[j]].ID)
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
			changed = append(changed, order[j])
			j++
		default:
			if i := order[j]; isTombstone(v) || inventory.Hash(v[:hashLen]) != hashes[i] {
				changed = append(changed, i)
			}
			j++
			k, vers, more = m.next()
		}
	}
	return changed, removed, nil
}

// extendTable returns t, or a copy extended with the internable strings that t lacks and at
// least minInternUses sampled records of the job's principals use (most used first), and those
// strings.
func extendTable(ctx context.Context, t *inventory.StringTable, job *encodeJob) (*inventory.StringTable, []string, error) {
	n := job.len()
	stride := max(1, (n+internSample-1)/internSample)
	samples := (n + stride - 1) / stride
	// One map per worker: the strings counted are few, the records many.
	parts := min(runtime.GOMAXPROCS(0), max(1, samples/1024))
	counts := make([]map[string]int, parts)
	g, gctx := errgroup.WithContext(ctx)
	for w := range parts {
		g.Go(func() error {
			c := map[string]int{}
			for k := w * samples / parts; k < (w+1)*samples/parts; k++ {
				if k%ctxCheckEvery == 0 {
					if err := checkCtx(gctx); err != nil {
						return err
					}
				}
				inventory.EachInternable(&job.ps[job.index(k*stride)], func(s string) { c[s]++ })
			}
			counts[w] = c
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	total := counts[0]
	for _, c := range counts[1:] {
		for s, k := range c {
			total[s] += k
		}
	}
	var added []string
	for s, k := range total {
		if _, known := t.ID(s); !known && k >= minInternUses {
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

// encodeJob says what putEncoded encodes and in which order it puts the values.
type encodeJob struct {
	ps []inventory.Principal
	// all: encode all of ps, in order. Otherwise work lists the indexes in ps to encode, in the
	// order to encode them.
	all  bool
	work []int32
	// puts lists positions in work in ID order; nil means work is in ID order already.
	puts []int32
	// hashes holds the content hash of each of ps by index; nil means hash while encoding.
	hashes []inventory.Hash
	table  *inventory.StringTable
}

func (j *encodeJob) len() int {
	if j.all {
		return len(j.ps)
	}
	return len(j.work)
}

// index returns the index in ps of work item w.
func (j *encodeJob) index(w int) int {
	if j.all {
		return w
	}
	return int(j.work[w])
}

// encodedChunk is the values of work items [lo, hi), ready once done is closed: item w's value
// is arena[offs[w-lo]:offs[w-lo+1]].
type encodedChunk struct {
	lo, hi int
	arena  []byte
	offs   []int
	done   chan struct{}
}

// putEncoded encodes the job's principals (hashing them too when it has no hashes) on worker
// goroutines, chunk by chunk, and puts them and the tombstones of removed into seg in key order,
// each as soon as its chunk is complete. bbolt keeps a reference to every value until commit,
// so each chunk encodes into its own arena and no buffer is ever reused.
func putEncoded(ctx context.Context, seg *bolt.Bucket, job encodeJob, removed [][]byte) (err error) {
	n := job.len()
	chunks := make([]encodedChunk, (n+chunkSize-1)/chunkSize)
	for c := range chunks {
		chunks[c] = encodedChunk{lo: c * chunkSize, hi: min((c+1)*chunkSize, n), done: make(chan struct{})}
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
				ch.arena, ch.offs = encodeChunk(&job, ch.lo, ch.hi)
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
	ready := make([]bool, len(chunks))
	for k := range n {
		if k%ctxCheckEvery == 0 {
			if err := checkCtx(ctx); err != nil {
				return err
			}
		}
		w := k
		if job.puts != nil {
			w = int(job.puts[k])
		}
		c := w / chunkSize
		ch := &chunks[c]
		if !ready[c] {
			<-ch.done
			if ch.offs == nil {
				return nil // a worker failed or was cancelled; g.Wait reports why
			}
			ready[c] = true
		}
		id := job.ps[job.index(w)].ID
		for r < len(removed) && string(removed[r]) < id {
			if err := put(removed[r], tombstone); err != nil {
				return err
			}
			r++
		}
		lo, hi := ch.offs[w-ch.lo], ch.offs[w-ch.lo+1]
		key = append(key[:0], id...)
		if err := put(key, ch.arena[lo:hi:hi]); err != nil {
			return err
		}
	}
	for ; r < len(removed); r++ {
		if err := put(removed[r], tombstone); err != nil {
			return err
		}
	}
	return checkCtx(ctx)
}

// encodeChunk returns hash ‖ record for work items [lo, hi) of job, item w's value being
// arena[offs[w-lo]:offs[w-lo+1]].
func encodeChunk(job *encodeJob, lo, hi int) (arena []byte, offs []int) {
	offs = make([]int, hi-lo+1)
	arena = make([]byte, 0, (hi-lo)*arenaPerRecord)
	var h inventory.Hasher
	for w := lo; w < hi; w++ {
		offs[w-lo] = len(arena)
		i := job.index(w)
		if job.hashes == nil {
			arena = h.AppendHashedRecord(arena, &job.ps[i], job.table)
		} else {
			arena = append(arena, job.hashes[i][:]...)
			arena = inventory.AppendPrincipalRecord(arena, &job.ps[i], job.table)
		}
	}
	offs[hi-lo] = len(arena)
	return arena, offs
}
