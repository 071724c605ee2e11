package hardening

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/provost-dev/provost/audit"
	"github.com/provost-dev/provost/daemon"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/policy"
	"github.com/provost-dev/provost/remediate"
	rawsiam "github.com/provost-dev/provost/remediate/awsiam"
	"github.com/provost-dev/provost/sandbox"
	"github.com/provost-dev/provost/store"
)

// remediationOutcome is what a daemon's remediating runs did, in terms that do not depend on
// when they ran: each run's plan record (without its snapshot-bound IDs and times) and the
// AWS fake's access keys afterwards.
type remediationOutcome struct {
	Runs []audit.PlanRecord
	Keys map[string]string // key ID → status
}

// remediatingDaemon serves a daemon whose runs audit a fresh sandbox (seed 17, a year on) with automatic
// remediation of unused and unrotated access keys (no grace): the first run marks, the second
// deactivates. With clients > 0, that many API clients cycle through the read routes during
// both runs; every answer must be 200 with a complete body.
func remediatingDaemon(t *testing.T, lib *policy.Library, clients int) remediationOutcome {
	t.Helper()
	ctx := context.Background()
	// A year after the organisation was generated, many of its keys are unused or unrotated.
	org := sandbox.Generate(sandbox.GenerateOptions{Seed: 17, Scale: 60})
	later := org.Now.AddDate(1, 0, 0)
	env, err := sandbox.Start(ctx, org, sandbox.StartOptions{Dir: t.TempDir(), Now: func() time.Time { return later }})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	db, err := store.Open(filepath.Join(t.TempDir(), "provost.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	base := env.AWSConfig()
	base.BaseEndpoint = aws.String(env.AWSURL)
	rule := func(check string) remediate.Rule {
		return remediate.Rule{Check: check, Action: remediate.ActDeactivateAccessKey, Enabled: true, Automatic: true}
	}
	rem := &audit.Remediation{
		Policy: &remediate.Policy{Rules: []remediate.Rule{rule("PV-AWS-002"), rule("PV-AWS-006"), rule("PV-AWS-008")},
			MaxActions: 100, MaxPercent: 100, MaxRosterShrinkPercent: 10},
		Executors: map[inventory.Provider]remediate.Executor{inventory.ProviderAWS: rawsiam.NewAssumeRole(base, "OrganizationAccountAccessRole", "")},
	}
	ran := make(chan daemon.Run, 1)
	base2, stopDaemon := serveDaemon(ctx, t, daemon.Options{
		Config: daemon.DefaultConfig(), Store: db, Token: apiToken,
		Run: func(runCtx context.Context) (*audit.Result, error) {
			srcs, err := env.Sources(runCtx)
			if err != nil {
				return nil, err
			}
			return audit.Run(runCtx, audit.Options{Sources: srcs, Collect: env.RunOptions(), Store: db, Library: lib,
				Remediation: rem, Now: env.Now})
		},
		OnRun: func(_ context.Context, r daemon.Run) { ran <- r },
	})
	defer stopDaemon()
	client := &http.Client{Timeout: 30 * time.Second}

	paths := []string{"/healthz", "/readyz", "/metrics", "/api/v1/snapshots", "/api/v1/findings", "/api/v1/drift",
		"/api/v1/runs", "/api/v1/trend", "/api/v1/remediation/plans", "/api/v1/reports/json", "/dashboard/"}
	// Before the first run there is no snapshot: those routes answer 404.
	load := startLoad(ctx, client, base2, clients, paths, http.StatusNotFound)
	defer load.stop()

	var out remediationOutcome
	for i := range 2 {
		startRun(ctx, t, client, base2)
		if r := <-ran; r.Status != daemon.StatusSucceeded {
			t.Fatalf("run %d: %+v, want it to succeed", i+1, r)
		}
		b, err := db.LatestPlan()
		if err != nil || b == nil {
			t.Fatalf("run %d left no plan record: %v", i+1, err)
		}
		var rec audit.PlanRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatal(err)
		}
		out.Runs = append(out.Runs, rec)
	}
	counts, failures := load.stop()
	total := checkLoad(t, counts, failures, "the runs")
	if clients > 0 {
		t.Logf("%d answers to %d clients during the runs", total, clients)
	}
	out.Keys = map[string]string{}
	for _, a := range env.AWS.Organization().Accounts {
		for _, u := range a.Users {
			for _, k := range u.AccessKeys {
				out.Keys[k.ID] = k.Status
			}
		}
	}
	return out
}

// TestAPIUnderLoadDuringRemediation runs the daemon's audit of the sandbox with automatic
// remediation twice (the first run marks the unused and unrotated access keys, the second
// deactivates them) with 4 API clients cycling through the read routes, the remediation plan
// included, and compares with the same two runs of an identical sandbox without load: every
// answer 200 with a complete body, and the same plans, outcomes (marked, applied, blocked,
// each step's state and detail) and final key statuses at the AWS fake.
func TestAPIUnderLoadDuringRemediation(t *testing.T) {
	lib, err := policy.Load(context.Background(), policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	quiet := remediatingDaemon(t, lib, 0)
	if len(quiet.Runs) != 2 || quiet.Runs[0].Marked == 0 || quiet.Runs[1].Applied != quiet.Runs[0].Marked || quiet.Runs[1].Refused != "" {
		t.Fatalf("unloaded runs: marked %d then applied %d (refused %q); want every mark acted on",
			quiet.Runs[0].Marked, quiet.Runs[1].Applied, quiet.Runs[1].Refused)
	}
	loaded := remediatingDaemon(t, lib, 4)
	// Plan, mark step and outcome IDs are made from the snapshot ID: the steps are compared
	// by finding, check, action and target, in plan order.
	ignore := cmp.Options{cmpopts.IgnoreFields(audit.PlanRecord{}, "ID"), cmpopts.IgnoreFields(remediate.Plan{}, "SnapshotID", "CreatedAt"),
		cmpopts.IgnoreFields(remediate.Step{}, "ID"), cmpopts.IgnoreFields(remediate.Outcome{}, "StepID"),
		cmpopts.SortSlices(func(a, b remediate.Step) bool { return a.FindingID+string(a.Action) < b.FindingID+string(b.Action) }),
		cmpopts.SortSlices(func(a, b remediate.Outcome) bool { return a.Detail+string(a.State) < b.Detail+string(b.State) })}
	if diff := cmp.Diff(quiet, loaded, ignore, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("remediation under API load differs from the unloaded runs (-unloaded +loaded):\n%s", diff)
	}
	t.Logf("marked %d, then deactivated %d keys", quiet.Runs[0].Marked, quiet.Runs[1].Applied)
}
