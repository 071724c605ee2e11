package audit

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/provost-dev/provost/store"
)

// BenchmarkRemediationStage measures the remediation stage of a sandbox run (scale 1000) whose
// findings are all marked and in grace: reading the marks and approvals, planning, the guards,
// and the fsynced write of the plan record; no target is called.
func BenchmarkRemediationStage(b *testing.B) {
	sb := startRemediationSandboxScale(b, 1000)
	db, err := store.Open(filepath.Join(b.TempDir(), "provost.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	res := sb.run(b, db, sandboxPolicy(1000), nil)
	sb.clock.add(24 * time.Hour)
	opts := Options{Store: db, Remediation: &Remediation{Policy: sandboxPolicy(1000)}, Now: sb.clock.now}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := remediateRun(ctx, opts, res, nil, sb.clock.now()); err != nil {
			b.Fatal(err)
		}
	}
	if res.Remediation.Marked != 0 || len(res.Remediation.Plan.Steps) != 0 {
		b.Fatalf("in grace: marked %d, steps %d, want none", res.Remediation.Marked, len(res.Remediation.Plan.Steps))
	}
}
