package reports_test

import (
	"fmt"
	"os"
	"time"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/reports"
)

// A report starts from a snapshot and its findings; Render writes any format.
func Example() {
	at := time.Date(2025, 6, 1, 2, 0, 0, 0, time.UTC)
	snap := &inventory.Snapshot{
		ID: "snap-1", StartedAt: at,
		Coverage: []inventory.Coverage{{Source: "aws", Provider: inventory.ProviderAWS, Scope: "111111111111", Status: inventory.CoverageComplete}},
		Principals: []inventory.Principal{
			{ID: "arn:aws:iam::111111111111:user/alice", Provider: inventory.ProviderAWS, Account: "111111111111", Kind: inventory.KindUser, Name: "alice", Console: true},
			{ID: "arn:aws:iam::111111111111:user/bob", Provider: inventory.ProviderAWS, Account: "111111111111", Kind: inventory.KindUser, Name: "bob"},
		},
	}
	findings := []finding.Finding{{
		ID: finding.ID("PV-AWS-004", "arn:aws:iam::111111111111:user/alice", ""), CheckID: "PV-AWS-004",
		Title: "Console user without MFA", Severity: finding.SeverityHigh, Principal: "arn:aws:iam::111111111111:user/alice",
		Account: "111111111111", Provider: inventory.ProviderAWS, Message: "alice signs in to the console without MFA",
		Status: finding.StatusOpen, FirstSeen: at, LastSeen: at,
	}}
	r, err := reports.FromSnapshot(snap, findings, at)
	if err != nil {
		fmt.Println(err)
		return
	}
	r.Title = "Example"
	if err := reports.Render(os.Stdout, reports.FormatMarkdown, r); err != nil {
		fmt.Println(err)
	}
	// Output:
	// # Example
	//
	// Snapshot `snap-1` collected 2025-06-01 02:00 UTC; report generated 2025-06-01 02:00 UTC.
	//
	// ## Summary
	//
	// **Score 70.0 / 100** across 2 principals, 0 people and 0 accounts.
	//
	// | Severity | Open findings |
	// |---|---:|
	// | Critical | 0 |
	// | High | 1 |
	// | Medium | 0 |
	// | Low | 0 |
	// | Info | 0 |
	//
	// Open 1 · waived 0 · resolved 0 · errors 0 · cannot evaluate 0.
	//
	// ## Failing checks
	//
	// | Check | Title | Severity | Open | Principals | Frameworks |
	// |---|---|---|---:|---:|---|
	// | `PV-AWS-004` | Console user without MFA | high | 1 | 1 |  |
	//
	// ## Critical and high findings
	//
	// | Severity | Check | Principal | Owner | Account | Finding | Open for |
	// |---|---|---|---|---|---|---:|
	// | high | `PV-AWS-004` | alice |  | `111111111111` | alice signs in to the console without MFA |  |
}
