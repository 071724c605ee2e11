package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
)

var update = flag.Bool("update", false, "rewrite golden files (testdata/*.golden.json, docs/checks.md)")

func readSnapshot(t testing.TB, path string) *inventory.Snapshot {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s inventory.Snapshot
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &s
}

func fixtureConfig() Config {
	cfg := DefaultConfig()
	cfg.OrgDomains = []string{"corp.com"}
	cfg.ProtectedPrincipals = []string{"arn:aws:iam::*:user/breakglass"}
	return cfg
}

func fixtureEvaluator(t testing.TB, opts EvalOptions) *Evaluator {
	t.Helper()
	lib := loadBundled(t)
	ws, err := LoadWaivers(filepath.Join("testdata", "waivers.toml"))
	if err != nil {
		t.Fatal(err)
	}
	opts.Waivers = ws
	ev, err := lib.NewEvaluator(fixtureConfig(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// compareGolden compares got (indented JSON) with a golden file, rewriting it under -update.
func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./policy -update to create it)", err)
	}
	if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")); diff != "" {
		t.Errorf("%s differs (-want +got; go test ./policy -update rewrites it):\n%s", path, diff)
	}
}

func marshalIndent(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// TestFixtureGolden evaluates the fixture snapshot with the bundled library and compares the
// findings with the golden file.
func TestFixtureGolden(t *testing.T) {
	snap := readSnapshot(t, filepath.Join("testdata", "snapshot.json"))
	res, err := fixtureEvaluator(t, EvalOptions{}).Evaluate(context.Background(), snap, WithDrift(readDrift(t)))
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, filepath.Join("testdata", "findings.golden.json"), marshalIndent(t, res.Findings))

	// The fixture exercises every bundled check, and every status but resolved.
	open := map[string]bool{}
	statuses := map[finding.Status]bool{}
	for _, f := range res.Findings {
		statuses[f.Status] = true
		if f.Status == finding.StatusOpen || f.Status == finding.StatusWaived {
			open[f.CheckID] = true
		}
	}
	for _, c := range loadBundled(t).Checks() {
		if !open[c.ID] {
			t.Errorf("no finding for %s in the fixture: add a principal that violates it", c.ID)
		}
	}
	for _, s := range []finding.Status{finding.StatusOpen, finding.StatusWaived, finding.StatusCannotEvaluate} {
		if !statuses[s] {
			t.Errorf("no %s finding in the fixture", s)
		}
	}
	if !open[finding.CheckWaiverExpired] {
		t.Errorf("no %s finding in the fixture", finding.CheckWaiverExpired)
	}
	if got, want := res.EvalTime, snap.FinishedAt; !got.Equal(want) {
		t.Errorf("EvalTime = %v, want the snapshot's finish time %v", got, want)
	}
}

// TestBatchingDoesNotChangeFindings evaluates the same estate with different batch sizes and
// worker counts: the findings must be identical.
func TestBatchingDoesNotChangeFindings(t *testing.T) {
	snap := genSnapshot(600, 7)
	var want []finding.Finding
	for i, opts := range []EvalOptions{
		{Workers: 1, BatchSize: 600},
		{Workers: 1, BatchSize: 1},
		{Workers: 4, BatchSize: 7},
		{Workers: 2, BatchSize: DefaultBatchSize},
	} {
		res, err := fixtureEvaluator(t, opts).Evaluate(context.Background(), snap)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			want = res.Findings
			if len(want) < 300 {
				t.Fatalf("only %d findings for 600 principals: the generator lost its problems", len(want))
			}
			continue
		}
		if diff := cmp.Diff(want, res.Findings); diff != "" {
			t.Errorf("options %+v change the findings (-want +got):\n%s", opts, diff)
		}
	}
}

// TestFindingsAreSortedAndUnique checks the result contract the store relies on.
func TestFindingsAreSortedAndUnique(t *testing.T) {
	snap := genSnapshot(800, 3)
	res, err := fixtureEvaluator(t, EvalOptions{}).Evaluate(context.Background(), snap)
	if err != nil {
		t.Fatal(err)
	}
	sorted := slices.Clone(res.Findings)
	finding.SortFindings(sorted)
	if diff := cmp.Diff(sorted, res.Findings); diff != "" {
		t.Errorf("findings not sorted (-sorted +got):\n%s", diff)
	}
	seen := map[string]bool{}
	for _, f := range res.Findings {
		if seen[f.ID] {
			t.Errorf("duplicate finding ID %s (%s %s %s)", f.ID, f.CheckID, f.Principal, f.Qualifier)
		}
		seen[f.ID] = true
		if f.ID != finding.ID(f.CheckID, f.Principal, f.Qualifier) {
			t.Errorf("finding %s: ID is not ID(check, principal, qualifier)", f.ID)
		}
		if !f.Severity.Valid() || !f.Status.Valid() || f.Message == "" {
			t.Errorf("finding %s: invalid severity %v, status %q or empty message", f.ID, f.Severity, f.Status)
		}
	}
}

// TestExplain shows every check's verdict for one principal of the fixture.
func TestExplain(t *testing.T) {
	snap := readSnapshot(t, filepath.Join("testdata", "snapshot.json"))
	cfg := fixtureConfig()
	cfg.DisabledChecks = []string{"PV-IDN-004"}
	ws, err := LoadWaivers(filepath.Join("testdata", "waivers.toml"))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := loadBundled(t).NewEvaluator(cfg, EvalOptions{Waivers: ws})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := ev.Explain(context.Background(), snap, "arn:aws:iam::222222222222:user/ci-deploy")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, v := range ex.Verdicts {
		got[v.CheckID] = v.Outcome
		for _, f := range v.Findings {
			got[v.CheckID] += " " + string(f.Status)
		}
	}
	want := map[string]string{
		"PV-AWS-001": "not_applicable", "PV-AWS-002": "not_applicable", "PV-AWS-003": "not_applicable",
		"PV-AWS-004": "pass", "PV-AWS-005": "pass", "PV-AWS-006": "pass", "PV-AWS-007": "pass",
		"PV-AWS-008": "pass", "PV-AWS-009": "pass", "PV-AWS-010": "pass",
		"PV-AWS-011": "violation waived", // waived, still a violation
		"PV-AWS-012": "not_applicable", "PV-AWS-013": "pass", "PV-AWS-014": "not_applicable",
		"PV-AWS-015": "not_applicable",
		"PV-DRF-001": "pass", "PV-DRF-002": "pass", "PV-DRF-003": "pass", "PV-DRF-004": "pass",
		"PV-DRF-005": "pass",
		"PV-GCP-001": "not_applicable", "PV-GCP-002": "not_applicable", "PV-GCP-003": "not_applicable",
		"PV-GCP-004": "not_applicable", "PV-GCP-005": "not_applicable", "PV-GCP-006": "not_applicable",
		"PV-GCP-007": "not_applicable", "PV-GCP-008": "not_applicable", "PV-GCP-009": "not_applicable",
		"PV-IDN-001": "pass", "PV-IDN-002": "pass",
		"PV-IDN-003": "violation open", // its waiver expired
		"PV-IDN-004": "disabled",
		"PV-IDN-005": "violation open",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	in, _ := ex.Input.(map[string]any)
	if p, _ := in["principal"].(map[string]any); p["id"] != "arn:aws:iam::222222222222:user/ci-deploy" || p["created_on"] != "2025-01-01" {
		t.Errorf("explanation input principal = %v", in["principal"])
	}
	if _, err := ev.Explain(context.Background(), snap, "arn:aws:iam::0:user/nobody"); err == nil {
		t.Errorf("Explain of an unknown principal: want an error")
	}
}

// readDrift reads the fixture's drift events (testdata/drift.json), which make each drift check
// fire once or more.
func readDrift(t testing.TB) []drift.Event {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "drift.json"))
	if err != nil {
		t.Fatal(err)
	}
	var events []drift.Event
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&events); err != nil {
		t.Fatalf("testdata/drift.json: %v", err)
	}
	return events
}
