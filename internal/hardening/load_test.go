package hardening

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sync"
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
	d, err := daemon.New(daemon.Options{
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
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- d.Serve(sctx, ln) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 30 * time.Second}
	get := func(path string) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+apiToken)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return resp.StatusCode, fmt.Errorf("read body: %w", err)
		}
		return resp.StatusCode, nil
	}
	start := func() {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/runs", nil)
		req.Header.Set("Authorization", "Bearer "+apiToken)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("POST /api/v1/runs: %d, want 202", resp.StatusCode)
		}
	}

	// A first run, so that every read route has a snapshot to answer with.
	start()
	if r := <-ran; r.Status != daemon.StatusSucceeded {
		t.Fatalf("first run: %+v", r)
	}
	paths := []string{"/healthz", "/readyz", "/metrics", "/api/v1/snapshots", "/api/v1/findings", "/api/v1/drift",
		"/api/v1/runs", "/api/v1/trend", "/api/v1/reports/json", "/api/v1/reports/csv", "/dashboard/"}

	start()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	const clients = 8
	counts := make([]int, clients)
	var mu sync.Mutex
	var failures []string
	for c := range clients {
		wg.Go(func() {
			for i := c; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				p := paths[i%len(paths)]
				code, err := get(p)
				if err != nil || code != http.StatusOK {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("GET %s: %d %v", p, code, err))
					mu.Unlock()
					continue
				}
				counts[c]++
			}
		})
	}
	second := <-ran
	close(stop)
	wg.Wait()
	if second.Status != daemon.StatusSucceeded {
		t.Errorf("run under load: %+v, want it to succeed", second)
	}
	if len(failures) > 0 {
		t.Errorf("%d failed requests during the run, first: %q", len(failures), failures[:min(5, len(failures))])
	}
	total := 0
	for c, n := range counts {
		if n == 0 {
			t.Errorf("client %d got no answer during the run", c)
		}
		total += n
	}
	metas, err := db.Snapshots()
	if err != nil || len(metas) != 2 {
		t.Errorf("after the runs: %d snapshots, error %v; want 2", len(metas), err)
	}
	t.Logf("%d answers to %d clients during the run", total, clients)
}
