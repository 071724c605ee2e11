package hardening

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/cli"
	"github.com/provost-dev/provost/store"
)

// TestOutputModesUnderOpenUmask runs the commands that write files with the process umask at 0,
// so that only the modes Provost asks for count, and with loose files already in place: a demo
// database, `provost report` into a missing nested directory and over a 0666 report,
// `provost remediate plan` over a 0666 plan file, and a store compaction. Every file is 0600,
// every directory Provost created 0700. The umask is process-wide: the package's tests do not
// run in parallel.
func TestOutputModesUnderOpenUmask(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := t.TempDir()
	demoDir := filepath.Join(dir, "demo")
	db := filepath.Join(demoDir, "provost.db")
	mustRun(t, "demo", "--dir", demoDir, "--seed", "3")

	out := filepath.Join(dir, "out", "nested", "reports")
	loose := filepath.Join(out, "report.csv")
	// First into a missing directory, then again over a loose report.
	formats := "html,json,csv,markdown,ocsf,sarif,junit,review-html,review-csv"
	mustRun(t, "report", "--db", db, "--format", formats, "--out", out)
	if err := os.Chmod(loose, 0o666); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "report", "--db", db, "--format", formats, "--out", out)

	plan := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(plan, []byte("{}"), 0o666); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "remediate", "plan", "--db", db, "--out", plan)

	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	compacted := filepath.Join(dir, "compacted.db")
	if err := s.Compact(compacted); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	got := map[string]string{}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel != "." && !strings.HasPrefix(rel, filepath.Join("demo", "sandbox")+string(filepath.Separator)) {
			got[rel] = fi.Mode().String()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"compacted.db":    "-rw-------",
		"plan.json":       "-rw-------",
		"demo":            "drwx------",
		"demo/provost.db": "-rw-------", "demo/report.html": "-rw-------", "demo/report.json": "-rw-------",
		"demo/report.sarif": "-rw-------", "demo/report.csv": "-rw-------", "demo/report.md": "-rw-------",
		"demo/sandbox":       "drwx------",
		"out":                "drwx------",
		"out/nested":         "drwx------",
		"out/nested/reports": "drwx------",
	}
	for _, name := range []string{"html", "json", "csv", "md", "ocsf.jsonl", "sarif", "junit.xml", "review.html", "review.csv"} {
		want["out/nested/reports/report."+name] = "-rw-------"
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("modes with umask 0 (-want +got):\n%s", diff)
	}
}

func mustRun(t *testing.T, args ...string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := cli.Main(args, strings.NewReader(""), &stdout, &stderr); code != cli.ExitOK {
		t.Fatalf("provost %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, stderr.String())
	}
}
