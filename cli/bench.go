package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/sandbox"
)

// benchResult is one scale's end-to-end audit measurement.
type benchResult struct {
	Scale      int `json:"scale"`
	Principals int `json:"principals"`
	Findings   int `json:"findings"`
	// Stages are seconds per stage (benchStages): generate, seed and baseline prepare the
	// measured (day-2) audit, whose stages are the rest.
	Stages map[string]float64 `json:"stages_seconds"`
	// EndToEnd is the sum of the measured audit's stages.
	EndToEnd            float64 `json:"end_to_end_seconds"`
	PrincipalsPerSecond float64 `json:"principals_per_second"`
	// PeakRSSBytes is the measured audit process's peak resident set (VmHWM); BaselinePeak
	// that of the baseline audit's process and SandboxPeak that of the sandbox process
	// serving the fakes.
	PeakRSSBytes         int64 `json:"peak_rss_bytes"`
	BaselinePeakRSSBytes int64 `json:"baseline_peak_rss_bytes"`
	SandboxPeakRSSBytes  int64 `json:"sandbox_peak_rss_bytes"`
	// PeakBytesPerPrincipal is PeakRSSBytes over Principals.
	PeakBytesPerPrincipal float64 `json:"peak_bytes_per_principal"`
	DBBytesPerPrincipal   float64 `json:"db_bytes_per_principal"`
	APICallsPer1kPrincip  float64 `json:"api_calls_per_1k_principals"`
	PlantedFound          bool    `json:"planted_found"`
	// MemoryLimit is the audit process's Go soft memory limit (GOMEMLIMIT) when one was set.
	MemoryLimit int64 `json:"memory_limit_bytes,omitempty"`
	// StagePeaks is the measured audit process's peak resident set in each stage ("setup"
	// before the first, "after" once the run is done), when the kernel allows resetting it.
	StagePeaks map[string]int64 `json:"stage_peak_rss_bytes,omitempty"`
	// PeakLiveHeap and StageLiveHeap are the measured audit's highest live heap (what garbage
	// collection kept) overall and in each stage: the part of the peak that is data, not
	// garbage waiting for collection or memory not yet returned to the system.
	PeakLiveHeap  int64            `json:"peak_live_heap_bytes"`
	StageLiveHeap map[string]int64 `json:"stage_live_heap_bytes,omitempty"`
}

var benchStages = []string{"generate", "seed", "baseline", "collect", "store", "diff", "evaluate", "findings", "report"}

// measuredStages are the stages of the measured audit, summed into EndToEnd.
var measuredStages = []string{"collect", "store", "diff", "evaluate", "findings", "report"}

func (a *app) newBenchCommand() *cobra.Command {
	var scales, memLimit string
	var seed uint64
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure an end-to-end audit of the synthetic organisation at several scales",
		Long: `bench measures, at each scale, an audit of the synthetic "Acme Health" organisation the way
scan runs one. Three processes take part, started afresh for each scale so that one scale's
memory does not show in the next:

  - a sandbox process generates the organisation and serves it with the fake AWS and Google
    Cloud on 127.0.0.1 (it stands in for the clouds, so its memory is not the audit's);
  - a baseline audit process scans it once into a new database (yesterday's scan);
  - the sandbox advances the organisation by a day, and a second audit process runs the
    measured audit against the same database: collect (the real collectors over loopback),
    store (bbolt, with retention), diff (drift against the stored baseline, reading only the
    changed records), evaluate (loading and running the bundled checks), findings (lifecycle
    merged with the baseline's findings and stored) and report (HTML, with the KPIs).

It prints the time per stage, principals per second, the peak resident memory (VmHWM) of the
measured audit process, of the baseline's and of the sandbox's, database bytes per principal
and API calls per 1,000 principals, and checks that the findings are exactly the planted
problems, the day's drift included. Below the table it gives, for each stage of the measured
audit, its peak resident memory (the kernel's peak is reset between stages) and its highest
live heap (what garbage collection kept, sampled every 20ms).

Garbage collection is the Go runtime's default unless told otherwise: --memory-limit sets a
soft memory limit (GOMEMLIMIT) for the audit processes, which then collect garbage more often
as they near it instead of letting the heap grow to twice what is live; GOMEMLIMIT and GOGC in
the environment apply too. A limit in force is printed with the results. It is a soft limit:
a process whose live data exceed it goes over it (and spends more time collecting).`,
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
			var env []string
			if memLimit != "" {
				if _, err := parseByteSize(memLimit); err != nil {
					return usageErr(fmt.Errorf("--memory-limit %q: %w", memLimit, err))
				}
				env = []string{"GOMEMLIMIT=" + memLimit}
			}
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			var results []benchResult
			for _, n := range list {
				r, err := a.benchScale(cmd.Context(), exe, env, n, seed)
				if err != nil {
					return fmt.Errorf("bench at scale %d: %w", n, err)
				}
				results = append(results, *r)
			}
			if a.output == "json" {
				return writeJSON(a.stdout, results)
			}
			return printBench(a.stdout, results)
		},
	}
	cmd.Annotations = map[string]string{annotationNoConfig: "true"}
	cmd.Flags().StringVar(&scales, "scale", "10000,100000", "principal counts to measure, comma-separated")
	cmd.Flags().Uint64Var(&seed, "seed", 0, "generator seed")
	cmd.Flags().StringVar(&memLimit, "memory-limit", "", "Go soft memory limit of the audit processes (GOMEMLIMIT syntax, e.g. 3GiB); default none, or GOMEMLIMIT from the environment")
	cmd.AddCommand(a.newBenchSandboxCommand(), a.newBenchAuditCommand())
	return cmd
}

// benchScale measures one scale: a sandbox process, a baseline audit process and the measured
// audit process, all children of this one.
func (a *app) benchScale(ctx context.Context, exe string, env []string, scale int, seed uint64) (*benchResult, error) {
	r := &benchResult{Scale: scale, Stages: map[string]float64{}}
	dir, err := os.MkdirTemp("", "provost-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	// The children write to stderr at the same time: one lock for both, unless it is a file
	// (which each child then writes to directly).
	stderr := a.stderr
	if _, ok := stderr.(*os.File); !ok {
		stderr = &lockedWriter{w: stderr}
	}
	sb, err := startBenchSandbox(ctx, exe, stderr, scale, seed, dir)
	if err != nil {
		return nil, err
	}
	defer sb.close()
	r.Stages["generate"] += sb.status.GenerateSeconds
	r.Stages["seed"] += sb.status.LoadSeconds

	db := filepath.Join(dir, "provost.db")
	args := []string{"bench", "audit", "--endpoints", sb.readyFile, "--db-file", db}
	t := time.Now()
	base, err := runBenchAudit(ctx, exe, env, stderr, args...)
	if err != nil {
		return nil, fmt.Errorf("baseline audit: %w", err)
	}
	r.Stages["baseline"] = time.Since(t).Seconds()
	r.BaselinePeakRSSBytes = base.PeakRSSBytes

	st, err := sb.command("advance")
	if err != nil {
		return nil, err
	}
	r.Stages["generate"] += st.GenerateSeconds
	r.Stages["seed"] += st.LoadSeconds

	m, err := runBenchAudit(ctx, exe, env, stderr, append(args, "--report-dir", filepath.Join(dir, "reports"))...)
	if err != nil {
		return nil, fmt.Errorf("measured audit: %w", err)
	}
	st, err = sb.command("stats")
	if err != nil {
		return nil, err
	}
	r.SandboxPeakRSSBytes = peakRSSOf(fmt.Sprintf("/proc/%d/status", sb.cmd.Process.Pid))
	if err := sb.close(); err != nil {
		return nil, err
	}

	for s, v := range m.Stages {
		r.Stages[s] += v
	}
	for _, s := range measuredStages {
		r.EndToEnd += r.Stages[s]
	}
	r.Principals, r.Findings, r.PlantedFound = m.Principals, m.Findings, m.PlantedFound
	r.PeakRSSBytes, r.MemoryLimit, r.StagePeaks = m.PeakRSSBytes, m.MemoryLimit, m.StagePeaks
	r.PeakLiveHeap, r.StageLiveHeap = m.PeakLiveHeap, m.StageLiveHeap
	if r.EndToEnd > 0 {
		r.PrincipalsPerSecond = float64(r.Principals) / r.EndToEnd
	}
	if r.Principals > 0 {
		r.DBBytesPerPrincipal = float64(m.DBBytes) / float64(r.Principals)
		r.PeakBytesPerPrincipal = float64(r.PeakRSSBytes) / float64(r.Principals)
		r.APICallsPer1kPrincip = float64(st.Calls) * 1000 / float64(r.Principals)
	}
	return r, nil
}

// lockedWriter serialises writes from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// benchSandbox is a running `provost bench sandbox` child.
type benchSandbox struct {
	cmd       *exec.Cmd
	in        io.WriteCloser
	out       *bufio.Scanner
	readyFile string
	status    sandbox.Status // the last answer
	closed    bool
	waitErr   error
}

func startBenchSandbox(ctx context.Context, exe string, stderr io.Writer, scale int, seed uint64, dir string) (*benchSandbox, error) {
	sb := &benchSandbox{readyFile: filepath.Join(dir, "endpoints.json")}
	sb.cmd = exec.CommandContext(ctx, exe, "bench", "sandbox", "--scale", strconv.Itoa(scale),
		"--seed", strconv.FormatUint(seed, 10), "--dir", filepath.Join(dir, "sandbox"), "--ready-file", sb.readyFile)
	sb.cmd.Stderr = stderr
	dieWithParent(sb.cmd)
	var err error
	if sb.in, err = sb.cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	out, err := sb.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	sb.out = bufio.NewScanner(out)
	if err := sb.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start sandbox: %w", err)
	}
	if err := sb.read(); err != nil {
		sb.close()
		return nil, err
	}
	return sb, nil
}

// command sends one command and reads its answer.
func (sb *benchSandbox) command(c string) (sandbox.Status, error) {
	if _, err := io.WriteString(sb.in, c+"\n"); err != nil {
		return sandbox.Status{}, fmt.Errorf("sandbox %s: %w", c, err)
	}
	if err := sb.read(); err != nil {
		return sandbox.Status{}, fmt.Errorf("sandbox %s: %w", c, err)
	}
	return sb.status, nil
}

func (sb *benchSandbox) read() error {
	if !sb.out.Scan() {
		err := sb.out.Err()
		if err == nil {
			err = fmt.Errorf("sandbox exited: %w", sb.close())
		}
		return err
	}
	var st sandbox.Status
	if err := json.Unmarshal(sb.out.Bytes(), &st); err != nil {
		return fmt.Errorf("sandbox said %q: %w", sb.out.Text(), err)
	}
	if st.Error != "" {
		return fmt.Errorf("sandbox: %s", st.Error)
	}
	sb.status = st
	return nil
}

// close closes the child's stdin, which stops it, and waits for it to exit.
func (sb *benchSandbox) close() error {
	if sb.closed {
		return sb.waitErr
	}
	sb.closed = true
	sb.in.Close()
	sb.waitErr = sb.cmd.Wait()
	return sb.waitErr
}

// runBenchAudit runs `provost bench audit` in a new process, with env added to this
// process's environment, and decodes its result.
func runBenchAudit(ctx context.Context, exe string, env []string, stderr io.Writer, args ...string) (*benchAuditResult, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Stdout, cmd.Stderr = &out, stderr
	dieWithParent(cmd)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	if err := cmd.Run(); err != nil {
		return nil, err
	}
	var r benchAuditResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		return nil, fmt.Errorf("audit process said %q: %w", out.String(), err)
	}
	return &r, nil
}

// parseByteSize reads a size the way the Go runtime reads GOMEMLIMIT: a number of bytes with
// an optional B, KiB, MiB, GiB or TiB suffix.
func parseByteSize(s string) (int64, error) {
	num := s
	unit := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, unit = n, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/unit {
		return 0, errors.New("want a positive number of bytes with an optional B, KiB, MiB, GiB or TiB suffix, e.g. 3GiB")
	}
	return n * unit, nil
}

// memoryLimit is the Go soft memory limit in force, 0 when there is none.
func memoryLimit() int64 {
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		return l
	}
	return 0
}

// peakRSS is this process's peak resident set size (VmHWM), or 0 where /proc is missing.
func peakRSS() int64 { return peakRSSOf("/proc/self/status") }

// resetPeakRSS sets this process's VmHWM back to its current resident set (Linux ≥ 4.0), so
// that the next peakRSS is the peak since now. It reports whether it could.
func resetPeakRSS() bool { return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil }

// peakRSSOf reads VmHWM from a /proc/<pid>/status file; 0 when it cannot.
func peakRSSOf(path string) int64 {
	b, err := os.ReadFile(path)
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
	header = append(header, "END-TO-END s", "PRINCIPALS/s", "PEAK AUDIT MiB", "AUDIT B/PRINCIPAL", "PEAK BASELINE MiB", "PEAK SANDBOX MiB",
		"DB B/PRINCIPAL", "CALLS/1k", "PLANTED")
	t := newTable(w, header...)
	limits := map[int64]bool{}
	for _, r := range results {
		row := []string{strconv.Itoa(r.Scale), strconv.Itoa(r.Principals)}
		for _, s := range benchStages {
			row = append(row, fmt.Sprintf("%.2f", r.Stages[s]))
		}
		row = append(row, fmt.Sprintf("%.2f", r.EndToEnd), fmt.Sprintf("%.0f", r.PrincipalsPerSecond),
			fmt.Sprintf("%d", r.PeakRSSBytes>>20), fmt.Sprintf("%.0f", r.PeakBytesPerPrincipal), fmt.Sprintf("%d", r.BaselinePeakRSSBytes>>20),
			fmt.Sprintf("%d", r.SandboxPeakRSSBytes>>20), fmt.Sprintf("%.0f", r.DBBytesPerPrincipal),
			fmt.Sprintf("%.1f", r.APICallsPer1kPrincip), map[bool]string{true: "all found", false: "MISSING"}[r.PlantedFound])
		t.row(row...)
		if r.MemoryLimit > 0 {
			limits[r.MemoryLimit] = true
		}
	}
	if err := t.flush(); err != nil {
		return err
	}
	for _, r := range results {
		if len(r.StagePeaks) == 0 {
			continue
		}
		var parts []string
		for _, s := range append([]string{"setup"}, append(measuredStages, "after")...) {
			if p, ok := r.StagePeaks[s]; ok {
				parts = append(parts, fmt.Sprintf("%s %d/%d", s, p>>20, r.StageLiveHeap[s]>>20))
			}
		}
		if _, err := fmt.Fprintf(w, "\nScale %d, measured audit by stage, peak resident/live heap MiB: %s.", r.Scale, strings.Join(parts, ", ")); err != nil {
			return err
		}
	}
	if len(results) > 0 && len(results[0].StagePeaks) > 0 {
		fmt.Fprintln(w)
	}
	for l := range limits {
		if _, err := fmt.Fprintf(w, "\nThe audit processes ran with a Go soft memory limit (GOMEMLIMIT) of %d MiB.\n", l>>20); err != nil {
			return err
		}
	}
	return nil
}
