package policy

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/open-policy-agent/opa/v1/bundle"

	"github.com/provost-dev/provost/inventory"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const goodMeta = `# METADATA
# title: Demo
# custom:
#   id: ACME-001
#   severity: high
#   frameworks: [SOC2-CC6.1]
#   resource_kinds: ["aws:user"]
`

const goodBody = `
violation contains {"principal": x.principal.id, "msg": "demo"} if {
	some x in input.items
	x.principal.name == "demo"
}
`

func TestLoadUserPolicies(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		wantIDs   []string // user check IDs that load
		wantProbs []Problem
	}{
		{
			name:    "valid check",
			files:   map[string]string{"demo.rego": goodMeta + "package provost.checks.acme_demo\n" + goodBody},
			wantIDs: []string{"ACME-001"},
		},
		{
			name:  "missing id, severity and frameworks",
			files: map[string]string{"demo.rego": "# METADATA\n# title: Demo\n# custom:\n#   remediation: fix it\npackage provost.checks.acme_demo\n" + goodBody},
			wantProbs: []Problem{{Package: "provost.checks.acme_demo", File: "demo.rego", Line: 5,
				Message: "invalid METADATA: custom.id: missing (e.g. id: ACME-IAM-001); custom.severity: missing (info, low, medium, high or critical); custom.frameworks: missing: a check needs at least one reference such as CIS-AWS-1.4, HIPAA-164.312(d) or SOC2-CC6.1"}},
		},
		{
			name:  "no metadata at all",
			files: map[string]string{"demo.rego": "package provost.checks.acme_demo\n" + goodBody},
			wantProbs: []Problem{{Package: "provost.checks.acme_demo", File: "demo.rego", Line: 1,
				Message: "no package METADATA: a check needs a \"# METADATA\" block above its package with custom id, severity and frameworks"}},
		},
		{
			name:  "unknown framework section and bad severity",
			files: map[string]string{"demo.rego": "# METADATA\n# custom:\n#   id: ACME-001\n#   severity: urgent\n#   frameworks: [CIS-AWS-1.99, ISO-27001]\npackage provost.checks.acme_demo\n" + goodBody},
			wantProbs: []Problem{{Package: "provost.checks.acme_demo", File: "demo.rego", Line: 6,
				Message: `invalid METADATA: custom.severity: invalid severity "urgent": want one of info, low, medium, high, critical; ` +
					`custom.frameworks[0]: framework reference "CIS-AWS-1.99": CIS Amazon Web Services Foundations Benchmark v3.0.0 has no section "1.99" (e.g. CIS-AWS-1.4); ` +
					`custom.frameworks[1]: framework reference "ISO-27001": unknown framework; want one like NIST-800-53-AC-2(3), CIS-AWS-1.4, CIS-GCP-1.5, HIPAA-164.308(a)(3)(ii)(C), SOC2-CC6.1`}},
		},
		{
			name:  "no violation rule",
			files: map[string]string{"demo.rego": goodMeta + "package provost.checks.acme_demo\ndeny contains 1 if input.x\n"},
			wantProbs: []Problem{{CheckID: "ACME-001", Package: "provost.checks.acme_demo", File: "demo.rego", Line: 8,
				Message: "no `violation` rule: a check yields `violation contains {\"principal\": ..., \"msg\": ...} if ...`"}},
		},
		{
			name:  "violation is not a set",
			files: map[string]string{"demo.rego": goodMeta + "package provost.checks.acme_demo\nviolation := {\"principal\": \"p\", \"msg\": \"m\"}\n"},
			wantProbs: []Problem{{CheckID: "ACME-001", Package: "provost.checks.acme_demo", File: "demo.rego", Line: 8,
				Message: "line 9: `violation` must be a partial set (`violation contains v if ...`)"}},
		},
		{
			name:  "results lack msg",
			files: map[string]string{"demo.rego": goodMeta + "package provost.checks.acme_demo\nviolation contains {\"principal\": x.principal.id} if { some x in input.items }\n"},
			wantProbs: []Problem{{CheckID: "ACME-001", Package: "provost.checks.acme_demo", File: "demo.rego",
				Message: `violation results object<principal: any>: lack "msg" (a result needs principal and msg)`}},
		},
		{
			name:  "principal is a number",
			files: map[string]string{"demo.rego": goodMeta + "package provost.checks.acme_demo\nviolation contains {\"principal\": 1, \"msg\": \"m\"} if { some x in input.items }\n"},
			wantProbs: []Problem{{CheckID: "ACME-001", Package: "provost.checks.acme_demo", File: "demo.rego",
				Message: `violation results object<msg: string, principal: number>: "principal" is number, want a string`}},
		},
		{
			name:  "duplicate ID of a bundled check",
			files: map[string]string{"demo.rego": strings.Replace(goodMeta, "ACME-001", "PV-AWS-001", 1) + "package provost.checks.acme_demo\n" + goodBody},
			wantProbs: []Problem{{CheckID: "PV-AWS-001", Package: "provost.checks.acme_demo", File: "demo.rego", Line: 8,
				Message: "check ID PV-AWS-001 is already used by provost.checks.aws_root_access_key (bundled:checks/aws/root_access_key.rego)"}},
		},
		{
			name:  "adding to a bundled check's package",
			files: map[string]string{"demo.rego": "package provost.checks.aws_root_mfa\nextra := 1\n"},
			wantProbs: []Problem{{Package: "provost.checks.aws_root_mfa", File: "demo.rego", Line: 1,
				Message: "package is defined by the bundled library; give your module its own package"}},
		},
		{
			name:  "reserved helper package",
			files: map[string]string{"lib.rego": "package provost.lib\nmine := 1\n"},
			wantProbs: []Problem{{Package: "provost.lib", File: "lib.rego", Line: 1,
				Message: "package is reserved by the bundled library; give your helpers their own package"}},
		},
		{
			name: "parse error spoils only its file",
			files: map[string]string{
				"bad.rego":  "package acme.broken\nx := {\n",
				"demo.rego": goodMeta + "package provost.checks.acme_demo\n" + goodBody,
			},
			wantIDs: []string{"ACME-001"},
			wantProbs: []Problem{
				{File: "bad.rego", Line: 3, Message: "parse: unexpected eof token"},
				{File: "bad.rego", Line: 3, Message: "parse: unexpected eof token: expected rule value term (e.g., x := <VALUE> { ... })"},
			},
		},
		{
			name: "network builtins are not available",
			files: map[string]string{"demo.rego": goodMeta + "package provost.checks.acme_demo\n" +
				"violation contains {\"principal\": x.principal.id, \"msg\": r.body} if { some x in input.items; r := http.send({\"method\": \"GET\", \"url\": \"http://example.com\"}) }\n"},
			wantProbs: []Problem{{CheckID: "ACME-001", Package: "provost.checks.acme_demo", File: "demo.rego", Line: 9,
				Message: "compile: undefined function http.send"}},
		},
		{
			name: "compile error in a check drops that check only",
			files: map[string]string{
				"demo.rego":  goodMeta + "package provost.checks.acme_demo\n" + goodBody,
				"other.rego": strings.Replace(goodMeta, "ACME-001", "ACME-002", 1) + "package provost.checks.acme_other\nviolation contains {\"principal\": \"p\", \"msg\": data.acme.nope.f(1)} if true\n",
			},
			wantIDs: []string{"ACME-001"},
			wantProbs: []Problem{{CheckID: "ACME-002", Package: "provost.checks.acme_other", File: "other.rego", Line: 9,
				Message: "compile: undefined function data.acme.nope.f"}},
		},
		{
			name: "broken helper takes its dependants with it",
			files: map[string]string{
				"helper.rego": "package acme.util\nf(x) := y if { y := x + \"a\" }\n",
				"demo.rego":   strings.Replace(goodMeta, "ACME-001", "ACME-003", 1) + "package provost.checks.acme_uses_helper\nimport data.acme.util\nviolation contains {\"principal\": \"p\", \"msg\": util.f(1)} if true\n",
				"ok.rego":     goodMeta + "package provost.checks.acme_demo\n" + goodBody,
			},
			wantIDs: []string{"ACME-001"},
			wantProbs: []Problem{
				{CheckID: "ACME-003", Package: "provost.checks.acme_uses_helper", File: "demo.rego", Line: 10, Message: "compile: undefined function data.acme.util.f"},
				{Package: "acme.util", File: "helper.rego", Line: 2, Message: "compile: plus: invalid argument(s)"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			lib, err := Load(context.Background(), Options{Dirs: []string{dir}})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range lib.Checks() {
				if !c.Bundled {
					ids = append(ids, c.ID)
				}
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("user checks (-want +got):\n%s", diff)
			}
			probs := lib.Problems()
			for i := range probs {
				probs[i].File = strings.TrimPrefix(probs[i].File, dir+string(filepath.Separator))
			}
			if diff := cmp.Diff(tt.wantProbs, probs, cmpopts.IgnoreUnexported(Problem{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if len(lib.Checks()) < 29 {
				t.Errorf("only %d checks loaded: a user problem must not drop bundled checks", len(lib.Checks()))
			}
		})
	}
}

func TestLoadBundlesAndData(t *testing.T) {
	check := strings.Replace(goodMeta, "ACME-001", "ACME-010", 1) + "package provost.checks.acme_bundled\n" +
		"violation contains {\"principal\": x.principal.id, \"msg\": data.acme.msg} if { some x in input.items }\n"

	// A directory bundle with a data document.
	dirBundle := writeFiles(t, map[string]string{
		".manifest":         `{"roots": ["provost/checks/acme_bundled", "acme"]}`,
		"checks/check.rego": check,
		"acme/data.json":    `{"msg": "from the bundle"}`,
	})
	// A .tar.gz bundle written with OPA's bundle writer.
	var buf bytes.Buffer
	err := bundle.NewWriter(&buf).Write(bundle.Bundle{
		Manifest: bundle.Manifest{Roots: &[]string{"provost/checks/acme_tar"}},
		Data:     map[string]any{},
		Modules: []bundle.ModuleFile{{
			URL:  "/tar/check.rego",
			Path: "/tar/check.rego",
			Raw:  []byte(strings.Replace(goodMeta, "ACME-001", "ACME-011", 1) + "package provost.checks.acme_tar\n" + goodBody),
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tarPath := filepath.Join(t.TempDir(), "bundle.tar.gz")
	if err := os.WriteFile(tarPath, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	// A policy directory with its own data.
	userDir := writeFiles(t, map[string]string{
		"demo.rego":        goodMeta + "package provost.checks.acme_demo\n" + goodBody,
		"teams/data.yaml":  "owners: [alice]\n",
		".hidden/x.rego":   "this is not rego",
		"notes/README.txt": "ignored",
	})
	lib, err := Load(context.Background(), Options{Dirs: []string{userDir}, Bundles: []string{dirBundle, tarPath}})
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Err(); err != nil {
		t.Fatalf("problems: %v", err)
	}
	var ids []string
	for _, c := range lib.Checks() {
		if !c.Bundled {
			ids = append(ids, c.ID)
		}
	}
	if diff := cmp.Diff([]string{"ACME-001", "ACME-010", "ACME-011"}, ids); diff != "" {
		t.Errorf("user checks (-want +got):\n%s", diff)
	}
	wantData := map[string]any{"acme": map[string]any{"msg": "from the bundle"}, "teams": map[string]any{"owners": []any{"alice"}}}
	if diff := cmp.Diff(wantData, lib.data); diff != "" {
		t.Errorf("data documents (-want +got):\n%s", diff)
	}

	// The bundle's check reads its own data at evaluation time.
	snap := &inventory.Snapshot{ID: "s", FinishedAt: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		Principals: []inventory.Principal{{ID: "arn:aws:iam::1:user/demo", Provider: "aws", Account: "1", Kind: "user", Name: "demo"}}}
	ev, err := lib.NewEvaluator(DefaultConfig(), EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ev.Evaluate(context.Background(), snap)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range res.Findings {
		if strings.HasPrefix(f.CheckID, "ACME-") {
			got[f.CheckID] = f.Message
		}
	}
	want := map[string]string{"ACME-001": "demo", "ACME-010": "from the bundle", "ACME-011": "demo"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("user findings (-want +got):\n%s", diff)
	}
}

func TestLoadRejectsReservedData(t *testing.T) {
	dir := writeFiles(t, map[string]string{"provost/data.json": `{"config": {"stale_days": 1}}`})
	_, err := Load(context.Background(), Options{Dirs: []string{dir}})
	if err == nil || !strings.Contains(err.Error(), "data.provost is reserved") {
		t.Errorf("Load with data.provost = %v, want an error saying data.provost is reserved", err)
	}
	if _, err := Load(context.Background(), Options{Dirs: []string{filepath.Join(t.TempDir(), "missing")}}); err == nil {
		t.Errorf("Load of a missing directory: want an error")
	}
}
