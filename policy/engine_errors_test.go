package policy

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
)

// userSnapshot is a small estate of IAM users named by names, in account 1 (complete).
func userSnapshot(names ...string) *inventory.Snapshot {
	s := &inventory.Snapshot{ID: "s1", FinishedAt: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		Coverage: []inventory.Coverage{{Source: "aws", Provider: "aws", Scope: "1", Status: inventory.CoverageComplete}}}
	for _, n := range names {
		s.Principals = append(s.Principals, inventory.Principal{ID: "arn:aws:iam::1:user/" + n, Provider: "aws", Account: "1", Kind: "user", Name: n,
			Groups: []string{"g"}, MFA: true})
	}
	return s
}

func meta(id string) string {
	return "# METADATA\n# title: " + id + "\n# custom:\n#   id: " + id + "\n#   severity: medium\n#   frameworks: [SOC2-CC6.1]\n#   resource_kinds: [\"aws:user\"]\n"
}

func userFindings(fs []finding.Finding) map[string][]string {
	out := map[string][]string{}
	for _, f := range fs {
		if strings.HasPrefix(f.CheckID, "ACME-") {
			out[f.CheckID] = append(out[f.CheckID], string(f.Status)+" "+f.Principal+" "+f.Message)
		}
	}
	return out
}

func TestRuntimeErrorsAreIsolated(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		// Fails (strict builtin error) for the principal named "bad" only.
		"fragile.rego": meta("ACME-100") + "package provost.checks.acme_fragile\n" +
			"violation contains {\"principal\": x.principal.id, \"msg\": sprintf(\"n=%d\", [to_number(x.principal.name)])} if { some x in input.items }\n",
		// Always fine.
		"steady.rego": meta("ACME-101") + "package provost.checks.acme_steady\n" +
			"violation contains {\"principal\": x.principal.id, \"msg\": \"seen\"} if { some x in input.items }\n",
		// Results whose principal is not one of the batch's, which the type checker cannot see.
		"liar.rego": meta("ACME-102") + "package provost.checks.acme_liar\n" +
			"violation contains {\"principal\": \"someone-else\", \"msg\": \"m\"} if { some x in input.items }\n",
	})
	var logs bytes.Buffer
	lib, err := Load(context.Background(), Options{Dirs: []string{dir}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Err(); err != nil {
		t.Fatal(err)
	}
	ev, err := lib.NewEvaluator(DefaultConfig(), EvalOptions{BatchSize: 2, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ev.Evaluate(context.Background(), userSnapshot("1", "2", "bad", "4"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"ACME-100": {
			`error  policy error: check ACME-100 failed for 1 principals, e.g. arn:aws:iam::1:user/bad: ` + runtimeErrorOf(t, res.Findings, "ACME-100"),
			"open arn:aws:iam::1:user/1 n=1",
			"open arn:aws:iam::1:user/2 n=2",
			"open arn:aws:iam::1:user/4 n=4",
		},
		"ACME-101": {
			"open arn:aws:iam::1:user/1 seen",
			"open arn:aws:iam::1:user/2 seen",
			"open arn:aws:iam::1:user/4 seen",
			"open arn:aws:iam::1:user/bad seen",
		},
		"ACME-102": {
			`error  policy error: check ACME-102 failed for 4 principals, e.g. arn:aws:iam::1:user/1: bad check result: ACME-102 result 0: principal "someone-else" is not one of the evaluated principals`,
		},
	}
	if diff := cmp.Diff(want, userFindings(res.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if !strings.Contains(runtimeErrorOf(t, res.Findings, "ACME-100"), "to_number") {
		t.Errorf("ACME-100 error does not name the failing builtin: %q", runtimeErrorOf(t, res.Findings, "ACME-100"))
	}
	if res.Stats.Fallbacks == 0 {
		t.Errorf("Stats.Fallbacks = 0, want the failing batches counted")
	}
	if !strings.Contains(logs.String(), "check failed at run time") {
		t.Errorf("no warning logged for the failing check:\n%s", logs.String())
	}
}

func runtimeErrorOf(t *testing.T, fs []finding.Finding, check string) string {
	t.Helper()
	for _, f := range fs {
		if f.CheckID == check && f.Status == finding.StatusError {
			return f.Evidence["error"].(string)
		}
	}
	t.Fatalf("no error finding for %s", check)
	return ""
}

func TestLoadProblemsBecomeErrorFindings(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"broken.rego":  meta("ACME-200") + "package provost.checks.acme_broken\nviolation contains {\"principal\": \"p\", \"msg\": data.acme.nope.f(1)} if true\n",
		"nometa.rego":  "package provost.checks.acme_nometa\nviolation contains {\"principal\": \"p\", \"msg\": \"m\"} if true\n",
		"working.rego": meta("ACME-201") + "package provost.checks.acme_working\nviolation contains {\"principal\": x.principal.id, \"msg\": \"ok\"} if { some x in input.items }\n",
	})
	lib, err := Load(context.Background(), Options{Dirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := lib.NewEvaluator(DefaultConfig(), EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ev.Evaluate(context.Background(), userSnapshot("a"))
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ Check, Status, Qualifier, Severity string }
	var got []row
	for _, f := range res.Findings {
		if strings.HasPrefix(f.CheckID, "ACME-") || f.CheckID == finding.CheckPolicyError {
			got = append(got, row{f.CheckID, string(f.Status), strings.ReplaceAll(f.Qualifier, dir+"/", ""), f.Severity.String()})
		}
	}
	want := []row{
		{"ACME-200", "error", "load:broken.rego", "medium"},
		{"ACME-201", "open", "", "medium"},
		{finding.CheckPolicyError, "error", "load:provost.checks.acme_nometa", "high"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestPrintGoesToTheLogger(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"noisy.rego": meta("ACME-300") + "package provost.checks.acme_noisy\n" +
			"violation contains {\"principal\": x.principal.id, \"msg\": \"m\"} if { some x in input.items; print(\"looking at\", x.principal.name); false }\n",
	})
	var logs bytes.Buffer
	lib, err := Load(context.Background(), Options{Dirs: []string{dir}, Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := lib.NewEvaluator(DefaultConfig(), EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ev.Evaluate(context.Background(), userSnapshot("zed")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `"msg":"rego print"`) || !strings.Contains(logs.String(), "looking at zed") || !strings.Contains(logs.String(), "noisy.rego:") {
		t.Errorf("print output not logged with its location:\n%s", logs.String())
	}
}

func TestEvaluationTimeIsTheSnapshotTime(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"clock.rego": meta("ACME-400") + "package provost.checks.acme_clock\n" +
			"violation contains {\"principal\": x.principal.id, \"msg\": sprintf(\"%d\", [time.now_ns()])} if { some x in input.items }\n",
	})
	lib, err := Load(context.Background(), Options{Dirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := lib.NewEvaluator(DefaultConfig(), EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*inventory.Snapshot{
		userSnapshot("a"),
		func() *inventory.Snapshot {
			s := userSnapshot("a")
			s.FinishedAt = time.Time{}
			s.StartedAt = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
			return s
		}(),
	} {
		res, err := ev.Evaluate(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		at, _ := EvalTime(s)
		want := map[string][]string{"ACME-400": {"open arn:aws:iam::1:user/a " + strconv.FormatInt(at.UnixNano(), 10)}}
		if diff := cmp.Diff(want, userFindings(res.Findings)); diff != "" {
			t.Errorf("time.now_ns() (-want +got):\n%s", diff)
		}
	}
	if _, err := ev.Evaluate(context.Background(), &inventory.Snapshot{ID: "timeless"}); err == nil || !strings.Contains(err.Error(), "no collection time") {
		t.Errorf("Evaluate of a snapshot without times = %v, want an error", err)
	}
}

func TestDisabledChecksAndCancellation(t *testing.T) {
	lib := loadBundled(t)
	cfg := fixtureConfig()
	cfg.DisabledChecks = []string{"PV-AWS-*"}
	ev, err := lib.NewEvaluator(cfg, EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ev.Evaluate(context.Background(), readSnapshot(t, "testdata/snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		if strings.HasPrefix(f.CheckID, "PV-AWS-") {
			t.Errorf("disabled check reported: %s %s", f.CheckID, f.Principal)
		}
	}
	if res.Stats.Checks != 34-15 {
		t.Errorf("Stats.Checks = %d, want %d", res.Stats.Checks, 34-15)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ev.Evaluate(ctx, genSnapshot(2000, 1)); !errors.Is(err, context.Canceled) {
		t.Errorf("Evaluate with a cancelled context = %v, want context.Canceled", err)
	}
}
