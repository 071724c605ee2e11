package sandbox_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/sandbox"
)

// TestServe drives Serve as bench does, over pipes: the first answer describes the served
// organisation, a scan through those endpoints alone is complete and counted, advance moves the
// organisation and its clock by a day, bad commands are answered with an error and the sandbox
// goes on, and closing its input stops it.
func TestServe(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ready := filepath.Join(dir, "endpoints.json")
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- sandbox.Serve(ctx, inR, outW, sandbox.ServeOptions{Generate: sandbox.GenerateOptions{Seed: 7}, Dir: filepath.Join(dir, "sb"), ReadyFile: ready})
		outW.Close()
	}()
	lines := bufio.NewScanner(outR)
	read := func(cmd string) sandbox.Status {
		t.Helper()
		if cmd != "" {
			if _, err := io.WriteString(inW, cmd+"\n"); err != nil {
				t.Fatal(err)
			}
		}
		if !lines.Scan() {
			t.Fatalf("%q: no answer (%v)", cmd, lines.Err())
		}
		var st sandbox.Status
		if err := json.Unmarshal(lines.Bytes(), &st); err != nil {
			t.Fatalf("%q: %v: %s", cmd, err, lines.Text())
		}
		var onDisk sandbox.Endpoints
		data, err := os.ReadFile(ready)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &onDisk); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(st.Endpoints, onDisk); diff != "" {
			t.Errorf("%q: ready file differs from the answer (-answer +file):\n%s", cmd, diff)
		}
		return st
	}
	wantPlanted := func(day int, ep sandbox.Endpoints) {
		t.Helper()
		org := sandbox.Advance(sandbox.Generate(sandbox.GenerateOptions{Seed: 7}), day)
		want := append(slices.Clone(org.Planted), org.Drift...)
		slices.SortFunc(want, func(a, b sandbox.Planted) int {
			return strings.Compare(a.CheckID+" "+a.PrincipalID, b.CheckID+" "+b.PrincipalID)
		})
		var got []sandbox.Planted
		data, err := os.ReadFile(ep.PlantedPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("day %d: planted (-want +got):\n%s", day, diff)
		}
	}

	st := read("")
	ep := st.Endpoints
	if ep.AWSURL == "" || ep.GCPURL == "" || ep.GCPOrgID != sandbox.GCPOrgID || ep.Day != 0 || !ep.Now.Equal(sandbox.DefaultNow) || st.Calls != 0 || st.Error != "" {
		t.Fatalf("first answer: %+v", st)
	}
	wantPlanted(0, ep)

	mapping, err := collector.LoadMapping(ep.MappingPath)
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := ep.Sources(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := collector.Run(ctx, srcs, ep.RunOptions(mapping, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range snap.Coverage {
		if !c.Complete() {
			t.Errorf("coverage %s %s: %s %s", c.Source, c.Scope, c.Status, c.Error)
		}
	}
	// Org.Principals does not count IAM groups, which a scan collects as principals.
	if len(snap.Principals) < ep.Principals || len(snap.People) != ep.People {
		t.Errorf("scan: %d principals, %d people; endpoints say %d, %d", len(snap.Principals), len(snap.People), ep.Principals, ep.People)
	}
	if st := read("stats"); st.Calls == 0 || st.Error != "" {
		t.Errorf("stats after a scan: %+v", st)
	}

	for _, bad := range []string{"advance 0", "advance x", "advance 1 2", "jump"} {
		if st := read(bad); st.Error == "" || st.Endpoints.Day != 0 {
			t.Errorf("%q: answered %+v, want an error and day 0", bad, st)
		}
	}

	st = read("advance")
	if st.Error != "" || st.Calls != 0 || st.Endpoints.Day != 1 || !st.Endpoints.Now.Equal(sandbox.DefaultNow.Add(24*time.Hour)) {
		t.Errorf("advance: %+v", st)
	}
	wantPlanted(1, st.Endpoints)
	if st := read("advance 2"); st.Endpoints.Day != 3 || !st.Endpoints.Now.Equal(sandbox.DefaultNow.Add(72*time.Hour)) {
		t.Errorf("advance 2: %+v", st)
	}

	inW.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after its input closed: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not stop when its input closed")
	}
}

// TestAdvanceDrift: the drift findings of a day are the leaver's accounts and the new admin, as
// the demo's real second scan (seed 7) reports them.
func TestAdvanceDrift(t *testing.T) {
	org := sandbox.Generate(sandbox.GenerateOptions{Seed: 7})
	if len(org.Drift) != 0 {
		t.Errorf("day 0: drift %v, want none", org.Drift)
	}
	want := []sandbox.Planted{
		{CheckID: "PV-DRF-001", PrincipalID: "aws-sso:d-9067ac0e01:90670ac3-0000-4000-8000-00000000000f"},
		{CheckID: "PV-DRF-004", PrincipalID: "aws-sso:d-9067ac0e01:90670ac3-0000-4000-8000-000000000007"},
	}
	if diff := cmp.Diff(want, sandbox.Advance(org, 1).Drift); diff != "" {
		t.Errorf("day 1 drift (-want +got):\n%s", diff)
	}
}
