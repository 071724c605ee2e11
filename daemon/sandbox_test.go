package daemon

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"sync"
	"testing"

	"github.com/provost-dev/provost/audit"
	"github.com/provost-dev/provost/policy"
	"github.com/provost-dev/provost/sandbox"
	"github.com/provost-dev/provost/store"
)

// TestShutdownMidRunAgainstSandbox stops the daemon while a real audit of the sandbox
// organisation is collecting (the first source holds until the run is cancelled, so the stop
// lands mid-run every time): the run is cancelled, nothing of it is stored, and a daemon
// restarted on the same file shows the cancelled run and completes the next one.
func TestShutdownMidRunAgainstSandbox(t *testing.T) {
	ctx := context.Background()
	org := sandbox.Generate(sandbox.GenerateOptions{Seed: 7, Scale: 300})
	env, err := sandbox.Start(ctx, org, sandbox.StartOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	lib, err := policy.Load(ctx, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "provost.db")

	// runWith is a real audit of the sandbox; when hold is set, the first source to start waits
	// for the run to be cancelled and reports the start on started.
	runWith := func(db *store.DB, hold bool, started chan<- struct{}) RunFunc {
		return func(runCtx context.Context) (*audit.Result, error) {
			srcs, err := env.Sources(runCtx)
			if err != nil {
				return nil, err
			}
			ro := env.RunOptions()
			var once sync.Once
			if hold {
				ro.Progress = func(string, bool, error) {
					once.Do(func() { close(started); <-runCtx.Done() })
				}
			}
			return audit.Run(runCtx, audit.Options{Sources: srcs, Collect: ro, Store: db, Library: lib, Now: env.Now})
		}
	}
	serve := func(d *Daemon) (stop func() error) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		sctx, cancel := context.WithCancel(ctx)
		served := make(chan error, 1)
		go func() { served <- d.Serve(sctx, ln) }()
		return func() error { cancel(); return <-served }
	}

	// First daemon: stopped mid-collection with no grace.
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	done := make(chan Run, 1)
	d1, err := New(Options{Config: configWith(func(c *Config) { c.ShutdownTimeout = 0 }), Store: db, Token: testToken,
		Run: runWith(db, true, started), OnRun: func(_ context.Context, r Run) { done <- r }})
	if err != nil {
		t.Fatal(err)
	}
	stop := serve(d1)
	cancelled, err := d1.StartRun()
	if err != nil {
		t.Fatal(err)
	}
	recv(t, started, "collection to start")
	if err := stop(); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Serve = %v, want the run cancelled at the deadline", err)
	}
	if r := recv(t, done, "run record"); r.Status != StatusCancelled {
		t.Errorf("run %s: status %q (%s), want cancelled", r.ID, r.Status, r.Error)
	}
	if ms, err := db.Snapshots(); err != nil || len(ms) != 0 {
		t.Fatalf("snapshots after the cancelled run: %d (%v), want none", len(ms), err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Restart on the same file: the store opens, the cancelled run is on record, a run completes.
	db, err = store.Open(path, store.Options{})
	if err != nil {
		t.Fatalf("reopen after the stop: %v", err)
	}
	defer db.Close()
	done2 := make(chan Run, 1)
	d2, err := New(Options{Config: DefaultConfig(), Store: db, Token: testToken, Run: runWith(db, false, nil), OnRun: func(_ context.Context, r Run) { done2 <- r }})
	if err != nil {
		t.Fatal(err)
	}
	stop = serve(d2)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("second shutdown: %v", err)
		}
	}()
	if runs := d2.Runs(); len(runs) != 1 || runs[0].ID != cancelled.ID || runs[0].Status == StatusRunning {
		t.Errorf("runs after restart: %+v, want the cancelled run", runs)
	}
	if _, err := d2.StartRun(); err != nil {
		t.Fatal(err)
	}
	r := recv(t, done2, "second run")
	if r.Status != StatusSucceeded {
		t.Fatalf("second run: %s %s", r.Status, r.Error)
	}
	ms, err := db.Snapshots()
	if err != nil || len(ms) != 1 || ms[0].ID != r.Result.SnapshotID {
		t.Fatalf("snapshots after the second run: %+v (%v), want only %s", ms, err, r.Result.SnapshotID)
	}
	fs, err := db.Findings(ms[0].ID)
	if err != nil || len(fs) != len(r.Result.Findings) || len(fs) == 0 {
		t.Errorf("stored findings %d (%v), the run produced %d", len(fs), err, len(r.Result.Findings))
	}
}
