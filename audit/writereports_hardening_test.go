package audit_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/audit"
	"github.com/provost-dev/provost/reports"
)

// TestWriteReportsStaysInDir plants the traps an attacker with write access to the report
// directory (or to the format list) could set: report.json a symlink to a file outside,
// report.csv a symlink to a directory outside, report.md an existing world-readable file, and
// a format name that is a path. Nothing outside the directory is written or created, the
// symlinked reports are problems naming the file, the others are written 0600, and the path
// format is refused.
func TestWriteReportsStaysInDir(t *testing.T) {
	base := t.TempDir()
	dir, outside := filepath.Join(base, "reports"), filepath.Join(base, "outside")
	for _, d := range []string{dir, outside} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	victim := filepath.Join(outside, "victim")
	if err := os.WriteFile(victim, []byte("untouched"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"report.json": victim, "report.csv": outside} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "report.md"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}

	formats := []reports.Format{reports.FormatJSON, reports.FormatCSV, reports.FormatMarkdown, "../outside/victim", reports.FormatSARIF}
	paths, problems, err := audit.WriteReports(context.Background(), dir, formats, &reports.Report{Title: "t"})
	if err != nil {
		t.Fatal(err)
	}
	wantPaths := []string{filepath.Join(dir, "report.md"), filepath.Join(dir, "report.sarif")}
	if diff := cmp.Diff(wantPaths, paths); diff != "" {
		t.Errorf("written (-want +got):\n%s", diff)
	}
	wantProblems := []string{
		"report report.json: openat report.json: path escapes from parent",
		"report report.csv: openat report.csv: path escapes from parent",
		`report report: render: unknown report format "../outside/victim": want one of html, json, csv, markdown, ocsf, sarif, junit, review-html, review-csv`,
	}
	if diff := cmp.Diff(wantProblems, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}

	if b, err := os.ReadFile(victim); err != nil || string(b) != "untouched" {
		t.Errorf("file outside the report directory: %q, %v; want it untouched", b, err)
	}
	outsideEntries, err := os.ReadDir(outside)
	if err != nil {
		t.Fatal(err)
	}
	if len(outsideEntries) != 1 {
		t.Errorf("the directory outside holds %d entries, want only victim: %v", len(outsideEntries), outsideEntries)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		fi, err := os.Lstat(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got[e.Name()] = fi.Mode().String()
	}
	want := map[string]string{
		"report.json":  "Lrwxrwxrwx", // left as planted, not followed
		"report.csv":   "Lrwxrwxrwx",
		"report.md":    "-rw-------", // rewritten, and tightened from 0644
		"report.sarif": "-rw-------",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report directory (-want +got):\n%s", diff)
	}
}
