package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/policy"
	"github.com/provost-dev/provost/reports"
	"github.com/provost-dev/provost/sandbox"
	"github.com/provost-dev/provost/store"
)

// benchResult is one scale's end-to-end audit measurement.
type benchResult struct {
	Scale      int                `json:"scale"`
	Principals int                `json:"principals"`
	Findings   int                `json:"findings"`
	Stages     map[string]float64 `json:"stages_seconds"` // generate, seed, collect, store, evaluate, diff, report
	// EndToEnd is collect + store + evaluate + diff + report of the measured (day-2) audit.
	EndToEnd             float64 `json:"end_to_end_seconds"`
	PrincipalsPerSecond  float64 `json:"principals_per_second"`
	PeakRSSBytes         int64   `json:"peak_rss_bytes"`
	DBBytesPerPrincipal  float64 `json:"db_bytes_per_principal"`
	APICallsPer1kPrincip float64 `json:"api_calls_per_1k_principals"`
	PlantedFound         bool    `json:"planted_found"`
}

var benchStages = []string{"generate", "seed", "collect", "store", "evaluate", "diff", "report"}

func (a *app) newBenchCommand() *cobra.Command {
	var scales string
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure an end-to-end audit of the synthetic organisation at several scales",
		Long: `bench generates the synthetic "Acme Health" organisation at each scale, serves it with the
sandbox's fake AWS and GCP on 127.0.0.1, scans it once as a baseline, advances it by a day and
then measures one audit: collect (the real collectors over loopback), store (bbolt), evaluate
(the bundled checks), diff (against the baseline) and report (HTML). It prints the time per
stage, principals per second, peak memory (VmHWM, for the whole process so far), database
bytes per principal and API calls per 1,000 principals.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var list []int
			for _, s := range strings.Split(scales, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(s))
				if err != nil || n <= 0 {
					return usageErr(fmt.Errorf("--scale %q: want comma-separated positive numbers, e.g. 10000,100000", scales))
				}
				list = append(list, n)
			}
			var results []benchResult
			for _, n := range list {
				r, err := runBench(cmd.Context(), n)
				if err != nil {
					return fmt.Errorf("bench at scale %d: %w", n, err)
				}
				results = append(results, *r)
				runtime.GC()
			}
			if a.output == "json" {
				return writeJSON(a.stdout, results)
			}
			return printBench(a.stdout, results)
		},
	}
	cmd.Annotations = map[string]string{annotationNoConfig: "true"}
	cmd.Flags().StringVar(&scales, "scale", "10000,100000", "principal counts to measure, comma-separated")
	return cmd
}

func runBench(ctx context.Context, scale int) (*benchResult, error) {
	r := &benchResult{Scale: scale, Stages: map[string]float64{}}
	lap := func(stage string, start time.Time) { r.Stages[stage] += time.Since(start).Seconds() }
	dir, err := os.MkdirTemp("", "provost-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	t := time.Now()
	base := sandbox.Generate(sandbox.GenerateOptions{Scale: scale})
	org := sandbox.Advance(base, 1)
	lap("generate", t)

	t = time.Now()
	env, err := sandbox.Start(ctx, base, sandbox.StartOptions{Dir: dir})
	if err != nil {
		return nil, err
	}
	defer env.Close()
	lap("seed", t)
	prev, err := benchCollect(ctx, env)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}

	t = time.Now()
	env.Org = org
	if err := env.AWS.LoadOrganization(org.AWS); err != nil {
		return nil, err
	}
	env.GCP.SetOrganization(org.GCP)
	if err := os.WriteFile(env.HRPath, org.HRCSV, 0o600); err != nil {
		return nil, err
	}
	at := org.Now
	env.Now = func() time.Time { return at }
	env.AWS.ResetCalls()
	env.GCP.ResetCalls()
	lap("seed", t)

	t = time.Now()
	snap, err := benchCollect(ctx, env)
	if err != nil {
		return nil, err
	}
	lap("collect", t)
	r.Principals = len(snap.Principals)
	calls := 0
	for _, m := range []map[string]int{env.AWS.Calls(), env.GCP.Calls()} {
		for _, n := range m {
			calls += n
		}
	}

	t = time.Now()
	dbPath := filepath.Join(dir, "provost.db")
	db, err := store.Open(dbPath, store.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, err
	}
	if err := db.PutSnapshot(ctx, snap); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	lap("store", t)
	st, err := os.Stat(dbPath)
	if err != nil {
		return nil, err
	}

	t = time.Now()
	lib, err := policy.Load(ctx, policy.Options{})
	if err != nil {
		return nil, err
	}
	cfg := policy.DefaultConfig()
	cfg.OrgDomains, cfg.ProtectedPrincipals = org.OrgDomains, org.Protected
	ev, err := lib.NewEvaluator(cfg, policy.EvalOptions{})
	if err != nil {
		return nil, err
	}
	res, err := ev.Evaluate(ctx, snap)
	if err != nil {
		return nil, err
	}
	lap("evaluate", t)
	r.Findings = len(res.Findings)
	r.PlantedFound = plantedFound(org.Planted, res.Findings)

	t = time.Now()
	events, err := drift.Diff(prev, snap)
	if err != nil {
		return nil, err
	}
	lap("diff", t)

	t = time.Now()
	rep := &reports.Report{Title: "Acme Health bench", Generated: org.Now,
		Snapshot: reports.SnapshotMeta{ID: snap.ID, StartedAt: snap.StartedAt, FinishedAt: snap.FinishedAt},
		Coverage: snap.Coverage, Accounts: snap.Accounts, Principals: snap.Principals, People: snap.People,
		Findings: res.Findings, Drift: events}
	w := bufio.NewWriter(io.Discard)
	if err := reports.Render(w, reports.FormatHTML, rep); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	lap("report", t)

	for _, s := range []string{"collect", "store", "evaluate", "diff", "report"} {
		r.EndToEnd += r.Stages[s]
	}
	if r.EndToEnd > 0 {
		r.PrincipalsPerSecond = float64(r.Principals) / r.EndToEnd
	}
	if r.Principals > 0 {
		r.DBBytesPerPrincipal = float64(st.Size()) / float64(r.Principals)
		r.APICallsPer1kPrincip = float64(calls) * 1000 / float64(r.Principals)
	}
	r.PeakRSSBytes = peakRSS()
	return r, nil
}

func benchCollect(ctx context.Context, env *sandbox.Env) (*inventory.Snapshot, error) {
	sources, err := env.Sources(ctx)
	if err != nil {
		return nil, err
	}
	snap, err := collector.Run(ctx, sources, env.RunOptions())
	if err != nil {
		return nil, fmt.Errorf("collect: %w", err)
	}
	for _, c := range snap.Coverage {
		if !c.Complete() {
			return nil, fmt.Errorf("collect: %s %s is %s: %s", c.Source, c.Scope, c.Status, c.Error)
		}
	}
	return snap, nil
}

// plantedFound reports whether every planted (check, principal) pair has an open finding.
func plantedFound(planted []sandbox.Planted, fs []finding.Finding) bool {
	open := map[sandbox.Planted]bool{}
	for _, f := range fs {
		if f.Status == finding.StatusOpen {
			open[sandbox.Planted{CheckID: f.CheckID, PrincipalID: f.Principal}] = true
		}
	}
	for _, p := range planted {
		if !open[p] {
			return false
		}
	}
	return len(open) == len(planted)
}

// peakRSS is the process's peak resident set size (VmHWM), or 0 where /proc is missing.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

func printBench(w io.Writer, results []benchResult) error {
	header := []string{"SCALE", "PRINCIPALS"}
	for _, s := range benchStages {
		header = append(header, strings.ToUpper(s)+" s")
	}
	header = append(header, "END-TO-END s", "PRINCIPALS/s", "PEAK MiB", "DB B/PRINCIPAL", "CALLS/1k", "PLANTED")
	t := newTable(w, header...)
	for _, r := range results {
		row := []string{strconv.Itoa(r.Scale), strconv.Itoa(r.Principals)}
		for _, s := range benchStages {
			row = append(row, fmt.Sprintf("%.2f", r.Stages[s]))
		}
		row = append(row, fmt.Sprintf("%.2f", r.EndToEnd), fmt.Sprintf("%.0f", r.PrincipalsPerSecond),
			fmt.Sprintf("%d", r.PeakRSSBytes>>20), fmt.Sprintf("%.0f", r.DBBytesPerPrincipal),
			fmt.Sprintf("%.1f", r.APICallsPer1kPrincip), map[bool]string{true: "all found", false: "MISSING"}[r.PlantedFound])
		t.row(row...)
	}
	return t.flush()
}
