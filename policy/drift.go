package policy

import (
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/inventory"
)

// EvaluateOption adds per-snapshot inputs to one Evaluate or Explain call.
type EvaluateOption func(*evalInputs)

type evalInputs struct {
	drift []drift.Event
}

// WithDrift supplies the drift events between the previous snapshot and the one evaluated
// (drift.Diff or drift.DiffStore). Each item then carries input.drift: its principal's events
// followed by its linked person's. Without it (the first snapshot, or a caller that has no
// diff) input.drift is absent and the drift checks report nothing.
func WithDrift(events []drift.Event) EvaluateOption {
	return func(in *evalInputs) { in.drift = events }
}

// driftTerms renders the events as one array term per principal: its own events, then those of
// its linked person. Principals with no events get none (input.drift is then absent).
func driftTerms(events []drift.Event, s *inventory.Snapshot) map[string]*ast.Term {
	if len(events) == 0 {
		return nil
	}
	byPrincipal := drift.ForPrincipal(events)
	byPerson := drift.ForPerson(events)
	out := map[string]*ast.Term{}
	personTerms := make(map[string][]*ast.Term, len(byPerson))
	for id, es := range byPerson {
		ts := make([]*ast.Term, len(es))
		for i := range es {
			ts[i] = eventTerm(&es[i])
		}
		personTerms[id] = ts
	}
	for i := range s.Principals {
		p := &s.Principals[i]
		own := byPrincipal[p.ID]
		var per []*ast.Term
		if p.PersonID != "" {
			per = personTerms[p.PersonID]
		}
		if len(own)+len(per) == 0 {
			continue
		}
		ts := make([]*ast.Term, 0, len(own)+len(per))
		for j := range own {
			ts = append(ts, eventTerm(&own[j]))
		}
		ts = append(ts, per...)
		out[p.ID] = ast.ArrayTerm(ts...)
	}
	return out
}

// eventTerm renders one drift event as an element of input.drift; rego/README.md documents the
// shape. Empty fields are absent.
func eventTerm(e *drift.Event) *ast.Term {
	b := objBuilder{items: make([][2]*ast.Term, 0, 12)}
	b.term("kind", ast.StringTerm(string(e.Kind)))
	if e.Principal != "" {
		b.term("subject", ast.StringTerm("principal"))
	} else {
		b.term("subject", ast.StringTerm("person"))
	}
	b.str("principal", e.Principal)
	b.str("person", e.Person)
	b.str("source", e.Source)
	b.str("scope", e.Scope)
	b.str("field", e.Field)
	b.str("before", e.Before)
	b.str("after", e.After)
	b.boolean("escalation", e.Escalation)
	b.boolean("uncertain", e.Uncertain)
	if g := e.Grant; g != nil {
		gb := objBuilder{items: make([][2]*ast.Term, 0, 5)}
		gb.term("what", ast.StringTerm(g.What))
		gb.term("where", ast.StringTerm(g.Where))
		gb.term("via", ast.StringTerm(g.Via))
		gb.term("privilege", ast.StringTerm(string(g.Privilege)))
		gb.str("condition", g.Condition)
		b.term("grant", gb.object())
	}
	if c := e.Credential; c != nil {
		cb := objBuilder{items: make([][2]*ast.Term, 0, 3)}
		cb.term("kind", ast.StringTerm(string(c.Kind)))
		cb.term("id", ast.StringTerm(c.ID))
		cb.str("status", c.Status)
		b.term("credential", cb.object())
	}
	b.str("message", e.Message)
	return b.object()
}
