package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/inventory"
)

// pruneFixture writes seven daily snapshots d0…d6 (d6 the newest, started at genEpoch+6 days)
// and one late import "old", started before all of them but written last.
func pruneFixture(t *testing.T) (*DB, map[string][]inventory.Principal) {
	db := openTest(t)
	content := map[string][]inventory.Principal{}
	cur := genPrincipals(80, 1)
	for i := range 7 {
		id := fmt.Sprintf("d%d", i)
		mustPut(t, db, genSnapshot(id, cur, genEpoch.AddDate(0, 0, i)))
		content[id] = cur
		cur = mutate(cur, 0.1, uint64(i))
	}
	mustPut(t, db, genSnapshot("old", cur, genEpoch.AddDate(0, 0, -30)))
	content["old"] = cur
	return db, content
}

func TestPrune(t *testing.T) {
	now := genEpoch.AddDate(0, 0, 6).Add(12 * time.Hour) // half a day after d6 started
	tests := []struct {
		name string
		r    Retention
		now  time.Time // zero: half a day after d6 started
		want []string
	}{
		{"no rule keeps everything", Retention{}, time.Time{}, nil},
		{"keep last 3", Retention{KeepLast: 3}, time.Time{}, []string{"old", "d0", "d1", "d2", "d3"}},
		{"keep last 1", Retention{KeepLast: 1}, time.Time{}, []string{"old", "d0", "d1", "d2", "d3", "d4", "d5"}},
		{"keep last more than there are", Retention{KeepLast: 100}, time.Time{}, nil},
		{"keep 2 days", Retention{KeepDays: 2}, time.Time{}, []string{"old", "d0", "d1", "d2", "d3", "d4"}}, // d5, d6 started < 48h before now
		{"keep last 4", Retention{KeepLast: 4}, time.Time{}, []string{"old", "d0", "d1", "d2"}},
		{"either rule keeps, days win", Retention{KeepLast: 2, KeepDays: 4}, time.Time{}, []string{"old", "d0", "d1", "d2"}},
		{"either rule keeps, count wins", Retention{KeepLast: 5, KeepDays: 1}, time.Time{}, []string{"old", "d0", "d1"}},
		{"the latest survives any rule", Retention{KeepDays: 1}, genEpoch.AddDate(0, 0, 100), []string{"old", "d0", "d1", "d2", "d3", "d4", "d5"}},
		{"all within the days", Retention{KeepDays: 365}, time.Time{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, content := pruneFixture(t)
			before, err := os.ReadFile(db.Path())
			if err != nil {
				t.Fatal(err)
			}
			now := now
			if !tt.now.IsZero() {
				now = tt.now
			}
			dry, err := db.Prune(context.Background(), tt.r, now, true)
			if err != nil {
				t.Fatalf("dry run: %v", err)
			}
			after, err := os.ReadFile(db.Path())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Fatal("the dry run changed the database file")
			}
			if diff := cmp.Diff(tt.want, dry.Deleted); diff != "" {
				t.Errorf("dry run deleted (-want +got):\n%s", diff)
			}

			versions := totalVersions(t, db)
			res, err := db.Prune(context.Background(), tt.r, now, false)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(dry, res); diff != "" {
				t.Errorf("the dry run reported differently from the real run (-dry +real):\n%s", diff)
			}
			if got := versions - totalVersions(t, db); got != res.RecordsFreed {
				t.Errorf("RecordsFreed = %d, but %d versions went", res.RecordsFreed, got)
			}
			if len(tt.want) > 0 && res.RecordsFreed == 0 {
				t.Error("pruning snapshots freed no records")
			}
			var order []string
			snaps := map[string]*inventory.Snapshot{}
			for _, id := range []string{"d0", "d1", "d2", "d3", "d4", "d5", "d6", "old"} { // write order
				if _, err := db.Meta(id); err == nil {
					order = append(order, id)
					snaps[id] = genSnapshot(id, content[id], genEpoch)
				} else if !errors.Is(err, ErrNotFound) {
					t.Fatal(err)
				}
			}
			if len(order)+len(tt.want) != 8 {
				t.Errorf("%d snapshots left after deleting %d of 8", len(order), len(tt.want))
			}
			for _, id := range order {
				checkSnapshot(t, db, id, content[id])
			}
			checkMinimal(t, db, order, snaps)
		})
	}
	t.Run("negative", func(t *testing.T) {
		db := openTest(t)
		for _, r := range []Retention{{KeepLast: -1}, {KeepDays: -2}} {
			if _, err := db.Prune(context.Background(), r, now, false); err == nil {
				t.Errorf("Prune(%+v) accepted a negative rule", r)
			}
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		db, _ := pruneFixture(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := db.Prune(ctx, Retention{KeepLast: 1}, now, false); !errors.Is(err, context.Canceled) {
			t.Errorf("Prune with a cancelled context: %v", err)
		}
		if metas, _ := db.Snapshots(); len(metas) != 8 {
			t.Errorf("a cancelled Prune deleted snapshots: %d left", len(metas))
		}
	})
}

func TestCompact(t *testing.T) {
	db, content := pruneFixture(t)
	if _, err := db.Prune(context.Background(), Retention{KeepLast: 2}, genEpoch, false); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "compact.db")
	if err := db.Compact(dst); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("compacted file mode %v, want 0600", fi.Mode().Perm())
	}
	if src := fileSize(t, db.Path()); fi.Size() >= src {
		t.Errorf("compacted file is %d bytes, the original %d", fi.Size(), src)
	}
	c, err := Open(dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, want := c.bolt.Info().PageSize, db.bolt.Info().PageSize; got != want {
		t.Errorf("compacted file has %d-byte pages, the original %d-byte ones", got, want)
	}
	want, _ := db.Snapshots()
	got, err := c.Snapshots()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("compacted snapshots (-want +got):\n%s", diff)
	}
	for _, m := range got {
		checkSnapshot(t, c, m.ID, content[m.ID])
	}
	// The copy is a working store: it takes new snapshots, and the sequence numbers continue.
	next := mutate(content["old"], 0.1, 50)
	mustPut(t, c, genSnapshot("next", next, genEpoch.AddDate(0, 0, 9)))
	checkSnapshot(t, c, "next", next)

	if err := db.Compact(dst); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Compact onto an existing file: %v, want fs.ErrExist", err)
	}
	if err := db.Compact(filepath.Join(t.TempDir(), "no", "such", "dir.db")); err == nil {
		t.Error("Compact into a missing directory succeeded")
	}
}

// TestHistorySize: thirty nightly snapshots in which 1% of principals change cost at most 1.5×
// the file size of one.
func TestHistorySize(t *testing.T) {
	n := 20_000
	if raceEnabled {
		n = 12_000 // the race detector slows hashing ~10×; below ~10k the per-snapshot overhead shows
	}
	db := openTest(t)
	cur := genPrincipals(n, 1)
	mustPut(t, db, genSnapshot("day00", cur, genEpoch))
	one := fileSize(t, db.Path())
	for day := 1; day < 30; day++ {
		cur = mutate(cur, 0.01, uint64(day))
		mustPut(t, db, genSnapshot(fmt.Sprintf("day%02d", day), cur, genEpoch.AddDate(0, 0, day)))
	}
	thirty := fileSize(t, db.Path())
	ratio := float64(thirty) / float64(one)
	t.Logf("%d principals: one snapshot %d bytes (%.0f B/principal), thirty %d bytes, ratio %.3f", n, one, float64(one)/float64(n), thirty, ratio)
	if ratio > 1.5 {
		t.Errorf("30 snapshots take %.2f× the size of one, want ≤ 1.5×", ratio)
	}
	checkSnapshot(t, db, "day29", cur)
}
