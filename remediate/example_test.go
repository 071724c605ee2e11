package remediate_test

import (
	"fmt"
	"time"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/remediate"
)

// ExampleMakePlan plans one stale key of a user with two keys: first a mark, then — once the
// grace period has passed — the deactivation of that key only.
func ExampleMakePlan() {
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	snap := &inventory.Snapshot{ID: "snap-1", StartedAt: now,
		Coverage: []inventory.Coverage{{Source: "aws", Provider: inventory.ProviderAWS, Scope: "111111111111", Status: inventory.CoverageComplete}},
		Principals: []inventory.Principal{{ID: "arn:aws:iam::111111111111:user/alice", Provider: inventory.ProviderAWS, Account: "111111111111",
			Kind: inventory.KindUser, Name: "alice", Credentials: []inventory.Credential{
				{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: "active", LastUsed: now.Add(-time.Hour)},
				{Kind: inventory.CredAccessKey, ID: "access_key_2", Status: "active", LastUsed: now.AddDate(-1, 0, 0)},
			}}}}
	f := finding.Finding{CheckID: "PV-AWS-006", Principal: "arn:aws:iam::111111111111:user/alice", Qualifier: "access_key_2",
		Message: "access key unused for a year", Status: finding.StatusOpen, Severity: finding.SeverityMedium}
	f.ID = finding.ID(f.CheckID, f.Principal, f.Qualifier)
	pol := &remediate.Policy{Rules: []remediate.Rule{{Check: "PV-AWS-006", Action: remediate.ActDeactivateAccessKey, Enabled: true, Grace: 7 * 24 * time.Hour}},
		MaxActions: 10, MaxPercent: 5}

	first, _ := remediate.MakePlan(pol, snap, []finding.Finding{f}, nil, now)
	fmt.Println(first.Steps[0].Phase, first.Steps[0].Action, first.Steps[0].Target.Credential)

	marks := map[string]remediate.Mark{remediate.MarkKey(f.ID, remediate.ActDeactivateAccessKey): {FindingID: f.ID, MarkedAt: now}}
	later, _ := remediate.MakePlan(pol, snap, []finding.Finding{f}, marks, now.Add(8*24*time.Hour))
	fmt.Println(later.Steps[0].Phase, later.Steps[0].Action, later.Steps[0].Target.Credential)
	// Output:
	// mark mark access_key_2
	// act deactivate_access_key access_key_2
}
