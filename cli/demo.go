package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/config"
	"github.com/provost-dev/provost/reports"
	"github.com/provost-dev/provost/sandbox"
)

func (a *app) newDemoCommand() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run Provost end to end on the embedded example organisation",
		Long: `demo writes the embedded example organisation ("Acme Health") into --dir, runs the full audit
on it (scan, policies, findings history) into a database there, writes the HTML report plus JSON,
SARIF and CSV beside it, and prints the summary, with no cloud account needed. Run it again to
add a snapshot to the history.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sum, err := a.runDemo(cmd.Context(), dir)
			if err != nil {
				return err
			}
			if err := a.printScan(sum); err != nil {
				return err
			}
			if a.output == "table" {
				fmt.Fprintf(a.stdout, "\nReports:\n")
				for _, p := range sum.Reports {
					fmt.Fprintf(a.stdout, "  %s\n", p)
				}
				db := a.cfg.Store.Path
				fmt.Fprintf(a.stdout, "\nNext:\n  go run ./cmd/provost findings --db %s\n  go run ./cmd/provost findings --db %s --severity high -o json\n  go run ./cmd/provost report --db %s --format html,markdown --out %s\n  go run ./cmd/provost snapshots list --db %s\n",
					db, db, db, filepath.Join(dir, "reports"), db)
			}
			return nil
		},
	}
	cmd.Annotations = map[string]string{annotationNoConfig: "true"}
	cmd.Flags().StringVar(&dir, "dir", "provost-demo", "directory for the demo's data and database")
	return cmd
}

// demoFormats are the reports `provost demo` writes.
var demoFormats = []reports.Format{reports.FormatHTML, reports.FormatJSON, reports.FormatSARIF, reports.FormatCSV}

// runDemo writes the example organisation into dir and runs one full audit of it, with the
// database (unless --db) and the reports in dir. It is the demo's one audit call.
func (a *app) runDemo(ctx context.Context, dir string) (*scanSummary, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create demo directory: %w", err)
	}
	orgFile := filepath.Join(dir, "example-org.json")
	if err := os.WriteFile(orgFile, sandbox.ExampleOrg(), 0o600); err != nil {
		return nil, fmt.Errorf("write example organisation: %w", err)
	}
	cfg := config.Default()
	cfg.Store.Path = filepath.Join(dir, "provost.db")
	if a.dbPath != "" {
		cfg.Store.Path = a.dbPath
	}
	cfg.Sources.Static = []config.StaticSource{{Name: "acme-health", Path: orgFile}}
	a.cfg = cfg
	sum, _, err := a.scan(ctx, dir, demoFormats)
	return sum, err
}
