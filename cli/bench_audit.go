package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
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
	// PeakLiveHeap and StageLiveHeap are the highest live heap (what the last garbage
	// collection kept, sampled every 20ms) in the run and in each stage.
	PeakLiveHeap  int64            `json:"peak_live_heap_bytes"`
	StageLiveHeap map[string]int64 `json:"stage_live_heap_bytes,omitempty"`
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
			watch, err := startHeapWatcher(heapProfile)
			if err != nil {
				return fmt.Errorf("heap profile: %w", err)
			}
			defer watch.stop()
			r, err := a.benchAudit(cmd.Context(), endpoints, dbPath, reportDir, watch)
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
	fl.StringVar(&heapProfile, "heap-profile", "", "directory for one pprof heap profile per stage, taken at the stage's highest live heap")
	return cmd
}

func (a *app) benchAudit(ctx context.Context, endpointsPath, dbPath, reportDir string, watch *heapWatcher) (*benchAuditResult, error) {
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
	watch.stageDone("setup", "setup")
	opts.StageDone = func(s audit.Stage) {
		if peaks != nil {
			stagePeak(benchStageOf[s.Name])
		}
		watch.stageDone(benchStageOf[s.Name], s.Name)
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
	var werr error
	if r.StageLiveHeap, werr = watch.stop(); werr != nil {
		fmt.Fprintf(a.stderr, "provost: heap profile: %v\n", werr)
	}
	for _, v := range r.StageLiveHeap {
		r.PeakLiveHeap = max(r.PeakLiveHeap, v)
	}
	if peaks != nil {
		peaks["after"] = r.PeakRSSBytes
		for _, p := range peaks {
			r.PeakRSSBytes = max(r.PeakRSSBytes, p)
		}
		r.StagePeaks = peaks
	}
	return r, nil
}

// heapWatcher samples the live heap (as of the last garbage collection) every 20ms and keeps
// its highest value per stage; with a directory it also writes a heap profile each time the
// live heap is higher than before in the stage, so that each stage's file shows what was live
// at its peak.
type heapWatcher struct {
	dir      string // "" writes no profiles
	mu       sync.Mutex
	high     uint64
	highs    map[string]int64 // per stage
	err      error
	done     chan struct{}
	finished chan struct{}
	stopped  sync.Once
}

func startHeapWatcher(dir string) (*heapWatcher, error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
	}
	h := &heapWatcher{dir: dir, highs: map[string]int64{}, done: make(chan struct{}), finished: make(chan struct{})}
	go func() {
		defer close(h.finished)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-h.done:
				return
			case <-tick.C:
			}
			v := liveHeap()
			h.mu.Lock()
			if v > h.high {
				if h.dir != "" && v > h.high+h.high/50 {
					if err := writeHeapProfile(filepath.Join(h.dir, "current.pprof")); err != nil && h.err == nil {
						h.err = err
					}
				}
				h.high = v
			}
			h.mu.Unlock()
		}
	}()
	return h, nil
}

// stageDone ends a stage: its high is recorded under name (the highest when several stages
// share one), its profile filed as file.pprof.
func (h *heapWatcher) stageDone(name, file string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.high = max(h.high, liveHeap()) // a stage shorter than the sampling period has this one
	h.highs[name] = max(h.highs[name], int64(h.high))
	if h.dir != "" {
		if err := os.Rename(filepath.Join(h.dir, "current.pprof"), filepath.Join(h.dir, file+".pprof")); err != nil && !errors.Is(err, fs.ErrNotExist) && h.err == nil {
			h.err = err
		}
	}
	h.high = 0
}

// stop ends the sampling, recording what came after the last stage as "after", and returns
// the highs per stage and the first error writing a profile. Calls after the first only
// return the same.
func (h *heapWatcher) stop() (map[string]int64, error) {
	h.stopped.Do(func() {
		close(h.done)
		<-h.finished
		h.stageDone("after", "after")
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.highs, h.err
}

// liveHeap is the heap the last garbage collection kept.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
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
