package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/notify"
	"github.com/provost-dev/provost/remediate"
	"github.com/provost-dev/provost/store"
)

// Remediation turns on the remediation stage of a run: the policy and one executor per
// provider the steps may target (built by the caller, as `provost remediate apply` does).
type Remediation struct {
	Policy    *remediate.Policy
	Executors map[inventory.Provider]remediate.Executor
}

// Notifier sends a digest (notify.Notifier).
type Notifier interface {
	Notify(ctx context.Context, d notify.Digest) error
}

var _ Notifier = (*notify.Notifier)(nil)

// PlanRecord is what a run's remediation stage did: the plan, what was applied, and the guard
// refusal if the run was refused. It is stored as the latest plan (LatestPlan).
type PlanRecord struct {
	ID       string              `json:"id"`
	Plan     *remediate.Plan     `json:"plan"`
	Outcomes []remediate.Outcome `json:"outcomes"`
	// Marked counts the marks recorded by this run, Applied the acting steps done, Blocked the
	// findings never acted on (reasons in Plan.Blocked), Pending the acting steps waiting for
	// approval.
	Marked  int `json:"marked"`
	Applied int `json:"applied"`
	Blocked int `json:"blocked"`
	Pending int `json:"pending"`
	// Refused is the guard's refusal (GuardError text): nothing was read from or written to a
	// target.
	Refused string `json:"refused,omitempty"`
	// Approval is set when the plan was approved (filled on read).
	Approval *Approval `json:"approval,omitempty"`
}

// Approval approves the acting steps of one plan that no automatic rule covers; the next run
// applies them (their step IDs are stable under one mark).
type Approval struct {
	PlanID string    `json:"plan_id"`
	Steps  []string  `json:"steps"`
	At     time.Time `json:"at"`
}

// PlanID is the ID of the plan made by the run of snapshot id.
func PlanID(snapshot string) string { return "plan-" + snapshot }

// ErrNoPlan is returned by LatestPlan and Approve when there is no such plan.
var ErrNoPlan = errors.New("no remediation plan")

// remediate plans over res.Findings with the stored marks, applies marks and the automatic or
// approved acting steps, records the plan as the latest, and notifies owners of new marks.
// prevRoster is remediate.RosterCounts of the previous snapshot, nil when there is none.
func remediateRun(ctx context.Context, opts Options, res *Result, prevRoster map[string]int, now time.Time) error {
	rc := opts.Remediation
	db := opts.Store
	marks, err := remediate.Marks(db)
	if err != nil {
		return err
	}
	plan, err := remediate.MakePlan(rc.Policy, res.Snapshot, res.Findings, marks, now)
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	approved, err := approvedSteps(db)
	if err != nil {
		return err
	}
	for _, s := range plan.Steps {
		if s.Phase == remediate.PhaseMark {
			approved[s.ID] = true // a mark changes nothing but a tag: every enabled rule marks
		}
	}
	facts := remediate.RunFacts{Latest: remediate.SnapshotRef{ID: res.Snapshot.ID, StartedAt: res.Snapshot.StartedAt},
		People: remediate.RosterCounts(res.Snapshot), Snapshot: res.Snapshot}
	if prevRoster != nil {
		facts.PrevPeople = prevRoster
	}
	rec := &PlanRecord{ID: PlanID(res.Snapshot.ID), Plan: plan, Blocked: len(plan.Blocked), Outcomes: []remediate.Outcome{}}
	ap := &remediate.Applier{Policy: rc.Policy, Journal: db, Executors: rc.Executors, Now: opts.Now, Logger: opts.Logger,
		AutomaticOnly: true, Approved: approved}
	outs, applyErr := ap.Apply(ctx, plan, facts)
	var ge *remediate.GuardError
	switch {
	case errors.As(applyErr, &ge):
		rec.Refused = ge.Error()
	case applyErr != nil:
		res.Problems = append(res.Problems, "remediation: "+applyErr.Error())
	}
	if outs != nil {
		rec.Outcomes = outs
	}
	state := map[string]remediate.State{}
	for _, o := range outs {
		state[o.StepID] = o.State
	}
	var newlyMarked []remediate.Step
	for _, s := range plan.Steps {
		_, ran := state[s.ID]
		switch {
		case s.Phase == remediate.PhaseMark && state[s.ID] == remediate.StateDone:
			rec.Marked++
			newlyMarked = append(newlyMarked, s)
		case s.Phase != remediate.PhaseMark && state[s.ID] == remediate.StateDone:
			rec.Applied++
		case s.Phase != remediate.PhaseMark && !ran && rec.Refused == "":
			rec.Pending++
		}
	}
	res.Remediation = rec
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode plan record: %w", err)
	}
	if err := db.PutLatestPlan(ctx, b); err != nil {
		return err
	}
	if opts.Notifier != nil {
		if d := outcomeDigest(res, plan, outs, rec.Refused); len(d.Remediation) > 0 {
			if err := opts.Notifier.Notify(ctx, d); err != nil {
				res.Problems = append(res.Problems, "notify remediation outcomes: "+err.Error())
			}
		}
	}
	if opts.Notifier != nil && len(newlyMarked) > 0 {
		d, err := markDigest(db, rc.Policy, res, newlyMarked)
		if err != nil {
			return err
		}
		if err := opts.Notifier.Notify(ctx, d); err != nil {
			res.Problems = append(res.Problems, "notify owners of marks: "+err.Error())
		}
	}
	return nil
}

// outcomeDigest reports what the run's acting steps did (marks go in the owners' digest), or
// the refusal of the whole run by a guard.
func outcomeDigest(res *Result, plan *remediate.Plan, outs []remediate.Outcome, refused string) notify.Digest {
	d := notify.Digest{Snapshot: res.SnapshotID, Previous: res.PreviousID, At: res.EvalTime, Findings: []finding.Finding{}}
	if refused != "" {
		d.Remediation = append(d.Remediation, notify.Outcome{Action: "run", State: "refused", Detail: refused})
		return d
	}
	steps := map[string]remediate.Step{}
	for _, s := range plan.Steps {
		steps[s.ID] = s
	}
	for _, o := range outs {
		s, ok := steps[o.StepID]
		if !ok || s.Phase == remediate.PhaseMark || (o.State != remediate.StateDone && o.Error == "") {
			continue
		}
		state, detail := string(o.State), o.Detail
		if o.Error != "" {
			state, detail = "failed", o.Error
		}
		d.Remediation = append(d.Remediation, notify.Outcome{Step: o.StepID, Action: string(s.Action),
			Principal: s.Target.Principal, Target: s.Target.Credential, State: state, Detail: detail})
	}
	slices.SortFunc(d.Remediation, func(a, b notify.Outcome) int { return strings.Compare(a.Step, b.Step) })
	return d
}

// markDigest lists the newly marked principals' findings, each message saying what will be
// done and from when (the mark time plus the rule's grace).
func markDigest(db *store.DB, pol *remediate.Policy, res *Result, steps []remediate.Step) (notify.Digest, error) {
	marks, err := remediate.Marks(db)
	if err != nil {
		return notify.Digest{}, err
	}
	byID := map[string]finding.Finding{}
	for _, f := range res.Findings {
		byID[f.ID] = f
	}
	d := notify.Digest{Snapshot: res.SnapshotID, Previous: res.PreviousID, At: res.EvalTime, Findings: []finding.Finding{}, Drift: nil}
	for _, s := range steps {
		action := remediate.Action(s.Target.Object)
		m, ok := marks[remediate.MarkKey(s.FindingID, action)]
		if !ok {
			return d, fmt.Errorf("mark of finding %s (%s) is not in the store after marking", s.FindingID, action)
		}
		var grace time.Duration
		when := "from"
		for _, r := range pol.Rules {
			if r.Enabled && r.Check == s.CheckID {
				grace = r.Grace
				if !s.Automatic {
					when = "once approved, not before"
				}
			}
		}
		f := byID[s.FindingID]
		what := s.Target.Name
		if s.Target.Credential != "" {
			what += " " + s.Target.Credential
		}
		f.Message = fmt.Sprintf("%s — marked for %s of %s; acted on %s %s unless resolved", f.Message, action, what, when,
			m.MarkedAt.Add(grace).UTC().Format(time.RFC3339))
		d.Findings = append(d.Findings, f)
	}
	slices.SortFunc(d.Findings, func(a, b finding.Finding) int { return strings.Compare(a.ID, b.ID) })
	return d, nil
}

// approvedSteps is the union of every stored approval's steps.
func approvedSteps(db *store.DB) (map[string]bool, error) {
	out := map[string]bool{}
	err := db.EachApproval(func(id string, v []byte) error {
		var a Approval
		if err := json.Unmarshal(v, &a); err != nil {
			return fmt.Errorf("decode approval of %s: %w", id, err)
		}
		for _, s := range a.Steps {
			out[s] = true
		}
		return nil
	})
	return out, err
}

// LatestPlan returns the latest run's plan record with its approval, or ErrNoPlan.
func LatestPlan(db *store.DB) (*PlanRecord, error) {
	b, err := db.LatestPlan()
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, ErrNoPlan
	}
	var rec PlanRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("decode latest plan: %w", err)
	}
	ab, err := db.Approval(rec.ID)
	if err != nil {
		return nil, err
	}
	if ab != nil {
		rec.Approval = &Approval{}
		if err := json.Unmarshal(ab, rec.Approval); err != nil {
			return nil, fmt.Errorf("decode approval of %s: %w", rec.ID, err)
		}
	}
	return &rec, nil
}

// Approve approves the latest plan's acting steps that are not automatic, if its ID is id.
// Only the latest plan can be approved: an older one was made from a superseded snapshot.
func Approve(ctx context.Context, db *store.DB, id string, at time.Time) (*Approval, error) {
	rec, err := LatestPlan(db)
	if err != nil {
		return nil, err
	}
	if rec.ID != id {
		return nil, fmt.Errorf("%w %s: the latest plan is %s", ErrNoPlan, id, rec.ID)
	}
	a := &Approval{PlanID: id, Steps: []string{}, At: at.UTC()}
	for _, s := range rec.Plan.Acting() {
		if !s.Automatic {
			a.Steps = append(a.Steps, s.ID)
		}
	}
	b, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("encode approval: %w", err)
	}
	if err := db.PutApproval(ctx, id, b); err != nil {
		return nil, err
	}
	return a, nil
}
