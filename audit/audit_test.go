package audit

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/static"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/policy"
	"github.com/provost-dev/provost/reports"
	"github.com/provost-dev/provost/sandbox"
	"github.com/provost-dev/provost/store"
)

// day1 is when the example organisation is scanned first.
var day1 = time.Date(2026, 3, 18, 9, 0, 0, 0, time.UTC)

func exampleSource(t *testing.T, org []byte) collector.Source {
	t.Helper()
	path := filepath.Join(t.TempDir(), "org.json")
	if err := os.WriteFile(path, org, 0o600); err != nil {
		t.Fatal(err)
	}
	return static.New("acme-health", path)
}

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "provost.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func loadLibrary(t testing.TB) *policy.Library {
	t.Helper()
	lib, err := policy.Load(context.Background(), policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// keys lists "CHECK principal [qualifier] status" for each finding, sorted.
func keys(fs []finding.Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		k := f.CheckID + " " + f.Principal
		if f.Qualifier != "" {
			k += " [" + f.Qualifier + "]"
		}
		out = append(out, k+" "+string(f.Status))
	}
	sort.Strings(out)
	return out
}

// firstRun is every finding of the example organisation scanned on day1, exactly.
var firstRun = []string{
	"PV-AWS-002 arn:aws:iam::111122223333:root open",
	"PV-AWS-004 arn:aws:iam::111122223333:user/raj.patel open",
	"PV-AWS-005 arn:aws:iam::111122223333:user/priya.nair [password] open",
	"PV-AWS-005 arn:aws:iam::444455556666:user/marcus.hale [password] open",
	"PV-AWS-006 arn:aws:iam::111122223333:user/ci-deploy [access_key_2] open",
	"PV-AWS-006 arn:aws:iam::111122223333:user/priya.nair [access_key_1] open",
	"PV-AWS-007 arn:aws:iam::111122223333:user/ci-deploy [access_key_1] open",
	"PV-AWS-007 arn:aws:iam::111122223333:user/ci-deploy [access_key_2] open",
	"PV-AWS-007 arn:aws:iam::111122223333:user/maya.chen [access_key_1] open",
	"PV-AWS-007 arn:aws:iam::111122223333:user/priya.nair [access_key_1] open",
	"PV-AWS-007 arn:aws:iam::111122223333:user/raj.patel [access_key_1] open",
	"PV-AWS-007 arn:aws:iam::444455556666:user/marcus.hale [access_key_1] open",
	"PV-AWS-008 arn:aws:iam::111122223333:user/ci-deploy open",
	"PV-AWS-009 arn:aws:iam::111122223333:user/ci-deploy [arn:aws:iam::111122223333:policy/deploy-pipeline] open",
	"PV-AWS-009 arn:aws:iam::111122223333:user/priya.nair [arn:aws:iam::aws:policy/ReadOnlyAccess] open",
	"PV-AWS-009 arn:aws:iam::111122223333:user/raj.patel [arn:aws:iam::aws:policy/PowerUserAccess] open",
	"PV-AWS-009 arn:aws:iam::444455556666:user/marcus.hale [arn:aws:iam::444455556666:policy/phi-export] open",
	"PV-AWS-009 arn:aws:iam::444455556666:user/marcus.hale [arn:aws:iam::aws:policy/ReadOnlyAccess] open",
	"PV-AWS-010 arn:aws:iam::111122223333:user/ci-deploy open",
	"PV-AWS-010 arn:aws:iam::111122223333:user/priya.nair open",
	"PV-AWS-010 arn:aws:iam::111122223333:user/raj.patel open",
	"PV-AWS-010 arn:aws:iam::444455556666:user/marcus.hale open",
	"PV-AWS-011 arn:aws:iam::111122223333:role/BreakGlass [arn:aws:iam::aws:policy/AdministratorAccess] open",
	"PV-AWS-011 arn:aws:iam::111122223333:user/ci-deploy [arn:aws:iam::111122223333:policy/deploy-pipeline] open",
	"PV-AWS-011 arn:aws:iam::111122223333:user/maya.chen [arn:aws:iam::aws:policy/AdministratorAccess] open",
	"PV-AWS-011 arn:aws:iam::444455556666:role/OrganizationAccountAccessRole [arn:aws:iam::aws:policy/AdministratorAccess] open",
	"PV-AWS-012 arn:aws:iam::111122223333:root [password_policy] open",
	"PV-AWS-013 arn:aws:iam::111122223333:user/ci-deploy open",
	"PV-AWS-013 arn:aws:iam::111122223333:user/maya.chen open",
	"PV-AWS-013 arn:aws:iam::111122223333:user/priya.nair open",
	"PV-AWS-013 arn:aws:iam::111122223333:user/raj.patel open",
	"PV-AWS-013 arn:aws:iam::444455556666:user/marcus.hale open",
	"PV-AWS-015 arn:aws:iam::111122223333:role/BreakGlass open",
	"PV-GCP-001 gcp:user:grace.kim@acmehealth.example cannot_evaluate",
	"PV-GCP-001 gcp:user:omar.farouk@gmail.com cannot_evaluate",
	"PV-GCP-002 gcp:allUsers [roles/storage.objectViewer on projects/acme-claims-prod] open",
	"PV-GCP-003 gcp:serviceAccount:claims-api@acme-claims-prod.iam.gserviceaccount.com [3f1c9a7be0d24e6f8a1b2c3d4e5f6a7b8c9d0e1f] open",
	"PV-GCP-003 gcp:serviceAccount:legacy-export@acme-claims-prod.iam.gserviceaccount.com [c7e1a3b5d7f9e1c3a5b7d9f0e2c4a6b8d0f2e4a6] open",
	"PV-GCP-004 gcp:serviceAccount:claims-api@acme-claims-prod.iam.gserviceaccount.com [3f1c9a7be0d24e6f8a1b2c3d4e5f6a7b8c9d0e1f] open",
	"PV-GCP-004 gcp:serviceAccount:legacy-export@acme-claims-prod.iam.gserviceaccount.com [c7e1a3b5d7f9e1c3a5b7d9f0e2c4a6b8d0f2e4a6] open",
	"PV-GCP-005 gcp:serviceAccount:claims-api@acme-claims-prod.iam.gserviceaccount.com [roles/storage.objectAdmin on projects/acme-claims-prod] open",
	"PV-GCP-005 gcp:serviceAccount:legacy-export@acme-claims-prod.iam.gserviceaccount.com [roles/editor on projects/acme-claims-prod] open",
	"PV-GCP-007 gcp:user:grace.kim@acmehealth.example [roles/owner on projects/acme-claims-prod] open",
	"PV-GCP-007 gcp:user:omar.farouk@gmail.com [roles/editor on projects/acme-claims-prod] open",
	"PV-GCP-008 gcp:serviceAccount:legacy-export@acme-claims-prod.iam.gserviceaccount.com open",
	"PV-GCP-009 gcp:serviceAccount:legacy-export@acme-claims-prod.iam.gserviceaccount.com [c7e1a3b5d7f9e1c3a5b7d9f0e2c4a6b8d0f2e4a6] open",
	"PV-IDN-001 gcp:serviceAccount:claims-api@acme-claims-prod.iam.gserviceaccount.com open",
	"PV-IDN-001 gcp:serviceAccount:legacy-export@acme-claims-prod.iam.gserviceaccount.com open",
	"PV-IDN-003 arn:aws:iam::111122223333:user/ci-deploy open",
	"PV-IDN-003 arn:aws:iam::111122223333:user/maya.chen open",
	"PV-IDN-003 arn:aws:iam::111122223333:user/priya.nair open",
	"PV-IDN-003 arn:aws:iam::111122223333:user/raj.patel open",
	"PV-IDN-003 arn:aws:iam::444455556666:user/marcus.hale open",
	"PV-IDN-003 aws-sso:d-9067c3a1b2:94f8a2c6-1b3d-4e5f-8a9b-0c1d2e3f4a5b open",
	"PV-IDN-003 gcp:user:grace.kim@acmehealth.example open",
	"PV-IDN-003 gcp:user:omar.farouk@gmail.com open",
	"PV-IDN-005 arn:aws:iam::111122223333:user/ci-deploy open",
	"PV-IDN-005 gcp:user:omar.farouk@gmail.com cannot_evaluate",
}

// changedOrg is the example organisation with raj.patel deleted and a copy of him named
// new.hire: raj's findings resolve, the new user's are new.
func changedOrg(t *testing.T) []byte {
	t.Helper()
	var org map[string]any
	if err := json.Unmarshal(sandbox.ExampleOrg(), &org); err != nil {
		t.Fatal(err)
	}
	ps := org["principals"].([]any)
	for i, p := range ps {
		m := p.(map[string]any)
		if m["id"] == "arn:aws:iam::111122223333:user/raj.patel" {
			m["id"] = "arn:aws:iam::111122223333:user/new.hire"
			m["name"] = "new.hire"
			m["native_id"] = "AIDA4XJ7NK2QRAJP0099"
			ps[i] = m
		}
	}
	b, err := json.Marshal(org)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRunExample(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	lib := loadLibrary(t)
	out := filepath.Join(t.TempDir(), "reports")
	clock := day1
	formats := []reports.Format{reports.FormatHTML, reports.FormatJSON, reports.FormatSARIF, reports.FormatCSV}
	opts := Options{
		Sources:       []collector.Source{exampleSource(t, sandbox.ExampleOrg())},
		Store:         db,
		Library:       lib,
		Now:           func() time.Time { return clock },
		ReportDir:     out,
		ReportFormats: formats,
	}
	res, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(firstRun, keys(res.Findings)); diff != "" {
		t.Errorf("first run findings (-want +got):\n%s", diff)
	}
	wantOpen := map[string]int{"critical": 2, "high": 10, "medium": 26, "low": 17, "info": 0}
	if diff := cmp.Diff(wantOpen, res.Open); diff != "" {
		t.Errorf("open by severity (-want +got):\n%s", diff)
	}
	if res.New != 58 || res.Resolved != 0 || res.PreviousID != "" || res.Incomplete != 1 {
		t.Errorf("first run: new %d resolved %d previous %q incomplete %d; want 58, 0, \"\", 1", res.New, res.Resolved, res.PreviousID, res.Incomplete)
	}
	if got := res.OpenAtLeast(finding.SeverityHigh); got != 12 {
		t.Errorf("OpenAtLeast(high) = %d, want 12", got)
	}
	var stages []string
	for _, s := range res.Stages {
		stages = append(stages, s.Name)
	}
	if diff := cmp.Diff([]string{StageCollect, StageStore, StageDrift, StageEvaluate, StageFindings, StageRetain, StageReports}, stages); diff != "" {
		t.Errorf("stages (-want +got):\n%s", diff)
	}
	var wantPaths []string
	for _, f := range formats {
		wantPaths = append(wantPaths, filepath.Join(out, ReportFile(f)))
	}
	if diff := cmp.Diff(wantPaths, res.Reports); diff != "" || len(res.Problems) > 0 {
		t.Errorf("reports (-want +got):\n%s\nproblems: %v", diff, res.Problems)
	}
	for _, p := range wantPaths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 || fi.Size() == 0 {
			t.Errorf("%s: mode %v size %d; want 0600 and content", p, fi.Mode().Perm(), fi.Size())
		}
	}
	stored, err := db.Findings(res.SnapshotID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(keys(res.Findings), keys(stored)); diff != "" {
		t.Errorf("stored findings (-want +got):\n%s", diff)
	}

	// Second run, a day later: raj.patel is gone from a completely seen account, new.hire
	// appeared, and ci-deploy's PV-AWS-013 is waived.
	first := res.Findings
	clock = day1.Add(24 * time.Hour)
	opts.Sources = []collector.Source{exampleSource(t, changedOrg(t))}
	opts.Waivers = []policy.Waiver{{Check: "PV-AWS-013", Principal: "*user/ci-deploy", Reason: "pipeline", Owner: "secops@acmehealth.example", Expires: day1.AddDate(0, 1, 0)}}
	res2, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	var want2 []string
	for _, k := range firstRun {
		switch {
		case strings.Contains(k, "user/raj.patel"):
			want2 = append(want2, strings.TrimSuffix(k, " open")+" resolved")
			want2 = append(want2, strings.ReplaceAll(k, "user/raj.patel", "user/new.hire"))
		case strings.HasPrefix(k, "PV-AWS-013 arn:aws:iam::111122223333:user/ci-deploy"):
			want2 = append(want2, strings.TrimSuffix(k, " open")+" waived")
		default:
			want2 = append(want2, k)
		}
	}
	// new.hire is an IAM user created directly in an account that uses Identity Center: the
	// drift check sees the principal_added event.
	want2 = append(want2, "PV-DRF-002 arn:aws:iam::111122223333:user/new.hire open")
	sort.Strings(want2)
	if diff := cmp.Diff(want2, keys(res2.Findings)); diff != "" {
		t.Errorf("second run findings (-want +got):\n%s", diff)
	}
	if res2.PreviousID != res.SnapshotID || res2.New != 7 || res2.Resolved != 6 || res2.Waived != 1 {
		t.Errorf("second run: previous %q new %d resolved %d waived %d; want %q, 7, 6, 1", res2.PreviousID, res2.New, res2.Resolved, res2.Waived, res.SnapshotID)
	}
	// The JSON report carries the lifecycle KPIs over both snapshots: new.hire is an IAM user,
	// created outside the identity provider after the first snapshot.
	raw, err := os.ReadFile(filepath.Join(out, ReportFile(reports.FormatJSON)))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		KPIs *reports.KPIs `json:"kpis"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || doc.KPIs == nil {
		t.Fatalf("report.json has no kpis (err %v)", err)
	}
	if doc.KPIs.Snapshots != 2 || doc.KPIs.SLASeconds != 24*3600 {
		t.Errorf("kpis: %d snapshots, SLA %ds; want 2 and 86400", doc.KPIs.Snapshots, doc.KPIs.SLASeconds)
	}
	var newOutside []string
	for _, o := range doc.KPIs.NewOutsideIdP {
		newOutside = append(newOutside, o.Principal)
	}
	if diff := cmp.Diff([]string{"arn:aws:iam::111122223333:user/new.hire"}, newOutside); diff != "" {
		t.Errorf("kpis.new_outside_idp (-want +got):\n%s", diff)
	}

	// Lifecycle: unchanged findings keep their first-seen time, resolved ones say when.
	firstSeen := map[string]time.Time{}
	for _, f := range first {
		firstSeen[f.ID] = f.FirstSeen
	}
	for _, f := range res2.Findings {
		want := day1
		if strings.Contains(f.Principal, "new.hire") {
			want = clock
		}
		if !f.FirstSeen.Equal(want) {
			t.Errorf("%s %s: first seen %v, want %v", f.CheckID, f.Principal, f.FirstSeen, want)
		}
		if f.Status == finding.StatusResolved && !f.ResolvedAt.Equal(clock) {
			t.Errorf("%s %s: resolved at %v, want %v", f.CheckID, f.Principal, f.ResolvedAt, clock)
		}
	}
	var added, removed int
	for _, e := range res2.Drift {
		switch {
		case e.Kind == "principal_added" && e.Principal == "arn:aws:iam::111122223333:user/new.hire":
			added++
		case e.Kind == "principal_removed" && e.Principal == "arn:aws:iam::111122223333:user/raj.patel":
			removed++
		}
	}
	if added != 1 || removed != 1 {
		t.Errorf("drift: %d new.hire added, %d raj.patel removed events; want 1 and 1 (events: %v)", added, removed, res2.Drift)
	}
}

func TestRunBadInput(t *testing.T) {
	db := openStore(t)
	src := exampleSource(t, sandbox.ExampleOrg())
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"no store", Options{Sources: []collector.Source{src}}, "audit: no store"},
		{"no sources", Options{Store: db}, "audit: no sources"},
		{"unknown format", Options{Store: db, Sources: []collector.Source{src}, ReportFormats: []reports.Format{"pdf"}}, `audit: unknown report format "pdf"`},
		{"bad policy dir", Options{Store: db, Sources: []collector.Source{src}, Policies: policy.Options{Dirs: []string{"/nonexistent/policies"}}}, "load policies: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.opts)
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Fatalf("Run err = %v, want prefix %q", err, tt.wantErr)
			}
		})
	}
	if ms, err := db.Snapshots(); err != nil || len(ms) != 0 {
		t.Errorf("a failed run stored %d snapshots (%v)", len(ms), err)
	}
}
