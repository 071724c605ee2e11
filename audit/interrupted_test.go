package audit

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/sandbox"
	"github.com/provost-dev/provost/store"
)

// TestRunAfterInterruptedRuns: a run killed between its snapshot and findings writes leaves a
// snapshot without findings (simulated here by storing a collected snapshot and nothing else).
// The next run is compared with the last run that finished: persisting findings keep exactly
// their first-seen time, the killed run's changes are drift of this run (new.hire's
// principal_added, so the drift check fires), and raj.patel's findings resolve now. With no
// finished run before, the run is compared with the snapshot just before and every finding is
// new.
func TestRunAfterInterruptedRuns(t *testing.T) {
	lib := loadLibrary(t)
	ctx := context.Background()
	// Findings of the changed organisation compared with the original one, as in TestRunExample.
	var changed []string
	for _, k := range firstRun {
		if strings.Contains(k, "user/raj.patel") {
			changed = append(changed, strings.TrimSuffix(k, " open")+" resolved",
				strings.ReplaceAll(k, "user/raj.patel", "user/new.hire"))
			continue
		}
		changed = append(changed, k)
	}
	changed = append(changed, "PV-DRF-002 arn:aws:iam::111122223333:user/new.hire open")
	sort.Strings(changed)
	// Findings of the changed organisation on its own: the original's, raj renamed.
	var alone []string
	for _, k := range firstRun {
		alone = append(alone, strings.ReplaceAll(k, "user/raj.patel", "user/new.hire"))
	}
	sort.Strings(alone)

	tests := []struct {
		name      string
		finished  bool // a run finished on day 1 before the killed ones
		killed    int  // runs killed between their two writes, one a day after day 1
		want      []string
		wantFirst func(f finding.Finding, now time.Time) time.Time
		wantPrev  func(finishedID string, killedIDs []string) string
	}{
		{
			name: "one interrupted run", finished: true, killed: 1, want: changed,
			wantFirst: func(f finding.Finding, now time.Time) time.Time {
				if strings.Contains(f.Principal, "new.hire") {
					return now
				}
				return day1
			},
			wantPrev: func(finished string, _ []string) string { return finished },
		},
		{
			name: "three interrupted runs", finished: true, killed: 3, want: changed,
			wantFirst: func(f finding.Finding, now time.Time) time.Time {
				if strings.Contains(f.Principal, "new.hire") {
					return now
				}
				return day1
			},
			wantPrev: func(finished string, _ []string) string { return finished },
		},
		{
			name: "no finished run before", killed: 2, want: alone,
			wantFirst: func(_ finding.Finding, now time.Time) time.Time { return now },
			wantPrev:  func(_ string, killed []string) string { return killed[len(killed)-1] },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openStore(t)
			clock := day1
			opts := Options{Store: db, Library: lib, Now: func() time.Time { return clock }}
			var finishedID string
			if tt.finished {
				opts.Sources = []collector.Source{exampleSource(t, sandbox.ExampleOrg())}
				res, err := Run(ctx, opts)
				if err != nil {
					t.Fatal(err)
				}
				finishedID = res.SnapshotID
			}
			org := exampleSource(t, changedOrg(t))
			var killedIDs []string
			for range tt.killed {
				clock = clock.Add(24 * time.Hour)
				snap, err := collector.Run(ctx, []collector.Source{org}, collector.RunOptions{Now: opts.Now})
				if err != nil {
					t.Fatal(err)
				}
				if err := db.PutSnapshot(ctx, snap); err != nil {
					t.Fatal(err)
				}
				killedIDs = append(killedIDs, snap.ID)
				if _, err := db.Findings(snap.ID); !errors.Is(err, store.ErrNoFindings) {
					t.Fatalf("killed run's snapshot: Findings error %v, want ErrNoFindings", err)
				}
			}

			clock = clock.Add(24 * time.Hour)
			opts.Sources = []collector.Source{org}
			res, err := Run(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.wantPrev(finishedID, killedIDs); res.PreviousID != want {
				t.Errorf("PreviousID = %q, want %q", res.PreviousID, want)
			}
			if diff := cmp.Diff(tt.want, keys(res.Findings)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			type life struct{ FirstSeen, ResolvedAt time.Time }
			got, want := map[string]life{}, map[string]life{}
			for _, f := range res.Findings {
				got[f.ID] = life{f.FirstSeen, f.ResolvedAt}
				w := life{FirstSeen: tt.wantFirst(f, clock)}
				if f.Status == finding.StatusResolved {
					w.ResolvedAt = clock
				}
				want[f.ID] = w
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("first seen / resolved at by finding ID (-want +got):\n%s", diff)
			}
			stored, err := db.Findings(res.SnapshotID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(keys(res.Findings), keys(stored)); diff != "" {
				t.Errorf("stored findings (-want +got):\n%s", diff)
			}
		})
	}
}
