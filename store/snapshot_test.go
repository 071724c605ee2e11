package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/inventory"
)

func TestPutSnapshotRoundTrip(t *testing.T) {
	db := openTest(t)
	ps := genPrincipals(300, 1)
	// Shuffle sets so that the store has to normalize them, and add the awkward cases.
	ps[0].Groups = []string{"zeta", "alpha", "zeta"}
	ps[1].Grants = slices.Clone(ps[1].Grants)
	slices.Reverse(ps[1].Grants)
	ps[2].Tags, ps[2].Attributes, ps[2].Groups, ps[2].Credentials, ps[2].Grants = map[string]string{}, nil, []string{}, nil, []inventory.Grant{}
	ps[3].CreatedAt, ps[3].LastActivity = time.Time{}, time.Date(2024, 2, 3, 4, 5, 6, 789, time.FixedZone("X", -7200))
	ps = append(ps, inventory.Principal{ID: "gcp:user:zoe@corp.example.com", Provider: inventory.ProviderGCP, Kind: inventory.KindUser,
		Name: "Zoë", Email: "zoe@corp.example.com", Account: "organizations/1"})
	snap := genSnapshot("snap-1", ps, genEpoch)
	snap.Coverage = append(snap.Coverage, inventory.Coverage{Source: "gcp", Provider: inventory.ProviderGCP, Scope: "organizations/1",
		Status: inventory.CoveragePartial, ErrorKind: inventory.ErrPermissionDenied, Error: "denied", StartedAt: genEpoch, FinishedAt: genEpoch.Add(time.Minute)})
	before := cloneSnapshot(snap)
	mustPut(t, db, snap)

	if diff := cmp.Diff(before, snap); diff != "" {
		t.Errorf("PutSnapshot modified its argument (-before +after):\n%s", diff)
	}
	checkSnapshot(t, db, "snap-1", ps)

	got, err := db.Snapshot("snap-1")
	if err != nil {
		t.Fatal(err)
	}
	want := cloneSnapshot(snap)
	want.Principals = canonical(ps)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Snapshot (-want +got):\n%s", diff)
	}
	// SnapshotHeader is the same snapshot without its principals.
	if len(want.Accounts) == 0 || len(want.People) == 0 || len(want.PolicyDocs) == 0 {
		t.Fatalf("fixture lacks accounts, people or policy documents: %d, %d, %d", len(want.Accounts), len(want.People), len(want.PolicyDocs))
	}
	hdr, err := db.SnapshotHeader("snap-1")
	if err != nil {
		t.Fatal(err)
	}
	want.Principals = nil
	if diff := cmp.Diff(want, hdr); diff != "" {
		t.Errorf("SnapshotHeader (-want +got):\n%s", diff)
	}
	if _, err := db.SnapshotHeader("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SnapshotHeader(nope) err = %v, want ErrNotFound", err)
	}

	wantMeta := SnapshotMeta{
		ID: "snap-1", StartedAt: snap.StartedAt, FinishedAt: snap.FinishedAt, ProvostVersion: snap.ProvostVersion,
		PolicyVersion: snap.PolicyVersion, Coverage: snap.Coverage,
		Principals: len(ps), Accounts: len(snap.Accounts), PolicyDocs: len(snap.PolicyDocs), People: len(snap.People),
	}
	m, err := db.Meta("snap-1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantMeta, m); diff != "" {
		t.Errorf("Meta (-want +got):\n%s", diff)
	}
	all, err := db.Snapshots()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]SnapshotMeta{wantMeta}, all); diff != "" {
		t.Errorf("Snapshots (-want +got):\n%s", diff)
	}

	for _, tc := range []struct{ snap, principal string }{
		{"snap-1", "arn:aws:iam::nobody"},
		{"nope", ps[0].ID},
	} {
		if _, err := db.Principal(tc.snap, tc.principal); !errors.Is(err, ErrNotFound) {
			t.Errorf("Principal(%q, %q) err = %v, want ErrNotFound", tc.snap, tc.principal, err)
		}
	}
}

func cloneSnapshot(s *inventory.Snapshot) *inventory.Snapshot {
	c := *s
	c.Principals = make([]inventory.Principal, len(s.Principals))
	for i := range s.Principals {
		c.Principals[i] = clonePrincipal(s.Principals[i])
	}
	c.Coverage = slices.Clone(s.Coverage)
	c.Accounts = slices.Clone(s.Accounts)
	c.PolicyDocs = slices.Clone(s.PolicyDocs)
	c.People = slices.Clone(s.People)
	return &c
}

func TestEmptySnapshot(t *testing.T) {
	db := openTest(t)
	mustPut(t, db, &inventory.Snapshot{ID: "empty", StartedAt: genEpoch})
	got, err := db.Snapshot("empty")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&inventory.Snapshot{ID: "empty", StartedAt: genEpoch}, got); diff != "" {
		t.Errorf("Snapshot (-want +got):\n%s", diff)
	}
	checkSnapshot(t, db, "empty", nil)
}

func TestPutSnapshotRejects(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	ps := genPrincipals(3, 1)
	tests := []struct {
		name    string
		ctx     context.Context
		snap    *inventory.Snapshot
		wantErr string
		wantIs  error
	}{
		{name: "nil", snap: nil, wantErr: "nil snapshot"},
		{name: "no id", snap: &inventory.Snapshot{}, wantErr: "has no ID"},
		{name: "existing id", snap: genSnapshot("taken", ps, genEpoch), wantIs: ErrExists, wantErr: `snapshot "taken": already exists`},
		{name: "principal without id", snap: genSnapshot("s", []inventory.Principal{ps[0], {Name: "ghost"}}, genEpoch), wantErr: `principal 1 (name "ghost") has no ID`},
		{name: "principal twice", snap: genSnapshot("s", []inventory.Principal{ps[0], ps[1], ps[0]}, genEpoch), wantErr: fmt.Sprintf("principal %q appears more than once", ps[0].ID)},
		{name: "principal id too long", snap: genSnapshot("s", []inventory.Principal{{ID: strings.Repeat("x", 40000)}}, genEpoch), wantErr: "more than 32768"},
		{name: "cancelled", ctx: cancelled, snap: genSnapshot("s", ps, genEpoch), wantIs: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			mustPut(t, db, genSnapshot("taken", genPrincipals(2, 9), genEpoch))
			before := versionCounts(t, db)
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			err := db.PutSnapshot(ctx, tt.snap)
			if err == nil {
				t.Fatal("PutSnapshot succeeded")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantErr)
			}
			metas, err := db.Snapshots()
			if err != nil {
				t.Fatal(err)
			}
			if len(metas) != 1 || metas[0].ID != "taken" {
				t.Errorf("snapshots after a rejected put = %v, want only \"taken\"", metas)
			}
			if diff := cmp.Diff(before, versionCounts(t, db)); diff != "" {
				t.Errorf("a rejected put changed the stored versions (-before +after):\n%s", diff)
			}
		})
	}
}

// TestHistorySharesRecords follows one estate through changes, removals and returns, checking
// every snapshot's contents and how many versions are stored.
func TestHistorySharesRecords(t *testing.T) {
	db := openTest(t)
	v1 := genPrincipals(200, 1)
	mustPut(t, db, genSnapshot("d1", v1, genEpoch))

	// Identical content: nothing new is stored.
	mustPut(t, db, genSnapshot("d2", slices.Clone(v1), genEpoch.AddDate(0, 0, 1)))
	if got := totalVersions(t, db); got != 200 {
		t.Errorf("after an unchanged snapshot: %d versions stored, want 200", got)
	}

	// 10 changed, 5 removed, 3 added.
	v3 := mutate(v1, 0.05, 3)
	removed := v3[190:195]
	v3 = append(slices.Clone(v3[:190]), v3[195:]...)
	v3 = append(v3, genPrincipals(203, 77)[200:]...)
	changed := 0
	for i := range 190 {
		if v3[i].ContentHash() != v1[i].ContentHash() {
			changed++
		}
	}
	mustPut(t, db, genSnapshot("d3", v3, genEpoch.AddDate(0, 0, 2)))
	wantNew := changed + 3 + len(removed) // records + tombstones
	if got := totalVersions(t, db); got != 200+wantNew {
		t.Errorf("after d3: %d versions stored, want %d", got, 200+wantNew)
	}

	// The removed principals come back unchanged; one changed principal changes back.
	v4 := append(slices.Clone(v3), removed...)
	for i := range 190 {
		if v3[i].ContentHash() != v1[i].ContentHash() {
			v4[i] = v1[i]
			break
		}
	}
	mustPut(t, db, genSnapshot("d4", v4, genEpoch.AddDate(0, 0, 3)))
	checkMinimal(t, db, []string{"d1", "d2", "d3", "d4"}, map[string]*inventory.Snapshot{
		"d1": genSnapshot("d1", v1, genEpoch), "d2": genSnapshot("d2", v1, genEpoch),
		"d3": genSnapshot("d3", v3, genEpoch), "d4": genSnapshot("d4", v4, genEpoch),
	})

	checkSnapshot(t, db, "d1", v1)
	checkSnapshot(t, db, "d2", v1)
	checkSnapshot(t, db, "d3", v3)
	checkSnapshot(t, db, "d4", v4)
	for _, p := range removed {
		if _, err := db.Principal("d3", p.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("Principal(d3, removed %s) err = %v, want ErrNotFound", p.ID, err)
		}
	}
	checkNoGarbage(t, db)
}

// TestDeleteSnapshot deletes in every position, checking the survivors and that no garbage is
// left, then writes again on top.
func TestDeleteSnapshot(t *testing.T) {
	type step struct {
		id    string
		ps    []inventory.Principal
		start time.Time
	}
	build := func() []step {
		base := genPrincipals(60, 5)
		var steps []step
		cur := base
		for i := range 5 {
			if i > 0 {
				cur = mutate(cur, 0.1, uint64(i))
				cur = append(slices.Clone(cur[1:]), genPrincipals(61+i, 50+uint64(i))[60+i])
			}
			steps = append(steps, step{fmt.Sprintf("s%d", i+1), cur, genEpoch.AddDate(0, 0, i)})
		}
		return steps
	}
	tests := []struct {
		name   string
		delete []string
	}{
		{"latest", []string{"s5"}},
		{"latest twice", []string{"s5", "s4"}},
		{"oldest", []string{"s1"}},
		{"middle", []string{"s3"}},
		{"alternate", []string{"s2", "s4"}},
		{"all but one", []string{"s1", "s2", "s4", "s5"}},
		{"all", []string{"s3", "s1", "s5", "s2", "s4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			steps := build()
			for _, s := range steps {
				mustPut(t, db, genSnapshot(s.id, s.ps, s.start))
			}
			for _, id := range tt.delete {
				if err := db.DeleteSnapshot(id); err != nil {
					t.Fatalf("DeleteSnapshot(%s): %v", id, err)
				}
				if _, err := db.Meta(id); !errors.Is(err, ErrNotFound) {
					t.Errorf("Meta(%s) after delete: err = %v, want ErrNotFound", id, err)
				}
				checkNoGarbage(t, db)
				var order []string
				snaps := map[string]*inventory.Snapshot{}
				for _, s := range steps {
					if _, err := db.Meta(s.id); err == nil {
						order = append(order, s.id)
						snaps[s.id] = genSnapshot(s.id, s.ps, s.start)
					}
				}
				checkMinimal(t, db, order, snaps)
			}
			var left []step
			for _, s := range steps {
				if !slices.Contains(tt.delete, s.id) {
					left = append(left, s)
					checkSnapshot(t, db, s.id, s.ps)
				}
			}
			if len(left) == 0 && totalVersions(t, db) != 0 {
				t.Errorf("all snapshots deleted but %d versions remain", totalVersions(t, db))
			}

			// Writing on top diffs against the latest remaining snapshot, whatever was deleted.
			next := mutate(steps[len(steps)-1].ps, 0.2, 99)
			mustPut(t, db, genSnapshot("s6", next, genEpoch.AddDate(0, 0, 10)))
			checkSnapshot(t, db, "s6", next)
			for _, s := range left {
				checkSnapshot(t, db, s.id, s.ps)
			}
			checkNoGarbage(t, db)
			if err := db.DeleteSnapshot(tt.delete[0]); !errors.Is(err, ErrNotFound) {
				t.Errorf("deleting %s again: err = %v, want ErrNotFound", tt.delete[0], err)
			}
		})
	}
}

// TestChronologicalOrder writes snapshots out of time order: listing, Latest and Previous follow
// StartedAt, contents follow what was written.
func TestChronologicalOrder(t *testing.T) {
	db := openTest(t)
	a := genPrincipals(50, 1)
	b := mutate(a, 0.2, 2)
	c := mutate(b, 0.2, 3)
	mustPut(t, db, genSnapshot("tue", b, genEpoch.AddDate(0, 0, 1)))
	mustPut(t, db, genSnapshot("wed", c, genEpoch.AddDate(0, 0, 2)))
	mustPut(t, db, genSnapshot("mon", a, genEpoch)) // imported late
	same := genEpoch.AddDate(0, 0, 2)
	mustPut(t, db, genSnapshot("wed-again", c, same)) // same StartedAt: write order decides

	metas, err := db.Snapshots()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range metas {
		ids = append(ids, m.ID)
	}
	if diff := cmp.Diff([]string{"mon", "tue", "wed", "wed-again"}, ids); diff != "" {
		t.Errorf("Snapshots order (-want +got):\n%s", diff)
	}
	if l, err := db.Latest(); err != nil || l.ID != "wed-again" {
		t.Errorf("Latest = %q, %v; want wed-again", l.ID, err)
	}
	for _, tc := range []struct{ id, prev string }{{"tue", "mon"}, {"wed", "tue"}, {"wed-again", "wed"}} {
		if p, err := db.Previous(tc.id); err != nil || p.ID != tc.prev {
			t.Errorf("Previous(%s) = %q, %v; want %s", tc.id, p.ID, err, tc.prev)
		}
	}
	for _, id := range []string{"mon", "nope"} {
		if _, err := db.Previous(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Previous(%s) err = %v, want ErrNotFound", id, err)
		}
	}
	checkSnapshot(t, db, "mon", a)
	checkSnapshot(t, db, "tue", b)
	checkSnapshot(t, db, "wed", c)
	checkSnapshot(t, db, "wed-again", c)

	empty := openTest(t)
	if _, err := empty.Latest(); !errors.Is(err, ErrNotFound) {
		t.Errorf("Latest of an empty store: err = %v, want ErrNotFound", err)
	}
}

// TestRandomHistory checks the store against a model through random writes, deletes and prunes.
func TestRandomHistory(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 1))
			db := openTest(t)
			pool := genPrincipals(160, seed+100)
			model := map[string][]inventory.Principal{}
			var order []string
			cur := pool[:100]
			ops := 40
			if raceEnabled {
				ops = 20
			}
			for op := range ops {
				switch k := r.IntN(10); {
				case k < 6 || len(order) == 0: // write a changed snapshot
					cur = mutate(cur, r.Float64()*0.3, r.Uint64())
					if r.IntN(3) == 0 && len(cur) > 10 { // drop a few
						i := r.IntN(len(cur) - 5)
						cur = append(slices.Clone(cur[:i]), cur[i+5:]...)
					}
					if r.IntN(3) == 0 { // (re)add some from the pool
						for _, p := range pool[r.IntN(150):][:5] {
							if !slices.ContainsFunc(cur, func(q inventory.Principal) bool { return q.ID == p.ID }) {
								cur = append(slices.Clone(cur), p)
							}
						}
					}
					id := fmt.Sprintf("op%02d", op)
					mustPut(t, db, genSnapshot(id, cur, genEpoch.Add(time.Duration(r.IntN(1000))*time.Hour)))
					model[id] = cur
					order = append(order, id)
				case k < 9: // delete one
					i := r.IntN(len(order))
					if err := db.DeleteSnapshot(order[i]); err != nil {
						t.Fatal(err)
					}
					delete(model, order[i])
					order = slices.Delete(order, i, i+1)
				default: // prune to the last 3
					res, err := db.Prune(context.Background(), Retention{KeepLast: 3}, genEpoch, false)
					if err != nil {
						t.Fatal(err)
					}
					for _, id := range res.Deleted {
						delete(model, id)
						order = slices.DeleteFunc(order, func(o string) bool { return o == id })
					}
				}
				checkNoGarbage(t, db)
				snaps := map[string]*inventory.Snapshot{}
				for _, id := range order {
					snaps[id] = genSnapshot(id, model[id], genEpoch)
				}
				checkMinimal(t, db, order, snaps)
			}
			for id, ps := range model {
				checkSnapshot(t, db, id, ps)
			}
		})
	}
}

func TestEachPrincipalStops(t *testing.T) {
	db := openTest(t)
	mustPut(t, db, genSnapshot("s", genPrincipals(50, 1), genEpoch))
	mustPut(t, db, genSnapshot("t", mutate(genPrincipals(50, 1), 0.5, 1), genEpoch.Add(time.Hour)))
	stop := errors.New("stop")
	for _, id := range []string{"s", "t"} {
		n := 0
		err := db.EachPrincipal(id, func(*inventory.Principal) error {
			n++
			if n == 7 {
				return stop
			}
			return nil
		})
		if err != stop || n != 7 {
			t.Errorf("EachPrincipal(%s) = %v after %d calls, want the callback's error after 7", id, err, n)
		}
		n = 0
		err = db.EachPrincipalHash(id, func(string, inventory.Hash) error {
			n++
			return stop
		})
		if err != stop || n != 1 {
			t.Errorf("EachPrincipalHash(%s) = %v after %d calls, want the callback's error after 1", id, err, n)
		}
	}
	if err := db.EachPrincipal("nope", func(*inventory.Principal) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("EachPrincipal(nope) err = %v, want ErrNotFound", err)
	}
	if err := db.EachPrincipalHash("nope", func(string, inventory.Hash) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("EachPrincipalHash(nope) err = %v, want ErrNotFound", err)
	}

	// A panic in the callback is the caller's, not a damaged file.
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recovered %v, want the callback's panic", r)
			}
		}()
		_ = db.EachPrincipal("s", func(*inventory.Principal) error { panic("boom") })
	}()
	// The store still works afterwards.
	checkSnapshot(t, db, "s", genPrincipals(50, 1))
}

// TestConcurrentReadsAndWrites runs readers while snapshots are written and deleted (meaningful
// under -race).
func TestConcurrentReadsAndWrites(t *testing.T) {
	db := openTest(t)
	base := genPrincipals(300, 1)
	mustPut(t, db, genSnapshot("base", base, genEpoch))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for ctx.Err() == nil {
				n := 0
				if err := db.EachPrincipal("base", func(*inventory.Principal) error { n++; return nil }); err != nil || n != len(base) {
					t.Errorf("EachPrincipal during writes: %d principals, %v", n, err)
					return
				}
			}
		})
	}
	cur := base
	for i := range 10 {
		cur = mutate(cur, 0.1, uint64(i))
		cur = append(slices.Clone(cur), inventory.Principal{ID: fmt.Sprintf("new-%d", i), Account: fmt.Sprintf("acct-%d", i), Tags: map[string]string{"fresh": fmt.Sprint(i)}})
		mustPut(t, db, genSnapshot(fmt.Sprintf("w%d", i), cur, genEpoch.AddDate(0, 0, i+1)))
		if i%3 == 2 {
			if err := db.DeleteSnapshot(fmt.Sprintf("w%d", i-1)); err != nil {
				t.Fatal(err)
			}
		}
	}
	cancel()
	wg.Wait()
	checkSnapshot(t, db, "base", base)
	checkSnapshot(t, db, "w9", cur)
}

// TestReusedHasherMatchesContentHash: a Hasher reused across many principals (its buffers and
// canonical view carried over) gives what a fresh one gives, and never modifies the principal.
func TestReusedHasherMatchesContentHash(t *testing.T) {
	ps := genPrincipals(2000, 3)
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	ps = append(ps,
		inventory.Principal{},
		inventory.Principal{ID: "x", Groups: []string{"b", "a", "b", "a", "c"}, Tags: map[string]string{}, Attributes: map[string]string{"k": ""}},
		inventory.Principal{ID: "y", Credentials: []inventory.Credential{
			{Kind: "b", ID: "2"}, {Kind: "a", ID: "9", CreatedAt: t0}, {Kind: "a", ID: "9"}, {Kind: "a", ID: "9", LastUsed: t0, ExpiresAt: t0.Add(1)},
		}, Grants: []inventory.Grant{{What: "z"}, {What: "a", Condition: "c"}, {What: "a"}, {What: "a", Via: "direct"}}},
		inventory.Principal{ID: "z", CreatedAt: time.Unix(0, 0), LastActivity: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), Disabled: true, MFA: true},
	)
	var h inventory.Hasher
	for i := range ps {
		before := clonePrincipal(ps[i])
		if got, want := h.Sum(&ps[i]), ps[i].ContentHash(); got != want {
			t.Fatalf("principal %d (%s): reused Hasher %x, fresh ContentHash %x", i, ps[i].ID, got[:8], want[:8])
		}
		if diff := cmp.Diff(before, ps[i]); diff != "" {
			t.Fatalf("Hasher modified principal %d (-before +after):\n%s", i, diff)
		}
	}
}

// TestEachPrincipalStreams checks that iterating a snapshot keeps only the current principal:
// halfway through, the live heap has not grown by anything like the snapshot's size.
func TestEachPrincipalStreams(t *testing.T) {
	n := 20_000
	if raceEnabled {
		n = 5_000
	}
	db := openTest(t)
	cur := genPrincipals(n, 1)
	mustPut(t, db, genSnapshot("d0", cur, genEpoch))
	for d := 1; d < 5; d++ { // several segments, so the merge path is the one measured
		cur = mutate(cur, 0.05, uint64(d))
		mustPut(t, db, genSnapshot(fmt.Sprintf("d%d", d), cur, genEpoch.AddDate(0, 0, d)))
	}
	full, err := db.Snapshot("d4")
	if err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	loaded := ms.HeapAlloc
	runtime.KeepAlive(full)
	full = nil
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	snapshotBytes := loaded - before

	var mid uint64
	i := 0
	if err := db.EachPrincipal("d4", func(*inventory.Principal) error {
		if i++; i == n/2 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			mid = ms.HeapAlloc
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	grown := int64(mid) - int64(before)
	t.Logf("a loaded snapshot of %d principals holds %d bytes; halfway through iterating, the heap grew %d bytes", n, snapshotBytes, grown)
	if grown > int64(snapshotBytes)/20 {
		t.Errorf("halfway through EachPrincipal the heap grew by %d bytes, more than 5%% of a whole loaded snapshot (%d)", grown, snapshotBytes)
	}
}
