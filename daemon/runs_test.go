package daemon

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRunRecordsSurviveRestart: run records are stored at start and when final; a record left
// "running" by a process that died is marked interrupted at the next start.
func TestRunRecordsSurviveRestart(t *testing.T) {
	db := openStore(t)
	t0 := time.Date(2026, 3, 18, 1, 0, 0, 0, time.UTC)
	died := Run{ID: "run-20260318T000000Z-1", Trigger: TriggerSchedule, Status: StatusRunning, Started: t0.Add(-time.Hour)}
	if err := putRun(context.Background(), db, died); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return t0 }
	br := newBlockingRun()
	done := make(chan Run, 1)
	d := newTestDaemon(t, Options{Store: db, Config: DefaultConfig(), Run: br.run, Now: now, OnRun: func(_ context.Context, r Run) { done <- r }})
	run, err := d.StartRun()
	if err != nil {
		t.Fatal(err)
	}
	recv(t, br.started, "run start")
	if got := storedRuns(t, d); got[run.ID] != StatusRunning {
		t.Errorf("stored status of the run in progress: %q, want running", got[run.ID])
	}
	br.release <- struct{}{}
	recv(t, done, "run to finish")
	if err := d.runner.stop(context.Background()); err != nil {
		t.Fatal(err)
	}

	restarted := newTestDaemon(t, Options{Store: db, Config: DefaultConfig(), Run: br.run, Now: now})
	defer func() { _ = restarted.runner.stop(context.Background()) }()
	var got []string
	for _, r := range restarted.Runs() {
		got = append(got, r.ID+" "+r.Status)
	}
	want := []string{run.ID + " " + StatusSucceeded, died.ID + " " + StatusInterrupted}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("runs after restart (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{run.ID: StatusSucceeded, died.ID: StatusInterrupted}, storedRuns(t, restarted)); diff != "" {
		t.Errorf("stored runs (-want +got):\n%s", diff)
	}
}

func storedRuns(t *testing.T, d *Daemon) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err := d.db.EachRun(func(id string, v []byte) error {
		var r Run
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		out[id] = r.Status
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
