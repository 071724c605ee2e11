package collector

import (
	"fmt"
	"slices"
	"strings"

	"github.com/provost-dev/provost/inventory"
)

// Roster is the size of one source of truth's roster in a snapshot, as its coverage recorded it
// (Counts["people"], summed over its scopes).
type Roster struct {
	Source string
	People int
	// Status is the source's coverage: only a complete roster's size is its true size; a
	// partial one is a lower bound and a failed one is unknown (People 0 means nothing).
	Status inventory.CoverageStatus
}

// Known reports whether People is the roster's true size.
func (r Roster) Known() bool { return r.Status == inventory.CoverageComplete }

// truthProviders are the providers whose sources are sources of truth.
var truthProviders = []inventory.Provider{inventory.ProviderHR, inventory.ProviderLDAP, inventory.ProviderSCIM}

// Rosters returns the roster of every source of truth in snap, sorted by source: the sources
// whose coverage names an HR, LDAP or SCIM provider, or that contributed people. A source with
// several scopes is complete only when all are.
func Rosters(snap *inventory.Snapshot) []Roster {
	byName := map[string]*Roster{}
	var out []*Roster
	get := func(name string) *Roster {
		if r, ok := byName[name]; ok {
			return r
		}
		r := &Roster{Source: name, Status: inventory.CoverageComplete}
		byName[name] = r
		out = append(out, r)
		return r
	}
	peopleSources := map[string]bool{}
	for _, p := range snap.People {
		peopleSources[p.Source] = true
	}
	for _, c := range snap.Coverage {
		if !slices.Contains(truthProviders, c.Provider) && !peopleSources[c.Source] {
			continue
		}
		r := get(c.Source)
		r.People += c.Counts["people"]
		r.Status = worse(r.Status, c.Status)
	}
	res := make([]Roster, len(out))
	for i, r := range out {
		res[i] = *r
	}
	slices.SortFunc(res, func(a, b Roster) int { return strings.Compare(a.Source, b.Source) })
	return res
}

func worse(a, b inventory.CoverageStatus) inventory.CoverageStatus {
	rank := map[inventory.CoverageStatus]int{inventory.CoverageComplete: 0, inventory.CoveragePartial: 1, inventory.CoverageFailed: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// RosterChange is a source of truth whose roster cannot be trusted against an earlier snapshot.
type RosterChange struct {
	Source        string
	Before, After int
	BeforeKnown   bool
	AfterKnown    bool
	Reason        string
}

// RosterShrinks compares the rosters of two snapshots and reports each source of truth that
// shrank by more than maxDrop (a fraction: 0.1 is 10%) since prev, or whose roster was known in
// prev and is not now (failed, partial or missing from cur). A sudden drop in the number of
// people is more often a broken export or directory query than a wave of leavers, and acting on
// it would treat everyone missing as gone.
func RosterShrinks(prev, cur []Roster, maxDrop float64) []RosterChange {
	now := map[string]Roster{}
	for _, r := range cur {
		now[r.Source] = r
	}
	var out []RosterChange
	for _, before := range prev {
		if !before.Known() || before.People == 0 {
			continue
		}
		after, ok := now[before.Source]
		ch := RosterChange{Source: before.Source, Before: before.People, BeforeKnown: true, After: after.People, AfterKnown: after.Known()}
		switch {
		case !ok:
			ch.Reason = "the source is missing from this snapshot"
		case !after.Known():
			ch.Reason = fmt.Sprintf("the roster is %s in this snapshot", after.Status)
		case float64(before.People-after.People) > maxDrop*float64(before.People):
			ch.Reason = fmt.Sprintf("the roster shrank from %d to %d people (more than %.0f%%)", before.People, after.People, maxDrop*100)
		default:
			continue
		}
		out = append(out, ch)
	}
	return out
}
