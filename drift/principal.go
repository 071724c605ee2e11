package drift

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/provost-dev/provost/inventory"
)

// pair holds the coverage of the two snapshots being compared.
type pair struct {
	prev, cur coverage
}

func newPair(prev, cur []inventory.Coverage) *pair {
	return &pair{prev: newCoverage(prev), cur: newCoverage(cur)}
}

// DiffPrincipal returns the events of one principal between two snapshots whose coverage is
// prevCov and curCov. prev or cur is nil when the principal is not in that snapshot; with both
// nil there are no events. It is the per-principal step of Diff, for callers that follow one
// principal (provost history).
func DiffPrincipal(prev, cur *inventory.Principal, prevCov, curCov []inventory.Coverage) []Event {
	return newPair(prevCov, curCov).principal(nil, prev, cur)
}

// principal appends to out the events of one principal and returns the extended slice. Events
// come in Kinds order, and within a kind in the order of what changed (credential kind and ID,
// group ID, grant).
func (d *pair) principal(out []Event, prev, cur *inventory.Principal) []Event {
	switch {
	case prev == nil && cur == nil:
		return out
	case prev == nil:
		e := base(PrincipalAdded, cur)
		e.Message = who(cur) + " added in " + orDash(cur.Account)
		if !d.prev.seenWhole(cur) {
			e.Uncertain = true
			e.Message += uncertainNote(&d.prev, cur)
		}
		return append(out, e)
	case cur == nil:
		if d.cur.seenWhole(prev) {
			e := base(PrincipalRemoved, prev)
			e.Message = who(prev) + " removed from " + orDash(prev.Account)
			return append(out, e)
		}
		e := base(PrincipalNotSeen, prev)
		e.Before = "present"
		e.Message = who(prev) + " not seen: " + d.cur.unseen(prev) + " in this snapshot, so it is not known to be removed"
		return append(out, e)
	}

	// Losses (a value going to its zero: a fact not collected looks just like it) are reported
	// only when the current snapshot saw the scope whole; gains seen against a previous snapshot
	// that did not are marked uncertain.
	acctNow := d.cur.complete(cur.Account)
	acctBefore := d.prev.complete(prev.Account)
	gain := func(e Event) Event {
		if !acctBefore {
			e.Uncertain = true
			e.Message += uncertainNote(&d.prev, prev)
		}
		return e
	}

	switch {
	case !prev.Disabled && cur.Disabled:
		e := base(PrincipalDisabled, cur)
		e.Before, e.After = "enabled", "disabled"
		e.Message = who(cur) + " disabled"
		out = append(out, gain(e))
	case prev.Disabled && !cur.Disabled && acctNow:
		e := base(PrincipalReenabled, cur)
		e.Before, e.After = "disabled", "enabled"
		e.Message = who(cur) + " re-enabled"
		out = append(out, e)
	}

	out = d.credentials(out, prev, cur, acctNow, gain)

	switch {
	case !prev.MFA && cur.MFA:
		e := base(MFAAdded, cur)
		e.Before, e.After = "false", "true"
		e.Message = who(cur) + ": MFA enabled"
		out = append(out, gain(e))
	case prev.MFA && !cur.MFA && acctNow:
		e := base(MFARemoved, cur)
		e.Before, e.After = "true", "false"
		e.Message = who(cur) + ": MFA removed"
		out = append(out, e)
	}
	switch {
	case !prev.Console && cur.Console:
		e := base(ConsoleAdded, cur)
		e.Before, e.After = "false", "true"
		e.Message = who(cur) + ": console access added"
		out = append(out, gain(e))
	case prev.Console && !cur.Console && acctNow:
		e := base(ConsoleRemoved, cur)
		e.Before, e.After = "true", "false"
		e.Message = who(cur) + ": console access removed"
		out = append(out, e)
	}

	out = d.grants(out, prev, cur)
	return d.groups(out, prev, cur)
}

func base(k Kind, p *inventory.Principal) Event {
	return Event{Kind: k, Principal: p.ID, PrincipalKind: p.Kind, Name: p.Name, Account: p.Account, Provider: p.Provider, Person: p.PersonID}
}

func who(p *inventory.Principal) string {
	return fmt.Sprintf("%s %q", cmp.Or(string(p.Kind), "principal"), cmp.Or(p.Name, p.ID))
}

func uncertainNote(prev *coverage, p *inventory.Principal) string {
	return " (uncertain: in the previous snapshot " + prev.unseen(p) + ")"
}

type credKey struct {
	kind inventory.CredentialKind
	id   string
}

func credMap(cs []inventory.Credential) map[credKey]*inventory.Credential {
	m := make(map[credKey]*inventory.Credential, len(cs))
	for i := range cs {
		m[credKey{cs[i].Kind, cs[i].ID}] = &cs[i]
	}
	return m
}

func compareCredKey(a, b credKey) int {
	return cmp.Or(strings.Compare(string(a.kind), string(b.kind)), strings.Compare(a.id, b.id))
}

func (d *pair) credentials(out []Event, prev, cur *inventory.Principal, acctNow bool, gain func(Event) Event) []Event {
	if slices.Equal(prev.Credentials, cur.Credentials) {
		return out
	}
	pm, cm := credMap(prev.Credentials), credMap(cur.Credentials)
	keys := slices.SortedFunc(maps.Keys(pm), compareCredKey)
	for k := range cm {
		if _, ok := pm[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compareCredKey)

	var created, deleted, activated, deactivated []Event
	ev := func(k Kind, c *inventory.Credential, verb string) Event {
		e := base(k, cur)
		cc := *c
		e.Credential = &cc
		e.Field = c.ID
		e.Message = fmt.Sprintf("%s: %s %s %s", who(cur), c.Kind, orDash(c.ID), verb)
		return e
	}
	for _, k := range keys {
		b, a := pm[k], cm[k]
		// A slot-named credential (AWS access_key_1) whose creation time changed was rotated:
		// the old one is gone and a new one exists.
		rotated := a != nil && b != nil && !a.CreatedAt.IsZero() && !b.CreatedAt.IsZero() && !a.CreatedAt.Equal(b.CreatedAt)
		if b != nil && (a == nil || rotated) && acctNow {
			e := ev(CredentialDeleted, b, "deleted")
			e.Before = b.Status
			deleted = append(deleted, e)
		}
		if a != nil && (b == nil || rotated) {
			e := ev(CredentialCreated, a, "created")
			e.After = a.Status
			if !a.Active() {
				e.Message += " (" + a.Status + ")"
			}
			created = append(created, gain(e))
			continue
		}
		if a == nil || b == nil {
			continue
		}
		switch {
		case !b.Active() && a.Active():
			e := ev(CredentialActivated, a, "activated")
			e.Before, e.After = b.Status, a.Status
			e.Message += fmt.Sprintf(" (%s → %s)", orDash(b.Status), a.Status)
			activated = append(activated, e)
		case b.Active() && !a.Active():
			e := ev(CredentialDeactivated, a, "deactivated")
			e.Before, e.After = b.Status, a.Status
			e.Message += fmt.Sprintf(" (%s → %s)", b.Status, orDash(a.Status))
			deactivated = append(deactivated, e)
		}
	}
	out = append(out, created...)
	out = append(out, deleted...)
	out = append(out, activated...)
	return append(out, deactivated...)
}

func compareGrant(a, b inventory.Grant) int {
	return cmp.Or(
		strings.Compare(a.What, b.What),
		strings.Compare(a.Where, b.Where),
		strings.Compare(a.Via, b.Via),
		strings.Compare(string(a.Privilege), string(b.Privilege)),
		strings.Compare(a.Condition, b.Condition),
	)
}

// maxByScope returns each scope's highest privilege.
func maxByScope(gs []inventory.Grant) map[string]inventory.Privilege {
	m := make(map[string]inventory.Privilege, 1)
	for _, g := range gs {
		m[g.Where] = m[g.Where].Max(g.Privilege)
	}
	return m
}

func (d *pair) grants(out []Event, prev, cur *inventory.Principal) []Event {
	if len(prev.Grants) == 0 && len(cur.Grants) == 0 {
		return out
	}
	if slices.Equal(prev.Grants, cur.Grants) {
		return out
	}
	added := setMinus(cur.Grants, prev.Grants)
	removed := setMinus(prev.Grants, cur.Grants)
	curGrants := cur.Grants
	added, removed, curGrants = d.samePrivilegeUnseen(cur, added, removed, curGrants)
	if len(added) == 0 && len(removed) == 0 {
		return out
	}
	pmax, cmax := maxByScope(prev.Grants), maxByScope(curGrants)
	ev := func(k Kind, g inventory.Grant) Event {
		e := base(k, cur)
		gg := g
		e.Grant = &gg
		e.Scope = g.Where
		e.Before, e.After = string(pmax[g.Where]), string(cmax[g.Where])
		return e
	}
	for _, g := range added {
		e := ev(GrantAdded, g)
		e.Message = fmt.Sprintf("%s: granted %s on %s%s", who(cur), g.What, orDash(g.Where), via(g))
		if g.Privilege.Rank() > pmax[g.Where].Rank() && g.Privilege == cmax[g.Where] {
			e.Escalation = true
			e.Message += fmt.Sprintf("; escalation on %s: %s → %s", orDash(g.Where), privName(pmax[g.Where]), privName(cmax[g.Where]))
		}
		if !d.prev.grantSeen(prev, &g) {
			e.Uncertain = true
			scope := prev.Account
			switch {
			case !d.prev.complete(scope):
			case !d.prev.complete(g.Where):
				scope = g.Where
			default:
				scope = GCPGroupsScope
			}
			e.Message += " (uncertain: in the previous snapshot " + d.prev.describe(scope) + ")"
		}
		out = append(out, e)
	}
	for _, g := range removed {
		if !d.cur.grantSeen(cur, &g) {
			continue
		}
		e := ev(GrantRemoved, g)
		e.Message = fmt.Sprintf("%s: lost %s on %s%s", who(cur), g.What, orDash(g.Where), via(g))
		if pmax[g.Where] != cmax[g.Where] {
			e.Message += fmt.Sprintf("; privilege on %s: %s → %s", orDash(g.Where), privName(pmax[g.Where]), privName(cmax[g.Where]))
		}
		out = append(out, e)
	}
	return out
}

// grantIdentity is a grant without its privilege.
type grantIdentity struct{ what, where, via, condition string }

func identity(g inventory.Grant) grantIdentity {
	return grantIdentity{g.What, g.Where, g.Via, g.Condition}
}

// samePrivilegeUnseen takes out of added and removed the grants that differ from one on the
// other side only in privilege, where the current snapshot did not see the grant's scope whole:
// there the privilege may be a guess (a GCP role whose definition could not be read is rated by
// its name), so the grant is taken as unchanged, neither lost nor gained nor an escalation. It
// returns the rest, and cur's grants with those taken as unchanged at their previous privilege,
// from which the scope's current highest privilege is computed. A grant that only the current
// snapshot has is still a gain, and the coverage_changed event says why the others are not.
func (d *pair) samePrivilegeUnseen(cur *inventory.Principal, added, removed, curGrants []inventory.Grant) ([]inventory.Grant, []inventory.Grant, []inventory.Grant) {
	if len(added) == 0 || len(removed) == 0 {
		return added, removed, curGrants
	}
	var before map[grantIdentity]bool
	for _, g := range removed {
		if !d.cur.grantSeen(cur, &g) {
			if before == nil {
				before = make(map[grantIdentity]bool, len(removed))
			}
			before[identity(g)] = true
		}
	}
	if before == nil {
		return added, removed, curGrants
	}
	same := make(map[grantIdentity]bool, len(before))
	guessed := make(map[inventory.Grant]bool, len(before))
	keptAdded := added[:0:0]
	for _, g := range added {
		if k := identity(g); before[k] {
			same[k] = true // same scope and via as the removed grant, so not seen whole either
			guessed[g] = true
			continue
		}
		keptAdded = append(keptAdded, g)
	}
	if len(same) == 0 {
		return added, removed, curGrants
	}
	keptRemoved := removed[:0:0]
	effective := make([]inventory.Grant, 0, len(curGrants))
	for _, g := range curGrants {
		if !guessed[g] {
			effective = append(effective, g)
		}
	}
	for _, g := range removed {
		if same[identity(g)] {
			effective = append(effective, g)
			continue
		}
		keptRemoved = append(keptRemoved, g)
	}
	return keptAdded, keptRemoved, effective
}

// setMinus returns the grants of a not in b, sorted and without repeats.
func setMinus(a, b []inventory.Grant) []inventory.Grant {
	in := make(map[inventory.Grant]bool, len(b))
	for _, g := range b {
		in[g] = true
	}
	var out []inventory.Grant
	for _, g := range a {
		if !in[g] {
			in[g] = true
			out = append(out, g)
		}
	}
	slices.SortFunc(out, compareGrant)
	return out
}

func via(g inventory.Grant) string {
	s := ""
	if g.Via != "" && g.Via != "direct" {
		s = " via " + g.Via
	}
	if g.Privilege != inventory.PrivilegeNone {
		s += " (" + string(g.Privilege) + ")"
	}
	return s
}

func privName(p inventory.Privilege) string {
	if p == inventory.PrivilegeNone {
		return "none"
	}
	return string(p)
}

func (d *pair) groups(out []Event, prev, cur *inventory.Principal) []Event {
	if slices.Equal(prev.Groups, cur.Groups) {
		return out
	}
	for _, g := range strMinus(cur.Groups, prev.Groups) {
		e := base(GroupAdded, cur)
		e.Field, e.After = g, g
		e.Message = fmt.Sprintf("%s: added to group %s", who(cur), g)
		if !d.prev.complete(prev.Account) || !d.prev.groups(prev.Provider) {
			e.Uncertain = true
			scope := prev.Account
			if d.prev.complete(scope) {
				scope = GCPGroupsScope
			}
			e.Message += " (uncertain: in the previous snapshot " + d.prev.describe(scope) + ")"
		}
		out = append(out, e)
	}
	if !d.cur.complete(cur.Account) || !d.cur.groups(cur.Provider) {
		return out
	}
	for _, g := range strMinus(prev.Groups, cur.Groups) {
		e := base(GroupRemoved, cur)
		e.Field, e.Before = g, g
		e.Message = fmt.Sprintf("%s: removed from group %s", who(cur), g)
		out = append(out, e)
	}
	return out
}

// strMinus returns the strings of a not in b, sorted and without repeats.
func strMinus(a, b []string) []string {
	in := make(map[string]bool, len(b))
	for _, s := range b {
		in[s] = true
	}
	var out []string
	for _, s := range a {
		if !in[s] {
			in[s] = true
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}
