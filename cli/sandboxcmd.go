package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/sandbox"
)

// newBenchSandboxCommand is `provost bench sandbox`, hidden: the sandbox as a child process
// that bench talks to over its stdin and stdout (see sandbox.Serve), so that the audit bench
// measures holds none of the fakes' memory.
func (a *app) newBenchSandboxCommand() *cobra.Command {
	var opts sandbox.ServeOptions
	cmd := &cobra.Command{
		Use:    "sandbox",
		Short:  "Serve the synthetic organisation for bench (internal)",
		Hidden: true,
		Long: `sandbox generates the synthetic organisation, serves it with the fake AWS and Google Cloud on
127.0.0.1 and writes one JSON line on stdout with the endpoints (also to --ready-file). It then
answers commands read from stdin, one per line, each with one JSON line: "advance [DAYS]" moves
the organisation on, "stats" counts the API calls since the start or the last advance. It stops
when stdin closes, e.g. when its parent dies.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Generate.Scale <= 0 {
				return usageErr(fmt.Errorf("--scale %d: want a positive number", opts.Generate.Scale))
			}
			if opts.Dir == "" {
				return usageErr(fmt.Errorf("--dir is required"))
			}
			opts.Logger = a.logger
			return sandbox.Serve(cmd.Context(), a.stdin, a.stdout, opts)
		},
	}
	cmd.Annotations = map[string]string{annotationNoConfig: "true"}
	fl := cmd.Flags()
	fl.IntVar(&opts.Generate.Scale, "scale", sandbox.DefaultScale, "approximate number of principals to generate")
	fl.Uint64Var(&opts.Generate.Seed, "seed", 0, "generator seed")
	fl.StringVar(&opts.Dir, "dir", "", "directory for the HR export, mapping file and planted problems")
	fl.StringVar(&opts.ReadyFile, "ready-file", "", "file that receives the endpoints (JSON) once serving and after each advance")
	return cmd
}
