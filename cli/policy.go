package cli

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/config"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/policy"
)

// policyConfig maps the TOML [policy.params] onto the checks' data.provost.config: keys the
// config leaves unset (zero) keep policy.DefaultConfig's values; custom keys go to Extra.
func policyConfig(p config.Policy) policy.Config {
	c := policy.DefaultConfig()
	for _, v := range []struct {
		dst *int
		src int
	}{
		{&c.StaleDays, p.Params.StaleDays},
		{&c.KeyRotationDays, p.Params.KeyRotationDays},
		{&c.InactiveDays, p.Params.InactiveDays},
		{&c.LeaverSLAHours, p.Params.LeaverSLAHours},
	} {
		if v.src != 0 {
			*v.dst = v.src
		}
	}
	if p.Params.OrgDomains != nil {
		c.OrgDomains = p.Params.OrgDomains
	}
	if p.Params.ProtectedPrincipals != nil {
		c.ProtectedPrincipals = p.Params.ProtectedPrincipals
	}
	if p.Params.AdminPolicyNames != nil {
		c.AdminPolicyNames = p.Params.AdminPolicyNames
	}
	if len(p.Params.Custom) > 0 {
		c.Extra = maps.Clone(p.Params.Custom)
	}
	return c
}

// loadPolicies loads the bundled library with the configured directories and bundles plus
// extra directories, and the waivers file when configured. Relative paths in a config file are
// relative to the directory of that file.
func (a *app) loadPolicies(ctx context.Context, extraDirs []string) (*policy.Library, []policy.Waiver, error) {
	rel := func(p string) string {
		if a.configFile == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(filepath.Dir(a.configFile), p)
	}
	var dirs, bundles []string
	for _, d := range a.cfg.Policy.Dirs {
		dirs = append(dirs, rel(d))
	}
	dirs = append(dirs, extraDirs...)
	for _, b := range a.cfg.Policy.Bundles {
		bundles = append(bundles, rel(b))
	}
	lib, err := policy.Load(ctx, policy.Options{Dirs: dirs, Bundles: bundles, Logger: a.logger})
	if err != nil {
		return nil, nil, usageErr(fmt.Errorf("load policies: %w", err))
	}
	var ws []policy.Waiver
	if f := a.cfg.Policy.WaiversFile; f != "" {
		ws, err = policy.LoadWaivers(rel(f))
		if err != nil {
			return nil, nil, usageErr(err)
		}
	}
	return lib, ws, nil
}

func (a *app) newPolicyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Test, explain and list the Rego checks",
		Args:  noArgs,
	}
	cmd.AddCommand(a.newPolicyTestCommand(), a.newPolicyEvalCommand(), a.newPolicyCatalogCommand())
	return cmd
}

func (a *app) newPolicyTestCommand() *cobra.Command {
	var run string
	cmd := &cobra.Command{
		Use:   "test [DIR...]",
		Short: "Run the Rego unit tests (_test.rego) of the bundled library, the configured policies and DIRs",
		Long: `test runs every _test.rego test of the bundled library, of the configured policy directories
and bundles, and of the DIRs given, and fails (exit 1) when a test fails or a check cannot be
loaded.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, _, err := a.loadPolicies(cmd.Context(), args)
			if err != nil {
				return err
			}
			results, err := lib.RunTests(cmd.Context(), run)
			if err != nil {
				return err
			}
			var failed int
			for _, r := range results {
				if !r.Pass && !r.Skip {
					failed++
				}
			}
			if a.output == "json" {
				if err := writeJSON(a.stdout, results); err != nil {
					return err
				}
			} else {
				for _, r := range results {
					if r.Pass || r.Skip {
						continue
					}
					fmt.Fprintf(a.stdout, "FAIL %s.%s (%s:%d)", r.Package, r.Name, r.File, r.Line)
					if r.Error != "" {
						fmt.Fprintf(a.stdout, ": %s", oneLine(fmt.Errorf("%s", r.Error)))
					}
					fmt.Fprintln(a.stdout)
				}
				fmt.Fprintf(a.stdout, "%d tests, %d passed, %d failed\n", len(results), len(results)-failed, failed)
			}
			if err := lib.Err(); err != nil {
				return fmt.Errorf("policies that could not be loaded: %w", err)
			}
			if failed > 0 {
				return &exitError{code: ExitFailure}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&run, "run", "", "only tests whose package.name matches this regular expression")
	return cmd
}

func (a *app) newPolicyEvalCommand() *cobra.Command {
	var principal, snapshot string
	cmd := &cobra.Command{
		Use:   "eval --principal ID [--snapshot S]",
		Short: "Explain every check's verdict for one principal of a stored snapshot",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if principal == "" {
				return usageErr(fmt.Errorf("policy eval needs --principal ID"))
			}
			db, err := a.openStore(true)
			if err != nil {
				return err
			}
			defer db.Close()
			m, err := resolveSnapshot(db, snapshot)
			if err != nil {
				return usageErr(err)
			}
			snap, err := db.Snapshot(m.ID)
			if err != nil {
				return err
			}
			lib, ws, err := a.loadPolicies(cmd.Context(), nil)
			if err != nil {
				return err
			}
			ev, err := lib.NewEvaluator(policyConfig(a.cfg.Policy), policy.EvalOptions{Waivers: ws})
			if err != nil {
				return usageErr(err)
			}
			ex, err := ev.Explain(cmd.Context(), snap, principal)
			if err != nil {
				return usageErr(err)
			}
			if a.output == "json" {
				return writeJSON(a.stdout, ex)
			}
			fmt.Fprintf(a.stdout, "Principal %s in snapshot %s (evaluated at %s)\n\n", ex.Principal, snap.ID, fmtTime(ex.EvalTime))
			t := newTable(a.stdout, "CHECK", "SEVERITY", "OUTCOME", "FINDINGS", "TITLE")
			for _, v := range ex.Verdicts {
				var msgs []string
				for _, f := range v.Findings {
					msgs = append(msgs, f.Message)
				}
				if v.Error != "" {
					msgs = append(msgs, v.Error)
				}
				t.row(v.CheckID, v.Severity.String(), v.Outcome, strings.Join(msgs, "; "), v.Title)
			}
			return t.flush()
		},
	}
	cmd.Flags().StringVar(&principal, "principal", "", "principal ID (ARN, gcp:user:…, …)")
	cmd.Flags().StringVar(&snapshot, "snapshot", "latest", "snapshot ID, latest or previous")
	return cmd
}

func (a *app) newPolicyCatalogCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "catalog [--format table|json|markdown]",
		Short: "List every loaded check with its severity, frameworks and scope",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := format
			if f == "" {
				f = a.output
			}
			switch f {
			case policy.FormatTable, policy.FormatJSON, policy.FormatMarkdown:
			default:
				return usageErr(fmt.Errorf("invalid --format %q: want table, json or markdown", f))
			}
			lib, _, err := a.loadPolicies(cmd.Context(), nil)
			if err != nil {
				return err
			}
			return policy.WriteCatalog(a.stdout, lib.Checks(), f)
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "table, json or markdown (default: --output)")
	return cmd
}

// parseSeverity is finding.ParseSeverity as a usage error.
func parseSeverity(flag, s string) (finding.Severity, error) {
	sev, err := finding.ParseSeverity(s)
	if err != nil {
		return 0, usageErr(fmt.Errorf("invalid %s: %w", flag, err))
	}
	return sev, nil
}
