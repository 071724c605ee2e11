package drift_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/store"
)

var _ drift.Store = (*store.DB)(nil)

func openStore(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "provost.db"), store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func put(t testing.TB, db *store.DB, snaps ...*inventory.Snapshot) {
	t.Helper()
	for _, s := range snaps {
		if err := db.PutSnapshot(context.Background(), s); err != nil {
			t.Fatalf("PutSnapshot(%s): %v", s.ID, err)
		}
	}
}

// header is a snapshot without its principals: what DiffStore needs besides the store.
func header(s *inventory.Snapshot) *inventory.Snapshot {
	h := *s
	h.Principals = nil
	return &h
}

// counting counts the records a diff decodes, per snapshot.
type counting struct {
	*store.DB
	decoded map[string]*atomic.Int64
}

func (c *counting) Principal(snapshotID, principalID string) (*inventory.Principal, error) {
	c.decoded[snapshotID].Add(1)
	return c.DB.Principal(snapshotID, principalID)
}

// TestDiffStoreEqualsDiff runs every fixture pair through the store: DiffStore must give exactly
// the events Diff gives (and the case expects).
func TestDiffStoreEqualsDiff(t *testing.T) {
	for _, tt := range diffCases() {
		t.Run(tt.name, func(t *testing.T) {
			prev, cur := fixture("s1", 0, tt.prev...), fixture("s2", 1, tt.cur...)
			db := openStore(t)
			put(t, db, prev, cur)
			got, err := drift.DiffStore(context.Background(), db, header(prev), header(cur))
			if err != nil {
				t.Fatalf("DiffStore: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDiffStoreDecodesOnlyChanges diffs generated estates through the store across several
// segments and checks both the events (against Diff) and that only changed records were read.
func TestDiffStoreDecodesOnlyChanges(t *testing.T) {
	const n = 6000
	ps1, cov := genEstate(n, 1)
	ps2 := churn(ps1, 0.02, 2, n)
	ps3 := churn(ps2, 0.01, 3, 2*n)
	snaps := []*inventory.Snapshot{
		{ID: "g1", StartedAt: t0, Coverage: cov, Principals: ps1},
		{ID: "g2", StartedAt: t0.Add(24 * time.Hour), Coverage: cov, Principals: ps2},
		{ID: "g3", StartedAt: t0.Add(48 * time.Hour), Coverage: cov, Principals: ps3},
	}
	db := openStore(t)
	put(t, db, snaps...)

	for _, pair := range [][2]int{{0, 1}, {1, 2}, {0, 2}, {2, 0}} {
		prev, cur := snaps[pair[0]], snaps[pair[1]]
		t.Run(prev.ID+"-"+cur.ID, func(t *testing.T) {
			want, err := drift.Diff(prev, cur)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) < 50 {
				t.Fatalf("only %d events: the generated churn should produce many", len(want))
			}
			c := &counting{DB: db, decoded: map[string]*atomic.Int64{prev.ID: {}, cur.ID: {}}}
			got, err := drift.DiffStore(context.Background(), c, header(prev), header(cur))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("DiffStore differs from Diff (-Diff +DiffStore):\n%s", diff)
			}
			wantPrev, wantCur := changedCounts(prev.Principals, cur.Principals)
			gotCounts := [2]int64{c.decoded[prev.ID].Load(), c.decoded[cur.ID].Load()}
			if gotCounts != [2]int64{wantPrev, wantCur} {
				t.Errorf("decoded %v records (previous, current), want %v", gotCounts, [2]int64{wantPrev, wantCur})
			}
		})
	}
}

// changedCounts returns how many principals of each side differ in content hash from the other
// side (including those only on one side).
func changedCounts(prev, cur []inventory.Principal) (int64, int64) {
	ph := map[string]inventory.Hash{}
	for i := range prev {
		ph[prev[i].ID] = prev[i].ContentHash()
	}
	var np, nc int64
	seen := map[string]bool{}
	for i := range cur {
		id := cur[i].ID
		h, ok := ph[id]
		seen[id] = ok
		if !ok {
			nc++
		} else if h != cur[i].ContentHash() {
			np++
			nc++
		}
	}
	for id := range ph {
		if _, ok := seen[id]; !ok {
			np++
		}
	}
	return np, nc
}

func TestDiffStoreErrors(t *testing.T) {
	db := openStore(t)
	s1, s2 := fixture("s1", 0), fixture("s2", 1, drop(aliceID))
	put(t, db, s1, s2)

	t.Run("unknown snapshot", func(t *testing.T) {
		_, err := drift.DiffStore(context.Background(), db, header(s1), &inventory.Snapshot{ID: "nope"})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("error = %v, want one wrapping store.ErrNotFound", err)
		}
		if want := `diff s1 → nope: read principal hashes of nope: snapshot "nope": not found`; err.Error() != want {
			t.Errorf("error = %q, want %q", err, want)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ps, cov := genEstate(3000, 9)
		big := openStore(t)
		put(t, big, &inventory.Snapshot{ID: "a", Coverage: cov, Principals: ps}, &inventory.Snapshot{ID: "b", StartedAt: t0, Coverage: cov, Principals: churn(ps, 0.5, 1, len(ps))})
		_, err := drift.DiffStore(ctx, big, &inventory.Snapshot{ID: "a"}, &inventory.Snapshot{ID: "b"})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
	})
	t.Run("nil snapshot", func(t *testing.T) {
		if _, err := drift.DiffStore(context.Background(), db, nil, header(s2)); err == nil || err.Error() != "drift: diff needs two snapshots, got nil" {
			t.Errorf("error = %v", err)
		}
	})
	t.Run("stream out of order", func(t *testing.T) {
		bad := &reordered{DB: db}
		_, err := drift.DiffStore(context.Background(), bad, header(s1), header(s2))
		want := `diff s1 → s2: read principal hashes of s1: principal "arn:aws:iam::111122223333:role/ci-deploy" came after "gcp:user:grace@corp.example": the store must stream IDs in increasing order`
		if err == nil || err.Error() != want {
			t.Errorf("error = %v, want %q", err, want)
		}
	})
	t.Run("record gone between stream and read", func(t *testing.T) {
		gone := &vanishing{DB: db}
		_, err := drift.DiffStore(context.Background(), gone, header(s1), header(s2))
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("error = %v, want one wrapping store.ErrNotFound", err)
		}
		want := `diff s1 → s2: read principal "arn:aws:iam::111122223333:user/alice" of s1: snapshot "deleted-s1": not found`
		if err.Error() != want {
			t.Errorf("error = %q, want %q", err, want)
		}
	})
}

// reordered streams a snapshot's last principal first, breaking the Store contract.
type reordered struct{ *store.DB }

func (r *reordered) EachPrincipalHash(id string, fn func(string, inventory.Hash) error) error {
	var ids []string
	var hs []inventory.Hash
	if err := r.DB.EachPrincipalHash(id, func(pid string, h inventory.Hash) error {
		ids, hs = append(ids, pid), append(hs, h)
		return nil
	}); err != nil {
		return err
	}
	last := len(ids) - 1
	ids = append([]string{ids[last]}, ids[:last]...)
	hs = append([]inventory.Hash{hs[last]}, hs[:last]...)
	for i := range ids {
		if err := fn(ids[i], hs[i]); err != nil {
			return err
		}
	}
	return nil
}

// vanishing reads records from a snapshot that is not there, as when the snapshot is deleted
// between the hash stream and the reads.
type vanishing struct{ *store.DB }

func (v *vanishing) Principal(snapshotID, principalID string) (*inventory.Principal, error) {
	return v.DB.Principal("deleted-"+snapshotID, principalID)
}
