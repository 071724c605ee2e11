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
	// Snapshot, when set, is the plan's snapshot: every step is checked again against the
	// per-principal guards (protected, coverage, source of truth), so a plan file edited after
	// planning cannot reach a principal the planner would have blocked.
	Snapshot *inventory.Snapshot
}

// RosterCounts counts a snapshot's people per source.
func RosterCounts(snap *inventory.Snapshot) map[string]int {
	out := map[string]int{}
	for _, p := range snap.People {
		out[p.Source]++
	}
	return out
}

// CheckRun applies the run-level guards to plan, in order: stale plan, roster shrink, the
// per-principal guards again when f.Snapshot is set, count cap (acting steps), percent cap
// (distinct principals acted on, of the snapshot's principals). It returns a *GuardError
// (errors.Is ErrGuard) naming the first that refuses.
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
	if f.Snapshot != nil {
		if err := recheck(pol, plan, f.Snapshot); err != nil {
			return err
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

// recheck applies the per-principal guards to every step of plan against its snapshot.
func recheck(pol *Policy, plan *Plan, snap *inventory.Snapshot) error {
	if snap.ID != plan.SnapshotID {
		return &GuardError{Guard: "plan_snapshot", Message: fmt.Sprintf("plan names snapshot %s but was checked against %s", plan.SnapshotID, snap.ID)}
	}
	prin := make(map[string]*inventory.Principal, len(snap.Principals))
	for i := range snap.Principals {
		prin[snap.Principals[i].ID] = &snap.Principals[i]
	}
	sot := sourceOfTruthGap(snap.Coverage)
	for _, s := range plan.Steps {
		p := prin[s.Target.Principal]
		switch {
		case p == nil:
			return &GuardError{Guard: "plan_snapshot", Message: fmt.Sprintf("step %s names %s, which is not in snapshot %s", s.ID, s.Target.Principal, snap.ID)}
		case Protected(pol, p) != "":
			return &GuardError{Guard: "protected", Message: fmt.Sprintf("step %s would touch %s, which is protected (%s)", s.ID, p.ID, Protected(pol, p))}
		case scopeGap(snap.Coverage, p) != "":
			return &GuardError{Guard: "coverage", Message: fmt.Sprintf("step %s: %s", s.ID, scopeGap(snap.Coverage, p))}
		case sot != "":
			return &GuardError{Guard: "source_of_truth", Message: fmt.Sprintf("step %s: %s", s.ID, sot)}
		}
	}
	return nil
}
