package store

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"github.com/provost-dev/provost/inventory"
)

// openTest opens a new store in a temporary directory, closed when the test ends.
func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "provost.db"), Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func mustPut(t testing.TB, db *DB, s *inventory.Snapshot) {
	t.Helper()
	if err := db.PutSnapshot(context.Background(), s); err != nil {
		t.Fatalf("PutSnapshot(%s): %v", s.ID, err)
	}
}

// clonePrincipal returns a deep copy of p.
func clonePrincipal(p inventory.Principal) inventory.Principal {
	p.Tags = maps.Clone(p.Tags)
	p.Attributes = maps.Clone(p.Attributes)
	p.Groups = slices.Clone(p.Groups)
	p.Credentials = slices.Clone(p.Credentials)
	p.Grants = slices.Clone(p.Grants)
	return p
}

// canonical returns what the store gives back for ps: deep copies, normalized, empty slices and
// maps nil, sorted by ID.
func canonical(ps []inventory.Principal) []inventory.Principal {
	if len(ps) == 0 {
		return nil
	}
	out := make([]inventory.Principal, len(ps))
	for i := range ps {
		p := clonePrincipal(ps[i])
		p.Normalize()
		if len(p.Tags) == 0 {
			p.Tags = nil
		}
		if len(p.Attributes) == 0 {
			p.Attributes = nil
		}
		if len(p.Groups) == 0 {
			p.Groups = nil
		}
		if len(p.Credentials) == 0 {
			p.Credentials = nil
		}
		if len(p.Grants) == 0 {
			p.Grants = nil
		}
		out[i] = p
	}
	slices.SortFunc(out, func(a, b inventory.Principal) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// checkSnapshot asserts that snapshot id holds exactly want, through every read path.
func checkSnapshot(t testing.TB, db *DB, id string, want []inventory.Principal) {
	t.Helper()
	want = canonical(want)
	var got []inventory.Principal
	if err := db.EachPrincipal(id, func(p *inventory.Principal) error {
		got = append(got, clonePrincipal(*p))
		return nil
	}); err != nil {
		t.Fatalf("EachPrincipal(%s): %v", id, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("EachPrincipal(%s) (-want +got):\n%s", id, diff)
	}
	full, err := db.Snapshot(id)
	if err != nil {
		t.Fatalf("Snapshot(%s): %v", id, err)
	}
	if diff := cmp.Diff(want, full.Principals); diff != "" {
		t.Fatalf("Snapshot(%s).Principals (-want +got):\n%s", id, diff)
	}
	type idHash struct {
		ID   string
		Hash inventory.Hash
	}
	var wantHashes, gotHashes []idHash
	for i := range want {
		wantHashes = append(wantHashes, idHash{want[i].ID, want[i].ContentHash()})
	}
	if err := db.EachPrincipalHash(id, func(pid string, h inventory.Hash) error {
		gotHashes = append(gotHashes, idHash{pid, h})
		return nil
	}); err != nil {
		t.Fatalf("EachPrincipalHash(%s): %v", id, err)
	}
	if diff := cmp.Diff(wantHashes, gotHashes); diff != "" {
		t.Fatalf("EachPrincipalHash(%s) (-want +got):\n%s", id, diff)
	}
	if len(want) > 0 {
		for _, i := range []int{0, len(want) / 2, len(want) - 1} {
			p, err := db.Principal(id, want[i].ID)
			if err != nil {
				t.Fatalf("Principal(%s, %s): %v", id, want[i].ID, err)
			}
			if diff := cmp.Diff(want[i], *p); diff != "" {
				t.Fatalf("Principal(%s, %s) (-want +got):\n%s", id, want[i].ID, diff)
			}
		}
	}
	m, err := db.Meta(id)
	if err != nil {
		t.Fatalf("Meta(%s): %v", id, err)
	}
	if m.Principals != len(want) {
		t.Fatalf("Meta(%s).Principals = %d, want %d", id, m.Principals, len(want))
	}
}

// versionCounts returns how many principal versions each segment holds.
func versionCounts(t testing.TB, db *DB) map[uint64]int {
	t.Helper()
	out := map[uint64]int{}
	if err := db.view(func(tx *bolt.Tx) error {
		segs, err := db.segments(tx, math.MaxUint64)
		if err != nil {
			return err
		}
		for _, s := range segs {
			out[s.seq] = s.b.Stats().KeyN
		}
		return nil
	}); err != nil {
		t.Fatalf("versionCounts: %v", err)
	}
	return out
}

func totalVersions(t testing.TB, db *DB) int {
	n := 0
	for _, c := range versionCounts(t, db) {
		n += c
	}
	return n
}

// checkNoGarbage asserts that garbage collection would free nothing: every stored principal
// version and object is needed by a remaining snapshot.
func checkNoGarbage(t testing.TB, db *DB) {
	t.Helper()
	if err := db.view(func(tx *bolt.Tx) error {
		freed, objs, err := db.collect(context.Background(), tx, nil, false)
		if err != nil {
			return err
		}
		if freed != 0 || objs != 0 {
			return fmt.Errorf("garbage left: %d principal versions, %d objects", freed, objs)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// checkMinimal asserts that the store holds exactly the principal versions and objects the
// remaining snapshots need, computed independently of the store's garbage collector: per
// principal, one version for each change of its state (absent or a content hash) along the
// remaining snapshots in write order, and one object per distinct accounts list, people list
// and policy document. order lists the remaining snapshots in write order; snaps their content.
func checkMinimal(t testing.TB, db *DB, order []string, snaps map[string]*inventory.Snapshot) {
	t.Helper()
	state := map[string]inventory.Hash{}
	present := map[string]bool{}
	objects := map[[32]byte]bool{}
	want := 0
	for _, id := range order {
		s := snaps[id]
		seen := map[string]bool{}
		for i := range s.Principals {
			p := &s.Principals[i]
			seen[p.ID] = true
			h := p.ContentHash()
			if !present[p.ID] || state[p.ID] != h {
				want++
			}
			present[p.ID], state[p.ID] = true, h
		}
		for pid := range present {
			if present[pid] && !seen[pid] {
				want++ // tombstone
				present[pid] = false
			}
		}
		addObj := func(v any) {
			js, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			objects[sha256.Sum256(js)] = true
		}
		if len(s.Accounts) > 0 {
			addObj(s.Accounts)
		}
		if len(s.People) > 0 {
			addObj(s.People)
		}
		for i := range s.PolicyDocs {
			addObj(&s.PolicyDocs[i])
		}
	}
	if got := totalVersions(t, db); got != want {
		t.Fatalf("%d principal versions stored, want exactly %d", got, want)
	}
	gotObjs := 0
	if err := db.view(func(tx *bolt.Tx) error {
		gotObjs = tx.Bucket(bucketObjects).Stats().KeyN
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if gotObjs != len(objects) {
		t.Fatalf("%d objects stored, want exactly %d", gotObjs, len(objects))
	}
}
