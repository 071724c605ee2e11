package finding

import (
	"cmp"
	"slices"
	"time"

	"github.com/provost-dev/provost/inventory"
)

// ScopeFunc reports whether the scope of a finding's principal was seen completely in the run
// that produced the current findings.
type ScopeFunc func(f Finding) bool

// ScopeStatus is the coverage of one scope: the worst status of the coverage entries naming it
// (failed < partial < complete), or "" when no entry names it.
func ScopeStatus(coverage []inventory.Coverage, scope string) inventory.CoverageStatus {
	var out inventory.CoverageStatus
	for _, c := range coverage {
		if c.Scope != scope {
			continue
		}
		if out == "" || coverageRank(c.Status) < coverageRank(out) {
			out = c.Status
		}
	}
	return out
}

func coverageRank(s inventory.CoverageStatus) int {
	switch s {
	case inventory.CoverageComplete:
		return 2
	case inventory.CoveragePartial:
		return 1
	}
	return 0 // failed or unrecognised: the worst
}

// CoverageScopes returns the ScopeFunc of a snapshot's coverage. A finding's scope is its
// Account; it is complete when some coverage entry names it and all such entries are complete.
// Findings without an account (policy errors, expired waivers) belong to no scope and count as
// complete.
func CoverageScopes(coverage []inventory.Coverage) ScopeFunc {
	return func(f Finding) bool {
		if f.Account == "" {
			return true
		}
		return ScopeStatus(coverage, f.Account) == inventory.CoverageComplete
	}
}

// Merge folds the findings of the current run into the previous history and returns the new
// history, sorted by check, principal, qualifier. It is pure: at is the current run's time.
//
//   - A current finding keeps the FirstSeen of its live predecessor with the same ID (a
//     resolved predecessor means the problem came back: FirstSeen restarts at at); LastSeen is
//     at, ResolvedAt is cleared.
//   - A previous live finding that the current run did not produce is marked resolved at at,
//     unless its scope is incomplete (complete returns false), its check reported a policy
//     error in this run, or its check reported "cannot evaluate" for the same principal: then it
//     is kept unchanged, because not seeing a problem is not the same as its being gone.
//   - Previous resolved findings are kept unchanged.
//
// A nil complete treats every scope as complete. When current holds the same ID twice, the
// first occurrence wins.
func Merge(previous, current []Finding, at time.Time, complete ScopeFunc) []Finding {
	prev := make(map[string]Finding, len(previous))
	for _, p := range previous {
		prev[p.ID] = p
	}
	type checkPrincipal struct{ check, principal string }
	errored := make(map[string]bool)
	unknown := make(map[checkPrincipal]bool)
	seen := make(map[string]bool, len(current))
	out := make([]Finding, 0, len(previous)+len(current))
	for _, f := range current {
		if seen[f.ID] {
			continue
		}
		seen[f.ID] = true
		switch f.Status {
		case StatusError:
			errored[f.CheckID] = true
		case StatusCannotEvaluate:
			unknown[checkPrincipal{f.CheckID, f.Principal}] = true
		}
		f.LastSeen = at
		f.ResolvedAt = time.Time{}
		f.FirstSeen = at
		if p, ok := prev[f.ID]; ok && p.Status.Live() && !p.FirstSeen.IsZero() {
			f.FirstSeen = p.FirstSeen
		}
		out = append(out, f)
	}
	for _, p := range previous {
		if seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		held := p.Status == StatusResolved ||
			(complete != nil && !complete(p)) ||
			errored[p.CheckID] ||
			unknown[checkPrincipal{p.CheckID, p.Principal}]
		if !held {
			p.Status = StatusResolved
			p.ResolvedAt = at
		}
		out = append(out, p)
	}
	SortFindings(out)
	return out
}

// SortFindings orders findings by check ID, principal, qualifier and ID.
func SortFindings(fs []Finding) {
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.CheckID, b.CheckID),
			cmp.Compare(a.Principal, b.Principal),
			cmp.Compare(a.Qualifier, b.Qualifier),
			cmp.Compare(a.ID, b.ID),
		)
	})
}
