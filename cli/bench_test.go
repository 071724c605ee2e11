package cli

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// asMainEnv makes this test binary act as the provost binary: bench re-executes itself
// (os.Executable) for its sandbox and audit processes, which in a test is this binary.
const asMainEnv = "PROVOST_CLI_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	if err := os.Setenv(asMainEnv, "1"); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// TestBench runs bench at a small scale through its three child processes (sandbox, baseline
// audit, measured audit): the measured audit's open findings are exactly the planted problems
// (the day's drift included), and each process reports its own peak memory.
func TestBench(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"bench", "--scale", "300", "-o", "json"}, 0},
		{[]string{"bench", "--scale", "ten"}, 2},
		{[]string{"bench", "--scale", "0"}, 2},
		{[]string{"bench", "sandbox", "--scale", "300"}, 2},         // no --dir
		{[]string{"bench", "audit", "--db-file", "x.db"}, 2},        // no --endpoints
		{[]string{"bench", "audit", "--endpoints", "none.json"}, 2}, // no --db-file
	} {
		stdout, stderr, code := run(t, t.TempDir(), tc.args...)
		if code != tc.code {
			t.Fatalf("%v: exit %d, want %d; stderr: %s", tc.args, code, tc.code, stderr)
		}
		if code != 0 {
			continue
		}
		var got []benchResult
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("%v: %v\n%s", tc.args, err, stdout)
		}
		if len(got) != 1 {
			t.Fatalf("%v: %d results, want 1", tc.args, len(got))
		}
		r := got[0]
		if r.Scale != 300 || !r.PlantedFound || r.Principals < 250 || r.Findings == 0 || r.DBBytesPerPrincipal <= 0 || r.APICallsPer1kPrincip <= 0 {
			t.Errorf("%v: got %+v", tc.args, r)
		}
		if r.PeakRSSBytes <= 0 || r.BaselinePeakRSSBytes <= 0 || r.SandboxPeakRSSBytes <= 0 {
			t.Errorf("%v: peaks audit %d, baseline %d, sandbox %d: want all > 0", tc.args, r.PeakRSSBytes, r.BaselinePeakRSSBytes, r.SandboxPeakRSSBytes)
		}
		var stages []string
		for s := range r.Stages {
			stages = append(stages, s)
		}
		want := slices.Clone(benchStages)
		slices.Sort(want)
		slices.Sort(stages)
		if diff := cmp.Diff(want, stages); diff != "" {
			t.Errorf("stages (-want +got):\n%s", diff)
		}
	}
}
