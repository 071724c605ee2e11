package cli

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"github.com/provost-dev/provost/daemon"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/audit"
	"github.com/provost-dev/provost/config"
	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/reports"
	"github.com/provost-dev/provost/sandbox"
	"github.com/provost-dev/provost/store"
)

func (a *app) newDemoCommand() *cobra.Command {
	var (
		dir    string
		seed   uint64
		scale  int
		serve  bool
		listen string
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run Provost end to end on a generated organisation served on 127.0.0.1",
		Long: `demo generates the synthetic healthcare company "Acme Health" (an AWS Organization with
Identity Center, a Google Cloud organization and an HR roster, with planted problems), serves it
with the sandbox's wire-compatible fake AWS and Google Cloud APIs on 127.0.0.1, and runs the full
audit on it with the real collectors: scan, link to people, policies, findings history and drift,
into a database in --dir. It writes the HTML report plus JSON, SARIF, CSV and Markdown beside it,
prints a summary and stops the sandbox. No cloud account is needed.

Each run advances the organisation by one day past the snapshots already in the database, so a
second run shows drift: someone left without being offboarded, someone was made admin directly,
and a stale access key was rotated.

With --serve the sandbox keeps running behind the daemon: the dashboard and the API answer on
--listen (127.0.0.1 only) with a one-time token printed on start, "Run now" audits the
sandbox again, and Ctrl-C stops both.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if scale <= 0 {
				return usageErr(fmt.Errorf("--scale %d: want a positive number of principals", scale))
			}
			var then demoThen
			if serve {
				if host, _, err := net.SplitHostPort(listen); err != nil || !net.ParseIP(host).IsLoopback() {
					return usageErr(fmt.Errorf("--listen %q: the demo serves on loopback only, e.g. 127.0.0.1:8080", listen))
				}
				then = func(ctx context.Context, sum *demoSummary, db *store.DB, run daemon.RunFunc) error {
					sum.Next = demoNext(cmd.Root(), sum.Database, dir)
					if err := a.printDemo(sum); err != nil {
						return err
					}
					return a.serveDemo(ctx, listen, db, run)
				}
			}
			sum, err := a.runDemo(cmd.Context(), dir, sandbox.GenerateOptions{Seed: seed, Scale: scale}, then)
			if err != nil || serve {
				return err
			}
			sum.Next = demoNext(cmd.Root(), sum.Database, dir)
			return a.printDemo(sum)
		},
	}
	cmd.Annotations = map[string]string{annotationNoConfig: "true"}
	fl := cmd.Flags()
	fl.StringVar(&dir, "dir", "provost-demo", "directory for the demo's database and reports")
	fl.Uint64Var(&seed, "seed", 0, "seed of the generated organisation (the same seed gives the same organisation)")
	fl.IntVar(&scale, "scale", sandbox.DefaultScale, "approximate number of principals to generate")
	fl.BoolVar(&serve, "serve", false, "keep the sandbox running behind the daemon and its dashboard until interrupted")
	fl.StringVar(&listen, "listen", "127.0.0.1:8080", "with --serve: the loopback address of the dashboard and API")
	return cmd
}

// demoThen, when set, runs after the demo's audit while the sandbox is still up: db is open and
// run audits the sandbox again.
type demoThen func(ctx context.Context, sum *demoSummary, db *store.DB, run daemon.RunFunc) error

// serveDemo serves the demo database with the daemon on a loopback address, with a random
// one-time token, until ctx is cancelled (Ctrl-C).
func (a *app) serveDemo(ctx context.Context, listen string, db *store.DB, run daemon.RunFunc) error {
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return err
	}
	token := hex.EncodeToString(tok)
	cfg := daemon.DefaultConfig()
	cfg.Listen = listen
	cfg.ShutdownTimeout = 30 * time.Second
	d, err := daemon.New(daemon.Options{Config: cfg, Store: db, Run: run, Token: token, Logger: a.logger})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen on %s (--listen): %w", listen, err)
	}
	fmt.Fprintf(a.stdout, "\nDashboard: http://%s/  (token %s; the API takes it as \"Authorization: Bearer %s\")\nPress Ctrl-C to stop.\n", ln.Addr(), token, token)
	return d.Serve(ctx, ln)
}

// demoFormats are the reports `provost demo` writes.
var demoFormats = []reports.Format{reports.FormatHTML, reports.FormatJSON, reports.FormatSARIF, reports.FormatCSV, reports.FormatMarkdown}

// demoSummary is what `provost demo` reports: the scan summary plus the sandbox it ran on and
// the drift since the previous run.
type demoSummary struct {
	scanSummary
	Organisation string         `json:"organisation"`
	Seed         uint64         `json:"seed"`
	Scale        int            `json:"scale"`
	Day          int            `json:"day"`
	Planted      int            `json:"planted"`
	Drift        int            `json:"drift_events"`
	DriftByKind  map[string]int `json:"drift_by_kind,omitempty"`
	Next         []string       `json:"next"`
}

// runDemo generates the organisation as it is on day N (N = the snapshots already in the demo
// database), serves it on loopback and runs one full audit of it with the real collectors, with
// the database (unless --db) and the reports in dir. The sandbox is stopped before it returns.
func (a *app) runDemo(ctx context.Context, dir string, gen sandbox.GenerateOptions, then demoThen) (*demoSummary, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create demo directory: %w", err)
	}
	cfg := config.Default()
	cfg.Store.Path = filepath.Join(dir, "provost.db")
	if a.dbPath != "" {
		cfg.Store.Path = a.dbPath
	}
	a.cfg = cfg
	lib, waivers, err := a.loadPolicies(ctx, nil)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(cfg.Store.Path, store.Options{Timeout: time.Duration(cfg.Store.LockTimeout), Logger: a.logger})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	metas, err := db.Snapshots()
	if err != nil {
		return nil, err
	}

	org := sandbox.Generate(gen)
	if len(metas) > 0 {
		org = sandbox.Advance(org, len(metas))
	}
	// The HR export and mapping file stay in dir/sandbox: the HR source's scope is its path,
	// which must not change from one run to the next or drift would see a new source.
	env, err := sandbox.Start(ctx, org, sandbox.StartOptions{Dir: filepath.Join(dir, "sandbox"), Logger: a.logger})
	if err != nil {
		return nil, err
	}
	defer env.Close() // idempotent: the explicit Close below reports its error
	sources, err := env.Sources(ctx)
	if err != nil {
		return nil, err
	}
	collect := env.RunOptions()
	collect.Timeout = time.Duration(cfg.Collect.Timeout)
	collect.Parallelism = cfg.Collect.Parallelism
	collect.ProvostVersion = version()
	collect.Progress = a.progress(len(sources))
	pc := policyConfig(cfg.Policy)
	pc.OrgDomains, pc.ProtectedPrincipals = org.OrgDomains, org.Protected

	start := time.Now()
	opts := audit.Options{
		Sources:      sources,
		Collect:      collect,
		Store:        db,
		Library:      lib,
		PolicyConfig: pc,
		Waivers:      waivers,
		// No retention: the demo's day is the number of snapshots kept.
		ReportDir:     dir,
		ReportFormats: demoFormats,
		ReportTitle:   "Acme Health (Provost demo, day " + fmt.Sprint(org.Day) + ")",
		// The sandbox's clock: the organisation's day, for the collectors, reports and findings.
		Now:    env.Now,
		Logger: a.logger,
	}
	res, err := audit.Run(ctx, opts)
	if err != nil {
		return nil, err
	}
	sum := &demoSummary{
		scanSummary:  *summarize(res, cfg.Store.Path, time.Since(start)),
		Organisation: "Acme Health",
		Seed:         org.Options.Seed,
		Scale:        org.Options.Scale,
		Day:          org.Day,
		Planted:      len(org.Planted),
		Drift:        len(res.Drift),
	}
	if len(res.Drift) > 0 {
		sum.DriftByKind = map[string]int{}
		for _, e := range res.Drift {
			sum.DriftByKind[string(e.Kind)]++
		}
	}
	if then != nil {
		if err := then(ctx, sum, db, func(ctx context.Context) (*audit.Result, error) { return audit.Run(ctx, opts) }); err != nil {
			return nil, err
		}
	}
	if err := env.Close(); err != nil {
		return nil, fmt.Errorf("stop sandbox: %w", err)
	}
	return sum, nil
}

// summarize is the scan summary of an audit result.
func summarize(res *audit.Result, dbPath string, took time.Duration) *scanSummary {
	snap := res.Snapshot
	return &scanSummary{
		Snapshot: snap.ID,
		Database: dbPath,
		Duration: fmtDuration(took),
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
}

// demoNext are the commands to try next on the demo's database: only those the command tree
// has (serve and remediate are listed once they exist).
func demoNext(root *cobra.Command, db, dir string) []string {
	has := func(path ...string) bool {
		c, rest, err := root.Find(path)
		return err == nil && len(rest) == 0 && c != root
	}
	db = shellQuote(db)
	var next []string
	add := func(cmd string, path ...string) {
		if has(path...) {
			next = append(next, "provost "+cmd)
		}
	}
	add("findings --db "+db+" --severity high", "findings")
	add("diff --db "+db, "diff")
	add("report --db "+db+" --format html,markdown --out "+shellQuote(filepath.Join(dir, "reports")), "report")
	add("remediate plan --db "+db, "remediate", "plan")
	add("serve --db "+db, "serve")
	add("demo --dir "+shellQuote(dir)+"   # again: the organisation advances a day and shows drift", "demo")
	return next
}

// shellQuote quotes s for a POSIX shell when it holds anything but safe characters.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@+,", r))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (a *app) printDemo(s *demoSummary) error {
	if a.output == "json" {
		return writeJSON(a.stdout, s)
	}
	fmt.Fprintf(a.stdout, "%s, day %d (seed %d, scale %d, %d planted problems), served on 127.0.0.1 and scanned with the real collectors.\n\n",
		s.Organisation, s.Day, s.Seed, s.Scale, s.Planted)
	if err := a.printScan(&s.scanSummary); err != nil {
		return err
	}
	if s.Findings.Previous != "" {
		fmt.Fprintf(a.stdout, "Drift since %s: %d event(s)", s.Findings.Previous, s.Drift)
		if len(s.DriftByKind) > 0 {
			kinds := make([]string, 0, len(s.DriftByKind))
			for k := range s.DriftByKind {
				kinds = append(kinds, k)
			}
			// Most frequent first, then in the drift package's kind order.
			order := drift.Kinds()
			slices.SortFunc(kinds, func(x, y string) int {
				return cmp.Or(s.DriftByKind[y]-s.DriftByKind[x],
					slices.Index(order, drift.Kind(x))-slices.Index(order, drift.Kind(y)))
			})
			parts := make([]string, len(kinds))
			for i, k := range kinds {
				parts[i] = fmt.Sprintf("%d %s", s.DriftByKind[k], k)
			}
			fmt.Fprintf(a.stdout, ": %s", strings.Join(parts, ", "))
		}
		fmt.Fprintln(a.stdout)
	}
	fmt.Fprintf(a.stdout, "\nReports:\n")
	for _, p := range s.Reports {
		fmt.Fprintf(a.stdout, "  %s\n", p)
	}
	fmt.Fprintf(a.stdout, "\nNext:\n")
	for _, n := range s.Next {
		fmt.Fprintf(a.stdout, "  %s\n", n)
	}
	return nil
}
