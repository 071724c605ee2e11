package store

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	bolt "go.etcd.io/bbolt"

	"github.com/provost-dev/provost/inventory"
)

// The GC crash tests' child processes (see TestMain) and their parameters.
const (
	childKeepEnv   = "PROVOST_STORE_TEST_KEEP"   // prune: Retention.KeepLast
	childDeleteEnv = "PROVOST_STORE_TEST_DELETE" // delete: comma-separated snapshot IDs
	crashGCSeed    = 20261130
	crashGCKeep    = 4
)

// childPrune runs Prune with KeepLast from the environment, printing "start" before and "done"
// after it.
func childPrune() {
	var keep int
	fmt.Sscan(os.Getenv(childKeepEnv), &keep)
	db := childOpen()
	fmt.Println("start")
	if _, err := db.Prune(context.Background(), Retention{KeepLast: keep}, genEpoch, false); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("done")
	_ = db.Close()
	os.Exit(0)
}

// childDelete deletes the snapshots listed in the environment one by one, printing "start"
// before the first, "deleted ID" after each and "done" at the end.
func childDelete() {
	db := childOpen()
	fmt.Println("start")
	for _, id := range strings.Split(os.Getenv(childDeleteEnv), ",") {
		if err := db.DeleteSnapshot(id); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println("deleted " + id)
	}
	fmt.Println("done")
	_ = db.Close()
	os.Exit(0)
}

func childOpen() *DB {
	db, err := Open(os.Getenv(childPathEnv), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return db
}

// crashHistory is the store the GC crash tests start from: count daily snapshots h00, h01, …
// of n principals, 20% of which change from one day to the next, with a different seventh of
// them absent from each (so that there are tombstones, and principals that come back).
type crashHistory struct {
	order  []string // write order, which is also chronological
	snaps  map[string]*inventory.Snapshot
	hashes map[string][]idHash // by snapshot: every principal's content hash, by ID
}

type idHash struct {
	ID   string
	Hash inventory.Hash
}

func writeCrashHistory(t *testing.T, path string, n, count int) *crashHistory {
	t.Helper()
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := &crashHistory{snaps: map[string]*inventory.Snapshot{}, hashes: map[string][]idHash{}}
	all := genPrincipals(n, 7)
	for day := range count {
		var ps []inventory.Principal
		for k := range all {
			if (k+day)%7 != 0 {
				ps = append(ps, all[k])
			}
		}
		id := fmt.Sprintf("h%02d", day)
		snap := genSnapshot(id, ps, genEpoch.AddDate(0, 0, day))
		if day%3 == 1 {
			snap.People = nil // the people object changes too
		}
		mustPut(t, db, snap)
		h.order = append(h.order, id)
		h.snaps[id] = snap
		for i := range ps {
			h.hashes[id] = append(h.hashes[id], idHash{ps[i].ID, ps[i].ContentHash()})
		}
		slices.SortFunc(h.hashes[id], func(a, b idHash) int { return strings.Compare(a.ID, b.ID) })
		all = mutate(all, 0.2, uint64(day))
	}
	return h
}

// check asserts that db holds exactly the snapshots want (in write order) of the history,
// complete: a sound bbolt file, every snapshot's stored hashes and decoded records equal to what
// was written, and nothing stored that they do not need.
func (h *crashHistory) check(t *testing.T, db *DB, want []string, when string) {
	t.Helper()
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	}); err != nil {
		t.Fatalf("%s: bbolt consistency check: %v", when, err)
	}
	metas, err := db.Snapshots()
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	var got []string
	for _, m := range metas {
		got = append(got, m.ID)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%s: snapshots (-want +got):\n%s", when, diff)
	}
	for _, id := range want {
		var stored, decoded []idHash
		if err := db.EachPrincipalHash(id, func(pid string, hash inventory.Hash) error {
			stored = append(stored, idHash{pid, hash})
			return nil
		}); err != nil {
			t.Fatalf("%s: EachPrincipalHash(%s): %v", when, id, err)
		}
		if err := db.EachPrincipal(id, func(p *inventory.Principal) error {
			decoded = append(decoded, idHash{p.ID, p.ContentHash()})
			return nil
		}); err != nil {
			t.Fatalf("%s: EachPrincipal(%s): %v", when, id, err)
		}
		if !slices.Equal(stored, h.hashes[id]) {
			t.Fatalf("%s: stored hashes of %s (-want +got):\n%s", when, id, cmp.Diff(h.hashes[id], stored))
		}
		if !slices.Equal(decoded, h.hashes[id]) {
			t.Fatalf("%s: hashes of the decoded principals of %s (-want +got):\n%s", when, id, cmp.Diff(h.hashes[id], decoded))
		}
		snap, err := db.Snapshot(id)
		if err != nil {
			t.Fatalf("%s: Snapshot(%s): %v", when, id, err)
		}
		w := h.snaps[id]
		if diff := cmp.Diff([]any{w.Accounts, w.People, w.PolicyDocs}, []any{snap.Accounts, snap.People, snap.PolicyDocs}); diff != "" {
			t.Fatalf("%s: accounts, people and policy documents of %s (-want +got):\n%s", when, id, diff)
		}
	}
	h.checkMinimal(t, db, want, when)
}

// checkMinimal is the helpers' checkMinimal with the history's known hashes: the store holds one
// principal version per change of each principal's state (absent or a content hash) along the
// snapshots want, in write order, and one object per distinct list and document they name.
func (h *crashHistory) checkMinimal(t *testing.T, db *DB, want []string, when string) {
	t.Helper()
	state := map[string]inventory.Hash{}
	present := map[string]bool{}
	objects := map[[32]byte]bool{}
	versions := 0
	for _, id := range want {
		seen := map[string]bool{}
		for _, ph := range h.hashes[id] {
			seen[ph.ID] = true
			if !present[ph.ID] || state[ph.ID] != ph.Hash {
				versions++
			}
			present[ph.ID], state[ph.ID] = true, ph.Hash
		}
		for pid, p := range present {
			if p && !seen[pid] {
				versions++ // tombstone
				present[pid] = false
			}
		}
		s := h.snaps[id]
		for _, v := range []any{s.Accounts, s.People} {
			if js, _ := json.Marshal(v); string(js) != "null" {
				objects[sha256.Sum256(js)] = true
			}
		}
		for i := range s.PolicyDocs {
			js, _ := json.Marshal(&s.PolicyDocs[i])
			objects[sha256.Sum256(js)] = true
		}
	}
	var got [2]int
	if err := db.view(func(tx *bolt.Tx) error {
		segs, err := db.segments(tx, math.MaxUint64)
		for _, s := range segs {
			got[0] += s.b.Stats().KeyN
		}
		got[1] = tx.Bucket(bucketObjects).Stats().KeyN
		return err
	}); err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	if want := [2]int{versions, len(objects)}; got != want {
		t.Fatalf("%s: %d principal versions and %d objects stored, want exactly %d and %d", when, got[0], got[1], want[0], want[1])
	}
}

// without returns ids without those in drop.
func without(ids []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return slices.Contains(drop, id) })
}

// TestCrashMidGC kills processes pruning and deleting snapshots at seeded random moments spread
// over the operation, and reopens what they leave: each transaction is whole or absent, every
// remaining snapshot reads back exactly, nothing is left dangling or uncollected, and a second
// prune finishes the job.
func TestCrashMidGC(t *testing.T) {
	n, count := 3000, 12
	if raceEnabled {
		n = 1000 // the race detector makes everything ~10× slower
	}
	dir := t.TempDir()
	pristine := filepath.Join(dir, "pristine.db")
	h := writeCrashHistory(t, pristine, n, count)
	orig, err := os.ReadFile(pristine)
	if err != nil {
		t.Fatal(err)
	}
	kept := h.order[len(h.order)-crashGCKeep:]
	deletes := []string{"h05", "h00", h.order[len(h.order)-1]} // the latest too
	rng := rand.New(rand.NewPCG(crashGCSeed, 1))

	tests := []struct {
		name  string
		mode  string
		env   string
		iters int
		// outcomes returns the snapshot lists the child may leave, given its output after
		// "start": the first is what it must leave when it printed "done".
		outcomes func(out string) [][]string
	}{
		{
			name: "prune", mode: "prune", env: fmt.Sprintf("%s=%d", childKeepEnv, crashGCKeep), iters: 5,
			outcomes: func(out string) [][]string {
				if strings.Contains(out, "done") {
					return [][]string{kept}
				}
				return [][]string{kept, h.order} // one transaction: all or nothing
			},
		},
		{
			name: "delete", mode: "delete", env: childDeleteEnv + "=" + strings.Join(deletes, ","), iters: 4,
			outcomes: func(out string) [][]string {
				m := strings.Count(out, "deleted ") // these committed; the next may have too
				if m == len(deletes) {
					return [][]string{without(h.order, deletes...)}
				}
				return [][]string{without(h.order, deletes[:m]...), without(h.order, deletes[:m+1]...)}
			},
		},
	}
	midOp := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".db")
			reset := func() {
				if err := os.WriteFile(path, orig, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			// An uninterrupted run says how long the operation takes, and what it leaves.
			reset()
			cmd, out, _ := startChild(t, tt.mode, path, tt.env)
			waitLine(t, out, "start")
			start := time.Now()
			var rest string
			for !strings.HasSuffix(rest, "done\n") {
				line, err := out.ReadString('\n')
				if err != nil {
					t.Fatalf("uninterrupted child exited before it was done: %v", err)
				}
				rest += line
			}
			took := time.Since(start)
			if err := cmd.Wait(); err != nil {
				t.Fatalf("uninterrupted child: %v", err)
			}
			db, err := Open(path, Options{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			h.check(t, db, tt.outcomes(rest)[0], "uninterrupted")
			db.Close()
			t.Logf("uninterrupted %s took %v", tt.name, took)

			for k := range tt.iters {
				// Stratified: iteration k kills somewhere in the k-th of iters equal slices of
				// 1.2× the uninterrupted time.
				delay := time.Duration((float64(k) + rng.Float64()) / float64(tt.iters) * 1.2 * float64(took))
				reset()
				cmd, out, _ := startChild(t, tt.mode, path, tt.env)
				waitLine(t, out, "start")
				time.Sleep(delay)
				if err := cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				rest, _ := io.ReadAll(bufio.NewReader(out))
				_ = cmd.Wait()
				outcomes := tt.outcomes(string(rest))
				if !strings.Contains(string(rest), "done") {
					midOp++
				}

				when := fmt.Sprintf("after a kill %v into %s", delay, tt.name)
				db, err := Open(path, Options{Timeout: time.Second})
				if err != nil {
					t.Fatalf("%s: reopen: %v", when, err)
				}
				metas, err := db.Snapshots()
				if err != nil {
					t.Fatalf("%s: %v", when, err)
				}
				var ids []string
				for _, m := range metas {
					ids = append(ids, m.ID)
				}
				i := slices.IndexFunc(outcomes, func(o []string) bool { return slices.Equal(o, ids) })
				if i < 0 {
					t.Fatalf("%s: snapshots %v, want one of %v", when, ids, outcomes)
				}
				t.Logf("%s: %d snapshots left", when, len(ids))
				h.check(t, db, ids, when)

				// A second prune completes and leaves exactly the newest crashGCKeep.
				res, err := db.Prune(context.Background(), Retention{KeepLast: crashGCKeep}, genEpoch, false)
				if err != nil {
					t.Fatalf("%s: second prune: %v", when, err)
				}
				final := ids[max(0, len(ids)-crashGCKeep):]
				if diff := cmp.Diff(without(ids, final...), res.Deleted, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s: second prune deleted (-want +got):\n%s", when, diff)
				}
				h.check(t, db, final, when+" and a second prune")
				if err := db.Close(); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	if midOp == 0 {
		t.Fatal("every child finished before it was killed: the test proved nothing")
	}
}
