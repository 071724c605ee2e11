package static

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// A file that cannot be read or checked fails Collect; the runner's one entry for it still
// names the provider and method of the entry a readable file without coverage gets.
func TestRunLabelsFailedFile(t *testing.T) {
	now := time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)
	missing := filepath.Join(t.TempDir(), "missing.json")
	tests := []struct {
		name string
		src  *Source
		kind inventory.ErrorKind
		msg  string
	}{
		{"missing file", New("replay", missing), inventory.ErrNotFound,
			"read snapshot file: open " + missing + ": no such file or directory"},
		{"not an object", FromData("replay", "f.json", []byte(`[]`)), inventory.ErrInvalid,
			"f.json: 1:1: top level: want an object, got an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap, err := collector.Run(t.Context(), []collector.Source{tt.src}, collector.RunOptions{Now: func() time.Time { return now }})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			want := []inventory.Coverage{{Source: "replay", Provider: inventory.ProviderStatic, Method: "file",
				Status: inventory.CoverageFailed, ErrorKind: tt.kind, Error: tt.msg, StartedAt: now, FinishedAt: now}}
			if diff := cmp.Diff(want, snap.Coverage); diff != "" {
				t.Errorf("coverage (-want +got):\n%s", diff)
			}
		})
	}
}
