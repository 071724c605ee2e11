package cli

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/sandbox"
	"github.com/provost-dev/provost/store"
)

// TestDemo runs `provost demo` three times in a temporary directory, on the sandbox served over
// loopback and scanned with the real collectors. The first run's open findings, read back from
// the database, are exactly the generator's planted problems; every file it writes is 0600. The
// second run sees the organisation a day later: its findings are exactly that day's planted
// problems, the new ones are exactly those planted overnight, and drift has the leaver, the
// new admin and the rotated key. The third prints the table summary.
func TestDemo(t *testing.T) {
	const seed = 7
	dir := t.TempDir()
	demoDir := "provost-demo"
	db := filepath.Join(demoDir, "provost.db")
	org0 := sandbox.Generate(sandbox.GenerateOptions{Seed: seed})
	org1 := sandbox.Advance(org0, 1)

	// Day 0.
	first := runDemoJSON(t, dir, "--seed", "7")
	wantReports := []string{"report.html", "report.json", "report.sarif", "report.csv", "report.md"}
	for i, r := range wantReports {
		wantReports[i] = filepath.Join(demoDir, r)
	}
	wantNext := []string{
		"provost findings --db " + db + " --severity high",
		"provost diff --db " + db,
		"provost report --db " + db + " --format html,markdown --out " + filepath.Join(demoDir, "reports"),
		"provost remediate plan --db " + db,
		"provost serve --db " + db,
		"provost demo --dir " + demoDir + "   # again: the organisation advances a day and shows drift",
	}
	checkSummary(t, first, org0, 0, wantReports, wantNext)
	open0, all0 := storedFindings(t, filepath.Join(dir, db), first.Snapshot)
	if diff := cmp.Diff(org0.Planted, open0); diff != "" {
		t.Errorf("day 0: open findings differ from the planted problems (-planted +found):\n%s", diff)
	}
	if first.Findings.Previous != "" || first.Drift != 0 || first.Findings.New != len(all0) || first.Findings.Resolved != 0 {
		t.Errorf("first run: previous %q, %d drift events, %d new and %d resolved of %d findings: want no previous, no drift, every finding new",
			first.Findings.Previous, first.Drift, first.Findings.New, first.Findings.Resolved, len(all0))
	}
	checkModes(t, filepath.Join(dir, demoDir))

	// Day 1: a leaver, a new admin, a rotated key.
	second := runDemoJSON(t, dir, "--seed", "7")
	checkSummary(t, second, org1, 1, wantReports, wantNext)
	if second.Findings.Previous != first.Snapshot {
		t.Errorf("second run compared with %q, want the first snapshot %s", second.Findings.Previous, first.Snapshot)
	}
	open1, all1 := storedFindings(t, filepath.Join(dir, db), second.Snapshot)
	// The drift checks fire on what changed overnight (seed 7): the Identity Center user given
	// the admin permission set (PV-DRF-001, admin granted since the last scan) and the leaver's
	// still-active account (PV-DRF-004, leaver still active).
	driftFindings := []sandbox.Planted{
		{CheckID: "PV-DRF-001", PrincipalID: "aws-sso:d-9067ac0e01:90670ac3-0000-4000-8000-00000000000f"},
		{CheckID: "PV-DRF-004", PrincipalID: "aws-sso:d-9067ac0e01:90670ac3-0000-4000-8000-000000000007"},
	}
	wantOpen1 := append(slices.Clone(org1.Planted), driftFindings...)
	sortPlanted(wantOpen1)
	if diff := cmp.Diff(wantOpen1, open1); diff != "" {
		t.Errorf("day 1: open findings differ from the planted problems (-planted +found):\n%s", diff)
	}
	var gotNew, gotResolved []sandbox.Planted
	for _, f := range all1 {
		p := sandbox.Planted{CheckID: f.CheckID, PrincipalID: f.Principal}
		switch {
		case f.Status == finding.StatusOpen && f.FirstSeen.Equal(org1.Now):
			gotNew = append(gotNew, p)
		case f.Status == finding.StatusResolved:
			gotResolved = append(gotResolved, p)
		}
	}
	wantNew, wantResolved := append(minus(org1.Planted, org0.Planted), driftFindings...), minus(org0.Planted, org1.Planted)
	sortPlanted(wantNew)
	if diff := cmp.Diff(wantNew, gotNew); diff != "" || len(wantNew) == 0 {
		t.Errorf("day 1: new findings differ from the problems planted overnight (-planted +new):\n%s", diff)
	}
	if diff := cmp.Diff(wantResolved, gotResolved); diff != "" || len(wantResolved) == 0 {
		t.Errorf("day 1: resolved findings differ from the problems fixed overnight (-fixed +resolved):\n%s", diff)
	}
	if second.Findings.New < len(wantNew) || second.Findings.Resolved != len(wantResolved) {
		t.Errorf("day 1 summary: %d new, %d resolved; want at least %d new, %d resolved",
			second.Findings.New, second.Findings.Resolved, len(wantNew), len(wantResolved))
	}

	events := demoDrift(t, dir, db)
	if len(events) == 0 || len(events) != second.Drift {
		t.Fatalf("diff lists %d drift events, the demo summary %d: want the same, more than 0", len(events), second.Drift)
	}
	kinds := map[string]int{}
	for _, e := range events {
		kinds[string(e.Kind)]++
	}
	if diff := cmp.Diff(kinds, second.DriftByKind); diff != "" {
		t.Errorf("drift_by_kind (-diff +summary):\n%s", diff)
	}
	has := func(want func(drift.Event) bool) bool { return slices.ContainsFunc(events, want) }
	for _, p := range wantNew {
		switch p.CheckID {
		case "PV-IDN-002": // the leaver: still has access, and HR says terminated
			person := linkedPerson(t, filepath.Join(dir, db), second.Snapshot, p.PrincipalID)
			if !has(func(e drift.Event) bool {
				return e.Kind == drift.PersonStatusChanged && e.Person == person && e.After == "terminated"
			}) {
				t.Errorf("no drift event for the leaver %s (%s) becoming terminated in %v", p.PrincipalID, person, events)
			}
		case "PV-AWS-014": // the new admin
			if !has(func(e drift.Event) bool {
				return e.Kind == drift.GrantAdded && e.Principal == p.PrincipalID && e.Escalation && e.After == "admin"
			}) {
				t.Errorf("no escalation to admin for the new admin %s in %v", p.PrincipalID, events)
			}
		}
	}
	for _, p := range wantResolved {
		if p.CheckID == "PV-AWS-007" && !has(func(e drift.Event) bool { return e.Kind == drift.CredentialCreated && e.Principal == p.PrincipalID }) {
			t.Errorf("no new credential for the rotated key of %s in %v", p.PrincipalID, events)
		}
	}
	checkModes(t, filepath.Join(dir, demoDir))

	// Day 2, the table summary.
	out, errOut, code := run(t, dir, "demo", "--seed", "7")
	if code != ExitOK || errOut != "" {
		t.Fatalf("demo: exit %d, stderr %q", code, errOut)
	}
	org2 := sandbox.Advance(org0, 2)
	for _, want := range []string{
		"Acme Health, day 2 (seed 7, scale 300, " + strconv.Itoa(len(org2.Planted)) + " planted problems), served on 127.0.0.1 and scanned with the real collectors.\n",
		"  " + strconv.Itoa(collectedPrincipals(org2)) + " principals, " + strconv.Itoa(org2.People) + " people, ",
		"new, ",
		"\nDrift since " + second.Snapshot + ": ",
		"\nReports:\n  " + strings.Join(wantReports, "\n  ") + "\n",
		"\nNext:\n  " + strings.Join(wantNext, "\n  ") + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo summary lacks %q:\n%s", want, out)
		}
	}
}

// collectedPrincipals is how many principals a scan of org collects: Org.Principals (the scale's
// count) plus the AWS IAM and Identity Center groups, which a snapshot holds as principals too.
func collectedPrincipals(org *sandbox.Org) int {
	n := org.Principals + len(org.AWS.IdentityCenter.Groups)
	for _, a := range org.AWS.Accounts {
		n += len(a.Groups)
	}
	return n
}

// runDemoJSON runs `provost demo -o json` in dir.
func runDemoJSON(t *testing.T, dir string, args ...string) demoSummary {
	t.Helper()
	out, errOut, code := run(t, dir, append([]string{"demo", "-o", "json"}, args...)...)
	if code != ExitOK || errOut != "" {
		t.Fatalf("demo: exit %d, stderr %q", code, errOut)
	}
	var sum demoSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("demo -o json: %v\n%s", err, out)
	}
	return sum
}

func checkSummary(t *testing.T, s demoSummary, org *sandbox.Org, day int, reports, next []string) {
	t.Helper()
	if s.Organisation != "Acme Health" || s.Seed != org.Options.Seed || s.Scale != org.Options.Scale || s.Day != day || s.Planted != len(org.Planted) {
		t.Errorf("day %d summary: %s seed %d scale %d day %d planted %d; want Acme Health seed %d scale %d day %d planted %d",
			day, s.Organisation, s.Seed, s.Scale, s.Day, s.Planted, org.Options.Seed, org.Options.Scale, day, len(org.Planted))
	}
	if s.Counts["principals"] != collectedPrincipals(org) || s.Counts["people"] != org.People {
		t.Errorf("day %d: %d principals, %d people; the generator made %d and %d", day, s.Counts["principals"], s.Counts["people"], collectedPrincipals(org), org.People)
	}
	if s.Incomplete != 0 || len(s.Coverage) == 0 || len(s.Problems) != 0 {
		t.Errorf("day %d: %d incomplete scopes of %d, problems %q: want every scope complete, no problem", day, s.Incomplete, len(s.Coverage), s.Problems)
	}
	if diff := cmp.Diff(reports, s.Reports); diff != "" {
		t.Errorf("day %d reports (-want +got):\n%s", day, diff)
	}
	if diff := cmp.Diff(next, s.Next); diff != "" {
		t.Errorf("day %d next commands (-want +got):\n%s", day, diff)
	}
}

// storedFindings reads the findings of snapshot id back from the database at path and returns
// the open ones as sorted (check, principal) pairs, with all of them. A status other than open
// or resolved is an error, but for PV-IDN-005 on Identity Center and Google admins, whose MFA
// those providers do not report.
func storedFindings(t *testing.T, path, id string) ([]sandbox.Planted, []finding.Finding) {
	t.Helper()
	db, err := store.Open(path, store.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fs, err := db.Findings(id)
	if err != nil {
		t.Fatal(err)
	}
	var open []sandbox.Planted
	for _, f := range fs {
		switch {
		case f.Status == finding.StatusOpen:
			p := sandbox.Planted{CheckID: f.CheckID, PrincipalID: f.Principal}
			if !slices.Contains(open, p) {
				open = append(open, p)
			}
		case f.Status == finding.StatusResolved:
		case f.Status == finding.StatusCannotEvaluate && f.CheckID == "PV-IDN-005" && !strings.HasPrefix(f.Principal, "arn:"):
		default:
			t.Errorf("finding %s %s: status %s: %s", f.CheckID, f.Principal, f.Status, f.Message)
		}
	}
	sortPlanted(open)
	return open, fs
}

func linkedPerson(t *testing.T, path, snapshot, principal string) string {
	t.Helper()
	db, err := store.Open(path, store.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := db.Principal(snapshot, principal)
	if err != nil {
		t.Fatal(err)
	}
	if p.PersonID == "" {
		t.Fatalf("%s is not linked to a person", principal)
	}
	return p.PersonID
}

// demoDrift is `provost diff -o json` on the demo database: previous → latest.
func demoDrift(t *testing.T, dir, db string) []drift.Event {
	t.Helper()
	out, errOut, code := run(t, dir, "diff", "--db", db, "-o", "json")
	if code != ExitOK {
		t.Fatalf("diff: exit %d: %s", code, errOut)
	}
	var d diffJSON
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("diff -o json: %v\n%s", err, out)
	}
	return d.Events
}

// checkModes checks that every file under dir is 0600 and every directory 0700.
func checkModes(t *testing.T, dir string) {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := os.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		} else {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, rel)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"provost.db", "report.csv", "report.html", "report.json", "report.md", "report.sarif", "sandbox/hr.csv", "sandbox/mapping.json"}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("files in the demo directory (-want +got):\n%s", diff)
	}
}

// minus is a without b, both sorted.
func minus(a, b []sandbox.Planted) []sandbox.Planted {
	var out []sandbox.Planted
	for _, p := range a {
		if !slices.Contains(b, p) {
			out = append(out, p)
		}
	}
	return out
}

func sortPlanted(ps []sandbox.Planted) {
	slices.SortFunc(ps, func(a, b sandbox.Planted) int {
		if c := strings.Compare(a.CheckID, b.CheckID); c != 0 {
			return c
		}
		return strings.Compare(a.PrincipalID, b.PrincipalID)
	})
}

func TestDemoBadInput(t *testing.T) {
	dir := t.TempDir()
	corrupt := writeFile(t, filepath.Join(dir, "corrupt.db"), strings.Repeat("not a database ", 1000))
	blocker := writeFile(t, filepath.Join(dir, "file"), "a file, not a directory")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"zero scale", []string{"demo", "--scale", "0"}, ExitUsage, "provost: --scale 0: want a positive number of principals\n"},
		{"negative scale", []string{"demo", "--scale", "-5"}, ExitUsage, "provost: --scale -5: want a positive number of principals\n"},
		{"bad seed", []string{"demo", "--seed", "x"}, ExitUsage, "provost: invalid argument \"x\" for \"--seed\" flag: must be a non-negative integer\n"},
		{"argument", []string{"demo", "now"}, ExitUsage, "provost: provost demo takes no arguments, got [\"now\"]\n"},
		{"serve beyond loopback", []string{"demo", "--serve", "--listen", "0.0.0.0:8080"}, ExitUsage, "provost: --listen \"0.0.0.0:8080\": the demo serves on loopback only, e.g. 127.0.0.1:8080\n"},
		{"corrupt database", []string{"demo", "--db", corrupt}, ExitFailure,
			"provost: open " + corrupt + ": corrupt or not a provost database: not a bbolt file (bad magic)\n"},
		{"directory is a file", []string{"demo", "--dir", filepath.Join(blocker, "demo")}, ExitFailure,
			"provost: create demo directory: mkdir " + blocker + ": not a directory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, dir, tt.args...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if diff := cmp.Diff(tt.want, errOut); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}
}
