package remediate_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/remediate"
)

var (
	t0      = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	created = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
)

func user(acct, name string, mut ...func(*inventory.Principal)) inventory.Principal {
	p := inventory.Principal{ID: "arn:aws:iam::" + acct + ":user/" + name, Provider: inventory.ProviderAWS, Account: acct,
		Kind: inventory.KindUser, Name: name,
		Credentials: []inventory.Credential{
			{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: "active", CreatedAt: created, LastUsed: t0.Add(-time.Hour)},
			{Kind: inventory.CredAccessKey, ID: "access_key_2", Status: "active", CreatedAt: created.Add(time.Hour), LastUsed: created.Add(2 * time.Hour)},
		}}
	for _, m := range mut {
		m(&p)
	}
	return p
}

func testSnap() *inventory.Snapshot {
	return &inventory.Snapshot{
		ID: "s2", StartedAt: t0,
		Coverage: []inventory.Coverage{
			{Source: "aws", Provider: inventory.ProviderAWS, Scope: "111111111111", Status: inventory.CoverageComplete},
			{Source: "aws", Provider: inventory.ProviderAWS, Scope: "222222222222", Status: inventory.CoveragePartial, ErrorKind: inventory.ErrThrottled},
			{Source: "hr", Provider: inventory.ProviderHR, Scope: "hr.csv", Status: inventory.CoverageComplete},
		},
		Accounts: []inventory.Account{
			{ID: "111111111111", Provider: inventory.ProviderAWS, Parent: "ou-eng", Path: []string{"Root", "ou-eng"}},
		},
		People: []inventory.Person{{ID: "p-1", Source: "hr", Department: "Finance", Status: inventory.PersonTerminated}},
		Principals: []inventory.Principal{
			user("111111111111", "alice", func(p *inventory.Principal) { p.PersonID = "p-1" }),
			{ID: "arn:aws:iam::111111111111:root", Provider: inventory.ProviderAWS, Account: "111111111111", Kind: inventory.KindRoot, Name: "<root_account>",
				Credentials: []inventory.Credential{{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: "active"}}},
			user("111111111111", "glass", func(p *inventory.Principal) { p.Tags = map[string]string{"provost:break-glass": "yes"} }),
			user("111111111111", "provost-scanner"),
			user("111111111111", "ops-admin"),
			{ID: "arn:aws:iam::111111111111:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX", Provider: inventory.ProviderAWS,
				Account: "111111111111", Kind: inventory.KindRole, Name: "AWSServiceRoleForX", Attributes: map[string]string{"service_linked": "true"}},
			{ID: "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1", Provider: inventory.ProviderAWS,
				Account: "111111111111", Kind: inventory.KindRole, Name: "AWSReservedSSO_Admin_1"},
			user("222222222222", "bob"),
		},
	}
}

func keyFinding(principal, slot string) finding.Finding {
	return finding.Finding{ID: finding.ID("PV-AWS-002", principal, slot), CheckID: "PV-AWS-002", Principal: principal,
		Qualifier: slot, Message: "key unused", Status: finding.StatusOpen, Severity: finding.SeverityMedium}
}

func testPolicy() *remediate.Policy {
	return &remediate.Policy{
		Rules: []remediate.Rule{
			{Check: "PV-AWS-002", Action: remediate.ActDeactivateAccessKey, Enabled: true, Automatic: true,
				Grace: 7 * 24 * time.Hour, DeleteAction: remediate.ActDeleteAccessKey, DeleteAfter: 30 * 24 * time.Hour},
			{Check: "PV-AWS-003", Action: remediate.ActRemoveConsoleLogin, Enabled: false},
		},
		Protected:              []string{"arn:aws:iam::*:user/ops-*"},
		Self:                   []string{"arn:aws:iam::111111111111:user/provost-scanner"},
		MaxActions:             10,
		MaxPercent:             50,
		MaxRosterShrinkPercent: 20,
	}
}

func TestMakePlan(t *testing.T) {
	alice := "arn:aws:iam::111111111111:user/alice"
	f2 := keyFinding(alice, "access_key_2")
	aliceKey2 := remediate.Target{Provider: "aws", Account: "111111111111", Principal: alice, Kind: "user", Name: "alice",
		Credential: "access_key_2", CredentialCreated: created.Add(time.Hour), CredentialLastUsed: created.Add(2 * time.Hour)}
	markTarget := aliceKey2
	markTarget.Object = "deactivate_access_key"
	mark := func(age time.Duration) map[string]remediate.Mark {
		return map[string]remediate.Mark{remediate.MarkKey(f2.ID, remediate.ActDeactivateAccessKey): {FindingID: f2.ID, Action: remediate.ActDeactivateAccessKey, Principal: alice, MarkedAt: t0.Add(-age)}}
	}
	blocked := func(principal, slot, guard, reason string) remediate.Blocked {
		return remediate.Blocked{FindingID: finding.ID("PV-AWS-002", principal, slot), CheckID: "PV-AWS-002", Principal: principal,
			Action: remediate.ActDeactivateAccessKey, Guard: guard, Reason: reason}
	}
	tests := []struct {
		name        string
		pol         func(*remediate.Policy)
		snap        func(*inventory.Snapshot)
		findings    []finding.Finding
		marks       map[string]remediate.Mark
		wantSteps   []remediate.Step
		wantBlocked []remediate.Blocked
	}{
		{name: "first sight marks only the one key", findings: []finding.Finding{f2},
			wantSteps: []remediate.Step{{ID: remediate.StepID(f2.ID, remediate.ActMark, remediate.PhaseMark, "s2"), FindingID: f2.ID, CheckID: "PV-AWS-002",
				Action: remediate.ActMark, Phase: remediate.PhaseMark, Target: markTarget, Automatic: true, Reason: "PV-AWS-002: key unused (grace 168h0m0s starts)"}}},
		{name: "inside grace does nothing", findings: []finding.Finding{f2}, marks: mark(6 * 24 * time.Hour)},
		{name: "after grace deactivates the one key", findings: []finding.Finding{f2}, marks: mark(8 * 24 * time.Hour),
			wantSteps: []remediate.Step{{ID: remediate.StepID(f2.ID, remediate.ActDeactivateAccessKey, remediate.PhaseAct, "2026-10-24T00:00:00Z"), FindingID: f2.ID, CheckID: "PV-AWS-002",
				Action: remediate.ActDeactivateAccessKey, Phase: remediate.PhaseAct, Target: aliceKey2, Automatic: true, MarkedAt: t0.Add(-8 * 24 * time.Hour),
				Reason: "PV-AWS-002: key unused (marked 2026-10-24T00:00:00Z, grace 168h0m0s passed)"}}},
		{name: "after the second period deletes", findings: []finding.Finding{f2}, marks: mark(31 * 24 * time.Hour),
			wantSteps: []remediate.Step{{ID: remediate.StepID(f2.ID, remediate.ActDeleteAccessKey, remediate.PhaseDelete, "2026-10-01T00:00:00Z"), FindingID: f2.ID, CheckID: "PV-AWS-002",
				Action: remediate.ActDeleteAccessKey, Phase: remediate.PhaseDelete, Target: aliceKey2, Automatic: true, MarkedAt: t0.Add(-31 * 24 * time.Hour),
				Reason: "PV-AWS-002: key unused (marked 2026-10-01T00:00:00Z, delete after 720h0m0s)"}}},
		{name: "no deletion unless configured", findings: []finding.Finding{f2}, marks: mark(31 * 24 * time.Hour),
			pol: func(p *remediate.Policy) { p.Rules[0].DeleteAction = "" },
			wantSteps: []remediate.Step{{ID: remediate.StepID(f2.ID, remediate.ActDeactivateAccessKey, remediate.PhaseAct, "2026-10-01T00:00:00Z"), FindingID: f2.ID, CheckID: "PV-AWS-002",
				Action: remediate.ActDeactivateAccessKey, Phase: remediate.PhaseAct, Target: aliceKey2, Automatic: true, MarkedAt: t0.Add(-31 * 24 * time.Hour),
				Reason: "PV-AWS-002: key unused (marked 2026-10-01T00:00:00Z, grace 168h0m0s passed)"}}},
		{name: "disabled rule plans nothing", findings: []finding.Finding{f2}, pol: func(p *remediate.Policy) { p.Rules[0].Enabled = false }},
		{name: "resolved finding plans nothing", findings: []finding.Finding{func() finding.Finding { f := f2; f.Status = finding.StatusResolved; return f }()}},
		{name: "outside the rollout scope is not automatic", findings: []finding.Finding{f2},
			pol: func(p *remediate.Policy) {
				p.Rules[0].Scope = remediate.Scope{Accounts: []string{"999999999999"}, Departments: []string{"Sales"}}
			},
			wantSteps: []remediate.Step{{ID: remediate.StepID(f2.ID, remediate.ActMark, remediate.PhaseMark, "s2"), FindingID: f2.ID, CheckID: "PV-AWS-002",
				Action: remediate.ActMark, Phase: remediate.PhaseMark, Target: markTarget, Automatic: false, Reason: "PV-AWS-002: key unused (grace 168h0m0s starts)"}}},
		{name: "scope by OU", findings: []finding.Finding{f2},
			pol: func(p *remediate.Policy) { p.Rules[0].Scope = remediate.Scope{OUs: []string{"ou-eng"}} },
			wantSteps: []remediate.Step{{ID: remediate.StepID(f2.ID, remediate.ActMark, remediate.PhaseMark, "s2"), FindingID: f2.ID, CheckID: "PV-AWS-002",
				Action: remediate.ActMark, Phase: remediate.PhaseMark, Target: markTarget, Automatic: true, Reason: "PV-AWS-002: key unused (grace 168h0m0s starts)"}}},
		{name: "scope by department", findings: []finding.Finding{f2},
			pol: func(p *remediate.Policy) { p.Rules[0].Scope = remediate.Scope{Departments: []string{"Finance"}} },
			wantSteps: []remediate.Step{{ID: remediate.StepID(f2.ID, remediate.ActMark, remediate.PhaseMark, "s2"), FindingID: f2.ID, CheckID: "PV-AWS-002",
				Action: remediate.ActMark, Phase: remediate.PhaseMark, Target: markTarget, Automatic: true, Reason: "PV-AWS-002: key unused (grace 168h0m0s starts)"}}},
		{name: "protected principals are never touched",
			findings: []finding.Finding{
				keyFinding("arn:aws:iam::111111111111:root", "access_key_1"),
				keyFinding("arn:aws:iam::111111111111:user/glass", "access_key_1"),
				keyFinding("arn:aws:iam::111111111111:user/provost-scanner", "access_key_1"),
				keyFinding("arn:aws:iam::111111111111:user/ops-admin", "access_key_1"),
				keyFinding("arn:aws:iam::111111111111:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX", "k"),
				keyFinding("arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1", "k"),
			},
			wantBlocked: []remediate.Blocked{
				blocked("arn:aws:iam::111111111111:root", "access_key_1", "protected", "arn:aws:iam::111111111111:root is protected: root account"),
				blocked("arn:aws:iam::111111111111:user/glass", "access_key_1", "protected", "arn:aws:iam::111111111111:user/glass is protected: break-glass tag provost:break-glass"),
				blocked("arn:aws:iam::111111111111:user/provost-scanner", "access_key_1", "protected", "arn:aws:iam::111111111111:user/provost-scanner is protected: provost's own identity"),
				blocked("arn:aws:iam::111111111111:user/ops-admin", "access_key_1", "protected", "arn:aws:iam::111111111111:user/ops-admin is protected: matches protected pattern arn:aws:iam::*:user/ops-*"),
				blocked("arn:aws:iam::111111111111:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX", "k", "protected", "arn:aws:iam::111111111111:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX is protected: service-linked role"),
				blocked("arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1", "k", "protected", "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1 is protected: IAM Identity Center role (AWSReservedSSO_*)"),
			}},
		{name: "incomplete coverage of the principal's scope blocks",
			findings: []finding.Finding{keyFinding("arn:aws:iam::222222222222:user/bob", "access_key_1")},
			wantBlocked: []remediate.Blocked{blocked("arn:aws:iam::222222222222:user/bob", "access_key_1", "coverage",
				"coverage of aws scope 222222222222 (source aws) is partial (throttled): arn:aws:iam::222222222222:user/bob is never remediated from an incomplete view")}},
		{name: "incomplete source of truth blocks", findings: []finding.Finding{f2},
			snap: func(s *inventory.Snapshot) {
				s.Coverage[2].Status, s.Coverage[2].ErrorKind = inventory.CoverageFailed, inventory.ErrUnavailable
			},
			wantBlocked: []remediate.Blocked{blocked(alice, "access_key_2", "source_of_truth",
				"source of truth hr (hr.csv) is failed (unavailable): who left cannot be told from who was not read")}},
		{name: "a key finding without a qualifier is refused", findings: []finding.Finding{keyFinding(alice, "")},
			wantBlocked: []remediate.Blocked{blocked(alice, "", "target",
				"finding "+finding.ID("PV-AWS-002", alice, "")+" (PV-AWS-002 on "+alice+") names no credential: deactivate_access_key acts on one key at a time")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pol, snap := testPolicy(), testSnap()
			if tc.pol != nil {
				tc.pol(pol)
			}
			if tc.snap != nil {
				tc.snap(snap)
			}
			plan, err := remediate.MakePlan(pol, snap, tc.findings, tc.marks, t0)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.wantSteps, plan.Steps); d != "" {
				t.Errorf("steps (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.wantBlocked, plan.Blocked); d != "" {
				t.Errorf("blocked (-want +got):\n%s", d)
			}
			if plan.SnapshotID != "s2" || plan.Principals != 8 || !plan.SnapshotAt.Equal(t0) {
				t.Errorf("plan header = %s %d %s", plan.SnapshotID, plan.Principals, plan.SnapshotAt)
			}
		})
	}
}

func TestMakePlanRejectsUnknownAction(t *testing.T) {
	pol := &remediate.Policy{Rules: []remediate.Rule{{Check: "X", Action: "nuke", Enabled: true}}}
	_, err := remediate.MakePlan(pol, testSnap(), nil, nil, t0)
	if err == nil || !strings.Contains(err.Error(), `rule 0 (check X): unknown action "nuke"`) {
		t.Fatalf("err = %v", err)
	}
}
