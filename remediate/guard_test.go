package remediate_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/remediate"
)

func actingPlan(n, principals int) *remediate.Plan {
	p := &remediate.Plan{SnapshotID: "s2", SnapshotAt: t0, Principals: principals}
	p.Steps = append(p.Steps, remediate.Step{ID: "a-mark", Phase: remediate.PhaseMark, Action: remediate.ActMark})
	for i := range n {
		p.Steps = append(p.Steps, remediate.Step{ID: "a-" + string(rune('a'+i)), Phase: remediate.PhaseAct, Action: remediate.ActDeactivateAccessKey,
			Target: remediate.Target{Principal: "arn:u" + string(rune('a'+i))}})
	}
	return p
}

func TestCheckRun(t *testing.T) {
	latest := remediate.SnapshotRef{ID: "s2", StartedAt: t0}
	tests := []struct {
		name  string
		plan  *remediate.Plan
		facts remediate.RunFacts
		want  *remediate.GuardError
	}{
		{name: "within every limit", plan: actingPlan(3, 10),
			facts: remediate.RunFacts{Latest: latest, People: map[string]int{"hr": 90}, PrevPeople: map[string]int{"hr": 100}}},
		{name: "no previous snapshot skips the roster comparison", plan: actingPlan(1, 10), facts: remediate.RunFacts{Latest: latest}},
		{name: "marks do not count against the cap", plan: actingPlan(0, 1), facts: remediate.RunFacts{Latest: latest}},
		{name: "stale plan", plan: actingPlan(1, 10), facts: remediate.RunFacts{Latest: remediate.SnapshotRef{ID: "s3", StartedAt: t0.Add(time.Hour)}},
			want: &remediate.GuardError{Guard: "stale_plan", Message: "plan was made from snapshot s2 (2026-11-01T00:00:00Z) but snapshot s3 (2026-11-01T01:00:00Z) is newer: make a new plan"}},
		{name: "roster shrank too much", plan: actingPlan(1, 10),
			facts: remediate.RunFacts{Latest: latest, People: map[string]int{"hr": 70, "ldap": 50}, PrevPeople: map[string]int{"hr": 100, "ldap": 50}},
			want:  &remediate.GuardError{Guard: "roster_shrink", Message: "source of truth hr shrank from 100 to 70 people (30.0%, limit 20.0%) since the previous snapshot: check the source before acting"}},
		{name: "a roster that vanished", plan: actingPlan(1, 10),
			facts: remediate.RunFacts{Latest: latest, People: map[string]int{}, PrevPeople: map[string]int{"scim": 40}},
			want:  &remediate.GuardError{Guard: "roster_shrink", Message: "source of truth scim shrank from 40 to 0 people (100.0%, limit 20.0%) since the previous snapshot: check the source before acting"}},
		{name: "several steps on one principal count once for the percent cap", plan: func() *remediate.Plan {
			p := actingPlan(2, 2)
			p.Steps[2].Target.Principal = p.Steps[1].Target.Principal
			return p
		}(), facts: remediate.RunFacts{Latest: latest}},
		{name: "count cap aborts", plan: actingPlan(11, 1000), facts: remediate.RunFacts{Latest: latest},
			want: &remediate.GuardError{Guard: "cap_count", Message: "plan has 11 acting steps, more than max_actions 10: nothing was done"}},
		{name: "percent cap aborts", plan: actingPlan(6, 10), facts: remediate.RunFacts{Latest: latest},
			want: &remediate.GuardError{Guard: "cap_percent", Message: "plan acts on 6 of 10 principals (60.00%), more than max_percent 50.00%: nothing was done"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := remediate.CheckRun(testPolicy(), tc.plan, tc.facts)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("CheckRun = %v, want nil", err)
				}
				return
			}
			var ge *remediate.GuardError
			if !errors.As(err, &ge) || !errors.Is(err, remediate.ErrGuard) {
				t.Fatalf("CheckRun = %v, want a GuardError", err)
			}
			if d := cmp.Diff(tc.want, ge); d != "" {
				t.Errorf("guard (-want +got):\n%s", d)
			}
			if errors.Is(err, remediate.ErrStalePlan) != (tc.want.Guard == "stale_plan") {
				t.Errorf("errors.Is(ErrStalePlan) wrong for %s", tc.want.Guard)
			}
		})
	}
}

// TestCheckRunRechecksEditedPlans: a plan file edited to reach a principal the planner blocks is
// refused whole when the snapshot is given.
func TestCheckRunRechecksEditedPlans(t *testing.T) {
	step := func(principal string) remediate.Step {
		return remediate.Step{ID: "a-x", Phase: remediate.PhaseAct, Action: remediate.ActDeactivateAccessKey, Target: remediate.Target{Principal: principal}}
	}
	tests := []struct {
		name string
		snap func(*inventory.Snapshot)
		step remediate.Step
		want *remediate.GuardError
	}{
		{name: "a principal the planner allows", step: step("arn:aws:iam::111111111111:user/alice")},
		{name: "root", step: step("arn:aws:iam::111111111111:root"),
			want: &remediate.GuardError{Guard: "protected", Message: "step a-x would touch arn:aws:iam::111111111111:root, which is protected (root account)"}},
		{name: "break-glass", step: step("arn:aws:iam::111111111111:user/glass"),
			want: &remediate.GuardError{Guard: "protected", Message: "step a-x would touch arn:aws:iam::111111111111:user/glass, which is protected (break-glass tag provost:break-glass)"}},
		{name: "incomplete scope", step: step("arn:aws:iam::222222222222:user/bob"),
			want: &remediate.GuardError{Guard: "coverage", Message: "step a-x: coverage of aws scope 222222222222 (source aws) is partial (throttled): arn:aws:iam::222222222222:user/bob is never remediated from an incomplete view"}},
		{name: "incomplete source of truth", step: step("arn:aws:iam::111111111111:user/alice"),
			snap: func(s *inventory.Snapshot) { s.Coverage[2].Status = inventory.CoveragePartial },
			want: &remediate.GuardError{Guard: "source_of_truth", Message: "step a-x: source of truth hr (hr.csv) is partial: who left cannot be told from who was not read"}},
		{name: "a principal not in the snapshot", step: step("arn:aws:iam::111111111111:user/mallory"),
			want: &remediate.GuardError{Guard: "plan_snapshot", Message: "step a-x names arn:aws:iam::111111111111:user/mallory, which is not in snapshot s2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			snap := testSnap()
			if tc.snap != nil {
				tc.snap(snap)
			}
			plan := &remediate.Plan{SnapshotID: "s2", SnapshotAt: t0, Principals: 8, Steps: []remediate.Step{tc.step}}
			err := remediate.CheckRun(testPolicy(), plan, remediate.RunFacts{Latest: remediate.SnapshotRef{ID: "s2", StartedAt: t0}, Snapshot: snap})
			if tc.want == nil {
				if err != nil {
					t.Fatalf("CheckRun = %v", err)
				}
				return
			}
			var ge *remediate.GuardError
			if !errors.As(err, &ge) {
				t.Fatalf("CheckRun = %v, want a GuardError", err)
			}
			if d := cmp.Diff(tc.want, ge); d != "" {
				t.Errorf("guard (-want +got):\n%s", d)
			}
		})
	}
}
