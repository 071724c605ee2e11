package cli

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/provost-dev/provost/audit"
	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/config"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/reports"
	"github.com/provost-dev/provost/store"
)

func (a *app) newScanCommand() *cobra.Command {
	var failOn string
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Collect every configured source into a new snapshot and evaluate the policies",
		Long: `scan runs every configured source in parallel, links accounts to people, stores the result as
a new snapshot, evaluates the policies over it, carries each finding's history forward from the
previous scan and stores the findings. It prints a summary with the coverage of each source and
scope and the open findings by severity. A source that fails does not stop the others: its
coverage says what could not be seen and why.

With a [reports] table in the config, scan also writes a report in each of its formats into its
directory (files 0600, replaced on each scan).

--fail-on SEVERITY makes scan exit with code 3 when open findings at or above that severity
exist (for CI pipelines).

When [remediation] is enabled, scan also runs the remediation stage: it marks new violators
(the grace period starts) and applies the automatic steps whose grace has passed, through every
guard. --no-remediate skips that stage.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var min finding.Severity
			if failOn != "" {
				var err error
				if min, err = parseSeverity("--fail-on", failOn); err != nil {
					return err
				}
			}
			formats, err := reportFormats(a.cfg.Reports)
			if err != nil {
				return err
			}
			sum, res, err := a.scan(cmd.Context(), a.cfg.Reports.Dir, formats)
			if err != nil {
				return err
			}
			if err := a.printScan(sum); err != nil {
				return err
			}
			return failOnErr(res, min)
		},
	}
	cmd.Flags().BoolVar(&a.noRemediate, "no-remediate", false, "skip the remediation stage even when [remediation] is enabled")
	cmd.Flags().StringVar(&failOn, "fail-on", "", "exit 3 when open findings at or above this severity exist: info, low, medium, high, critical")
	return cmd
}

// reportFormats reads the config's [reports] formats; config validated the names already, so
// an error here means the two lists of format names disagree.
func reportFormats(c config.Reports) ([]reports.Format, error) {
	out := make([]reports.Format, 0, len(c.Formats))
	for _, name := range c.Formats {
		f, err := reports.ParseFormat(name)
		if err != nil {
			return nil, usageErr(fmt.Errorf("reports.formats: %w", err))
		}
		out = append(out, f)
	}
	return out, nil
}

// failOnErr is the --fail-on verdict: exit 3 when res has open findings at or above min.
func failOnErr(res *audit.Result, min finding.Severity) error {
	if min == 0 {
		return nil
	}
	if n := res.OpenAtLeast(min); n > 0 {
		return &exitError{code: ExitFindings, err: fmt.Errorf("%d open finding(s) at or above %s (--fail-on)", n, min)}
	}
	return nil
}

// scanSummary is what `provost scan` reports.
type scanSummary struct {
	Snapshot   string               `json:"snapshot"`
	Database   string               `json:"database"`
	Duration   string               `json:"duration"`
	Counts     map[string]int       `json:"counts"`
	Coverage   []inventory.Coverage `json:"coverage"`
	Pruned     []string             `json:"pruned,omitempty"`
	Incomplete int                  `json:"incomplete_scopes"`
	Findings   findingsSummary      `json:"findings"`
	Reports    []string             `json:"reports,omitempty"`
	Problems   []string             `json:"problems,omitempty"`
}

// findingsSummary counts a scan's findings.
type findingsSummary struct {
	Open         map[string]int `json:"open"` // by severity
	New          int            `json:"new"`
	Resolved     int            `json:"resolved"`
	Waived       int            `json:"waived"`
	PolicyErrors int            `json:"policy_errors"`
	Previous     string         `json:"previous,omitempty"`
}

// scan runs one audit pass (audit.Run) over the configured sources, writing reports in formats
// into reportDir when formats is not empty. `provost demo` reuses it with its own a.cfg.
func (a *app) scan(ctx context.Context, reportDir string, formats []reports.Format) (*scanSummary, *audit.Result, error) {
	sources, err := buildSources(ctx, a.cfg, a.logger)
	if err != nil {
		return nil, nil, err
	}
	if len(sources) == 0 {
		return nil, nil, usageErr(fmt.Errorf("no sources configured: add a [[sources.static]], [[sources.aws]] or [[sources.gcp]] table to the config (see config.example.toml), or run `provost demo`"))
	}
	// Load the policies and open the store first: a broken policy, a locked or corrupt
	// database should stop the scan before it calls any cloud API.
	lib, waivers, err := a.loadPolicies(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(a.cfg.Store.Path, store.Options{Timeout: time.Duration(a.cfg.Store.LockTimeout), Logger: a.logger})
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()

	linking, err := linkOptions(a.cfg)
	if err != nil {
		return nil, nil, err
	}
	rem, err := a.auditRemediation(ctx)
	if err != nil {
		return nil, nil, err
	}
	start := time.Now()
	res, err := audit.Run(ctx, audit.Options{
		Sources: sources,
		Collect: collector.RunOptions{
			Timeout:        time.Duration(a.cfg.Collect.Timeout),
			Parallelism:    a.cfg.Collect.Parallelism,
			Logger:         a.logger,
			Linking:        linking,
			ProvostVersion: version(),
			Progress:       a.progress(len(sources)),
		},
		Store:         db,
		Library:       lib,
		PolicyConfig:  policyConfig(a.cfg.Policy),
		Waivers:       waivers,
		Retention:     store.Retention{KeepLast: a.cfg.Store.KeepLast, KeepDays: a.cfg.Store.KeepDays},
		ReportDir:     reportDir,
		ReportFormats: formats,
		Remediation:   rem,
		Logger:        a.logger,
	})
	if err != nil {
		return nil, nil, err
	}
	snap := res.Snapshot
	sum := &scanSummary{
		Snapshot: snap.ID,
		Database: a.cfg.Store.Path,
		Duration: fmtDuration(time.Since(start)),
		Counts: map[string]int{
			"accounts":    len(snap.Accounts),
			"principals":  len(snap.Principals),
			"people":      len(snap.People),
			"policy_docs": len(snap.PolicyDocs),
		},
		Coverage:   snap.Coverage,
		Pruned:     res.Pruned,
		Incomplete: res.Incomplete,
		Findings: findingsSummary{
			Open: res.Open, New: res.New, Resolved: res.Resolved, Waived: res.Waived,
			PolicyErrors: res.Errors, Previous: res.PreviousID,
		},
		Reports:  res.Reports,
		Problems: res.Problems,
	}
	return sum, res, nil
}

func (a *app) printScan(s *scanSummary) error {
	if a.output == "json" {
		return writeJSON(a.stdout, s)
	}
	fmt.Fprintf(a.stdout, "Snapshot %s stored in %s (%s)\n", s.Snapshot, s.Database, s.Duration)
	fmt.Fprintf(a.stdout, "  %d principals, %d people, %d accounts, %d policy documents\n\n",
		s.Counts["principals"], s.Counts["people"], s.Counts["accounts"], s.Counts["policy_docs"])
	if err := printCoverage(a.stdout, s.Coverage); err != nil {
		return err
	}
	if s.Incomplete > 0 {
		fmt.Fprintf(a.stdout, "\nWARNING: %d scope(s) were not collected completely; their principals are reported but never remediated.\n", s.Incomplete)
	}
	f := s.Findings
	fmt.Fprintf(a.stdout, "\nOpen findings: %d critical, %d high, %d medium, %d low, %d info",
		f.Open["critical"], f.Open["high"], f.Open["medium"], f.Open["low"], f.Open["info"])
	if f.Previous != "" {
		fmt.Fprintf(a.stdout, " (%d new, %d resolved since %s)", f.New, f.Resolved, f.Previous)
	}
	fmt.Fprintln(a.stdout)
	if f.Waived > 0 || f.PolicyErrors > 0 {
		fmt.Fprintf(a.stdout, "  %d waived, %d policy error(s)\n", f.Waived, f.PolicyErrors)
	}
	for _, p := range s.Problems {
		fmt.Fprintf(a.stdout, "WARNING: %s\n", p)
	}
	if len(s.Pruned) > 0 {
		fmt.Fprintf(a.stdout, "\nRetention removed %d old snapshot(s).\n", len(s.Pruned))
	}
	return nil
}

func printCoverage(w interface{ Write([]byte) (int, error) }, cov []inventory.Coverage) error {
	t := newTable(w, "SOURCE", "SCOPE", "STATUS", "PRINCIPALS", "PEOPLE", "ERROR")
	for _, c := range cov {
		errText := c.Error
		if c.ErrorKind != "" {
			errText = string(c.ErrorKind) + ": " + c.Error
		}
		t.row(c.Source, c.Scope, string(c.Status), countCell(c.Counts, "principals"), countCell(c.Counts, "people"), errText)
	}
	return t.flush()
}

func countCell(m map[string]int, k string) string {
	if v, ok := m[k]; ok {
		return fmt.Sprint(v)
	}
	return ""
}

// progress reports each source as it finishes, on a terminal only; redirected output stays quiet.
func (a *app) progress(total int) func(source string, done bool, err error) {
	f, ok := a.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var mu sync.Mutex
	finished := 0
	return func(source string, done bool, err error) {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			fmt.Fprintf(a.stderr, "  … %s\n", source)
			return
		}
		finished++
		mark := "ok"
		if err != nil {
			mark = "failed: " + oneLine(err)
		}
		fmt.Fprintf(a.stderr, "  [%d/%d] %s %s\n", finished, total, source, mark)
	}
}
