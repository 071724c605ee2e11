package hrfile_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/hrfile"
	"github.com/provost-dev/provost/inventory"
)

// A Collect that fails outright (here it panics, through its clock) gets one failed entry from
// the runner that still names the HR provider and the export's format, as the source's own entry
// would: the roster is reported unknown, not left out.
func TestRunLabelsFailedExport(t *testing.T) {
	now := time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	tests := []struct {
		file, content string
		format        hrfile.Format
	}{
		{"people.csv", "employee_id,email\nE1,a@corp.example\n", hrfile.FormatCSV},
		{"people.json", `[{"employee_id": "E1", "email": "a@corp.example"}]`, hrfile.FormatJSON},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			src, err := hrfile.New(hrfile.Options{Name: "workday", Path: path, Now: func() time.Time { panic("clock broken") }})
			if err != nil {
				t.Fatal(err)
			}
			snap, err := collector.Run(t.Context(), []collector.Source{src}, collector.RunOptions{Now: func() time.Time { return now }})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			want := []inventory.Coverage{{Source: "workday", Provider: inventory.ProviderHR, Method: string(tt.format),
				Status: inventory.CoverageFailed, ErrorKind: inventory.ErrUnknown,
				Error: fmt.Sprintf("source %q panicked: clock broken", "workday"), StartedAt: now, FinishedAt: now}}
			if diff := cmp.Diff(want, snap.Coverage); diff != "" {
				t.Errorf("coverage (-want +got):\n%s", diff)
			}
			wantRosters := []collector.Roster{{Source: "workday", Status: inventory.CoverageFailed}}
			if diff := cmp.Diff(wantRosters, collector.Rosters(snap)); diff != "" {
				t.Errorf("rosters (-want +got):\n%s", diff)
			}
		})
	}
}
