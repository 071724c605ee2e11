package remediate

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/provost-dev/provost/inventory"
)

// SnapshotRef names a stored snapshot.
type SnapshotRef struct {
	ID        string
	StartedAt time.Time
}

// RunFacts is what the run-level guards need from the store.
type RunFacts struct {
	// Latest is the newest stored snapshot.
	Latest SnapshotRef
	// People and PrevPeople count people per source of truth in the plan's snapshot and the one
	// before it (RosterCounts); PrevPeople is nil when there is no previous snapshot.
	People, PrevPeople map[string]int
}

// RosterCounts counts a snapshot's people per source.
func RosterCounts(snap *inventory.Snapshot) map[string]int {
	out := map[string]int{}
	for _, p := range snap.People {
		out[p.Source]++
	}
	return out
}

// CheckRun applies the run-level guards to plan, in order: stale plan, roster shrink, count cap
// (acting steps), percent cap (distinct principals acted on, of the snapshot's principals). It returns a *GuardError (errors.Is ErrGuard) naming the first that refuses.
func CheckRun(pol *Policy, plan *Plan, f RunFacts) error {
	if f.Latest.ID != plan.SnapshotID && f.Latest.StartedAt.After(plan.SnapshotAt) {
		return &GuardError{Guard: "stale_plan", Message: fmt.Sprintf(
			"plan was made from snapshot %s (%s) but snapshot %s (%s) is newer: make a new plan",
			plan.SnapshotID, plan.SnapshotAt.Format(time.RFC3339), f.Latest.ID, f.Latest.StartedAt.Format(time.RFC3339))}
	}
	if f.PrevPeople != nil {
		for _, src := range slices.Sorted(maps.Keys(f.PrevPeople)) {
			before, now := f.PrevPeople[src], f.People[src]
			if before == 0 {
				continue
			}
			shrink := float64(before-now) * 100 / float64(before)
			if shrink > pol.MaxRosterShrinkPercent {
				return &GuardError{Guard: "roster_shrink", Message: fmt.Sprintf(
					"source of truth %s shrank from %d to %d people (%.1f%%, limit %.1f%%) since the previous snapshot: check the source before acting",
					src, before, now, shrink, pol.MaxRosterShrinkPercent)}
			}
		}
	}
	n := len(plan.Acting())
	if n > pol.MaxActions {
		return &GuardError{Guard: "cap_count", Message: fmt.Sprintf(
			"plan has %d acting steps, more than max_actions %d: nothing was done", n, pol.MaxActions)}
	}
	touched := map[string]bool{}
	for _, s := range plan.Acting() {
		touched[s.Target.Principal] = true
	}
	if k := len(touched); k > 0 {
		pct := float64(k) * 100 / float64(max(plan.Principals, 1))
		if pct > pol.MaxPercent {
			return &GuardError{Guard: "cap_percent", Message: fmt.Sprintf(
				"plan acts on %d of %d principals (%.2f%%), more than max_percent %.2f%%: nothing was done", k, plan.Principals, pct, pol.MaxPercent)}
		}
	}
	return nil
}
