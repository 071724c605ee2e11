package remediate_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/remediate"
	"github.com/provost-dev/provost/store"
)

// benchEstate: n users in one complete account, every tenth with a stale-key finding, half of
// those marked long ago (act steps) and half new (mark steps).
func benchEstate(n int) (*inventory.Snapshot, []finding.Finding, map[string]remediate.Mark) {
	snap := &inventory.Snapshot{ID: "b", StartedAt: t0,
		Coverage: []inventory.Coverage{{Source: "aws", Provider: inventory.ProviderAWS, Scope: "111111111111", Status: inventory.CoverageComplete}}}
	var fs []finding.Finding
	marks := map[string]remediate.Mark{}
	for i := range n {
		p := user("111111111111", fmt.Sprintf("u%07d", i))
		snap.Principals = append(snap.Principals, p)
		if i%10 == 0 {
			f := keyFinding(p.ID, "access_key_2")
			fs = append(fs, f)
			if i%20 == 0 {
				marks[remediate.MarkKey(f.ID, remediate.ActDeactivateAccessKey)] = remediate.Mark{MarkedAt: t0.AddDate(0, 0, -10)}
			}
		}
	}
	return snap, fs, marks
}

// BenchmarkMakePlan: planning 10k findings over 100k principals.
func BenchmarkMakePlan(b *testing.B) {
	snap, fs, marks := benchEstate(100_000)
	pol := testPolicy()
	b.ReportAllocs()
	for b.Loop() {
		p, err := remediate.MakePlan(pol, snap, fs, marks, t0)
		if err != nil || len(p.Steps) != 10_000 {
			b.Fatalf("%d steps, %v", len(p.Steps), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10_000, "ns/finding")
}

// BenchmarkApplyStep: the journal's cost per acting step (intent and result, each one fsynced
// bbolt commit), with an executor that does no I/O.
func BenchmarkApplyStep(b *testing.B) {
	db, err := store.Open(filepath.Join(b.TempDir(), "b.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ex := &funcExec{
		check: func(remediate.Step) (remediate.Live, error) { return remediate.Live{Holds: true, Detail: "x"}, nil },
		do:    func(remediate.Step) (remediate.Undo, error) { return remediate.Undo{"k": "v"}, nil },
	}
	plan := &remediate.Plan{SnapshotID: "b", SnapshotAt: t0, Principals: 1 << 30}
	for i := range b.N {
		plan.Steps = append(plan.Steps, remediate.Step{ID: fmt.Sprintf("a-%016d", i), Phase: remediate.PhaseAct, Action: remediate.ActDeactivateAccessKey,
			Target: remediate.Target{Provider: "aws", Principal: fmt.Sprintf("p%d", i)}})
	}
	a := &remediate.Applier{Policy: &remediate.Policy{MaxActions: b.N, MaxPercent: 100}, Journal: db,
		Executors: map[inventory.Provider]remediate.Executor{"aws": ex}, Now: func() time.Time { return t0 }}
	b.ResetTimer()
	if _, err := a.Apply(context.Background(), plan, remediate.RunFacts{Latest: remediate.SnapshotRef{ID: "b", StartedAt: t0}}); err != nil {
		b.Fatal(err)
	}
}
