package policy

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
)

// Outcomes of one check for one principal.
const (
	OutcomePass           = "pass"
	OutcomeViolation      = "violation"
	OutcomeCannotEvaluate = "cannot_evaluate"
	OutcomeError          = "error"
	OutcomeNotApplicable  = "not_applicable" // resource_kinds do not cover the principal
	OutcomeDisabled       = "disabled"       // listed in disabled_checks
)

// Verdict is one check's answer for one principal.
type Verdict struct {
	CheckID  string            `json:"check_id"`
	Title    string            `json:"title"`
	Severity finding.Severity  `json:"severity"`
	Outcome  string            `json:"outcome"`
	Findings []finding.Finding `json:"findings,omitempty"`
	Error    string            `json:"error,omitempty"`
}

// Explanation is every check's verdict for one principal, with the input the checks saw.
type Explanation struct {
	Principal string    `json:"principal"`
	EvalTime  time.Time `json:"eval_time"`
	// Input is the evaluation item (principal, account, person, coverage) as JSON-like values.
	Input    any       `json:"input"`
	Verdicts []Verdict `json:"verdicts"`
}

// Explain evaluates every loaded check, one at a time, for the principal with this ID and
// reports each verdict with its findings (waivers applied) and evidence: `provost policy eval
// --principal`. A check failing at run time gives an "error" verdict; the others still run.
func (e *Evaluator) Explain(ctx context.Context, snap *inventory.Snapshot, principalID string, opts ...EvaluateOption) (*Explanation, error) {
	var p *inventory.Principal
	for i := range snap.Principals {
		if snap.Principals[i].ID == principalID {
			p = &snap.Principals[i]
			break
		}
	}
	if p == nil {
		return nil, fmt.Errorf("principal %q is not in snapshot %s", principalID, snap.ID)
	}
	r, err := e.newRun(ctx, snap, opts...)
	if err != nil {
		return nil, err
	}
	item := r.ix.item(p)
	input, err := ast.JSON(item.Value)
	if err != nil {
		return nil, fmt.Errorf("render input of %s: %w", principalID, err)
	}
	ex := &Explanation{Principal: principalID, EvalTime: r.at, Input: input}
	byID := map[string]*inventory.Principal{p.ID: p}
	for _, c := range e.lib.checks {
		v := Verdict{CheckID: c.ID, Title: c.Title, Severity: c.Severity}
		switch {
		case !slices.Contains(e.enabled, c):
			v.Outcome = OutcomeDisabled
		case !c.AppliesTo(string(p.Provider), string(p.Kind)):
			v.Outcome = OutcomeNotApplicable
		default:
			q, err := r.singleQuery(ctx, c)
			if err != nil {
				return nil, err
			}
			col := newCollector(byID)
			if err := r.evalCheck(ctx, q, c, []*ast.Term{item}, col); err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				v.Outcome, v.Error = OutcomeError, err.Error()
				break
			}
			v.Findings = col.findings()
			markWaived(v.Findings, e.opts.Waivers, r.at)
			v.Outcome = OutcomePass
			for _, f := range v.Findings {
				switch {
				case f.Status == finding.StatusOpen || f.Status == finding.StatusWaived:
					v.Outcome = OutcomeViolation
				case f.Status == finding.StatusCannotEvaluate && v.Outcome == OutcomePass:
					v.Outcome = OutcomeCannotEvaluate
				}
			}
		}
		ex.Verdicts = append(ex.Verdicts, v)
	}
	return ex, nil
}
