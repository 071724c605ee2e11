package drift

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/provost-dev/provost/inventory"
)

// Store is what DiffStore reads from the snapshot store; *store.DB satisfies it.
type Store interface {
	// EachPrincipalHash calls fn with the ID and content hash of every principal of a snapshot,
	// in increasing ID order, without decoding records. It stops at fn's first error and
	// returns it.
	EachPrincipalHash(snapshotID string, fn func(principalID string, h inventory.Hash) error) error
	// Principal decodes one principal of a snapshot; it fails when the principal or the
	// snapshot is not there.
	Principal(snapshotID, principalID string) (*inventory.Principal, error)
}

// hashChunk is how many (ID, hash) pairs a stream hands over at a time.
const hashChunk = 1024

// DiffStore returns the events of Diff for two stored snapshots, reading their principals from
// st: it merges the two ID-ordered (ID, hash) streams and decodes only the principals whose hash
// differs, was added or was removed, so its cost follows what changed rather than the estate's
// size. prev and cur give the snapshots' IDs, Coverage and People; their Principals are ignored.
//
// When ctx is cancelled DiffStore stops and returns ctx's error. The two streams read
// concurrently, each into its own buffer, so that neither of the store's read transactions ever
// waits for the other (a writer queued between them could otherwise deadlock the pair); in the
// worst case one side's (ID, hash) pairs are buffered whole, about 100 bytes per principal.
func DiffStore(ctx context.Context, st Store, prev, cur *inventory.Snapshot) ([]Event, error) {
	if prev == nil || cur == nil {
		return nil, errors.New("drift: diff needs two snapshots, got nil")
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("diff %s → %s: %w", prev.ID, cur.ID, err)
	}
	changes, err := changedPrincipals(ctx, st, prev.ID, cur.ID)
	if err != nil {
		return nil, fmt.Errorf("diff %s → %s: %w", prev.ID, cur.ID, err)
	}
	if err := fetch(ctx, st, prev.ID, cur.ID, changes); err != nil {
		return nil, fmt.Errorf("diff %s → %s: %w", prev.ID, cur.ID, err)
	}
	d := newPair(prev.Coverage, cur.Coverage)
	out := coverageEvents(&d.prev, &d.cur)
	for i := range changes {
		out = d.principal(out, changes[i].prev, changes[i].cur)
	}
	return d.people(out, prev.ID, cur.ID, prev.People, cur.People)
}

// change is a principal whose stored version differs between the snapshots.
type change struct {
	id            string
	inPrev, inCur bool
	prev, cur     *inventory.Principal
}

type hashEntry struct {
	id string
	h  inventory.Hash
}

// changedPrincipals merges the two hash streams and returns the principals that differ, in ID
// order.
func changedPrincipals(ctx context.Context, st Store, prevID, curID string) ([]change, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pq, cq := newHashQueue(), newHashQueue()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); pq.fill(ctx, st, prevID) }()
	go func() { defer wg.Done(); cq.fill(ctx, st, curID) }()
	defer wg.Wait()
	defer cancel() // runs before wg.Wait: stop the streams when the merge fails

	var out []change
	p, pok, err := pq.next()
	if err != nil {
		return nil, err
	}
	c, cok, err := cq.next()
	if err != nil {
		return nil, err
	}
	for pok || cok {
		switch {
		case !cok || (pok && p.id < c.id):
			out = append(out, change{id: p.id, inPrev: true})
			p, pok, err = pq.next()
		case !pok || c.id < p.id:
			out = append(out, change{id: c.id, inCur: true})
			c, cok, err = cq.next()
		default:
			if p.h != c.h {
				out = append(out, change{id: c.id, inPrev: true, inCur: true})
			}
			if p, pok, err = pq.next(); err != nil {
				return nil, err
			}
			c, cok, err = cq.next()
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fetch decodes the changed principals from both snapshots, in parallel.
func fetch(ctx context.Context, st Store, prevID, curID string, changes []change) error {
	const batch = 256
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for lo := 0; lo < len(changes); lo += batch {
		part := changes[lo:min(lo+batch, len(changes))]
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			for i := range part {
				c := &part[i]
				var err error
				if c.inPrev {
					if c.prev, err = st.Principal(prevID, c.id); err != nil {
						return fmt.Errorf("read principal %q of %s: %w", c.id, prevID, err)
					}
				}
				if c.inCur {
					if c.cur, err = st.Principal(curID, c.id); err != nil {
						return fmt.Errorf("read principal %q of %s: %w", c.id, curID, err)
					}
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// hashQueue buffers one snapshot's (ID, hash) stream without bound, so that its producer never
// waits for the consumer.
type hashQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	chunks [][]hashEntry
	done   bool
	err    error

	cur []hashEntry // consumer side: the chunk being read
}

func newHashQueue() *hashQueue {
	q := &hashQueue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// fill streams snapshot id into the queue and closes it with the stream's error.
func (q *hashQueue) fill(ctx context.Context, st Store, id string) {
	buf := make([]hashEntry, 0, hashChunk)
	var last string
	first := true
	err := st.EachPrincipalHash(id, func(pid string, h inventory.Hash) error {
		if !first && pid <= last {
			return fmt.Errorf("principal %q came after %q: the store must stream IDs in increasing order", pid, last)
		}
		first, last = false, pid
		buf = append(buf, hashEntry{pid, h})
		if len(buf) == hashChunk {
			if err := ctx.Err(); err != nil {
				return err
			}
			q.push(buf, false, nil)
			buf = make([]hashEntry, 0, hashChunk)
		}
		return nil
	})
	if err != nil {
		buf, err = nil, fmt.Errorf("read principal hashes of %s: %w", id, err)
	}
	q.push(buf, true, err)
}

func (q *hashQueue) push(chunk []hashEntry, done bool, err error) {
	q.mu.Lock()
	if len(chunk) > 0 {
		q.chunks = append(q.chunks, chunk)
	}
	q.done, q.err = done, err
	q.mu.Unlock()
	q.cond.Signal()
}

// next returns the next entry; ok is false at the end of the stream.
func (q *hashQueue) next() (e hashEntry, ok bool, err error) {
	if len(q.cur) == 0 {
		q.mu.Lock()
		for len(q.chunks) == 0 && !q.done {
			q.cond.Wait()
		}
		if len(q.chunks) > 0 {
			q.cur = q.chunks[0]
			q.chunks[0] = nil
			q.chunks = q.chunks[1:]
		}
		err = q.err
		q.mu.Unlock()
		if len(q.cur) == 0 {
			return e, false, err
		}
	}
	e = q.cur[0]
	q.cur = q.cur[1:]
	return e, true, nil
}
