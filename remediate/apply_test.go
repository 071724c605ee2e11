package remediate_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/remediate"
	"github.com/provost-dev/provost/store"
)

// funcExec is a function-field executor for the apply loop's own tests; the real executors
// are tested against their targets in their packages.
type funcExec struct {
	check func(remediate.Step) (remediate.Live, error)
	do    func(remediate.Step) (remediate.Undo, error)
	calls []string
}

var _ remediate.Executor = (*funcExec)(nil)

func (f *funcExec) Check(_ context.Context, s remediate.Step) (remediate.Live, error) {
	f.calls = append(f.calls, "check "+s.ID)
	return f.check(s)
}

func (f *funcExec) Do(_ context.Context, s remediate.Step, _ remediate.Live) (remediate.Undo, error) {
	f.calls = append(f.calls, "do "+s.ID)
	return f.do(s)
}

func (f *funcExec) Undo(_ context.Context, s remediate.Step, u remediate.Undo) error {
	f.calls = append(f.calls, "undo "+s.ID+" "+u["key"])
	return nil
}

func openStore(t *testing.T) (*store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "p.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func twoStepPlan() *remediate.Plan {
	tg := remediate.Target{Provider: "aws", Account: "1", Principal: "arn:u", Name: "u", Credential: "access_key_2"}
	mt := tg
	mt.Object = string(remediate.ActDeactivateAccessKey)
	return &remediate.Plan{SnapshotID: "s2", SnapshotAt: t0, Principals: 10, Steps: []remediate.Step{
		{ID: "a-1", FindingID: "f-1", Action: remediate.ActDeactivateAccessKey, Phase: remediate.PhaseAct, Target: tg},
		{ID: "a-2", FindingID: "f-2", Action: remediate.ActMark, Phase: remediate.PhaseMark, Target: mt},
	}}
}

func TestApply(t *testing.T) {
	ctx := context.Background()
	facts := remediate.RunFacts{Latest: remediate.SnapshotRef{ID: "s2", StartedAt: t0}}
	holds := func(remediate.Step) (remediate.Live, error) {
		return remediate.Live{Holds: true, Detail: "key active", Native: map[string]string{"key": "AKIA1"}}, nil
	}
	ok := func(remediate.Step) (remediate.Undo, error) { return remediate.Undo{"key": "AKIA1"}, nil }

	t.Run("acts once, journals, marks, and a second apply repeats nothing", func(t *testing.T) {
		db, _ := openStore(t)
		ex := &funcExec{check: holds, do: ok}
		a := &remediate.Applier{Policy: testPolicy(), Journal: db, Executors: map[inventory.Provider]remediate.Executor{"aws": ex}, Now: func() time.Time { return t0 }}
		out, err := a.Apply(ctx, twoStepPlan(), facts)
		if err != nil {
			t.Fatal(err)
		}
		want := []remediate.Outcome{{StepID: "a-1", State: remediate.StateDone, Detail: "key active"}, {StepID: "a-2", State: remediate.StateDone, Detail: "key active"}}
		if d := cmp.Diff(want, out); d != "" {
			t.Errorf("outcomes (-want +got):\n%s", d)
		}
		out, err = a.Apply(ctx, twoStepPlan(), facts)
		if err != nil {
			t.Fatal(err)
		}
		want = []remediate.Outcome{{StepID: "a-1", State: remediate.StateDone, Detail: "journalled earlier: key active"}, {StepID: "a-2", State: remediate.StateDone, Detail: "journalled earlier: key active"}}
		if d := cmp.Diff(want, out); d != "" {
			t.Errorf("second apply (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]string{"check a-1", "do a-1", "check a-1", "check a-2", "do a-2", "check a-2"}, ex.calls); d != "" {
			t.Errorf("executor calls (-want +got):\n%s", d)
		}
		marks, err := remediate.Marks(db)
		if err != nil {
			t.Fatal(err)
		}
		wantMarks := map[string]remediate.Mark{"f-2/deactivate_access_key": {FindingID: "f-2", Action: remediate.ActDeactivateAccessKey, Principal: "arn:u", MarkedAt: t0}}
		if d := cmp.Diff(wantMarks, marks); d != "" {
			t.Errorf("marks (-want +got):\n%s", d)
		}
		if err := a.Undo(ctx, "a-1"); err != nil {
			t.Fatal(err)
		}
		if err := a.Undo(ctx, "a-1"); err == nil || err.Error() != "undo a-1: step is undone, only a done step can be undone" {
			t.Errorf("second undo = %v", err)
		}
		if err := a.Undo(ctx, "a-9"); err == nil || err.Error() != "undo a-9: no such step in the journal" {
			t.Errorf("unknown undo = %v", err)
		}
		es, err := remediate.Entries(db)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 2 || es[0].State != remediate.StateUndone || es[0].Undo["key"] != "AKIA1" || es[1].State != remediate.StateDone {
			t.Errorf("journal = %+v", es)
		}
		if ex.calls[len(ex.calls)-1] != "undo a-1 AKIA1" {
			t.Errorf("last call %q", ex.calls[len(ex.calls)-1])
		}
	})

	t.Run("an intent without a result resumes from the live state without a second call", func(t *testing.T) {
		db, _ := openStore(t)
		if err := db.PutJournalEntry(ctx, "a-1", []byte(`{"step":{"id":"a-1"},"state":"intent","intent_at":"2026-11-01T00:00:00Z"}`)); err != nil {
			t.Fatal(err)
		}
		ex := &funcExec{check: func(s remediate.Step) (remediate.Live, error) {
			return remediate.Live{Done: true, Detail: "key AKIA1 already inactive", Native: map[string]string{"key": "AKIA1"}}, nil
		}, do: ok}
		a := &remediate.Applier{Policy: testPolicy(), Journal: db, Executors: map[inventory.Provider]remediate.Executor{"aws": ex}, Now: func() time.Time { return t0 }}
		plan := twoStepPlan()
		plan.Steps = plan.Steps[:1]
		out, err := a.Apply(ctx, plan, facts)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]remediate.Outcome{{StepID: "a-1", State: remediate.StateDone, Detail: "key AKIA1 already inactive"}}, out); d != "" {
			t.Errorf("outcomes (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]string{"check a-1"}, ex.calls); d != "" {
			t.Errorf("calls (-want +got):\n%s", d)
		}
		es, _ := remediate.Entries(db)
		if len(es) != 1 || es[0].State != remediate.StateDone || !es[0].IntentAt.Equal(t0) || es[0].Undo["key"] != "AKIA1" {
			t.Errorf("journal = %+v", es)
		}
	})

	t.Run("a violation that no longer holds is skipped, a failure is retried", func(t *testing.T) {
		db, _ := openStore(t)
		n := 0
		ex := &funcExec{check: func(s remediate.Step) (remediate.Live, error) {
			if s.ID == "a-2" {
				return remediate.Live{Detail: "key used since the snapshot"}, nil
			}
			return holds(s)
		}, do: func(remediate.Step) (remediate.Undo, error) {
			n++
			if n == 1 {
				return nil, errors.New("throttled")
			}
			return remediate.Undo{"key": "AKIA1"}, nil
		}}
		a := &remediate.Applier{Policy: testPolicy(), Journal: db, Executors: map[inventory.Provider]remediate.Executor{"aws": ex}, Now: func() time.Time { return t0 }}
		out, err := a.Apply(ctx, twoStepPlan(), facts)
		if err == nil || err.Error() != "step a-1 (deactivate_access_key on arn:u): throttled" {
			t.Fatalf("first apply err = %v", err)
		}
		want := []remediate.Outcome{{StepID: "a-1", State: remediate.StateFailed, Error: "step a-1 (deactivate_access_key on arn:u): throttled"},
			{StepID: "a-2", State: remediate.StateSkipped, Detail: "key used since the snapshot"}}
		if d := cmp.Diff(want, out); d != "" {
			t.Errorf("outcomes (-want +got):\n%s", d)
		}
		if _, err := a.Apply(ctx, twoStepPlan(), facts); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]string{"check a-1", "do a-1", "check a-2", "check a-1", "do a-1", "check a-1"}, ex.calls); d != "" {
			t.Errorf("calls (-want +got):\n%s", d)
		}
		if m, _ := remediate.Marks(db); len(m) != 0 {
			t.Errorf("a skipped mark stored a mark: %v", m)
		}
	})

	t.Run("a guard refusal reaches no target", func(t *testing.T) {
		db, _ := openStore(t)
		ex := &funcExec{check: holds, do: ok}
		pol := testPolicy()
		pol.MaxActions = 0
		a := &remediate.Applier{Policy: pol, Journal: db, Executors: map[inventory.Provider]remediate.Executor{"aws": ex}}
		_, err := a.Apply(ctx, twoStepPlan(), facts)
		if !errors.Is(err, remediate.ErrGuard) || err.Error() != "remediation refused by cap_count guard: plan has 1 acting steps, more than max_actions 0: nothing was done" {
			t.Fatalf("err = %v", err)
		}
		if len(ex.calls) != 0 {
			t.Errorf("calls = %v", ex.calls)
		}
	})

	t.Run("the daemon applies only automatic steps", func(t *testing.T) {
		db, _ := openStore(t)
		ex := &funcExec{check: holds, do: ok}
		plan := twoStepPlan()
		plan.Steps[1].Automatic = true
		a := &remediate.Applier{Policy: testPolicy(), Journal: db, Executors: map[inventory.Provider]remediate.Executor{"aws": ex}, AutomaticOnly: true}
		out, err := a.Apply(ctx, plan, facts)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]remediate.Outcome{{StepID: "a-2", State: remediate.StateDone, Detail: "key active"}}, out); d != "" {
			t.Errorf("outcomes (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]string{"check a-2", "do a-2", "check a-2"}, ex.calls); d != "" {
			t.Errorf("calls (-want +got):\n%s", d)
		}
	})

	t.Run("a dry run writes nothing", func(t *testing.T) {
		db, path := openStore(t)
		if err := db.PutJournalEntry(ctx, "a-0", []byte(`{"state":"done"}`)); err != nil {
			t.Fatal(err)
		}
		before, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ex := &funcExec{check: holds, do: ok}
		a := &remediate.Applier{Policy: testPolicy(), Journal: db, Executors: map[inventory.Provider]remediate.Executor{"aws": ex}, DryRun: true}
		out, err := a.Apply(ctx, twoStepPlan(), facts)
		if err != nil {
			t.Fatal(err)
		}
		want := []remediate.Outcome{{StepID: "a-1", State: remediate.StateWouldAct, Detail: "key active"}, {StepID: "a-2", State: remediate.StateWouldAct, Detail: "key active"}}
		if d := cmp.Diff(want, out); d != "" {
			t.Errorf("outcomes (-want +got):\n%s", d)
		}
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(before, after) {
			t.Error("dry run changed the store file")
		}
		if d := cmp.Diff([]string{"check a-1", "check a-2"}, ex.calls); d != "" {
			t.Errorf("calls (-want +got):\n%s", d)
		}
	})
}

// TestResolvedFindingStartsAFreshGrace: a mark whose finding is no longer open is cleared by
// the next apply; when the finding comes back it is marked again under a new step ID, so the
// journal of the first round does not hide it.
func TestResolvedFindingStartsAFreshGrace(t *testing.T) {
	ctx := context.Background()
	db, _ := openStore(t)
	pol, snap := testPolicy(), testSnap()
	f := keyFinding("arn:aws:iam::111111111111:user/alice", "access_key_2")
	ex := &funcExec{check: func(remediate.Step) (remediate.Live, error) { return remediate.Live{Holds: true, Detail: "x"}, nil },
		do: func(remediate.Step) (remediate.Undo, error) { return nil, nil }}
	a := &remediate.Applier{Policy: pol, Journal: db, Executors: map[inventory.Provider]remediate.Executor{"aws": ex}, Now: func() time.Time { return t0 }}
	apply := func(snapID string, fs []finding.Finding) *remediate.Plan {
		t.Helper()
		s := *snap
		s.ID = snapID
		marks, err := remediate.Marks(db)
		if err != nil {
			t.Fatal(err)
		}
		p, err := remediate.MakePlan(pol, &s, fs, marks, t0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Apply(ctx, p, remediate.RunFacts{Latest: remediate.SnapshotRef{ID: snapID, StartedAt: t0}}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := apply("s1", []finding.Finding{f})
	if m, _ := remediate.Marks(db); len(m) != 1 {
		t.Fatalf("marks after the first round: %v", m)
	}
	resolved := f
	resolved.Status = finding.StatusResolved
	p := apply("s2", []finding.Finding{resolved})
	if d := cmp.Diff([]string{remediate.MarkKey(f.ID, remediate.ActDeactivateAccessKey)}, p.ClearMarks); d != "" {
		t.Errorf("clear marks (-want +got):\n%s", d)
	}
	if m, _ := remediate.Marks(db); len(m) != 0 {
		t.Fatalf("marks after resolution: %v", m)
	}
	again := apply("s3", []finding.Finding{f})
	if len(again.Steps) != 1 || again.Steps[0].Phase != remediate.PhaseMark || again.Steps[0].ID == first.Steps[0].ID {
		t.Fatalf("steps when the finding came back: %+v (first round %s)", again.Steps, first.Steps[0].ID)
	}
	if m, _ := remediate.Marks(db); len(m) != 1 {
		t.Errorf("marks after it came back: %v", m)
	}
}
