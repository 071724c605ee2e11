package hardening

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/provost-dev/provost/audit"
	"github.com/provost-dev/provost/daemon"
	"github.com/provost-dev/provost/policy"
	"github.com/provost-dev/provost/sandbox"
	"github.com/provost-dev/provost/store"
)

// TestAPIUnderLoadDuringScan serves the API to 8 concurrent clients, each cycling through the
// read routes, while the daemon runs a real audit of the sandbox (collect, link, evaluate,
// store) started over the API. Every answer during the run is 200 with a complete body, the
// run succeeds and its snapshot is then listed. Under -race this is the data race check of the
// daemon's cache, metrics and store reads against a writer. TestAPIUnderLoadDuringRemediation
// does the same while the daemon remediates.
func TestAPIUnderLoadDuringScan(t *testing.T) {
	ctx := context.Background()
	org := sandbox.Generate(sandbox.GenerateOptions{Seed: 11})
	env, err := sandbox.Start(ctx, org, sandbox.StartOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	lib, err := policy.Load(ctx, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "provost.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ran := make(chan daemon.Run, 1)
	base, stopDaemon := serveDaemon(ctx, t, daemon.Options{
		Config: daemon.DefaultConfig(), Store: db, Token: apiToken,
		Run: func(runCtx context.Context) (*audit.Result, error) {
			srcs, err := env.Sources(runCtx)
			if err != nil {
				return nil, err
			}
			return audit.Run(runCtx, audit.Options{Sources: srcs, Collect: env.RunOptions(), Store: db, Library: lib, Now: env.Now})
		},
		OnRun: func(_ context.Context, r daemon.Run) { ran <- r },
	})
	defer stopDaemon()
	client := &http.Client{Timeout: 30 * time.Second}

	// A first run, so that every read route has a snapshot to answer with.
	startRun(ctx, t, client, base)
	if r := <-ran; r.Status != daemon.StatusSucceeded {
		t.Fatalf("first run: %+v", r)
	}
	paths := []string{"/healthz", "/readyz", "/metrics", "/api/v1/snapshots", "/api/v1/findings", "/api/v1/drift",
		"/api/v1/runs", "/api/v1/trend", "/api/v1/reports/json", "/api/v1/reports/csv", "/dashboard/"}

	startRun(ctx, t, client, base)
	const clients = 8
	load := startLoad(ctx, client, base, clients, paths)
	defer load.stop()
	second := <-ran
	counts, failures := load.stop()
	if second.Status != daemon.StatusSucceeded {
		t.Errorf("run under load: %+v, want it to succeed", second)
	}
	total := checkLoad(t, counts, failures, "the run")
	metas, err := db.Snapshots()
	if err != nil || len(metas) != 2 {
		t.Errorf("after the runs: %d snapshots, error %v; want 2", len(metas), err)
	}
	t.Logf("%d answers to %d clients during the run", total, clients)
}
