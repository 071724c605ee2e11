package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X github.com/provost-dev/provost/cli.Version=v1.2.3".
var Version = "dev"

// version returns Version, or the module version when built with `go install …@vX`.
func version() string {
	if Version != "dev" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return Version
}

func (a *app) newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:         "version",
		Short:       "Print the version of provost",
		Args:        noArgs,
		Annotations: map[string]string{annotationNoConfig: "true"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := map[string]string{
				"version": version(),
				"go":      runtime.Version(),
				"os_arch": runtime.GOOS + "/" + runtime.GOARCH,
			}
			if a.output == "json" {
				return writeJSON(a.stdout, info)
			}
			_, err := fmt.Fprintf(a.stdout, "provost %s (%s, %s)\n", info["version"], info["go"], info["os_arch"])
			return err
		},
	}
}
