package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) newConfigCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Work with the configuration file",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "validate",
		Short: "Check the configuration file and report every problem at once",
		Long: `validate loads the configuration (--config, or ./provost.toml), expands ${ENV} references and
checks every value. Problems are listed together, each with file, line and key; the exit code is
2 when there is any.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// setup has already loaded and validated the file; reaching here means it is valid.
			path := a.configFile
			if path == "" {
				path = "(no configuration file: defaults)"
			}
			n := len(buildSourceNames(a.cfg))
			if a.output == "json" {
				return writeJSON(a.stdout, map[string]any{"file": path, "valid": true, "sources": n})
			}
			fmt.Fprintf(a.stdout, "%s: valid (%d source(s))\n", path, n)
			return nil
		},
	})
	return cmd
}
