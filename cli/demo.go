package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/config"
	"github.com/provost-dev/provost/sandbox"
)

func (a *app) newDemoCommand() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run Provost end to end on the embedded example organisation",
		Long: `demo writes the embedded example organisation ("Acme Health") into --dir, scans it into a
database there and prints the summary, with no cloud account needed. Run it again to add a
snapshot to the history.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return fmt.Errorf("create demo directory: %w", err)
			}
			orgFile := filepath.Join(dir, "example-org.json")
			if err := os.WriteFile(orgFile, sandbox.ExampleOrg(), 0o600); err != nil {
				return fmt.Errorf("write example organisation: %w", err)
			}
			cfg := config.Default()
			cfg.Store.Path = filepath.Join(dir, "provost.db")
			if a.dbPath != "" {
				cfg.Store.Path = a.dbPath
			}
			cfg.Sources.Static = []config.StaticSource{{Name: "acme-health", Path: orgFile}}
			a.cfg = cfg

			sum, err := a.scan(cmd.Context())
			if err != nil {
				return err
			}
			if err := a.printScan(sum); err != nil {
				return err
			}
			if a.output == "table" {
				fmt.Fprintf(a.stdout, "\nNext:\n  go run ./cmd/provost snapshots list --db %s\n  go run ./cmd/provost snapshots show latest --db %s -o json\n",
					cfg.Store.Path, cfg.Store.Path)
			}
			return nil
		},
	}
	cmd.Annotations = map[string]string{annotationNoConfig: "true"}
	cmd.Flags().StringVar(&dir, "dir", "provost-demo", "directory for the demo's data and database")
	return cmd
}
