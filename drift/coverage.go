package drift

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/provost-dev/provost/inventory"
)

// GCPGroupsScope is the coverage scope under which the GCP collector records Cloud Identity group
// expansion. GCP group memberships, and the grants principals hold through groups, are only as
// complete as that scope; AWS group memberships come with the account.
const GCPGroupsScope = "cloudidentity/groups"

// coverage answers "was this scope seen whole?" for one snapshot.
//
// A scope named by coverage entries has the worst status among them. A scope no entry names is
// complete only when the snapshot has coverage and every entry in it is complete: the collection
// saw all it was asked to, so a scope it no longer mentions is gone (an account that left the
// organization). When any entry is partial or failed — a whole source that failed records one
// entry without a scope — an unnamed scope may be that source's, so it counts as not seen.
type coverage struct {
	scopes    map[string]inventory.CoverageStatus
	sources   map[string]inventory.CoverageStatus
	truth     inventory.CoverageStatus // worst of the sources-of-truth providers; "" when none
	any, all  bool
	entries   []inventory.Coverage
	entryKeys map[coverageKey]int
}

type coverageKey struct{ source, scope string }

// peopleProviders are the providers whose sources supply people.
var peopleProviders = []inventory.Provider{inventory.ProviderHR, inventory.ProviderLDAP, inventory.ProviderSCIM}

func newCoverage(entries []inventory.Coverage) coverage {
	c := coverage{
		scopes:    map[string]inventory.CoverageStatus{},
		sources:   map[string]inventory.CoverageStatus{},
		any:       len(entries) > 0,
		all:       true,
		entries:   entries,
		entryKeys: make(map[coverageKey]int, len(entries)),
	}
	for i, e := range entries {
		st := normStatus(e.Status)
		if st != inventory.CoverageComplete {
			c.all = false
		}
		if e.Scope != "" {
			c.scopes[e.Scope] = worse(c.scopes[e.Scope], st)
		}
		c.sources[e.Source] = worse(c.sources[e.Source], st)
		if slices.Contains(peopleProviders, e.Provider) {
			c.truth = worse(c.truth, st)
		}
		k := coverageKey{e.Source, e.Scope}
		if j, dup := c.entryKeys[k]; dup {
			// Keep the worse of two entries for one source × scope.
			if rank(st) > rank(normStatus(entries[j].Status)) {
				c.entryKeys[k] = i
			}
			continue
		}
		c.entryKeys[k] = i
	}
	return c
}

// normStatus maps statuses this code does not know (a damaged or hand-written snapshot) to
// failed: an unknown status never vouches for a scope.
func normStatus(s inventory.CoverageStatus) inventory.CoverageStatus {
	switch s {
	case inventory.CoverageComplete, inventory.CoveragePartial, inventory.CoverageFailed:
		return s
	}
	return inventory.CoverageFailed
}

func rank(s inventory.CoverageStatus) int {
	switch s {
	case "":
		return -1
	case inventory.CoverageComplete:
		return 0
	case inventory.CoveragePartial:
		return 1
	}
	return 2
}

// worse returns the worse of two statuses; "" (no entry yet) loses to anything.
func worse(a, b inventory.CoverageStatus) inventory.CoverageStatus {
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// scope returns the status of a scope, "" when the snapshot says nothing that vouches for it.
func (c *coverage) scope(s string) inventory.CoverageStatus {
	if st, ok := c.scopes[s]; ok {
		return st
	}
	if c.any && c.all {
		return inventory.CoverageComplete
	}
	return ""
}

func (c *coverage) complete(scope string) bool { return c.scope(scope) == inventory.CoverageComplete }

// groups reports whether group memberships of principals of provider p were seen whole.
func (c *coverage) groups(p inventory.Provider) bool {
	return p != inventory.ProviderGCP || c.complete(GCPGroupsScope)
}

// people returns the status of the source of truth a person came from: the entries of that
// source when there are any, else those of all HR, LDAP and SCIM sources, else the unnamed-scope
// rule.
func (c *coverage) people(source string) inventory.CoverageStatus {
	if st, ok := c.sources[source]; ok {
		return st
	}
	if c.truth != "" {
		return c.truth
	}
	if c.any && c.all {
		return inventory.CoverageComplete
	}
	return ""
}

// seenWhole reports whether everything that made p visible was seen whole: its account, the
// scopes of its grants and, for grants through groups, group membership. Only then is p's absence
// a removal.
func (c *coverage) seenWhole(p *inventory.Principal) bool {
	if !c.complete(p.Account) {
		return false
	}
	for i := range p.Grants {
		if !c.grantSeen(p, &p.Grants[i]) {
			return false
		}
	}
	return len(p.Groups) == 0 || c.groups(p.Provider)
}

// grantSeen reports whether the absence of grant g of principal p would be a revocation.
func (c *coverage) grantSeen(p *inventory.Principal, g *inventory.Grant) bool {
	if !c.complete(p.Account) || !c.complete(g.Where) {
		return false
	}
	return !strings.HasPrefix(g.Via, "group:") || c.groups(p.Provider)
}

// unseen names, for a message, the first scope of p that was not seen whole.
func (c *coverage) unseen(p *inventory.Principal) string {
	if !c.complete(p.Account) {
		return c.describe(p.Account)
	}
	for _, g := range p.Grants {
		if !c.complete(g.Where) {
			return c.describe(g.Where)
		}
	}
	return c.describe(GCPGroupsScope)
}

// describe says how a scope was seen, for a message: "111122223333 was failed".
func (c *coverage) describe(scope string) string {
	st := c.scope(scope)
	if st == "" {
		return orDash(scope) + " was not reported"
	}
	return orDash(scope) + " was " + string(st)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// coverageEvents lists the source × scope pairs whose status changed, appeared or disappeared,
// in source then scope order.
func coverageEvents(prev, cur *coverage) []Event {
	keys := make([]coverageKey, 0, len(cur.entryKeys))
	for k := range prev.entryKeys {
		keys = append(keys, k)
	}
	for k := range cur.entryKeys {
		if _, ok := prev.entryKeys[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b coverageKey) int {
		return cmp.Or(strings.Compare(a.source, b.source), strings.Compare(a.scope, b.scope))
	})
	var out []Event
	for _, k := range keys {
		var before, after *inventory.Coverage
		if i, ok := prev.entryKeys[k]; ok {
			before = &prev.entries[i]
		}
		if i, ok := cur.entryKeys[k]; ok {
			after = &cur.entries[i]
		}
		var bs, as inventory.CoverageStatus
		if before != nil {
			bs = before.Status
		}
		if after != nil {
			as = after.Status
		}
		if bs == as {
			continue
		}
		e := Event{Kind: CoverageChanged, Source: k.source, Scope: k.scope, Before: string(bs), After: string(as)}
		where := "source " + k.source
		if k.scope != "" {
			where += " scope " + k.scope
		}
		switch {
		case after == nil:
			e.Provider = before.Provider
			e.Message = fmt.Sprintf("%s: %s, now not reported", where, bs)
		case before == nil:
			e.Provider = after.Provider
			e.Message = fmt.Sprintf("%s: newly reported, %s", where, as)
		default:
			e.Provider = cmp.Or(after.Provider, before.Provider)
			e.Message = fmt.Sprintf("%s: %s → %s", where, bs, as)
		}
		if after != nil && after.ErrorKind != inventory.ErrNone {
			e.Message += " (" + string(after.ErrorKind) + ")"
		}
		out = append(out, e)
	}
	return out
}
