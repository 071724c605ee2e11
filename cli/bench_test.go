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
		{[]string{"bench", "--scale", "300", "--memory-limit", "2GiB", "-o", "json"}, 0},
		{[]string{"bench", "--scale", "300", "--memory-limit", "2GB"}, 2},
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
		if r.MemoryLimit != 2<<30 {
			t.Errorf("%v: the audit process's memory limit is %d, want %d", tc.args, r.MemoryLimit, 2<<30)
		}
		var peakStages []string
		for s, p := range r.StagePeaks {
			peakStages = append(peakStages, s)
			if p <= 0 || p > r.PeakRSSBytes {
				t.Errorf("%v: stage %s peak %d, want 1..%d", tc.args, s, p, r.PeakRSSBytes)
			}
		}
		for s, v := range r.StageLiveHeap {
			// Before the first garbage collection the live heap reads 0: setup may end before one.
			if (v <= 0 && s != "setup") || v < 0 || v > r.PeakLiveHeap {
				t.Errorf("%v: stage %s live heap %d, want 1..%d", tc.args, s, v, r.PeakLiveHeap)
			}
		}
		if len(r.StageLiveHeap) != len(r.StagePeaks) {
			t.Errorf("%v: live heap for %d stages, peaks for %d", tc.args, len(r.StageLiveHeap), len(r.StagePeaks))
		}
		slices.Sort(peakStages)
		if diff := cmp.Diff([]string{"after", "collect", "diff", "evaluate", "findings", "report", "setup", "store"}, peakStages); diff != "" {
			t.Errorf("stages with a peak (-want +got):\n%s", diff)
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

func TestParseByteSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64 // 0: an error
	}{
		{"1024", 1024}, {"512B", 512}, {"4KiB", 4 << 10}, {"3GiB", 3 << 30}, {"100MiB", 100 << 20}, {"1TiB", 1 << 40},
		{"", 0}, {"0", 0}, {"-1GiB", 0}, {"2GB", 0}, {"1.5GiB", 0}, {"GiB", 0}, {"9999999TiB", 0},
	} {
		got, err := parseByteSize(tc.in)
		if got != tc.want || (err != nil) != (tc.want == 0) {
			t.Errorf("parseByteSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}
