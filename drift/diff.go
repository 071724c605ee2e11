package drift

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/provost-dev/provost/inventory"
)

// Diff returns what changed from snapshot prev to snapshot cur: coverage events first (by source
// and scope), then principal events (by principal ID), then person events (by person ID). It
// does not modify the snapshots. It fails, naming the snapshot and record, when a snapshot lists
// a principal or person without an ID or twice.
//
// Diff compares every principal; DiffStore gives the same events from stored snapshots while
// decoding only the principals whose content hash changed.
func Diff(prev, cur *inventory.Snapshot) ([]Event, error) {
	if prev == nil || cur == nil {
		return nil, errors.New("drift: diff needs two snapshots, got nil")
	}
	ps, err := sortedPrincipals(prev)
	if err != nil {
		return nil, err
	}
	cs, err := sortedPrincipals(cur)
	if err != nil {
		return nil, err
	}
	d := newPair(prev.Coverage, cur.Coverage)
	out := coverageEvents(&d.prev, &d.cur)
	i, j := 0, 0
	for i < len(ps) || j < len(cs) {
		switch {
		case j == len(cs) || (i < len(ps) && ps[i].ID < cs[j].ID):
			out = d.principal(out, ps[i], nil)
			i++
		case i == len(ps) || cs[j].ID < ps[i].ID:
			out = d.principal(out, nil, cs[j])
			j++
		default:
			out = d.principal(out, ps[i], cs[j])
			i++
			j++
		}
	}
	return d.people(out, prev.ID, cur.ID, prev.People, cur.People)
}

// sortedPrincipals returns pointers to s's principals in ID order, or an error naming a
// principal without an ID or listed twice.
func sortedPrincipals(s *inventory.Snapshot) ([]*inventory.Principal, error) {
	ps := make([]*inventory.Principal, len(s.Principals))
	for i := range s.Principals {
		p := &s.Principals[i]
		if p.ID == "" {
			return nil, fmt.Errorf("snapshot %q: principal %d (name %q) has no ID", s.ID, i, p.Name)
		}
		ps[i] = p
	}
	slices.SortFunc(ps, func(a, b *inventory.Principal) int { return strings.Compare(a.ID, b.ID) })
	for i := 1; i < len(ps); i++ {
		if ps[i].ID == ps[i-1].ID {
			return nil, fmt.Errorf("snapshot %q: principal %q is listed twice", s.ID, ps[i].ID)
		}
	}
	return ps, nil
}
