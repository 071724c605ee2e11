package policy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"golang.org/x/sync/errgroup"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
)

// DefaultBatchSize is how many principals one Eval sees. Around 100 amortises OPA's
// per-evaluation cost without making a failing batch expensive to re-run check by check.
const DefaultBatchSize = 100

// EvalOptions tunes an Evaluator.
type EvalOptions struct {
	// Workers is the number of concurrent evaluations; 0 means one per CPU (GOMAXPROCS).
	Workers int
	// BatchSize is the number of principals per evaluation; 0 means DefaultBatchSize.
	BatchSize int
	// Waivers suppress matching findings (they stay visible as waived).
	Waivers []Waiver
}

// Evaluator evaluates snapshots against a Library with one configuration. It is safe for
// concurrent use.
type Evaluator struct {
	lib     *Library
	cfg     Config
	opts    EvalOptions
	enabled []*Check
}

// NewEvaluator validates cfg and the waivers and returns an Evaluator.
func (l *Library) NewEvaluator(cfg Config, opts EvalOptions) (*Evaluator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := ValidateWaivers(opts.Waivers); err != nil {
		return nil, err
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	e := &Evaluator{lib: l, cfg: cfg, opts: opts}
	for _, c := range l.checks {
		if !slices.ContainsFunc(cfg.DisabledChecks, func(g string) bool { return globMatch(g, c.ID) }) {
			e.enabled = append(e.enabled, c)
		}
	}
	return e, nil
}

// Result is one evaluation of one snapshot.
type Result struct {
	SnapshotID string    `json:"snapshot_id"`
	EvalTime   time.Time `json:"eval_time"`
	// Findings are this run's findings, sorted: open, waived, cannot_evaluate and error ones.
	// Merge them into the history with finding.Merge.
	Findings []finding.Finding `json:"findings"`
	Stats    Stats             `json:"stats"`
}

// Stats describes the work an evaluation did.
type Stats struct {
	Principals int           `json:"principals"`
	Checks     int           `json:"checks"`
	Batches    int           `json:"batches"`
	Fallbacks  int           `json:"fallbacks"` // batches re-run check by check after an error
	Duration   time.Duration `json:"duration"`
}

// EvalTime is the time a snapshot is evaluated at: when its collection finished (or started,
// if it has no finish time). Re-evaluating an old snapshot gives the same answer.
func EvalTime(s *inventory.Snapshot) (time.Time, error) {
	switch {
	case !s.FinishedAt.IsZero():
		return s.FinishedAt, nil
	case !s.StartedAt.IsZero():
		return s.StartedAt, nil
	}
	return time.Time{}, fmt.Errorf("snapshot %q has no collection time", s.ID)
}

// Evaluate runs every enabled check over every principal of the snapshot, in batches across
// Workers goroutines, and returns the findings with waivers applied. Load problems and checks
// that fail at run time become error findings; the other checks' findings are unaffected.
// It fails only on ctx cancellation or when the snapshot or store cannot be set up.
// Options add per-snapshot inputs such as WithDrift.
func (e *Evaluator) Evaluate(ctx context.Context, snap *inventory.Snapshot, opts ...EvaluateOption) (*Result, error) {
	start := time.Now()
	r, err := e.newRun(ctx, snap, opts...)
	if err != nil {
		return nil, err
	}
	batches := r.batches()
	out := make([][]finding.Finding, len(batches))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.opts.Workers)
	for i, b := range batches {
		g.Go(func() error {
			fs, err := r.evalBatch(gctx, b)
			out[i] = fs
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var all []finding.Finding
	for _, fs := range out {
		all = append(all, fs...)
	}
	all = append(all, r.errorFindings()...)
	for _, p := range e.lib.problems {
		all = append(all, p.Finding())
	}
	all = ApplyWaivers(all, e.opts.Waivers, r.at)
	finding.SortFindings(all)
	return &Result{
		SnapshotID: snap.ID,
		EvalTime:   r.at,
		Findings:   all,
		Stats: Stats{
			Principals: len(snap.Principals),
			Checks:     len(e.enabled),
			Batches:    len(batches),
			Fallbacks:  int(r.fallbacks.Load()),
			Duration:   time.Since(start),
		},
	}, nil
}

// run is one evaluation of one snapshot.
type run struct {
	e      *Evaluator
	snap   *inventory.Snapshot
	at     time.Time
	ix     *snapshotIndex
	store  storage.Store
	logger *slog.Logger
	plans  map[classKey]*plan

	mu        sync.Mutex
	single    map[string]*rego.PreparedEvalQuery // per-check fallback queries by check ID
	runErrs   map[string]*runtimeError
	fallbacks atomic.Int64
}

type runtimeError struct {
	principals int
	example    string
	message    string
}

type classKey struct{ provider, kind string }

// plan is the prepared query for one class of principals: the checks whose resource_kinds
// cover it, evaluated together.
type plan struct {
	checks []*Check
	query  *rego.PreparedEvalQuery
}

// batch is a slice of principals of one class.
type batch struct {
	plan       *plan
	principals []*inventory.Principal
}

func (e *Evaluator) newRun(ctx context.Context, snap *inventory.Snapshot, opts ...EvaluateOption) (*run, error) {
	var in evalInputs
	for _, o := range opts {
		o(&in)
	}
	at, err := EvalTime(snap)
	if err != nil {
		return nil, err
	}
	store, err := e.newStore(ctx, snap.PolicyDocs, at)
	if err != nil {
		return nil, err
	}
	r := &run{
		e: e, snap: snap, at: at, ix: newSnapshotIndex(snap, e.cfg.ProtectedPrincipals), store: store,
		logger:  e.lib.logger.With("snapshot", snap.ID),
		plans:   map[classKey]*plan{},
		single:  map[string]*rego.PreparedEvalQuery{},
		runErrs: map[string]*runtimeError{},
	}
	r.ix.drift = driftTerms(in.drift, snap)
	shared := map[string]*plan{} // classes with the same checks share one query
	for i := range snap.Principals {
		p := &snap.Principals[i]
		k := classKey{string(p.Provider), string(p.Kind)}
		if _, ok := r.plans[k]; ok {
			continue
		}
		var checks []*Check
		var ids []string
		for _, c := range e.enabled {
			if c.AppliesTo(k.provider, k.kind) {
				checks = append(checks, c)
				ids = append(ids, c.ID)
			}
		}
		sig := strings.Join(ids, ",")
		pl, ok := shared[sig]
		if !ok {
			pl = &plan{checks: checks}
			if len(checks) > 0 {
				q, err := r.prepare(ctx, checks)
				if err != nil {
					return nil, err
				}
				pl.query = q
			}
			shared[sig] = pl
		}
		r.plans[k] = pl
	}
	return r, nil
}

// derivedRules are library rules that depend on data alone (policy documents and config).
// Provost evaluates each once per snapshot and supplies the value as data.provost.derived.<key>,
// which the rule itself returns when present, so that batches look the result up instead of
// re-deriving it (a cached virtual-document lookup costs several times a data lookup).
var derivedRules = []struct{ key, rule string }{
	{"aws_admin_docs", "data.provost.lib.aws.admin_docs"},
}

// newStore builds data.provost (config, policy documents and the derived values) plus the
// user's data documents, as AST values so that reads cost no conversion.
func (e *Evaluator) newStore(ctx context.Context, docs []inventory.PolicyDoc, at time.Time) (storage.Store, error) {
	cfg, err := e.cfg.value()
	if err != nil {
		return nil, err
	}
	user := ast.NewObject()
	for _, k := range slices.Sorted(maps.Keys(e.lib.data)) {
		v, err := ast.InterfaceToValue(e.lib.data[k])
		if err != nil {
			return nil, fmt.Errorf("policy data %s: %w", k, err)
		}
		user.Insert(ast.StringTerm(k), ast.NewTerm(v))
	}
	provost := ast.NewObject(
		[2]*ast.Term{ast.StringTerm("config"), ast.NewTerm(cfg)},
		[2]*ast.Term{ast.StringTerm("policy_docs"), policyDocsTerm(docs)},
	)
	build := func(provost ast.Object) ast.Object {
		root := user.Copy()
		root.Insert(ast.StringTerm("provost"), ast.NewTerm(provost))
		return root
	}
	derived := ast.NewObject()
	for _, d := range derivedRules {
		ref := ast.MustParseRef(d.rule)
		if len(e.lib.compiler.GetRulesExact(ref)) == 0 {
			continue // not loaded (NoBundled)
		}
		rs, err := rego.New(
			rego.Compiler(e.lib.compiler),
			rego.Store(inmem.NewFromASTObject(build(provost))),
			rego.ParsedQuery(ast.NewBody(ast.Equality.Expr(ast.VarTerm("x"), ast.NewTerm(ref)))),
			rego.StrictBuiltinErrors(true),
			rego.Capabilities(capabilities()),
			rego.Time(at), // honoured by an unprepared Eval
		).Eval(ctx)
		if err != nil {
			return nil, fmt.Errorf("derive %s: %w", d.rule, err)
		}
		if len(rs) != 1 {
			continue // undefined: the rule falls back to computing per batch
		}
		v, err := ast.InterfaceToValue(rs[0].Bindings["x"])
		if err != nil {
			return nil, fmt.Errorf("derive %s: %w", d.rule, err)
		}
		derived.Insert(ast.StringTerm(d.key), ast.NewTerm(v))
	}
	provost.Insert(ast.StringTerm("derived"), ast.NewTerm(derived))
	return inmem.NewFromASTObject(build(provost)), nil
}

// ruleRef is data.<package>.<rule>.
func ruleRef(c *Check, rule string) *ast.Term {
	ref := ast.MustParseRef("data." + c.Package)
	return ast.NewTerm(ref.Append(ast.StringTerm(rule)))
}

// queryFor binds v<i> to each check's violations and u<i> to its cannot_evaluate results.
func queryFor(checks []*Check) ast.Body {
	body := ast.NewBody()
	for i, c := range checks {
		body.Append(ast.Equality.Expr(ast.VarTerm(fmt.Sprintf("v%d", i)), ruleRef(c, "violation")))
		if c.HasCannotEvaluate {
			body.Append(ast.Equality.Expr(ast.VarTerm(fmt.Sprintf("u%d", i)), ruleRef(c, "cannot_evaluate")))
		}
	}
	return body
}

func (r *run) prepare(ctx context.Context, checks []*Check) (*rego.PreparedEvalQuery, error) {
	q, err := rego.New(
		rego.Compiler(r.e.lib.compiler),
		rego.Store(r.store),
		rego.ParsedQuery(queryFor(checks)),
		rego.StrictBuiltinErrors(true),
		rego.EnablePrintStatements(true),
		rego.PrintHook(slogPrint{r.logger}),
		rego.Capabilities(capabilities()),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("prepare policy query: %w", err)
	}
	return &q, nil
}

// batches groups the principals by class, in snapshot order, and cuts them into batches.
func (r *run) batches() []batch {
	byClass := map[*plan][]*inventory.Principal{}
	var order []*plan
	for i := range r.snap.Principals {
		p := &r.snap.Principals[i]
		pl := r.plans[classKey{string(p.Provider), string(p.Kind)}]
		if len(pl.checks) == 0 {
			continue
		}
		if _, ok := byClass[pl]; !ok {
			order = append(order, pl)
		}
		byClass[pl] = append(byClass[pl], p)
	}
	var out []batch
	size := r.e.opts.BatchSize
	for _, pl := range order {
		ps := byClass[pl]
		for i := 0; i < len(ps); i += size {
			out = append(out, batch{plan: pl, principals: ps[i:min(i+size, len(ps))]})
		}
	}
	return out
}

// evalBatch evaluates one batch with its class query; on a run-time error it falls back to
// one query per check so that the failing check is isolated and the others still report.
func (r *run) evalBatch(ctx context.Context, b batch) ([]finding.Finding, error) {
	items := make([]*ast.Term, len(b.principals))
	byID := make(map[string]*inventory.Principal, len(b.principals))
	for i, p := range b.principals {
		items[i] = r.ix.item(p)
		byID[p.ID] = p
	}
	rs, err := b.plan.query.Eval(ctx, rego.EvalParsedInput(batchInput(items)), rego.EvalTime(r.at), rego.EvalGenerateJSON(keepTerm))
	if err == nil {
		c := newCollector(byID)
		if len(rs) == 1 {
			for i, ch := range b.plan.checks {
				if err := c.add(ch, rs[0].Bindings[fmt.Sprintf("v%d", i)], rs[0].Bindings[fmt.Sprintf("u%d", i)]); err != nil {
					// A malformed result: isolate the check like a run-time error.
					return r.fallback(ctx, b, items, byID)
				}
			}
		}
		return c.findings(), nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, ctxErr
	}
	return r.fallback(ctx, b, items, byID)
}

func (r *run) fallback(ctx context.Context, b batch, items []*ast.Term, byID map[string]*inventory.Principal) ([]finding.Finding, error) {
	r.fallbacks.Add(1)
	c := newCollector(byID)
	for _, ch := range b.plan.checks {
		q, err := r.singleQuery(ctx, ch)
		if err != nil {
			return nil, err
		}
		if err := r.evalCheck(ctx, q, ch, items, c); err == nil {
			continue
		} else if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// The check fails on this batch: find which principals it fails on.
		for i, it := range items {
			if err := r.evalCheck(ctx, q, ch, []*ast.Term{it}, c); err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				r.recordError(ch, b.principals[i].ID, err)
			}
		}
	}
	return c.findings(), nil
}

// evalCheck evaluates one check over items and adds its results to c only when they are all
// well-formed.
func (r *run) evalCheck(ctx context.Context, q *rego.PreparedEvalQuery, ch *Check, items []*ast.Term, c *collector) error {
	rs, err := q.Eval(ctx, rego.EvalParsedInput(batchInput(items)), rego.EvalTime(r.at), rego.EvalGenerateJSON(keepTerm))
	if err != nil {
		return err
	}
	if len(rs) != 1 {
		return nil
	}
	trial := newCollector(c.byID)
	if err := trial.add(ch, rs[0].Bindings["v0"], rs[0].Bindings["u0"]); err != nil {
		return err
	}
	c.merge(trial)
	return nil
}

func (r *run) singleQuery(ctx context.Context, ch *Check) (*rego.PreparedEvalQuery, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if q, ok := r.single[ch.ID]; ok {
		return q, nil
	}
	q, err := r.prepare(ctx, []*Check{ch})
	if err != nil {
		return nil, err
	}
	r.single[ch.ID] = q
	return q, nil
}

func (r *run) recordError(ch *Check, principal string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	re, ok := r.runErrs[ch.ID]
	if !ok {
		re = &runtimeError{example: principal, message: err.Error()}
		r.runErrs[ch.ID] = re
		r.logger.Warn("check failed at run time", "check", ch.ID, "principal", principal, "err", err)
	}
	// The smallest principal ID is the example, so that the report does not depend on which
	// worker failed first.
	if principal < re.example {
		re.example, re.message = principal, err.Error()
	}
	re.principals++
}

// errorFindings reports each check that failed at run time as one error finding.
func (r *run) errorFindings() []finding.Finding {
	var out []finding.Finding
	for _, id := range slices.Sorted(maps.Keys(r.runErrs)) {
		re := r.runErrs[id]
		ch, _ := r.e.lib.Check(id)
		out = append(out, finding.Finding{
			ID:          finding.ID(id, "", "runtime"),
			CheckID:     id,
			Title:       ch.Title,
			Severity:    ch.Severity,
			Frameworks:  slices.Clone(ch.Frameworks),
			Qualifier:   "runtime",
			Message:     fmt.Sprintf("policy error: check %s failed for %d principals, e.g. %s: %s", id, re.principals, re.example, re.message),
			Evidence:    map[string]any{"error": re.message, "principals_affected": re.principals, "example_principal": re.example, "file": ch.File},
			Remediation: ch.Remediation,
			Status:      finding.StatusError,
		})
	}
	return out
}

// collector turns check results into findings, validating each result.
type collector struct {
	byID map[string]*inventory.Principal
	out  map[string]finding.Finding // by finding ID
}

func newCollector(byID map[string]*inventory.Principal) *collector {
	return &collector{byID: byID, out: map[string]finding.Finding{}}
}

func (c *collector) merge(o *collector) { maps.Copy(c.out, o.out) }

func (c *collector) findings() []finding.Finding {
	out := make([]finding.Finding, 0, len(c.out))
	for _, id := range slices.Sorted(maps.Keys(c.out)) {
		out = append(out, c.out[id])
	}
	return out
}

// errBadResult marks a result that breaks the Rego→Go contract.
var errBadResult = errors.New("bad check result")

// keepTerm hands query results back as OPA terms: the collector reads them directly instead of
// through maps and slices, and converts only the evidence.
func keepTerm(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil }

// add records a check's violations and cannot_evaluate results (sets of objects, as terms). A
// violation wins over a cannot_evaluate result for the same principal and qualifier; between
// two results for the same key, the smaller message wins, so the outcome is deterministic.
func (c *collector) add(ch *Check, violations, unknowns any) error {
	for _, set := range []struct {
		v      any
		status finding.Status
	}{{violations, finding.StatusOpen}, {unknowns, finding.StatusCannotEvaluate}} {
		if set.v == nil {
			continue
		}
		t, ok := set.v.(*ast.Term)
		if !ok {
			return fmt.Errorf("%w: %s: results are %T, want a set", errBadResult, ch.ID, set.v)
		}
		s, ok := t.Value.(ast.Set)
		if !ok {
			return fmt.Errorf("%w: %s: results are %v, want a set", errBadResult, ch.ID, ast.ValueName(t.Value))
		}
		var err error
		i := 0
		s.Until(func(x *ast.Term) bool {
			var f finding.Finding
			if f, err = c.result(ch, x.Value, set.status); err != nil {
				err = fmt.Errorf("%w: %s result %d: %v", errBadResult, ch.ID, i, err)
				return true
			}
			i++
			prev, dup := c.out[f.ID]
			switch {
			case !dup:
			case prev.Status == finding.StatusOpen && f.Status != finding.StatusOpen:
				return false
			case prev.Status == f.Status && prev.Message <= f.Message:
				return false
			}
			c.out[f.ID] = f
			return false
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func stringField(obj ast.Object, k string) (string, bool, error) {
	v := obj.Get(key(k))
	if v == nil {
		return "", false, nil
	}
	s, ok := v.Value.(ast.String)
	if !ok {
		return "", true, fmt.Errorf("%s is %v, want a string", k, v)
	}
	return string(s), true, nil
}

func (c *collector) result(ch *Check, x ast.Value, status finding.Status) (finding.Finding, error) {
	obj, ok := x.(ast.Object)
	if !ok {
		return finding.Finding{}, fmt.Errorf("%v is not an object with principal and msg", x)
	}
	pid, present, err := stringField(obj, "principal")
	if err != nil || !present {
		return finding.Finding{}, fmt.Errorf("principal is %v, want the principal ID string", obj.Get(key("principal")))
	}
	msg, _, err := stringField(obj, "msg")
	if err != nil || msg == "" {
		return finding.Finding{}, fmt.Errorf("msg is %v, want a non-empty string", obj.Get(key("msg")))
	}
	qualifier, _, err := stringField(obj, "qualifier")
	if err != nil {
		return finding.Finding{}, err
	}
	var evidence map[string]any
	if ev := obj.Get(key("evidence")); ev != nil {
		eo, ok := ev.Value.(ast.Object)
		if !ok {
			return finding.Finding{}, fmt.Errorf("evidence is %v, want an object", ev)
		}
		j, err := ast.JSON(eo)
		if err != nil {
			return finding.Finding{}, fmt.Errorf("evidence: %w", err)
		}
		evidence, _ = j.(map[string]any)
	}
	p, ok := c.byID[pid]
	if !ok {
		return finding.Finding{}, fmt.Errorf("principal %q is not one of the evaluated principals", pid)
	}
	return finding.Finding{
		ID:          finding.ID(ch.ID, pid, qualifier),
		CheckID:     ch.ID,
		Title:       ch.Title,
		Severity:    ch.Severity,
		Frameworks:  slices.Clone(ch.Frameworks),
		Principal:   pid,
		Account:     p.Account,
		Provider:    p.Provider,
		Qualifier:   qualifier,
		Message:     msg,
		Evidence:    evidence,
		Remediation: ch.Remediation,
		Status:      status,
	}, nil
}
