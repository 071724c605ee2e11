package cli

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"
	crm "google.golang.org/api/cloudresourcemanager/v3"
	gcpiamapi "google.golang.org/api/iam/v1"
	"google.golang.org/api/option"

	"github.com/provost-dev/provost/audit"
	"github.com/provost-dev/provost/config"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/remediate"
	"github.com/provost-dev/provost/remediate/awsiam"
	"github.com/provost-dev/provost/remediate/gcpiam"
	rldap "github.com/provost-dev/provost/remediate/ldap"
	rscim "github.com/provost-dev/provost/remediate/scim"
	"github.com/provost-dev/provost/store"
)

func (a *app) newRemediateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "remediate",
		Short: "Plan, apply, inspect and undo remediation of stale and orphaned access",
		Long: `Remediation is read-only unless [remediation] enabled = true and a rule enables the check.
"plan" writes a plan file a human can read; "apply PLAN" runs the guards, journals each step and
acts one credential or binding at a time; "status" shows the journal; "undo STEP" reverses one.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(a.newRemediatePlanCommand(), a.newRemediateApplyCommand(), a.newRemediateStatusCommand(), a.newRemediateUndoCommand())
	return cmd
}

// remediationPolicy converts the [remediation] section.
func remediationPolicy(c config.Remediation) *remediate.Policy {
	p := &remediate.Policy{Protected: c.Protected, Self: c.Self, BreakGlassTag: c.BreakGlassTag, MaxActions: c.MaxActions,
		MaxPercent: float64(c.MaxPercent), MaxRosterShrinkPercent: float64(c.MaxRosterShrinkPercent)}
	for _, r := range c.Rules {
		p.Rules = append(p.Rules, remediate.Rule{Check: r.Check, Action: remediate.Action(r.Action), Enabled: r.Enabled, Automatic: r.Automatic,
			Grace: time.Duration(r.Grace), DeleteAction: remediate.Action(r.DeleteAction), DeleteAfter: time.Duration(r.DeleteAfter),
			Scope: remediate.Scope{Accounts: r.Accounts, OUs: r.OUs, Departments: r.Departments}})
	}
	return p
}

func (a *app) newRemediatePlanCommand() *cobra.Command {
	var out, snapRef string
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Plan remediation of the latest snapshot's findings and write the plan file (mode 0600)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := a.openStore(true)
			if err != nil {
				return err
			}
			defer db.Close()
			meta, err := resolveSnapshot(db, snapRef)
			if err != nil {
				return err
			}
			snap, err := db.Snapshot(meta.ID)
			if err != nil {
				return err
			}
			fs, err := db.Findings(meta.ID)
			if errors.Is(err, store.ErrNoFindings) {
				return fmt.Errorf("snapshot %s has no findings stored: run `provost scan` first", meta.ID)
			} else if err != nil {
				return err
			}
			marks, err := remediate.Marks(db)
			if err != nil {
				return err
			}
			plan, err := remediate.MakePlan(remediationPolicy(a.cfg.Remediation), snap, fs, marks, time.Now())
			if err != nil {
				return usageErr(fmt.Errorf("%s: [remediation]: %w", a.configFile, err))
			}
			if err := writePlan(out, plan); err != nil {
				return err
			}
			if a.output == "json" {
				return writeJSON(a.stdout, plan)
			}
			if !a.cfg.Remediation.Enabled {
				fmt.Fprintf(a.stdout, "Remediation is disabled ([remediation] enabled = false in %s): apply will refuse this plan.\n", orDefaults(a.configFile))
			}
			return a.printPlan(plan, out)
		},
	}
	cmd.Flags().StringVar(&out, "out", "remediation-plan.json", "plan file to write (mode 0600)")
	cmd.Flags().StringVar(&snapRef, "snapshot", "latest", "snapshot ID, latest or previous")
	return cmd
}

func writePlan(path string, plan *remediate.Plan) error {
	b, err := json.MarshalIndent(plan, "", "  ")
	if err != nil {
		return fmt.Errorf("encode plan: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("write plan %s: %w", path, err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write plan %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write plan %s: %w", path, err)
	}
	return nil
}

func readPlan(path string) (*remediate.Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	var p remediate.Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("plan %s: not a plan file: %w", path, err)
	}
	if p.Version != remediate.PlanVersion || p.SnapshotID == "" {
		return nil, fmt.Errorf("plan %s: version %d for snapshot %q; want version %d made by `provost remediate plan`", path, p.Version, p.SnapshotID, remediate.PlanVersion)
	}
	return &p, nil
}

func stepTarget(t remediate.Target) string {
	switch {
	case t.Credential != "":
		return t.Credential
	case t.Object != "":
		return t.Object
	}
	return t.Name
}

func (a *app) printPlan(plan *remediate.Plan, path string) error {
	fmt.Fprintf(a.stdout, "Plan for snapshot %s: %d step(s), %d acting, %d blocked; written to %s\n\n",
		plan.SnapshotID, len(plan.Steps), len(plan.Acting()), len(plan.Blocked), path)
	if len(plan.Steps) > 0 {
		t := newTable(a.stdout, "STEP", "PHASE", "ACTION", "PRINCIPAL", "TARGET", "AUTO", "REASON")
		for _, s := range plan.Steps {
			t.row(s.ID, string(s.Phase), string(s.Action), s.Target.Principal, stepTarget(s.Target), fmt.Sprint(s.Automatic), s.Reason)
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	if len(plan.Blocked) > 0 {
		fmt.Fprintln(a.stdout, "\nBlocked (never acted on):")
		t := newTable(a.stdout, "CHECK", "PRINCIPAL", "ACTION", "GUARD", "REASON")
		for _, b := range plan.Blocked {
			t.row(b.CheckID, b.Principal, string(b.Action), b.Guard, b.Reason)
		}
		return t.flush()
	}
	return nil
}

// runFacts reads what the run guards need: the latest snapshot and the people per source of
// the plan's snapshot and the one before it.
func runFacts(db *store.DB, plan *remediate.Plan) (remediate.RunFacts, error) {
	latest, err := resolveSnapshot(db, "latest")
	if err != nil {
		return remediate.RunFacts{}, err
	}
	f := remediate.RunFacts{Latest: remediate.SnapshotRef{ID: latest.ID, StartedAt: latest.StartedAt}}
	snap, err := db.Snapshot(plan.SnapshotID)
	if errors.Is(err, store.ErrNotFound) {
		return f, fmt.Errorf("plan's snapshot %s is no longer stored: make a new plan", plan.SnapshotID)
	} else if err != nil {
		return f, err
	}
	f.People, f.Snapshot = remediate.RosterCounts(snap), snap
	prev, err := db.Previous(plan.SnapshotID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return f, nil
	case err != nil:
		return f, err
	}
	ps, err := db.SnapshotHeader(prev.ID)
	if err != nil {
		return f, err
	}
	f.PrevPeople = remediate.RosterCounts(ps)
	return f, nil
}

// executors builds one executor per target type the steps need, from the configured sources:
// one constructor and one case each. Targets no step needs are not built (a GCP client without
// credentials must not stop an AWS-only plan).
func executors(ctx context.Context, cfg *config.Config, steps []remediate.Step) (map[inventory.Provider]remediate.Executor, error) {
	need := map[inventory.Provider]bool{}
	for _, s := range steps {
		need[s.Target.Provider] = true
	}
	out := map[inventory.Provider]remediate.Executor{}
	if need[inventory.ProviderAWS] && len(cfg.Sources.AWS) > 0 {
		s := cfg.Sources.AWS[0]
		opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(s.Region)}
		if len(s.Profiles) > 0 {
			opts = append(opts, awsconfig.WithSharedConfigProfile(s.Profiles[0]))
		}
		base, err := awsconfig.LoadDefaultConfig(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("aws source %s: %w", s.Name, err)
		}
		if s.Endpoint != "" {
			base.BaseEndpoint = aws.String(s.Endpoint)
		}
		out[inventory.ProviderAWS] = awsiam.NewAssumeRole(base, s.RoleName, s.ExternalID)
	}
	if need[inventory.ProviderGCP] && len(cfg.Sources.GCP) > 0 {
		s := cfg.Sources.GCP[0]
		var opts []option.ClientOption
		if s.Endpoint != "" {
			opts = append(opts, option.WithEndpoint(s.Endpoint))
		}
		c, err := crm.NewService(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("gcp source %s: %w", s.Name, err)
		}
		i, err := gcpiamapi.NewService(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("gcp source %s: %w", s.Name, err)
		}
		out[inventory.ProviderGCP] = &gcpiam.Executor{CRM: c, IAM: i}
	}
	if need[inventory.ProviderSCIM] && len(cfg.Sources.SCIM) > 0 {
		ex := &rscim.Executor{Sources: map[string]rscim.Server{}}
		for _, s := range cfg.Sources.SCIM {
			tc, err := tlsConfig(s.CAFile, "")
			if err != nil {
				return nil, fmt.Errorf("scim source %s: %w", s.Name, err)
			}
			ex.Sources[s.Name] = rscim.Server{URL: s.URL, Token: s.Token}
			if tc != nil {
				ex.HTTP = &http.Client{Transport: &http.Transport{TLSClientConfig: tc}}
			}
		}
		out[inventory.ProviderSCIM] = ex
	}
	ex := &rldap.Executor{}
	for _, s := range cfg.Sources.LDAP {
		// The directory flavor decides the disable mechanism: remediation needs it stated.
		if s.Flavor != "ad" && s.Flavor != "openldap" {
			continue
		}
		tc, err := tlsConfig(s.CAFile, s.TLSServerName)
		if err != nil {
			return nil, fmt.Errorf("ldap source %s: %w", s.Name, err)
		}
		ex.Directories = append(ex.Directories, rldap.Directory{BaseDN: s.BaseDN, URL: s.URL, StartTLS: s.StartTLS, TLS: tc,
			BindDN: s.BindDN, Password: s.BindPassword, AD: s.Flavor == "ad"})
	}
	if need[inventory.ProviderLDAP] && len(ex.Directories) > 0 {
		out[inventory.ProviderLDAP] = ex
	}
	return out, nil
}

// tlsConfig trusts caFile's certificates when set; nil means the system defaults.
func tlsConfig(caFile, serverName string) (*tls.Config, error) {
	if caFile == "" && serverName == "" {
		return nil, nil
	}
	tc := &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("read ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s: no PEM certificates", caFile)
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

func (a *app) newRemediateApplyCommand() *cobra.Command {
	var yes, dryRun bool
	cmd := &cobra.Command{
		Use:   "apply PLAN",
		Short: "Apply a plan file: guards, then each step journalled, re-checked and acted on once",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !a.cfg.Remediation.Enabled && !dryRun {
				return usageErr(fmt.Errorf("remediation is disabled: set enabled = true under [remediation] in %s (or use --dry-run)", orDefaults(a.configFile)))
			}
			plan, err := readPlan(args[0])
			if err != nil {
				return usageErr(err)
			}
			db, err := a.openStore(dryRun)
			if err != nil {
				return err
			}
			defer db.Close()
			facts, err := runFacts(db, plan)
			if err != nil {
				return err
			}
			pol := remediationPolicy(a.cfg.Remediation)
			if err := remediate.CheckRun(pol, plan, facts); err != nil {
				return err
			}
			if !yes && !dryRun {
				fmt.Fprintf(a.stdout, "About to apply %d step(s) (%d acting) from %s, made from snapshot %s. Type \"yes\" to continue: ",
					len(plan.Steps), len(plan.Acting()), args[0], plan.SnapshotID)
				line, _ := bufio.NewReader(a.stdin).ReadString('\n')
				if strings.TrimSpace(line) != "yes" {
					return errors.New("not confirmed: nothing was done")
				}
			}
			ex, err := executors(cmd.Context(), a.cfg, plan.Steps)
			if err != nil {
				return err
			}
			ap := &remediate.Applier{Policy: pol, Journal: db, Executors: ex, Logger: a.logger, DryRun: dryRun}
			outs, applyErr := ap.Apply(cmd.Context(), plan, facts)
			if a.output == "json" {
				if err := writeJSON(a.stdout, outs); err != nil {
					return err
				}
			} else {
				t := newTable(a.stdout, "STEP", "STATE", "DETAIL")
				for _, o := range outs {
					d := o.Detail
					if o.Error != "" {
						d = o.Error
					}
					t.row(o.StepID, string(o.State), d)
				}
				if err := t.flush(); err != nil {
					return err
				}
			}
			return applyErr
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "apply without the interactive confirmation")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "re-read the targets and show what would be done; write nothing")
	return cmd
}

func orDefaults(file string) string {
	if file == "" {
		return "your config file"
	}
	return file
}

func (a *app) newRemediateStatusCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the remediation journal: every step, its state and result",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := a.openStore(true)
			if err != nil {
				return err
			}
			defer db.Close()
			es, err := remediate.Entries(db)
			if err != nil {
				return err
			}
			if a.output == "json" {
				if es == nil {
					es = []remediate.Entry{}
				}
				return writeJSON(a.stdout, es)
			}
			t := newTable(a.stdout, "STEP", "STATE", "ACTION", "PRINCIPAL", "TARGET", "AT", "DETAIL")
			for _, e := range es {
				at := e.ResultAt
				if !e.UndoneAt.IsZero() {
					at = e.UndoneAt
				} else if at.IsZero() {
					at = e.IntentAt
				}
				d := e.Detail
				if e.Error != "" {
					d = e.Error
				}
				t.row(e.Step.ID, string(e.State), string(e.Step.Action), e.Step.Target.Principal, stepTarget(e.Step.Target), fmtTime(at), d)
			}
			return t.flush()
		},
	}
}

func (a *app) newRemediateUndoCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "undo STEP",
		Short: "Reverse one applied step from its journalled undo data",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !a.cfg.Remediation.Enabled {
				return usageErr(fmt.Errorf("remediation is disabled: set enabled = true under [remediation] in %s", orDefaults(a.configFile)))
			}
			db, err := a.openStore(false)
			if err != nil {
				return err
			}
			defer db.Close()
			es, err := remediate.Entries(db)
			if err != nil {
				return err
			}
			var steps []remediate.Step
			for _, e := range es {
				if e.Step.ID == args[0] {
					steps = append(steps, e.Step)
				}
			}
			ex, err := executors(cmd.Context(), a.cfg, steps)
			if err != nil {
				return err
			}
			ap := &remediate.Applier{Policy: remediationPolicy(a.cfg.Remediation), Journal: db, Executors: ex, Logger: a.logger}
			if err := ap.Undo(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Undid step %s\n", args[0])
			return nil
		},
	}
}

// auditRemediation is what scan and serve give audit.Run: nil unless [remediation] is enabled,
// else the policy and an executor for every configured target type (a run may need any).
func (a *app) auditRemediation(ctx context.Context) (*audit.Remediation, error) {
	if !a.cfg.Remediation.Enabled || a.noRemediate {
		return nil, nil
	}
	var every []remediate.Step
	for _, p := range []inventory.Provider{inventory.ProviderAWS, inventory.ProviderGCP, inventory.ProviderSCIM, inventory.ProviderLDAP} {
		every = append(every, remediate.Step{Target: remediate.Target{Provider: p}})
	}
	ex, err := executors(ctx, a.cfg, every)
	if err != nil {
		return nil, err
	}
	return &audit.Remediation{Policy: remediationPolicy(a.cfg.Remediation), Executors: ex}, nil
}
