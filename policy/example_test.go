package policy_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/policy"
)

// Evaluate a snapshot with the bundled library and merge the findings into the history.
func Example() {
	ctx := context.Background()
	lib, err := policy.Load(ctx, policy.Options{})
	if err != nil {
		panic(err)
	}
	cfg := policy.DefaultConfig()
	cfg.DisabledChecks = []string{"PV-IDN-*"} // no HR source in this example
	ev, err := lib.NewEvaluator(cfg, policy.EvalOptions{})
	if err != nil {
		panic(err)
	}
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	snap := &inventory.Snapshot{
		ID: "example", FinishedAt: at,
		Coverage: []inventory.Coverage{{Source: "aws", Provider: "aws", Scope: "111111111111", Status: inventory.CoverageComplete}},
		Accounts: []inventory.Account{{ID: "111111111111", Provider: "aws", Kind: "account",
			PasswordPolicy: &inventory.PasswordPolicy{MinimumLength: 14, PasswordReusePrevention: 24}}},
		Principals: []inventory.Principal{{
			ID: "arn:aws:iam::111111111111:root", Provider: "aws", Account: "111111111111", Kind: "root", Name: "<root_account>", MFA: true,
			Credentials: []inventory.Credential{{Kind: "access_key", ID: "access_key_1", Status: "active", CreatedAt: at.AddDate(-2, 0, 0)}},
		}},
	}
	res, err := ev.Evaluate(ctx, snap)
	if err != nil {
		panic(err)
	}
	history := finding.Merge(nil, res.Findings, res.EvalTime, finding.CoverageScopes(snap.Coverage))
	for _, f := range history {
		fmt.Println(f.CheckID, f.Severity, f.Status, f.Message)
	}
	// Output:
	// PV-AWS-001 critical open root user of account 111111111111 has an active access key (access_key_1)
}

// Print part of the catalogue of the bundled checks as a table.
func ExampleWriteCatalog() {
	lib, err := policy.Load(context.Background(), policy.Options{})
	if err != nil {
		panic(err)
	}
	var some []*policy.Check
	for _, id := range []string{"PV-AWS-001", "PV-GCP-002"} {
		c, _ := lib.Check(id)
		some = append(some, c)
	}
	if err := policy.WriteCatalog(os.Stdout, some, policy.FormatTable); err != nil {
		panic(err)
	}
	// Output:
	// ID          SEVERITY  TITLE                        APPLIES TO  FRAMEWORKS
	// PV-AWS-001  critical  Root user has an access key  aws:root    CIS-AWS-1.4,HIPAA-164.312(a)(1),SOC2-CC6.1
	// PV-GCP-002  critical  Public IAM binding           gcp:group   CIS-GCP-5.1,CIS-GCP-1.9,HIPAA-164.312(a)(1),SOC2-CC6.1,SOC2-CC6.6
}
