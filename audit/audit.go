package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/policy"
	"github.com/provost-dev/provost/remediate"
	"github.com/provost-dev/provost/reports"
	"github.com/provost-dev/provost/store"
)

// Options configure one run. Sources, Store and either Library or Policies are required.
type Options struct {
	// Sources are collected in parallel by collector.Run with Collect (its Logger and Now are
	// filled from Options when unset).
	Sources []collector.Source
	Collect collector.RunOptions
	// Store receives the snapshot and its findings; the caller opens and closes it.
	Store *store.DB
	// Library is a prepared policy library; when nil, Run loads one with Policies.
	Library  *policy.Library
	Policies policy.Options
	// PolicyConfig holds the checks' thresholds (policy.DefaultConfig when zero); Waivers
	// suppress matching findings.
	PolicyConfig policy.Config
	Waivers      []policy.Waiver
	// Retention is applied after the findings are stored; zero keeps everything.
	Retention store.Retention
	// ReportDir receives one file per ReportFormats entry (created 0700 if missing; files
	// 0600). No reports when ReportFormats is empty.
	ReportDir     string
	ReportFormats []reports.Format
	ReportTitle   string
	// Remediation, when set, plans remediation over the run's findings after they are stored:
	// marks are recorded, and acting steps applied when automatic or approved (see
	// Remediation, Approve). Nil means no remediation.
	Remediation *Remediation
	// Notifier, when set with Remediation, receives one digest of the principals newly marked
	// by the run and when they will be acted on.
	Notifier Notifier
	// Now is the clock (report generation time, retention); nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger // nil discards
	// StageDone, when set, is called after each stage with its name and duration, from the
	// goroutine running Run (for progress, or to measure each stage, e.g. `provost bench`).
	StageDone func(Stage)
}

// Stage names, in pipeline order.
const (
	StageCollect   = "collect"
	StageStore     = "store"
	StagePolicy    = "policy"
	StageEvaluate  = "evaluate"
	StageDrift     = "drift"
	StageFindings  = "findings"
	StageRemediate = "remediate"
	StageRetain    = "retention"
	StageReports   = "reports"
)

// Stage is how long one stage of the run took.
type Stage struct {
	Name     string        `json:"name"`
	Duration time.Duration `json:"duration"`
}

// Result is the record of one run.
type Result struct {
	Snapshot *inventory.Snapshot `json:"-"`
	// SnapshotID and PreviousID identify this run's snapshot and the one it was compared with
	// ("" when this is the first).
	SnapshotID string    `json:"snapshot"`
	PreviousID string    `json:"previous,omitempty"`
	EvalTime   time.Time `json:"eval_time"`
	// Findings are this snapshot's findings with their lifecycle (as stored), sorted.
	Findings []finding.Finding `json:"-"`
	Drift    []drift.Event     `json:"-"`
	// Open counts open findings by severity name; New those first seen in this run; Resolved
	// those resolved by it; Waived and Errors the waived and policy-error findings.
	Open     map[string]int `json:"open"`
	New      int            `json:"new"`
	Resolved int            `json:"resolved"`
	Waived   int            `json:"waived"`
	Errors   int            `json:"policy_errors"`
	// Coverage is the snapshot's coverage; Incomplete counts its scopes not seen completely.
	Coverage   []inventory.Coverage `json:"coverage"`
	Incomplete int                  `json:"incomplete_scopes"`
	Pruned     []string             `json:"pruned,omitempty"`
	// Reports are the files written, in ReportFormats order.
	Reports []string `json:"reports,omitempty"`
	Stages  []Stage  `json:"stages"`
	// Remediation is what the remediation stage did (nil when it is off).
	Remediation *PlanRecord `json:"remediation,omitempty"`
	// Problems did not stop the run: reports that failed to render, drift that could not be
	// computed.
	Problems []string `json:"problems,omitempty"`
}

// OpenAtLeast counts the open findings at or above min.
func (r *Result) OpenAtLeast(min finding.Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Status == finding.StatusOpen && f.Severity.AtLeast(min) {
			n++
		}
	}
	return n
}

// Run does one pass of the pipeline (see the package doc).
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Store == nil {
		return nil, errors.New("audit: no store")
	}
	if len(opts.Sources) == 0 {
		return nil, errors.New("audit: no sources")
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "audit")
	for _, f := range opts.ReportFormats {
		if f.Extension() == "" {
			return nil, fmt.Errorf("audit: unknown report format %q", f)
		}
	}
	res := &Result{Open: map[string]int{}}
	stage := func(name string, fn func() error) error {
		start := time.Now()
		err := fn()
		st := Stage{Name: name, Duration: time.Since(start)}
		res.Stages = append(res.Stages, st)
		log.Debug("stage done", "stage", name, "duration", st.Duration, "error", err)
		if opts.StageDone != nil {
			opts.StageDone(st)
		}
		return err
	}
	db := opts.Store

	// Load policies first: a broken policy path should stop the run before any cloud call.
	lib := opts.Library
	if lib == nil {
		if err := stage(StagePolicy, func() (err error) {
			po := opts.Policies
			if po.Logger == nil {
				po.Logger = opts.Logger
			}
			lib, err = policy.Load(ctx, po)
			return err
		}); err != nil {
			return nil, fmt.Errorf("load policies: %w", err)
		}
	}
	cfg := opts.PolicyConfig
	if cfg.StaleDays == 0 && cfg.KeyRotationDays == 0 && cfg.InactiveDays == 0 {
		cfg = policy.DefaultConfig()
	}
	opts.PolicyConfig = cfg
	ev, err := lib.NewEvaluator(cfg, policy.EvalOptions{Waivers: opts.Waivers})
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}

	var snap *inventory.Snapshot
	if err := stage(StageCollect, func() (err error) {
		co := opts.Collect
		if co.Logger == nil {
			co.Logger = opts.Logger
		}
		if co.Now == nil {
			co.Now = opts.Now
		}
		snap, err = collector.Run(ctx, opts.Sources, co)
		return err
	}); err != nil {
		return nil, fmt.Errorf("collect: %w", err)
	}
	res.Snapshot, res.SnapshotID, res.Coverage = snap, snap.ID, snap.Coverage
	for _, c := range snap.Coverage {
		if !c.Complete() {
			res.Incomplete++
		}
	}

	if err := stage(StageStore, func() error { return db.PutSnapshot(ctx, snap) }); err != nil {
		return nil, fmt.Errorf("store snapshot: %w", err)
	}

	// Drift comes before evaluation: the drift checks read it as input.drift.
	var prev *inventory.Snapshot
	var prevRoster map[string]int
	prevHasFindings := false
	if err := stage(StageDrift, func() error {
		pm, has, skipped, err := previousRun(db, snap.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(skipped) > 0 {
			log.Warn("earlier snapshots have no findings (their runs were interrupted): comparing with the last evaluated one",
				"skipped", skipped, "previous", pm.ID)
		}
		res.PreviousID, prevHasFindings = pm.ID, has
		prev, err = db.SnapshotHeader(pm.ID)
		if err != nil {
			return err
		}
		res.Drift, err = drift.DiffStore(ctx, db, prev, snap)
		// Past drift, the previous snapshot is needed only for its metadata and roster counts
		// (remediation's guard): its people and accounts are not held through the run.
		prevRoster = remediate.RosterCounts(prev)
		prev.People, prev.Accounts, prev.PolicyDocs = nil, nil, nil
		return err
	}); err != nil {
		return nil, fmt.Errorf("compare with the previous snapshot: %w", err)
	}

	var current *policy.Result
	if err := stage(StageEvaluate, func() (err error) {
		current, err = ev.Evaluate(ctx, snap, policy.WithDrift(res.Drift))
		return err
	}); err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", snap.ID, err)
	}
	res.EvalTime = current.EvalTime

	if err := stage(StageFindings, func() error {
		// The previous findings are loaded only now, so that they are not held during evaluation.
		var prevFindings []finding.Finding
		if prevHasFindings {
			var err error
			prevFindings, err = db.Findings(res.PreviousID)
			if err != nil {
				return fmt.Errorf("previous findings: %w", err)
			}
		}
		res.Findings = finding.Merge(prevFindings, current.Findings, current.EvalTime, finding.CoverageScopes(snap.Coverage))
		current = nil // merged into res.Findings: not held through the later stages
		return db.PutFindings(ctx, snap.ID, res.Findings)
	}); err != nil {
		return nil, fmt.Errorf("store findings: %w", err)
	}
	res.count(res.EvalTime)

	// notify: send res (new findings, drift) to the configured channels here.
	if opts.Remediation != nil {
		if err := stage(StageRemediate, func() error { return remediateRun(ctx, opts, res, prevRoster, now()) }); err != nil {
			return nil, fmt.Errorf("remediate: %w", err)
		}
	}

	if err := stage(StageRetain, func() error {
		pr, err := db.Prune(ctx, opts.Retention, now(), false)
		res.Pruned = pr.Deleted
		return err
	}); err != nil {
		return nil, fmt.Errorf("apply retention: %w", err)
	}

	if len(opts.ReportFormats) > 0 {
		if err := stage(StageReports, func() error { return writeReports(ctx, opts, lib, res, prev, now()) }); err != nil {
			return nil, err
		}
	}
	log.Info("audit done", "snapshot", res.SnapshotID, "findings", len(res.Findings), "new", res.New, "resolved", res.Resolved)
	return res, nil
}

// count fills the severity counts and the new and resolved totals.
func (r *Result) count(at time.Time) {
	for _, s := range finding.Severities() {
		r.Open[s.String()] = 0
	}
	for _, f := range r.Findings {
		switch f.Status {
		case finding.StatusOpen:
			r.Open[f.Severity.String()]++
		case finding.StatusWaived:
			r.Waived++
		case finding.StatusError:
			r.Errors++
		case finding.StatusResolved:
			if f.ResolvedAt.Equal(at) {
				r.Resolved++
			}
		}
		if f.Status.Live() && f.FirstSeen.Equal(at) && f.Status != finding.StatusError {
			r.New++
		}
	}
}

// previousRun returns the snapshot a run of snapshot id is compared with: the latest one before
// id that has findings stored, i.e. the last run that finished (has true). A run killed between
// its snapshot and findings writes leaves a whole snapshot without findings; comparing with it
// would restart every finding's history (nothing to merge with) and drop the changes between
// the last finished run and it from drift, its checks and notifications, since the killed run
// never reported them. The IDs of such snapshots passed over are returned in skipped, newest
// first. When no earlier snapshot has findings (all scanned by a Provost that did not store
// them), it is the one just before id, with has false. An error wraps store.ErrNotFound when
// id is the oldest snapshot.
//
// Findings are probed with store.Findings, which decodes them: the one found is decoded again
// after evaluation rather than held through it.
func previousRun(db *store.DB, id string) (m store.SnapshotMeta, has bool, skipped []string, err error) {
	ms, err := db.Snapshots()
	if err != nil {
		return m, false, nil, err
	}
	i := slices.IndexFunc(ms, func(m store.SnapshotMeta) bool { return m.ID == id })
	switch {
	case i < 0:
		return m, false, nil, fmt.Errorf("snapshot %q: %w", id, store.ErrNotFound)
	case i == 0:
		return m, false, nil, fmt.Errorf("no snapshot before %q: %w", id, store.ErrNotFound)
	}
	for j := i - 1; j >= 0; j-- {
		has, err := db.HasFindings(ms[j].ID)
		if err != nil {
			return m, false, nil, err
		}
		if !has {
			skipped = append(skipped, ms[j].ID)
			continue
		}
		return ms[j], true, skipped, nil
	}
	return ms[i-1], false, nil, nil
}

// AddKPIs computes the lifecycle KPIs (leaver time-to-removal, accounts created outside the
// identity provider) over the retained snapshots up to and including rep's snapshot, oldest
// first, loading one snapshot at a time so memory stays that of one snapshot.
func AddKPIs(db *store.DB, rep *reports.Report, opts reports.LifecycleOptions) error {
	k, err := lifecycleKPIs(db, rep.Snapshot.ID, opts, nil)
	if err != nil {
		return err
	}
	rep.KPIs = &k
	return nil
}

// lifecycleKPIs computes the KPIs of AddKPIs up to and including snapshot id; cur, when not
// nil, is that snapshot already in memory, so that a run does not hold its snapshot twice.
func lifecycleKPIs(db *store.DB, id string, opts reports.LifecycleOptions, cur *inventory.Snapshot) (reports.KPIs, error) {
	metas, err := db.Snapshots()
	if err != nil {
		return reports.KPIs{}, err
	}
	lc := reports.NewLifecycle(opts)
	for _, m := range metas {
		s := cur
		if cur == nil || m.ID != cur.ID {
			if s, err = db.Snapshot(m.ID); err != nil {
				return reports.KPIs{}, fmt.Errorf("lifecycle KPIs: %w", err)
			}
		}
		lc.Observe(s)
		if m.ID == id {
			break
		}
	}
	return lc.KPIs(), nil
}

// LifecycleOptions are the KPI settings that follow from the checks' thresholds.
func LifecycleOptions(cfg policy.Config) reports.LifecycleOptions {
	return reports.LifecycleOptions{SLA: time.Duration(cfg.LeaverSLAHours) * time.Hour, Domains: cfg.OrgDomains}
}

// ReportFile is the file name a format is written to in the report directory.
func ReportFile(f reports.Format) string { return "report" + f.Extension() }

// writeReports renders every configured format into opts.ReportDir. A format that fails to
// render is a problem of the run, not a failure of it.
func writeReports(ctx context.Context, opts Options, lib *policy.Library, res *Result, prev *inventory.Snapshot, now time.Time) error {
	// The KPIs first: they load the earlier snapshots one at a time, which had better not
	// overlap with the report's own structures.
	k, err := lifecycleKPIs(opts.Store, res.Snapshot.ID, LifecycleOptions(opts.PolicyConfig), res.Snapshot)
	if err != nil {
		return err
	}
	rep, err := BuildReport(opts.Store, res.Snapshot, res.Findings, res.Drift, prev, lib, opts.Waivers, now)
	if err != nil {
		return fmt.Errorf("build report: %w", err)
	}
	rep.Title, rep.KPIs = opts.ReportTitle, &k
	paths, problems, err := WriteReports(ctx, opts.ReportDir, opts.ReportFormats, rep)
	res.Reports = paths
	res.Problems = append(res.Problems, problems...)
	return err
}

// BuildReport assembles a report for snapshot s with its findings: drift from prev (nil: none),
// the check catalogue of lib (nil: none), the waivers with their match counts, and the trend of
// every stored snapshot that has findings.
func BuildReport(db *store.DB, s *inventory.Snapshot, fs []finding.Finding, events []drift.Event, prev *inventory.Snapshot, lib *policy.Library, ws []policy.Waiver, now time.Time) (*reports.Report, error) {
	rep, err := reports.FromSnapshot(s, fs, now)
	if err != nil {
		return nil, err
	}
	rep.Drift = events
	if prev != nil {
		rep.Previous = reports.Meta(prev)
	}
	if lib != nil {
		for _, c := range lib.Checks() {
			rep.Checks = append(rep.Checks, reports.Check{ID: c.ID, Title: c.Title, Description: c.Description, Severity: c.Severity, Frameworks: c.Frameworks, Remediation: c.Remediation})
		}
	}
	at, _ := policy.EvalTime(s)
	for _, w := range ws {
		rw := reports.Waiver{Check: w.Check, Principal: w.Principal, Qualifier: w.Qualifier, Reason: w.Reason, Owner: w.Owner, Expires: w.Expires, Expired: !at.Before(w.Expires), Source: w.Source}
		for _, f := range fs {
			if f.Status == finding.StatusWaived && f.CheckID != finding.CheckWaiverExpired && f.WaivedBy == w.Owner && f.WaiverReason == w.Reason && f.WaiverExpires.Equal(w.Expires) {
				rw.Matches++
			}
		}
		rep.Waivers = append(rep.Waivers, rw)
	}
	if db != nil {
		metas, err := db.Snapshots()
		if err != nil {
			return nil, err
		}
		for _, m := range metas {
			hf, err := db.Findings(m.ID)
			if errors.Is(err, store.ErrNoFindings) {
				continue
			}
			if err != nil {
				return nil, err
			}
			rep.History = append(rep.History, reports.NewHistoryPoint(m.ID, m.StartedAt, hf, m.Principals))
		}
	}
	rep.Review = reports.BuildReview(s, fs, now)
	return rep, nil
}

// WriteReports renders rep in each format into dir (created 0700 when missing) as
// ReportFile(format), mode 0600, through an os.Root so that nothing is written outside dir. It
// returns the paths written; a format that fails to render is returned as a problem and its
// partial file removed. It fails when dir cannot be created or opened.
func WriteReports(ctx context.Context, dir string, formats []reports.Format, rep *reports.Report) (paths, problems []string, err error) {
	if dir == "" {
		return nil, nil, errors.New("write reports: no output directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("write reports: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("write reports: %w", err)
	}
	defer root.Close()
	if slices.Contains(formats, reports.FormatReviewHTML) && slices.Contains(formats, reports.FormatHTML) {
		rep.ReviewLink = ReportFile(reports.FormatReviewHTML)
	}
	for _, f := range formats {
		if err := ctx.Err(); err != nil {
			return paths, problems, err
		}
		name := ReportFile(f)
		if err := writeOne(root, name, f, rep); err != nil {
			problems = append(problems, fmt.Sprintf("report %s: %v", name, err))
			continue
		}
		paths = append(paths, root.Name()+string(os.PathSeparator)+name)
	}
	return paths, problems, nil
}

func writeOne(root *os.Root, name string, f reports.Format, rep *reports.Report) (err error) {
	file, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = root.Remove(name)
		}
	}()
	if err := file.Chmod(0o600); err != nil {
		return err
	}
	return reports.Render(file, f, rep)
}
