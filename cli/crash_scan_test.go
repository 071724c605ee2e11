package cli

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/sandbox"
	"github.com/provost-dev/provost/store"
)

// sandboxConfig writes a config that scans env (AWS with Organizations and Identity Center,
// Google Cloud through Asset Inventory, the HR export) into db, with extra appended.
func sandboxConfig(t *testing.T, dir, db, awsURL string, env *sandbox.Env, extra string) string {
	t.Helper()
	return writeFile(t, filepath.Join(dir, "provost.toml"), `[store]
path = "`+db+`"

[[sources.aws]]
name = "aws"
endpoint = "`+awsURL+`"
organization = true
identity_center = true

[[sources.gcp]]
name = "gcp"
organization = "organizations/`+env.Org.GCP.ID+`"
endpoint = "`+env.GCPURL+`"
use_asset_inventory = true

[[sources.hrfile]]
name = "hr"
path = "`+env.HRPath+`"
format = "csv"
`+extra)
}

// snapshotState is what a crash must not change about a stored snapshot: its principals,
// as its metadata counts them and as they are read back, and its findings (-1: none stored,
// the snapshot was never evaluated).
type snapshotState struct {
	ID                   string
	Principals, ReadBack int
	Findings             int
}

func storedSnapshots(t *testing.T, path string) []snapshotState {
	t.Helper()
	db, err := store.Open(path, store.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("the database does not open after the kill: %v", err)
	}
	defer db.Close()
	metas, err := db.Snapshots()
	if err != nil {
		t.Fatal(err)
	}
	var out []snapshotState
	for _, m := range metas {
		s := snapshotState{ID: m.ID, Principals: m.Principals}
		if err := db.EachPrincipal(m.ID, func(_ *inventory.Principal) error { s.ReadBack++; return nil }); err != nil {
			t.Errorf("snapshot %s: %v", m.ID, err)
		}
		fs, err := db.Findings(m.ID)
		switch {
		case errors.Is(err, store.ErrNoFindings):
			s.Findings = -1
		case err != nil:
			t.Errorf("findings of %s: %v", m.ID, err)
		}
		s.Findings += len(fs)
		out = append(out, s)
	}
	return out
}

// TestCrashMidScan kills `provost scan` of the sandbox (a child process) with SIGKILL at
// seeded random moments across the whole command — policy loading, collection, the snapshot
// and findings writes, reports — several times. After each kill the database opens, the
// snapshots stored before are intact (same IDs, principal counts, principals read back and
// findings), and a snapshot the killed scan left is whole, with all its findings or, killed
// between the two writes, none (store.ErrNoFindings: never evaluated); after all the kills a
// scan succeeds and its snapshot is whole.
func TestCrashMidScan(t *testing.T) {
	ctx := context.Background()
	env, err := sandbox.Start(ctx, sandbox.Generate(sandbox.GenerateOptions{Seed: 21, Scale: 120}), sandbox.StartOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "provost.db")
	cfg := sandboxConfig(t, dir, db, env.AWSURL, env, "")
	creds := env.Credentials()
	creds["AWS_CONFIG_FILE"] = filepath.Join(dir, "none")
	creds["AWS_SHARED_CREDENTIALS_FILE"] = filepath.Join(dir, "none")

	// Two scans run to the end: the earlier snapshots, and the second (warm caches) measures
	// how long a scan takes. The kills fall between a sixth of that time, when the policies
	// are loaded, and its end.
	startChild(t, creds, "scan", "-c", cfg).wait(t)
	start := time.Now()
	startChild(t, creds, "scan", "-c", cfg).wait(t)
	full := time.Since(start)
	before := storedSnapshots(t, db)
	if len(before) != 2 || before[0].Principals == 0 || before[0].ReadBack != before[0].Principals || before[0].Findings <= 0 ||
		before[1].ReadBack != before[0].Principals || before[1].Findings != before[0].Findings {
		t.Fatalf("after two complete scans: %+v", before)
	}
	whole := before[0]

	rng := rand.New(rand.NewPCG(12, 0))
	var delays []time.Duration
	var killed, unevaluated int
	for range 5 {
		d := full/6 + time.Duration(rng.Int64N(int64(full*5/6)))
		delays = append(delays, d)
		c := startChild(t, creds, "scan", "-c", cfg)
		if c.killAfter(t, d) {
			killed++
		}
		after := storedSnapshots(t, db)
		if diff := cmp.Diff(before, after[:min(len(before), len(after))]); diff != "" || len(after) < len(before) {
			t.Fatalf("kill at %s changed the earlier snapshots (-before +after):\n%s", d, diff)
		}
		for _, s := range after[len(before):] {
			if s.Principals != whole.Principals || s.ReadBack != whole.Principals || (s.Findings != whole.Findings && s.Findings != -1) {
				t.Errorf("kill at %s left snapshot %+v; want it whole like %+v, with all its findings or none", d, s, whole)
			}
			if s.Findings == -1 {
				unevaluated++
			}
		}
		if len(after) > len(before)+1 {
			t.Errorf("kill at %s: %d new snapshots from one scan", d, len(after)-len(before))
		}
		before = after
	}
	if killed == 0 {
		t.Errorf("no kill landed before a scan finished (delays %s of %s)", fmtDurations(delays), full)
	}

	last := startChild(t, creds, "scan", "-c", cfg)
	last.wait(t)
	after := storedSnapshots(t, db)
	if len(after) != len(before)+1 || after[len(after)-1].ReadBack != whole.Principals {
		t.Errorf("the scan after the kills: snapshots %+v, want %d whole ones", after, len(before)+1)
	}
	t.Logf("one scan %s; kills at %s (%d landed, %d left a snapshot without findings)", full.Round(time.Millisecond), fmtDurations(delays), killed, unevaluated)
}
