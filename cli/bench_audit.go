package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"time"

	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/audit"
	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/policy"
	"github.com/provost-dev/provost/reports"
	"github.com/provost-dev/provost/sandbox"
	"github.com/provost-dev/provost/store"
)

// benchAuditResult is what one `provost bench audit` process measured.
type benchAuditResult struct {
	Principals int `json:"principals"`
	Findings   int `json:"findings"`
	// Stages are bench's stage names (collect, store, diff, evaluate, findings, report) in
	// seconds, from audit.Result.Stages.
	Stages       map[string]float64 `json:"stages_seconds"`
	PeakRSSBytes int64              `json:"peak_rss_bytes"`
	DBBytes      int64              `json:"db_bytes"`
	PlantedFound bool               `json:"planted_found"`
	MemoryLimit  int64              `json:"memory_limit_bytes,omitempty"`
	// StagePeaks is the peak resident set during each stage (bench's names, "setup" before
	// the first), where the kernel lets the peak be reset between stages; else empty.
	StagePeaks map[string]int64 `json:"stage_peak_rss_bytes,omitempty"`
}

// benchStageOf maps audit.Run's stages onto bench's: loading the policies counts as
// evaluation and retention as storing, as they did before bench ran audit.Run.
var benchStageOf = map[string]string{
	audit.StageCollect: "collect", audit.StageStore: "store", audit.StageRetain: "store",
	audit.StageDrift: "diff", audit.StagePolicy: "evaluate", audit.StageEvaluate: "evaluate",
	audit.StageFindings: "findings", audit.StageReports: "report", audit.StageRemediate: "remediate",
}

// newBenchAuditCommand is `provost bench audit`, hidden: one audit of a sandbox served by
// `provost bench sandbox`, in a process of its own so that its peak memory is its own.
func (a *app) newBenchAuditCommand() *cobra.Command {
	var endpoints, dbPath, reportDir, heapProfile string
	cmd := &cobra.Command{
		Use:    "audit",
		Short:  "Run one measured audit of a bench sandbox (internal)",
		Hidden: true,
		Long: `audit runs one audit (audit.Run, as scan does) of the sandbox described by --endpoints into the
database --db-file, writes an HTML report into --report-dir when set, and prints what it
measured as JSON: stages, principals, findings, whether the open findings are exactly the
planted problems, the database size and its own peak resident memory.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if endpoints == "" || dbPath == "" {
				return usageErr(fmt.Errorf("--endpoints and --db-file are required"))
			}
			if heapProfile != "" {
				stop := profileHeapPeaks(heapProfile)
				defer func() {
					if err := stop(); err != nil {
						fmt.Fprintf(a.stderr, "provost: heap profile: %v\n", err)
					}
				}()
			}
			r, err := a.benchAudit(cmd.Context(), endpoints, dbPath, reportDir)
			if err != nil {
				return err
			}
			return json.NewEncoder(a.stdout).Encode(r)
		},
	}
	cmd.Annotations = map[string]string{annotationNoConfig: "true"}
	fl := cmd.Flags()
	fl.StringVar(&endpoints, "endpoints", "", "the sandbox's endpoints file (bench sandbox --ready-file)")
	fl.StringVar(&dbPath, "db-file", "", "database file")
	fl.StringVar(&reportDir, "report-dir", "", "directory for the HTML report; none when empty")
	fl.StringVar(&heapProfile, "heap-profile", "", "write a pprof heap profile here each time the live heap reaches a new high")
	return cmd
}

func (a *app) benchAudit(ctx context.Context, endpointsPath, dbPath, reportDir string) (*benchAuditResult, error) {
	var ep sandbox.Endpoints
	if err := readJSONFile(endpointsPath, &ep); err != nil {
		return nil, err
	}
	var planted []sandbox.Planted
	if err := readJSONFile(ep.PlantedPath, &planted); err != nil {
		return nil, err
	}
	mapping, err := collector.LoadMapping(ep.MappingPath)
	if err != nil {
		return nil, err
	}
	srcs, err := ep.Sources(ctx, a.logger)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(dbPath, store.Options{Timeout: 2 * time.Second, Logger: a.logger})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	cfg := policy.DefaultConfig()
	cfg.OrgDomains, cfg.ProtectedPrincipals = ep.OrgDomains, ep.Protected
	opts := audit.Options{Sources: srcs, Collect: ep.RunOptions(mapping, a.logger), Store: db, PolicyConfig: cfg,
		Now: ep.Clock(), Logger: a.logger, ReportTitle: "Acme Health bench"}
	if reportDir != "" {
		opts.ReportDir, opts.ReportFormats = reportDir, []reports.Format{reports.FormatHTML}
	}
	peaks := map[string]int64{}
	stagePeak := func(stage string) {
		peaks[stage] = max(peaks[stage], peakRSS())
		if !resetPeakRSS() {
			peaks = nil
		}
	}
	stagePeak("setup")
	if peaks != nil {
		opts.StageDone = func(s audit.Stage) { stagePeak(benchStageOf[s.Name]) }
	}
	res, err := audit.Run(ctx, opts)
	if err != nil {
		return nil, err
	}
	for _, c := range res.Coverage {
		if !c.Complete() {
			return nil, fmt.Errorf("collect: %s %s is %s: %s", c.Source, c.Scope, c.Status, c.Error)
		}
	}
	if len(res.Problems) > 0 {
		return nil, fmt.Errorf("audit: %v", res.Problems)
	}
	r := &benchAuditResult{Principals: len(res.Snapshot.Principals), Findings: len(res.Findings),
		Stages: map[string]float64{}, PlantedFound: plantedFound(planted, res.Findings), MemoryLimit: memoryLimit()}
	for _, s := range res.Stages {
		r.Stages[benchStageOf[s.Name]] += s.Duration.Seconds()
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	st, err := os.Stat(dbPath)
	if err != nil {
		return nil, err
	}
	r.DBBytes = st.Size()
	r.PeakRSSBytes = peakRSS()
	if peaks != nil {
		peaks["after"] = r.PeakRSSBytes
		for _, p := range peaks {
			r.PeakRSSBytes = max(r.PeakRSSBytes, p)
		}
		r.StagePeaks = peaks
	}
	return r, nil
}

// profileHeapPeaks checks the live heap every 50ms and writes a heap profile to path each
// time it is higher than ever before, so that the file shows what was live at the peak (as of
// the last garbage collection). stop ends the sampling and returns the first write error.
func profileHeapPeaks(path string) (stop func() error) {
	done := make(chan struct{})
	finished := make(chan error, 1)
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	go func() {
		var high uint64
		var first error
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				finished <- first
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > high+high/50 {
				high = v
				if err := writeHeapProfile(path); err != nil && first == nil {
					first = err
				}
			}
		}
	}()
	return func() error {
		close(done)
		return <-finished
	}
}

func writeHeapProfile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readJSONFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// plantedFound reports whether the open findings are exactly the planted (check, principal)
// pairs.
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
