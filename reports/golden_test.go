package reports_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/reports"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestGolden renders the fixture report in every format and compares it with
// testdata/report.<ext>.golden; run with -update to accept a change.
func TestGolden(t *testing.T) {
	r := fixtureReport(t)
	for _, f := range reports.Formats() {
		t.Run(string(f), func(t *testing.T) {
			var b bytes.Buffer
			if err := reports.Render(&b, f, r); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "report"+f.Extension()+".golden")
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./reports -run TestGolden -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), b.String()); diff != "" {
				t.Errorf("%s differs from %s (-want +got):\n%s", f, golden, diff)
			}
		})
	}
}
