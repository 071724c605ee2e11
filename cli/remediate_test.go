package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/remediate"
	"github.com/provost-dev/provost/sandbox/awsfake"
)

// remediateFixture serves alice (one fresh key, one stale key) from the sandbox fake and writes
// a config that scans it and remediates PV-AWS-006 with no grace.
func remediateFixture(t *testing.T, extra string) (dir, cfg, db string, srv *awsfake.Server) {
	t.Helper()
	srv = awsfake.New(awsfake.Options{ReportPolls: 1})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	now := time.Now().UTC().Truncate(time.Second)
	err := srv.LoadOrganization(&awsfake.Organization{ManagementAccount: "111111111111", Accounts: []*awsfake.Account{{
		ID: "111111111111", Name: "management", Users: []*awsfake.User{{Name: "alice", Created: now.AddDate(-2, 0, 0), AccessKeys: []awsfake.AccessKey{
			{ID: "AKIAALICE00000000001", Status: awsfake.KeyActive, Created: now.AddDate(-2, 0, 0), LastUsed: now.Add(-time.Hour), LastUsedService: "s3", LastUsedRegion: "us-east-1"},
			{ID: "AKIAALICE00000000002", Status: awsfake.KeyActive, Created: now.AddDate(-1, -6, 0), LastUsed: now.AddDate(-1, 0, 0), LastUsedService: "s3", LastUsedRegion: "us-east-1"},
		}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", awsfake.DefaultAccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", awsfake.DefaultSecretAccessKey)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	dir = t.TempDir()
	db = filepath.Join(dir, "p.db")
	cfg = writeFile(t, filepath.Join(dir, "provost.toml"), `[store]
path = "`+db+`"

[[sources.aws]]
name = "aws"
endpoint = "`+srv.URL()+`"
organization = false
identity_center = false

[remediation]
enabled = true
max_actions = 5
max_percent = 100
`+extra+`
[[remediation.rules]]
check = "PV-AWS-006"
action = "deactivate_access_key"
enabled = true
grace = "0s"
`)
	return dir, cfg, db, srv
}

func keyStatus(srv *awsfake.Server) map[string]string {
	out := map[string]string{}
	for _, a := range srv.Organization().Accounts {
		for _, u := range a.Users {
			for _, k := range u.AccessKeys {
				out[k.ID] = k.Status
			}
		}
	}
	return out
}

func mustRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, errOut, code := run(t, dir, args...)
	if code != ExitOK {
		t.Fatalf("provost %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func readPlanFile(t *testing.T, path string) *remediate.Plan {
	t.Helper()
	p, err := readPlan(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("plan file mode %v, want 0600", st.Mode().Perm())
	}
	return p
}

func TestRemediateEndToEnd(t *testing.T) {
	dir, cfg, db, srv := remediateFixture(t, "")
	mustRun(t, dir, "scan", "-c", cfg, "--no-remediate")

	// First plan: a mark on the stale key only.
	planPath := filepath.Join(dir, "plan.json")
	out := mustRun(t, dir, "remediate", "plan", "-c", cfg, "--out", planPath)
	plan := readPlanFile(t, planPath)
	if len(plan.Steps) != 1 || plan.Steps[0].Action != remediate.ActMark || plan.Steps[0].Target.Credential != "access_key_2" {
		t.Fatalf("first plan = %+v\n%s", plan.Steps, out)
	}
	if !strings.Contains(out, "Plan for snapshot "+plan.SnapshotID+": 1 step(s), 0 acting, 0 blocked; written to "+planPath) {
		t.Errorf("plan output:\n%s", out)
	}
	mustRun(t, dir, "remediate", "apply", "-c", cfg, "--yes", planPath)

	// Grace 0s: the next plan acts on the stale key.
	mustRun(t, dir, "remediate", "plan", "-c", cfg, "--out", planPath)
	plan = readPlanFile(t, planPath)
	if len(plan.Steps) != 1 || plan.Steps[0].Action != remediate.ActDeactivateAccessKey {
		t.Fatalf("second plan = %+v", plan.Steps)
	}
	step := plan.Steps[0].ID

	// A dry run changes neither the target nor the store.
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	orgBefore := srv.Organization()
	out = mustRun(t, dir, "remediate", "apply", "-c", cfg, "--dry-run", planPath)
	if !strings.Contains(out, step+"  would_act  deactivate key AKIAALICE00000000002 (access_key_2) of alice") {
		t.Errorf("dry run output:\n%s", out)
	}
	after, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("dry run changed the store")
	}
	if d := cmp.Diff(orgBefore, srv.Organization()); d != "" {
		t.Errorf("dry run changed the target:\n%s", d)
	}

	// Without --yes, anything but "yes" does nothing.
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"remediate", "apply", "-c", cfg, planPath}, strings.NewReader("no\n"), &stdout, &stderr); code != ExitFailure ||
		stderr.String() != "provost: not confirmed: nothing was done\n" {
		t.Errorf("unconfirmed apply: exit %d, stderr %q", code, stderr.String())
	}
	if d := cmp.Diff(map[string]string{"AKIAALICE00000000001": "Active", "AKIAALICE00000000002": "Active"}, keyStatus(srv)); d != "" {
		t.Errorf("keys after refusal (-want +got):\n%s", d)
	}
	stdout.Reset()
	stderr.Reset()
	if code := Main([]string{"remediate", "apply", "-c", cfg, planPath}, strings.NewReader("yes\n"), &stdout, &stderr); code != ExitOK {
		t.Fatalf("confirmed apply: exit %d: %s", code, stderr.String())
	}
	if d := cmp.Diff(map[string]string{"AKIAALICE00000000001": "Active", "AKIAALICE00000000002": "Inactive"}, keyStatus(srv)); d != "" {
		t.Errorf("keys after apply (-want +got):\n%s", d)
	}

	out = mustRun(t, dir, "remediate", "status", "-c", cfg, "-o", "json")
	var es []remediate.Entry
	if err := json.Unmarshal([]byte(out), &es); err != nil {
		t.Fatal(err)
	}
	states := map[string]remediate.State{}
	for _, e := range es {
		states[string(e.Step.Action)] = e.State
	}
	if d := cmp.Diff(map[string]remediate.State{"mark": remediate.StateDone, "deactivate_access_key": remediate.StateDone}, states); d != "" {
		t.Errorf("journal (-want +got):\n%s", d)
	}

	if out := mustRun(t, dir, "remediate", "undo", "-c", cfg, step); out != "Undid step "+step+"\n" {
		t.Errorf("undo output %q", out)
	}
	if d := cmp.Diff(map[string]string{"AKIAALICE00000000001": "Active", "AKIAALICE00000000002": "Active"}, keyStatus(srv)); d != "" {
		t.Errorf("keys after undo (-want +got):\n%s", d)
	}

	// A newer snapshot makes the plan stale.
	time.Sleep(1100 * time.Millisecond) // snapshot IDs have one-second resolution
	mustRun(t, dir, "scan", "-c", cfg, "--no-remediate")
	_, errOut, code := run(t, dir, "remediate", "apply", "-c", cfg, "--yes", planPath)
	if code != ExitFailure || !strings.Contains(errOut, "remediation refused by stale_plan guard: plan was made from snapshot "+plan.SnapshotID) ||
		!strings.Contains(errOut, "is newer: make a new plan") {
		t.Errorf("stale plan: exit %d, stderr %q", code, errOut)
	}
}

func TestRemediateRefusals(t *testing.T) {
	t.Run("the cap stops a run that would act", func(t *testing.T) {
		dir, cfg, _, srv := remediateFixture(t, "")
		mustRun(t, dir, "scan", "-c", cfg, "--no-remediate")
		planPath := filepath.Join(dir, "plan.json")
		mustRun(t, dir, "remediate", "plan", "-c", cfg, "--out", planPath)
		mustRun(t, dir, "remediate", "apply", "-c", cfg, "--yes", planPath)
		mustRun(t, dir, "remediate", "plan", "-c", cfg, "--out", planPath)
		// Lower the cap to zero after planning.
		b, _ := os.ReadFile(cfg)
		writeFile(t, cfg, strings.Replace(string(b), "max_actions = 5", "max_actions = 0", 1))
		_, errOut, code := run(t, dir, "remediate", "apply", "-c", cfg, "--yes", planPath)
		if want := "provost: remediation refused by cap_count guard: plan has 1 acting steps, more than max_actions 0: nothing was done\n"; code != ExitFailure || errOut != want {
			t.Errorf("exit %d, stderr %q, want %q", code, errOut, want)
		}
		if keyStatus(srv)["AKIAALICE00000000002"] != "Active" {
			t.Error("the key was deactivated despite the cap")
		}
	})
	t.Run("a plan file edited to reach a protected principal is refused", func(t *testing.T) {
		dir, cfg, _, srv := remediateFixture(t, "")
		mustRun(t, dir, "scan", "-c", cfg, "--no-remediate")
		planPath := filepath.Join(dir, "plan.json")
		mustRun(t, dir, "remediate", "plan", "-c", cfg, "--out", planPath)
		plan := readPlanFile(t, planPath)
		plan.Steps[0].Target.Principal = "arn:aws:iam::111111111111:root"
		if err := writePlan(planPath, plan); err != nil {
			t.Fatal(err)
		}
		srv.ResetCalls()
		_, errOut, code := run(t, dir, "remediate", "apply", "-c", cfg, "--yes", planPath)
		want := "provost: remediation refused by protected guard: step " + plan.Steps[0].ID + " would touch arn:aws:iam::111111111111:root, which is protected (root account)\n"
		if code != ExitFailure || errOut != want {
			t.Errorf("exit %d, stderr %q, want %q", code, errOut, want)
		}
		if calls := srv.Calls(); len(calls) != 0 {
			t.Errorf("calls reached the target: %v", calls)
		}
	})
	t.Run("protected principals are listed as blocked", func(t *testing.T) {
		dir, cfg, _, _ := remediateFixture(t, "protected = [\"arn:aws:iam::*:user/alice\"]\n")
		mustRun(t, dir, "scan", "-c", cfg, "--no-remediate")
		planPath := filepath.Join(dir, "plan.json")
		out := mustRun(t, dir, "remediate", "plan", "-c", cfg, "--out", planPath)
		plan := readPlanFile(t, planPath)
		if len(plan.Steps) != 0 || len(plan.Blocked) != 1 || plan.Blocked[0].Guard != "protected" {
			t.Fatalf("plan = %+v", plan)
		}
		if !strings.Contains(out, "arn:aws:iam::111111111111:user/alice is protected: matches protected pattern arn:aws:iam::*:user/alice") {
			t.Errorf("plan output:\n%s", out)
		}
	})
	t.Run("apply is refused while remediation is disabled", func(t *testing.T) {
		dir, cfg, _, _ := remediateFixture(t, "")
		b, _ := os.ReadFile(cfg)
		writeFile(t, cfg, strings.Replace(string(b), "enabled = true\nmax_actions", "enabled = false\nmax_actions", 1))
		_, errOut, code := run(t, dir, "remediate", "apply", "-c", cfg, "--yes", "plan.json")
		if want := "provost: remediation is disabled: set enabled = true under [remediation] in " + cfg + " (or use --dry-run)\n"; code != ExitUsage || errOut != want {
			t.Errorf("exit %d, stderr %q, want %q", code, errOut, want)
		}
	})
	t.Run("a file that is not a plan", func(t *testing.T) {
		dir, cfg, _, _ := remediateFixture(t, "")
		p := writeFile(t, filepath.Join(dir, "x.json"), `{"version": 9}`)
		_, errOut, code := run(t, dir, "remediate", "apply", "-c", cfg, "--yes", p)
		if want := "provost: plan " + p + ": version 9 for snapshot \"\"; want version 1 made by `provost remediate plan`\n"; code != ExitUsage || errOut != want {
			t.Errorf("exit %d, stderr %q, want %q", code, errOut, want)
		}
	})
}

// TestScanRemediates: with [remediation] enabled, scan runs the remediation stage — the first
// scan marks the stale key (grace starts), and with an automatic rule whose grace has passed,
// the next scan deactivates exactly that key; --no-remediate leaves everything alone.
func TestScanRemediates(t *testing.T) {
	dir, cfg, _, srv := remediateFixture(t, "")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, cfg, strings.Replace(string(b), "enabled = true\ngrace", "enabled = true\nautomatic = true\ngrace", 1))

	mustRun(t, dir, "scan", "-c", cfg, "--no-remediate")
	if got := srv.Calls()["iam:TagUser"] + srv.Calls()["iam:UpdateAccessKey"]; got != 0 {
		t.Fatalf("scan --no-remediate made %d remediation calls", got)
	}
	mustRun(t, dir, "scan", "-c", cfg)
	if got := srv.Calls()["iam:TagUser"]; got != 1 {
		t.Errorf("first remediating scan: %d TagUser calls, want 1 (the mark)", got)
	}
	if diff := cmp.Diff(map[string]string{"AKIAALICE00000000001": "Active", "AKIAALICE00000000002": "Active"}, keyStatus(srv)); diff != "" {
		t.Errorf("keys after the marking scan (-want +got):\n%s", diff)
	}
	mustRun(t, dir, "scan", "-c", cfg)
	if got := srv.Calls()["iam:UpdateAccessKey"]; got != 1 {
		t.Errorf("second remediating scan: %d UpdateAccessKey calls, want 1", got)
	}
	if diff := cmp.Diff(map[string]string{"AKIAALICE00000000001": "Active", "AKIAALICE00000000002": "Inactive"}, keyStatus(srv)); diff != "" {
		t.Errorf("keys after the acting scan (-want +got):\n%s", diff)
	}
}
