package drift

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/provost-dev/provost/inventory"
)

// indexPeople returns the people of a snapshot by ID, and an error naming the first person
// without an ID or listed twice.
func indexPeople(snapID string, people []inventory.Person) (map[string]*inventory.Person, error) {
	m := make(map[string]*inventory.Person, len(people))
	for i := range people {
		p := &people[i]
		if p.ID == "" {
			return nil, fmt.Errorf("snapshot %q: person %d (name %q) has no ID", snapID, i, p.Name)
		}
		if _, dup := m[p.ID]; dup {
			return nil, fmt.Errorf("snapshot %q: person %q is listed twice", snapID, p.ID)
		}
		m[p.ID] = p
	}
	return m, nil
}

// people appends the events of the people of two snapshots, in person ID order.
func (d *pair) people(out []Event, prevID, curID string, prev, cur []inventory.Person) ([]Event, error) {
	pm, err := indexPeople(prevID, prev)
	if err != nil {
		return nil, err
	}
	cm, err := indexPeople(curID, cur)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(cm))
	for id := range pm {
		ids = append(ids, id)
	}
	for id := range cm {
		if _, ok := pm[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		out = d.person(out, pm[id], cm[id])
	}
	return out, nil
}

func personEvent(k Kind, p *inventory.Person) Event {
	return Event{Kind: k, Person: p.ID, Name: p.Name, Source: p.Source}
}

func personWho(p *inventory.Person) string {
	if p.Name == "" {
		return fmt.Sprintf("person %q", p.ID)
	}
	return fmt.Sprintf("person %q (%s)", p.Name, p.ID)
}

func (d *pair) person(out []Event, prev, cur *inventory.Person) []Event {
	switch {
	case prev == nil:
		e := personEvent(PersonJoined, cur)
		e.After = string(cur.Status)
		e.Message = personWho(cur) + " joined"
		if cur.Department != "" {
			e.Message += " " + cur.Department
		}
		if st := d.prev.people(cur.Source); st != inventory.CoverageComplete {
			e.Uncertain = true
			e.Message += fmt.Sprintf(" (uncertain: the previous snapshot's source %s was %s)", cur.Source, cmp.Or(string(st), "not reported"))
		}
		return append(out, e)
	case cur == nil:
		st := d.cur.people(prev.Source)
		if st == inventory.CoverageComplete {
			e := personEvent(PersonLeft, prev)
			e.Before = string(prev.Status)
			e.Message = personWho(prev) + " left: no longer in " + prev.Source
			return append(out, e)
		}
		e := personEvent(PersonNotSeen, prev)
		e.Before = string(prev.Status)
		e.Message = fmt.Sprintf("%s not seen: source %s was %s in this snapshot, so they are not known to have left",
			personWho(prev), prev.Source, cmp.Or(string(st), "not reported"))
		return append(out, e)
	}
	for _, f := range []struct {
		name       string
		before, to string
	}{
		{"department", prev.Department, cur.Department},
		{"title", prev.Title, cur.Title},
		{"manager", prev.Manager, cur.Manager},
	} {
		if f.before == f.to {
			continue
		}
		e := personEvent(PersonMoved, cur)
		e.Field, e.Before, e.After = f.name, f.before, f.to
		e.Message = fmt.Sprintf("%s: %s %s → %s", personWho(cur), f.name, quoteOrNone(f.before), quoteOrNone(f.to))
		out = append(out, e)
	}
	if prev.Status != cur.Status {
		e := personEvent(PersonStatusChanged, cur)
		e.Before, e.After = string(prev.Status), string(cur.Status)
		e.Message = fmt.Sprintf("%s: status %s → %s", personWho(cur), cmp.Or(string(prev.Status), "none"), cmp.Or(string(cur.Status), "none"))
		if !cur.EndDate.IsZero() {
			e.Message += ", end date " + cur.EndDate.UTC().Format("2006-01-02")
		}
		out = append(out, e)
	}
	return out
}

func quoteOrNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "none"
	}
	return fmt.Sprintf("%q", s)
}
