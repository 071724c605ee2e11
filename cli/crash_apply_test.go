package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/remediate"
	"github.com/provost-dev/provost/sandbox"
	"github.com/provost-dev/provost/store"
)

// keyWrites sits in front of the AWS fake and records every UpdateAccessKey the fake carried
// out (answered 200), by key ID and new status, whether or not its caller lived to read the
// answer. Each such call is slowed by delay before and after the fake acts, so that a kill can
// land before the call, while the target changes, or after the change but before the answer.
type keyWrites struct {
	next  http.Handler
	delay time.Duration

	mu      sync.Mutex
	arrived int
	applied map[string][]string // key ID → statuses set, in order
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (k *keyWrites) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	if form.Get("Action") != "UpdateAccessKey" {
		k.next.ServeHTTP(w, r)
		return
	}
	k.mu.Lock()
	k.arrived++
	k.mu.Unlock()
	time.Sleep(k.delay) // the caller may die here: the call has not reached the target
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	k.next.ServeHTTP(rec, r.WithContext(context.WithoutCancel(r.Context())))
	if rec.status == http.StatusOK {
		k.mu.Lock()
		k.applied[form.Get("AccessKeyId")] = append(k.applied[form.Get("AccessKeyId")], form.Get("Status"))
		k.mu.Unlock()
	}
	time.Sleep(k.delay) // or here: the target changed, the caller has no answer yet
}

func (k *keyWrites) counts() (arrived int, applied map[string][]string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	applied = map[string][]string{}
	for id, s := range k.applied {
		applied[id] = append([]string(nil), s...)
	}
	return k.arrived, applied
}

// TestCrashMidApply kills `provost remediate apply` of a plan deactivating several access keys
// of the sandbox (a child process) with SIGKILL at seeded random moments after its first call
// reaches the AWS fake, which runs in this process and records every key change it carries
// out; then a final apply of the same plan resumes. Every planned key is deactivated exactly
// once at the fake and no other key changes, every step is journalled done, and a new scan
// (with a credential report generated after the changes) reads each planned key as inactive.
func TestCrashMidApply(t *testing.T) {
	ctx := context.Background()
	// The fakes' clock moves on before the verifying scan: AWS regenerates the credential
	// report, where the collector reads key status, only when it is 4 hours old.
	org := sandbox.Generate(sandbox.GenerateOptions{Seed: 21, Scale: 120})
	var clock atomic.Int64
	clock.Store(org.Now.UnixNano())
	env, err := sandbox.Start(ctx, org, sandbox.StartOptions{Dir: t.TempDir(), Now: func() time.Time { return time.Unix(0, clock.Load()).UTC() }})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	writes := &keyWrites{next: env.AWS.Handler(), delay: 15 * time.Millisecond, applied: map[string][]string{}}
	front := httptest.NewServer(writes)
	defer front.Close()

	dir := t.TempDir()
	db := filepath.Join(dir, "provost.db")
	cfg := sandboxConfig(t, dir, db, front.URL, env, `
[remediation]
enabled = true
max_actions = 100
max_percent = 100

[[remediation.rules]]
check = "PV-AWS-002"
action = "deactivate_access_key"
enabled = true
grace = "0s"

[[remediation.rules]]
check = "PV-AWS-006"
action = "deactivate_access_key"
enabled = true
grace = "0s"
`)
	creds := env.Credentials()
	creds["AWS_CONFIG_FILE"] = filepath.Join(dir, "none")
	creds["AWS_SHARED_CREDENTIALS_FILE"] = filepath.Join(dir, "none")
	run := func(args ...string) *child {
		c := startChild(t, creds, args...)
		c.wait(t)
		return c
	}

	// Scan, mark (the grace starts), then plan the deactivations.
	run("scan", "-c", cfg, "--no-remediate")
	marks, plan := filepath.Join(dir, "marks.json"), filepath.Join(dir, "plan.json")
	run("remediate", "plan", "-c", cfg, "--out", marks)
	run("remediate", "apply", "-c", cfg, "--yes", marks)
	run("remediate", "plan", "-c", cfg, "--out", plan)
	p, err := readPlan(plan)
	if err != nil {
		t.Fatal(err)
	}
	acting := p.Acting()
	if len(acting) < 4 {
		t.Fatalf("plan %s has %d acting steps, want several: %+v", plan, len(acting), p.Steps)
	}
	statusBefore := keyStatus(env.AWS)

	rng := rand.New(rand.NewPCG(7, 0))
	var delays []time.Duration
	killed := 0
	for range 8 {
		arrived, applied := writes.counts()
		if len(applied) == len(acting) {
			break
		}
		c := startChild(t, creds, "remediate", "apply", "-c", cfg, "--yes", plan)
		// Wait for the child's first key call (or its end), then kill it within about the
		// next three.
		deadline := time.Now().Add(30 * time.Second)
		for n, _ := writes.counts(); n == arrived && len(c.done) == 0 && time.Now().Before(deadline); n, _ = writes.counts() {
			time.Sleep(time.Millisecond)
		}
		d := time.Duration(rng.Int64N(int64(6 * writes.delay)))
		delays = append(delays, d)
		if c.killAfter(t, d) {
			killed++
		}
	}
	if killed < 3 {
		t.Errorf("%d kills landed (delays %s); want at least 3", killed, fmtDurations(delays))
	}

	// Resume: the same plan, to the end.
	out := run("remediate", "apply", "-c", cfg, "--yes", "-o", "json", plan)
	var outcomes []remediate.Outcome
	if err := json.Unmarshal(out.stdout.Bytes(), &outcomes); err != nil {
		t.Fatalf("apply -o json: %v\n%s", err, out.stdout.String())
	}
	gotStates := map[string]remediate.State{}
	for _, o := range outcomes {
		gotStates[o.StepID] = o.State
	}
	wantStates := map[string]remediate.State{}
	for _, s := range p.Steps {
		wantStates[s.ID] = remediate.StateDone
	}
	if diff := cmp.Diff(wantStates, gotStates); diff != "" {
		t.Errorf("outcomes of the resumed apply (-want +got):\n%s", diff)
	}

	// Exactly once at the target, nothing else touched.
	_, applied := writes.counts()
	statusAfter := keyStatus(env.AWS)
	changed := map[string][]string{}
	for id, st := range statusAfter {
		if st != statusBefore[id] {
			changed[id] = []string{st}
		}
	}
	if diff := cmp.Diff(changed, applied); diff != "" || len(applied) != len(acting) {
		t.Errorf("key changes the fake carried out (-changed keys +calls), want one deactivation per each of %d steps:\n%s", len(acting), diff)
	}

	// The journal holds every step, done.
	sdb, err := store.Open(db, store.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	es, err := remediate.Entries(sdb)
	sdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	journal := map[string]remediate.State{}
	for _, e := range es {
		if _, planned := wantStates[e.Step.ID]; planned {
			journal[e.Step.ID] = e.State
		}
	}
	if diff := cmp.Diff(wantStates, journal); diff != "" {
		t.Errorf("journal (-want +got):\n%s", diff)
	}

	// Verify: a new scan, once the credential report may be regenerated, reads each planned
	// key back as inactive.
	clock.Store(org.Now.Add(5 * time.Hour).UnixNano())
	run("scan", "-c", cfg, "--no-remediate")
	sdb, err = store.Open(db, store.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	latest, err := resolveSnapshot(sdb, "latest")
	if err != nil {
		t.Fatal(err)
	}
	creds2 := map[string]string{} // principal → credential → status, for the planned keys
	wantKeys := map[string]string{}
	for _, s := range acting {
		wantKeys[s.Target.Principal+" "+s.Target.Credential] = string(inventory.CredInactive)
	}
	err = sdb.EachPrincipal(latest.ID, func(pr *inventory.Principal) error {
		for _, c := range pr.Credentials {
			if _, planned := wantKeys[pr.ID+" "+c.ID]; planned {
				creds2[pr.ID+" "+c.ID] = string(c.Status)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantKeys, creds2); diff != "" {
		t.Errorf("planned keys as the new scan reads them (-want +got):\n%s", diff)
	}
	t.Logf("%d acting steps; kills %s after a first key call (%d landed)", len(acting), fmtDurations(delays), killed)
}
