package cli

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/sandbox"
)

// scannedExample writes the example organisation and a config scanning it, runs `scan` once
// and returns the directory and the config path.
func scannedExample(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	org := filepath.Join(dir, "org.json")
	if err := os.WriteFile(org, sandbox.ExampleOrg(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, filepath.Join(dir, "provost.toml"), "[store]\npath = \""+filepath.Join(dir, "provost.db")+"\"\n\n[[sources.static]]\nname = \"acme\"\npath = \""+org+"\"\n")
	out, errOut, code := run(t, "", "scan", "-c", cfg)
	if code != ExitOK {
		t.Fatalf("scan: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "\nOpen findings: ") {
		t.Fatalf("scan output has no findings summary:\n%s", out)
	}
	return dir, cfg
}

func TestAuditCommands(t *testing.T) {
	dir, cfg := scannedExample(t)
	tests := []struct {
		name    string
		args    []string
		code    int
		stderr  string // the whole of stderr
		checkFn func(t *testing.T, out string)
	}{
		{"fail-on critical", []string{"scan", "-c", cfg, "--fail-on", "critical"}, ExitFindings, "", func(t *testing.T, out string) {
			if !strings.Contains(out, " new, ") {
				t.Errorf("second scan does not say what is new:\n%s", out)
			}
		}},
		{"fail-on bad severity", []string{"scan", "-c", cfg, "--fail-on", "severe"}, ExitUsage,
			"provost: invalid --fail-on: invalid severity \"severe\": want one of info, low, medium, high, critical\n", nil},
		{"findings by check", []string{"findings", "-c", cfg, "--check", "PV-AWS-011", "--format", "csv"}, ExitOK, "", func(t *testing.T, out string) {
			rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows[1:] {
				got = append(got, r[1]+" "+r[4]+" "+r[5]+" "+r[3])
			}
			want := []string{
				"PV-AWS-011 arn:aws:iam::111122223333:role/BreakGlass arn:aws:iam::aws:policy/AdministratorAccess open",
				"PV-AWS-011 arn:aws:iam::111122223333:user/ci-deploy arn:aws:iam::111122223333:policy/deploy-pipeline open",
				"PV-AWS-011 arn:aws:iam::111122223333:user/maya.chen arn:aws:iam::aws:policy/AdministratorAccess open",
				"PV-AWS-011 arn:aws:iam::444455556666:role/OrganizationAccountAccessRole arn:aws:iam::aws:policy/AdministratorAccess open",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("findings --check PV-AWS-011 (-want +got):\n%s", diff)
			}
		}},
		{"findings by principal glob", []string{"findings", "-c", cfg, "--principal", "*user/ci-deploy", "--check", "PV-AWS-007", "-o", "json"}, ExitOK, "", func(t *testing.T, out string) {
			var v struct {
				Findings []struct {
					Principal, Qualifier string
				}
			}
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatal(err)
			}
			want := []struct{ Principal, Qualifier string }{
				{"arn:aws:iam::111122223333:user/ci-deploy", "access_key_1"},
				{"arn:aws:iam::111122223333:user/ci-deploy", "access_key_2"},
			}
			if diff := cmp.Diff(want, v.Findings); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		}},
		{"findings none resolved", []string{"findings", "-c", cfg, "--status", "resolved"}, ExitOK, "", func(t *testing.T, out string) {
			if !strings.HasPrefix(out, "SEVERITY  STATUS  CHECK  PRINCIPAL  QUALIFIER  FIRST SEEN  MESSAGE\n\n0 of ") {
				t.Errorf("findings --status resolved:\n%s", out)
			}
		}},
		{"findings bad severity", []string{"findings", "-c", cfg, "--severity", "urgent"}, ExitUsage,
			"provost: invalid --severity: invalid severity \"urgent\": want one of info, low, medium, high, critical\n", nil},
		{"findings unknown snapshot", []string{"findings", "-c", cfg, "--snapshot", "nope"}, ExitUsage,
			"provost: no snapshot \"nope\" in " + filepath.Join(dir, "provost.db") + " (see `provost snapshots list`)\n", nil},
		{"findings unknown check", []string{"findings", "-c", cfg, "--check", "PV-NOPE-001"}, ExitUsage,
			"provost: unknown check \"PV-NOPE-001\" (see `provost policy catalog`)\n", nil},
		{"findings unknown format", []string{"findings", "-c", cfg, "--format", "xml"}, ExitUsage,
			"provost: invalid --format \"xml\": want table, json or csv\n", nil},
		{"findings unknown status", []string{"findings", "-c", cfg, "--status", "closed"}, ExitUsage,
			"provost: invalid --status \"closed\": want open, waived, resolved, error or cannot_evaluate\n", nil},
		{"policy catalog", []string{"policy", "catalog", "-c", cfg, "--format", "json"}, ExitOK, "", func(t *testing.T, out string) {
			var checks []struct{ ID string }
			if err := json.Unmarshal([]byte(out), &checks); err != nil {
				t.Fatal(err)
			}
			if len(checks) < 20 || checks[0].ID != "PV-AWS-001" {
				t.Errorf("catalog: %d checks starting %v", len(checks), checks[:min(1, len(checks))])
			}
		}},
		{"policy catalog bad format", []string{"policy", "catalog", "-c", cfg, "--format", "yaml"}, ExitUsage,
			"provost: invalid --format \"yaml\": want table, json or markdown\n", nil},
		{"policy eval", []string{"policy", "eval", "-c", cfg, "--principal", "arn:aws:iam::111122223333:root", "-o", "json"}, ExitOK, "", func(t *testing.T, out string) {
			var ex struct {
				Principal string
				Verdicts  []struct {
					CheckID string `json:"check_id"`
					Outcome string `json:"outcome"`
				} `json:"verdicts"`
			}
			if err := json.Unmarshal([]byte(out), &ex); err != nil {
				t.Fatal(err)
			}
			var violated []string
			for _, v := range ex.Verdicts {
				if v.Outcome == "violation" {
					violated = append(violated, v.CheckID)
				}
			}
			if diff := cmp.Diff([]string{"PV-AWS-002", "PV-AWS-012"}, violated); diff != "" {
				t.Errorf("root's violations (-want +got):\n%s\n%s", diff, out)
			}
		}},
		{"policy eval unknown principal", []string{"policy", "eval", "-c", cfg, "--principal", "nobody"}, ExitUsage, "", nil},
		{"policy eval no principal", []string{"policy", "eval", "-c", cfg}, ExitUsage, "provost: policy eval needs --principal ID\n", nil},
		{"report", []string{"report", "-c", cfg, "--format", "html,json,sarif", "--out", filepath.Join(dir, "out")}, ExitOK, "", func(t *testing.T, out string) {
			var want string
			for _, n := range []string{"report.html", "report.json", "report.sarif"} {
				p := filepath.Join(dir, "out", n)
				want += p + "\n"
				fi, err := os.Stat(p)
				if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() == 0 {
					t.Errorf("%s: %v %v", p, fi, err)
				}
			}
			if out != want {
				t.Errorf("report output %q, want %q", out, want)
			}
		}},
		{"report unknown format", []string{"report", "-c", cfg, "--format", "html,pdf", "--out", filepath.Join(dir, "out2")}, ExitUsage,
			"provost: unknown report format \"pdf\": want one of html, json, csv, markdown, ocsf, sarif, junit, review-html, review-csv\n", nil},
		{"report unknown snapshot", []string{"report", "-c", cfg, "--snapshot", "nope", "--out", filepath.Join(dir, "out2")}, ExitUsage,
			"provost: no snapshot \"nope\" in " + filepath.Join(dir, "provost.db") + " (see `provost snapshots list`)\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, errOut)
			}
			if tt.code == ExitOK && errOut != "" || tt.stderr != "" && errOut != tt.stderr {
				t.Errorf("stderr %q, want %q", errOut, tt.stderr)
			}
			if tt.checkFn != nil {
				tt.checkFn(t, out)
			}
		})
	}
}

func TestPolicyTest(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "pol")
	if err := os.MkdirAll(pol, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(pol, "x_test.rego"), "package provost.user_test\n\ntest_fails if { 1 == 2 }\n")
	out, _, code := run(t, dir, "policy", "test", "--run", "provost.user_test", pol)
	if code != ExitFailure {
		t.Fatalf("policy test with a failing test: exit %d, want 1\n%s", code, out)
	}
	if !strings.HasPrefix(out, "FAIL provost.user_test.test_fails (") || !strings.HasSuffix(out, "1 tests, 0 passed, 1 failed\n") {
		t.Errorf("policy test output:\n%s", out)
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "arn:aws:iam::1:user/a", true},
		{"*user/ci-deploy", "arn:aws:iam::1:user/ci-deploy", true},
		{"*user/ci-deploy", "arn:aws:iam::1:user/ci-deploy2", false},
		{"arn:*:user/*", "arn:aws:iam::1:user/x/y", true},
		{"a?c", "abc", true},
		{"a?c", "abcd", false},
		{"gcp:user:*@corp.com", "gcp:user:al@corp.com", true},
		{"gcp:user:*@corp.com", "gcp:user:al@corp.co", false},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXcYb", false},
		{"exact", "exact", true},
		{"exact", "exactly", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
