package policy

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/finding"
)

// TestChecksDoc keeps docs/checks.md in step with the bundled checks' METADATA; run
// go test ./policy -run TestChecksDoc -update to regenerate it.
func TestChecksDoc(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCatalog(&buf, loadBundled(t).Checks(), FormatMarkdown); err != nil {
		t.Fatal(err)
	}
	compareGolden(t, filepath.Join("..", "docs", "checks.md"), buf.Bytes())
}

func TestWriteCatalogFormats(t *testing.T) {
	checks := []*Check{{
		ID: "ACME-001", Title: "Demo | pipes", Description: "Long text.", Severity: finding.SeverityHigh,
		Frameworks: []string{"SOC2-CC6.1", "CIS-AWS-1.4"}, Remediation: finding.Remediation{Action: "review", Text: "Look."},
		ResourceKinds: []string{"aws:user"}, Package: "provost.checks.acme", File: "/p/acme.rego",
	}}
	tests := []struct {
		format, want string
	}{
		{FormatTable, "ID        SEVERITY  TITLE         APPLIES TO  FRAMEWORKS\nACME-001  high      Demo | pipes  aws:user    SOC2-CC6.1,CIS-AWS-1.4\n"},
		{FormatJSON, `[
  {
    "id": "ACME-001",
    "title": "Demo | pipes",
    "description": "Long text.",
    "severity": "high",
    "frameworks": [
      "SOC2-CC6.1",
      "CIS-AWS-1.4"
    ],
    "remediation": {
      "action": "review",
      "text": "Look."
    },
    "resource_kinds": [
      "aws:user"
    ],
    "package": "provost.checks.acme",
    "file": "/p/acme.rego",
    "bundled": false,
    "has_cannot_evaluate": false
  }
]
`},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteCatalog(&buf, checks, tt.format); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, buf.String()); diff != "" {
				t.Errorf("catalog (-want +got):\n%s", diff)
			}
		})
	}
	var back []*Check
	var buf bytes.Buffer
	if err := WriteCatalog(&buf, checks, FormatJSON); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || !cmp.Equal(checks, back) {
		t.Errorf("JSON catalogue does not round-trip: %v\n%s", err, cmp.Diff(checks, back))
	}
	if err := WriteCatalog(&buf, checks, "yaml"); err == nil {
		t.Errorf("unknown format: want an error")
	}
}
