package cli

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/store"
)

func (a *app) newScanCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "scan",
		Short: "Collect every configured source into a new snapshot",
		Long: `scan runs every configured source in parallel, links accounts to people, stores the result as
a new snapshot and prints a summary with the coverage of each source and scope. A source that
fails does not stop the others: its coverage says what could not be seen and why.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sum, err := a.scan(cmd.Context())
			if err != nil {
				return err
			}
			return a.printScan(sum)
		},
	}
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
}

func (a *app) scan(ctx context.Context) (*scanSummary, error) {
	sources, err := buildSources(ctx, a.cfg, a.logger)
	if err != nil {
		return nil, err
	}
	if len(sources) == 0 {
		return nil, usageErr(fmt.Errorf("no sources configured: add a [[sources.static]], [[sources.aws]] or [[sources.gcp]] table to the config (see config.example.toml), or run `provost demo`"))
	}

	// Open the store first: a locked or corrupt database should stop the scan before it calls
	// any cloud API.
	db, err := store.Open(a.cfg.Store.Path, store.Options{Timeout: time.Duration(a.cfg.Store.LockTimeout), Logger: a.logger})
	if err != nil {
		return nil, err
	}
	defer db.Close()

	linking, err := linkOptions(a.cfg)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	snap, err := collector.Run(ctx, sources, collector.RunOptions{
		Timeout:        time.Duration(a.cfg.Collect.Timeout),
		Parallelism:    a.cfg.Collect.Parallelism,
		Logger:         a.logger,
		Linking:        linking,
		ProvostVersion: version(),
		Progress:       a.progress(len(sources)),
	})
	if err != nil {
		return nil, fmt.Errorf("collect: %w", err)
	}
	if err := db.PutSnapshot(ctx, snap); err != nil {
		return nil, fmt.Errorf("store snapshot: %w", err)
	}
	pruned, err := db.Prune(ctx, store.Retention{KeepLast: a.cfg.Store.KeepLast, KeepDays: a.cfg.Store.KeepDays}, time.Now(), false)
	if err != nil {
		return nil, fmt.Errorf("apply retention: %w", err)
	}

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
		Coverage: snap.Coverage,
		Pruned:   pruned.Deleted,
	}
	for _, c := range snap.Coverage {
		if !c.Complete() {
			sum.Incomplete++
		}
	}
	return sum, nil
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
