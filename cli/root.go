package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/config"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitFailure  = 1 // the command ran and failed
	ExitUsage    = 2 // bad flags, arguments or configuration
	ExitFindings = 3 // scan --fail-on SEVERITY: open findings at or above SEVERITY exist
)

// app holds what every command shares: the streams, the global flags and, once loaded, the
// configuration and logger.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	configPath string
	configFile string // the file actually loaded; "" when running on defaults
	dbPath     string
	logLevel   string
	output     string

	// noRemediate is scan's --no-remediate.
	noRemediate bool

	cfg    *config.Config
	logger *slog.Logger
}

// Main runs the provost command line with args (without the program name) and returns the
// process exit code. Errors are printed as one line on stderr, never as a stack trace.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	root := a.newRootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)

	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) && ee.err == nil {
		return ee.code
	}
	fmt.Fprintf(stderr, "provost: %s\n", oneLine(err))
	return exitCode(err)
}

func (a *app) newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "provost",
		Short: "Audit who can get into your clouds, whether they still should, and with how much power",
		Long: `Provost snapshots users, roles, service accounts, credentials and permissions from AWS and
Google Cloud, links them to the people in your HR system or directory, evaluates compliance
policies (HIPAA, CIS, SOC 2) and reports what is stale, orphaned or over-privileged.`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return a.setup(cmd) },
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })

	pf := root.PersistentFlags()
	pf.StringVarP(&a.configPath, "config", "c", "", "configuration file (TOML); default ./provost.toml when present")
	pf.StringVar(&a.dbPath, "db", "", "database file (overrides store.path)")
	pf.StringVar(&a.logLevel, "log-level", "", "log level: debug, info, warn, error (overrides log.level)")
	pf.StringVarP(&a.output, "output", "o", "table", "output format: table or json")

	root.AddCommand(
		a.newVersionCommand(),
		a.newConfigCommand(),
		a.newScanCommand(),
		a.newSnapshotsCommand(),
		a.newDemoCommand(),
		a.newDiffCommand(),
		a.newHistoryCommand(),
		a.newAccessCommand(),
		a.newPolicyCommand(),
		a.newFindingsCommand(),
		a.newReportCommand(),
		a.newBenchCommand(),
		a.newServeCommand(),
		a.newRemediateCommand(),
	)
	return root
}

// setup validates the global flags and loads the configuration before any command runs.
func (a *app) setup(cmd *cobra.Command) error {
	switch a.output {
	case "table", "json":
	default:
		return usageErr(fmt.Errorf("invalid --output %q: want table or json", a.output))
	}
	if cmd.Annotations[annotationNoConfig] == "true" {
		a.logger = newLogger(a.stderr, "warn", "text")
		return nil
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	a.cfg = cfg
	level := cfg.Log.Level
	if a.logLevel != "" {
		level = a.logLevel
	}
	switch level {
	case "debug", "info", "warn", "error":
	default:
		return usageErr(fmt.Errorf("invalid --log-level %q: want debug, info, warn or error", level))
	}
	a.logger = newLogger(a.stderr, level, cfg.Log.Format)
	return nil
}

const annotationNoConfig = "provost/no-config"

// loadConfig reads --config, or ./provost.toml when it exists, or the defaults.
func (a *app) loadConfig() (*config.Config, error) {
	path := a.configPath
	if path == "" {
		if _, err := os.Stat("provost.toml"); err == nil {
			path = "provost.toml"
		}
	}
	if path == "" {
		cfg := config.Default()
		a.applyOverrides(cfg)
		return cfg, nil
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	a.configFile = path
	a.applyOverrides(cfg)
	return cfg, nil
}

func (a *app) applyOverrides(cfg *config.Config) {
	if a.dbPath != "" {
		cfg.Store.Path = a.dbPath
	}
}

func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// exitError carries an exit code; with a nil err nothing more is printed.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func usageErr(err error) error { return &exitError{code: ExitUsage, err: err} }

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, config.ErrConfig) {
		return ExitUsage
	}
	return ExitFailure
}

// oneLine folds a multi-error (for example all of a config's problems) into lines that each
// still start on their own, indented under the first.
func oneLine(err error) string {
	return strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "\n  ")
}

// cobra argument validators that report usage errors (exit 2).
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErr(fmt.Errorf("%s takes %d argument(s), got %d", cmd.CommandPath(), n, len(args)))
		}
		return nil
	}
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) != 0 {
		return usageErr(fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), args))
	}
	return nil
}
