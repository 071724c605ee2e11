package awsiam_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/remediate"
	"github.com/provost-dev/provost/remediate/awsiam"
	"github.com/provost-dev/provost/sandbox/awsfake"
	"github.com/provost-dev/provost/store"
)

// The SIGKILL test re-executes this test binary as a child that applies a plan and stops at a
// crash point, where the parent kills it with SIGKILL.
const childEnv = "PROVOST_REMEDIATE_KILL_CHILD"

// crashAt stops the child at the nth Do: before the call (the intent is journalled) or after it
// (the target changed, the result is not journalled yet). It reports on stdout and blocks.
type crashAt struct {
	remediate.Executor
	n     int
	after bool
	seen  int
}

func (c *crashAt) Do(ctx context.Context, s remediate.Step, l remediate.Live) (remediate.Undo, error) {
	c.seen++
	if c.seen == c.n && !c.after {
		fmt.Println("CRASHPOINT", s.ID)
		select {}
	}
	u, err := c.Executor.Do(ctx, s, l)
	if c.seen == c.n && c.after {
		fmt.Println("CRASHPOINT", s.ID)
		select {}
	}
	return u, err
}

func runChild() int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "child:", err); return 2 }
	b, err := os.ReadFile(os.Getenv("CHILD_PLAN"))
	if err != nil {
		return fail(err)
	}
	var plan remediate.Plan
	if err := json.Unmarshal(b, &plan); err != nil {
		return fail(err)
	}
	db, err := store.Open(os.Getenv("CHILD_DB"), store.Options{})
	if err != nil {
		return fail(err)
	}
	n, _ := strconv.Atoi(os.Getenv("CHILD_CRASH_N"))
	ex := &crashAt{Executor: awsiam.New(iamClient(os.Getenv("CHILD_URL"), awsfake.DefaultAccessKeyID, awsfake.DefaultSecretAccessKey)),
		n: n, after: os.Getenv("CHILD_CRASH_AFTER") == "1"}
	a := &remediate.Applier{Policy: &remediate.Policy{MaxActions: 100, MaxPercent: 100}, Journal: db,
		Executors: map[inventory.Provider]remediate.Executor{inventory.ProviderAWS: ex}}
	if _, err := a.Apply(context.Background(), &plan, facts(&plan)); err != nil {
		return fail(err)
	}
	fmt.Println("FINISHED")
	return 0
}

func TestSIGKILLMidApplyActsExactlyOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after bool
	}{{"killed after the intent, before the call", false}, {"killed after the call, before the result", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var users []*awsfake.User
			var fs []finding.Finding
			for i := range 5 {
				u := &awsfake.User{Name: fmt.Sprintf("user%d", i), Created: created, AccessKeys: []awsfake.AccessKey{
					{ID: fmt.Sprintf("AKIAKILLTEST0000000%d", i), Status: awsfake.KeyActive, Created: created.Add(time.Duration(i) * time.Minute), LastUsed: old}}}
				users = append(users, u)
				fs = append(fs, open(finding.Finding{CheckID: "K", Principal: "arn:aws:iam::" + acct + ":user/" + u.Name, Qualifier: "access_key_1"}))
			}
			srv := startFake(t, users...)
			pol, plan := planFor(t, snapshotOf(acct, users...), fs, rule("K", remediate.ActDeactivateAccessKey))
			dir := t.TempDir()
			planPath, dbPath := filepath.Join(dir, "plan.json"), filepath.Join(dir, "provost.db")
			b, err := json.Marshal(plan)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(planPath, b, 0o600); err != nil {
				t.Fatal(err)
			}
			srv.ResetCalls()

			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"=1", "CHILD_PLAN="+planPath, "CHILD_DB="+dbPath, "CHILD_URL="+srv.URL(),
				"CHILD_CRASH_N=3", "CHILD_CRASH_AFTER="+map[bool]string{true: "1", false: "0"}[tc.after])
			cmd.Stderr = os.Stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil {
				_ = cmd.Process.Kill()
				t.Fatalf("child said nothing: %v", err)
			}
			crashed := plan.Steps[2].ID
			if line != "CRASHPOINT "+crashed+"\n" {
				_ = cmd.Process.Kill()
				t.Fatalf("child said %q", line)
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err == nil || err.Error() != "signal: killed" {
				t.Fatalf("child exit = %v, want signal: killed", err)
			}
			wantCalls := 2
			if tc.after {
				wantCalls = 3
			}
			if got := srv.Calls()["iam:UpdateAccessKey"]; got != wantCalls {
				t.Fatalf("UpdateAccessKey calls before resume = %d, want %d", got, wantCalls)
			}

			db, err := store.Open(dbPath, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			es, err := remediate.Entries(db)
			if err != nil {
				t.Fatal(err)
			}
			states := map[string]remediate.State{}
			for _, e := range es {
				states[e.Step.ID] = e.State
			}
			want := map[string]remediate.State{plan.Steps[0].ID: remediate.StateDone, plan.Steps[1].ID: remediate.StateDone, crashed: remediate.StateIntent}
			if d := cmp.Diff(want, states); d != "" {
				t.Fatalf("journal after the kill (-want +got):\n%s", d)
			}

			out, err := applier(pol, db, iamClient(srv.URL(), awsfake.DefaultAccessKeyID, awsfake.DefaultSecretAccessKey)).Apply(bg, plan, facts(plan))
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != 5 {
				t.Fatalf("outcomes = %+v", out)
			}
			if got := srv.Calls()["iam:UpdateAccessKey"]; got != 5 {
				t.Errorf("UpdateAccessKey calls in all = %d, want 5 (one per key)", got)
			}
			perKey := map[string]string{}
			for _, u := range srv.Organization().Accounts[0].Users {
				perKey[u.AccessKeys[0].ID] = u.AccessKeys[0].Status
			}
			if d := cmp.Diff(map[string]string{"AKIAKILLTEST00000000": "Inactive", "AKIAKILLTEST00000001": "Inactive", "AKIAKILLTEST00000002": "Inactive",
				"AKIAKILLTEST00000003": "Inactive", "AKIAKILLTEST00000004": "Inactive"}, perKey); d != "" {
				t.Errorf("keys (-want +got):\n%s", d)
			}
			es, err = remediate.Entries(db)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range es {
				if e.State != remediate.StateDone || e.Undo["access_key_id"] == "" {
					t.Errorf("journal %s = %s, undo %v; want done with the key ID", e.Step.ID, e.State, e.Undo)
				}
				if e.Step.ID == crashed && e.IntentAt.IsZero() {
					t.Errorf("resumed step lost its intent time")
				}
			}
		})
	}
}
