package hrfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCollect(t *testing.T) {
	good := "employee_id,email,name,status\nE1,a@corp.example,Ann,active\nE2,b@corp.example,Ben,Terminated\nE3,c@corp.example,Cat,LOA\n"
	partial := "employee_id,email,name,status\nE1,a@corp.example,Ann,active\nE2,bad,Ben,active\n" +
		"E3,c@corp.example,Cat,Retired\n"
	cols := Columns{EmployeeID: "employee_id", Email: "email", Name: "name", Status: "status"}
	dir := t.TempDir()
	unreadable := filepath.Join(dir, "locked.csv")
	if err := os.WriteFile(unreadable, []byte(good), 0o000); err != nil {
		t.Fatal(err)
	}
	ann := inventory.Person{ID: "hr:E1", Source: "hr", EmployeeID: "E1", Emails: []string{"a@corp.example"}, Name: "Ann", Status: inventory.PersonActive}

	tests := []struct {
		name       string
		path       string
		wantCov    inventory.Coverage
		wantPeople []inventory.Person
	}{{
		name: "complete",
		path: writeFile(t, "people.csv", good),
		wantCov: inventory.Coverage{Status: inventory.CoverageComplete,
			Counts: map[string]int{"people": 3, "rows": 3, "rejected": 0, "active": 1, "terminated": 1, "leave": 1}},
		wantPeople: []inventory.Person{ann,
			{ID: "hr:E2", Source: "hr", EmployeeID: "E2", Emails: []string{"b@corp.example"}, Name: "Ben", Status: inventory.PersonTerminated},
			{ID: "hr:E3", Source: "hr", EmployeeID: "E3", Emails: []string{"c@corp.example"}, Name: "Cat", Status: inventory.PersonLeave},
		},
	}, {
		name: "bad rows make it partial and are listed by line",
		path: writeFile(t, "people.csv", partial),
		wantCov: inventory.Coverage{Status: inventory.CoveragePartial, ErrorKind: inventory.ErrInvalid,
			Error: `{path}: 2 of 3 rows rejected, so those people are missing from the roster: line 3: email "bad" is not an email address; ` +
				`line 4: status "Retired" is not a known status; want one of active, inactive, leave, loa, terminated (map others with status_values)`,
			Counts: map[string]int{"people": 1, "rows": 3, "rejected": 2, "active": 1}},
		wantPeople: []inventory.Person{ann},
	}, {
		name: "every row bad is failed",
		path: writeFile(t, "people.csv", "employee_id,email,name,status\n,a@corp.example,Ann,active\n"),
		wantCov: inventory.Coverage{Status: inventory.CoverageFailed, ErrorKind: inventory.ErrInvalid,
			Error:  `{path}: 1 of 1 rows rejected, so those people are missing from the roster: line 2: employee_id is empty; every person needs an employee ID`,
			Counts: map[string]int{"people": 0, "rows": 1, "rejected": 1}},
	}, {
		name: "a header without people is failed, never nobody works here",
		path: writeFile(t, "people.csv", "employee_id,email,name,status\n\n"),
		wantCov: inventory.Coverage{Status: inventory.CoverageFailed, ErrorKind: inventory.ErrInvalid,
			Error:  "{path}: the export has no people; an empty roster is taken as a failed export, not as nobody working here",
			Counts: map[string]int{"people": 0, "rows": 0, "rejected": 0}},
	}, {
		name: "structural error",
		path: writeFile(t, "people.csv", "employee_id,email,name,status\nE1,\"a@corp.example,Ann,active\n"),
		wantCov: inventory.Coverage{Status: inventory.CoverageFailed, ErrorKind: inventory.ErrInvalid,
			Error: `{path}:2: column 31: extraneous or missing " in quoted-field (the quoted field opened on line 2 is never closed)`},
	}, {
		name: "missing file",
		path: filepath.Join(dir, "nope.csv"),
		wantCov: inventory.Coverage{Status: inventory.CoverageFailed, ErrorKind: inventory.ErrNotFound,
			Error: "open HR export: open {path}: no such file or directory"},
	}, {
		name: "a directory",
		path: dir,
		wantCov: inventory.Coverage{Status: inventory.CoverageFailed, ErrorKind: inventory.ErrInvalid,
			Error: "HR export {path} is a directory; want a CSV or JSON file"},
	}}
	if os.Geteuid() != 0 { // root reads mode-000 files
		tests = append(tests, struct {
			name       string
			path       string
			wantCov    inventory.Coverage
			wantPeople []inventory.Person
		}{
			name: "unreadable",
			path: unreadable,
			wantCov: inventory.Coverage{Status: inventory.CoverageFailed, ErrorKind: inventory.ErrPermissionDenied,
				Error: "open HR export: open {path}: permission denied"},
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tick := fixedNow
			src, err := New(Options{Name: "hr", Path: tt.path, Format: FormatCSV, Columns: cols,
				StatusValues: map[string]inventory.PersonStatus{"Terminated": inventory.PersonTerminated, "Inactive": inventory.PersonTerminated, "LOA": inventory.PersonLeave},
				Now:          func() time.Time { tick = tick.Add(time.Second); return tick }})
			if err != nil {
				t.Fatal(err)
			}
			res, err := src.Collect(context.Background())
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			want := tt.wantCov
			want.Source, want.Provider, want.Scope, want.Method = "hr", inventory.ProviderHR, "file:"+tt.path, "csv"
			want.StartedAt, want.FinishedAt = fixedNow.Add(time.Second), fixedNow.Add(2*time.Second)
			want.Error = strings.ReplaceAll(want.Error, "{path}", tt.path)
			if diff := cmp.Diff([]inventory.Coverage{want}, res.Coverage); diff != "" {
				t.Errorf("coverage (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantPeople, res.People); diff != "" {
				t.Errorf("people (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCollectCancelled(t *testing.T) {
	src, err := New(Options{Name: "hr", Path: writeFile(t, "p.csv", "employee_id,email\nE1,a@b.co\n")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := src.Collect(ctx)
	if !errors.Is(err, context.Canceled) || res != nil {
		t.Fatalf("Collect = %v, %v; want nil, context.Canceled", res, err)
	}
	if got := collector.KindOf(err); got != inventory.ErrTimeout {
		t.Errorf("KindOf = %q, want timeout", got)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	_, err := New(Options{Name: "hr", Format: "xlsx"})
	want := "hrfile source \"hr\": path must be set to the HR export file\nformat \"xlsx\" is not valid; want csv or json"
	if err == nil || err.Error() != want {
		t.Fatalf("New error = %v, want %q", err, want)
	}
}

func TestFormatFromExtension(t *testing.T) {
	for path, want := range map[string]struct {
		format Format
		delim  rune
	}{"a.csv": {FormatCSV, ','}, "a.JSON": {FormatJSON, ','}, "a.tsv": {FormatCSV, '\t'}, "a.txt": {FormatCSV, ','}} {
		src, err := New(Options{Name: "hr", Path: path})
		if err != nil {
			t.Fatal(err)
		}
		if src.opts.Format != want.format || src.opts.Delimiter != want.delim {
			t.Errorf("%s: format %q delimiter %q, want %q %q", path, src.opts.Format, src.opts.Delimiter, want.format, want.delim)
		}
	}
}
