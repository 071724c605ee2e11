package collector

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/provost-dev/provost/inventory"
)

// RunOptions configures Run.
type RunOptions struct {
	Timeout        time.Duration // per source; 0 = none
	Parallelism    int           // sources at once; <= 0 means all at once
	Now            func() time.Time
	Logger         *slog.Logger // nil discards
	Linking        LinkOptions
	ProvostVersion string
	// Progress, if set, is called when each source starts (done false) and ends (done true, with
	// the source's error). It is called from the sources' goroutines, concurrently.
	Progress func(source string, done bool, err error)
}

// Run collects every source and returns the merged, linked snapshot.
//
// Sources run in parallel, at most opts.Parallelism at once, each under opts.Timeout. A source
// that returns an error, times out or panics is recorded as one failed Coverage entry classified
// with KindOf (timeout for an expired deadline, unknown for a panic), labelled with the source's
// provider and method when it is a Describer; the others are unaffected.
// Results are merged in the order of sources, whatever order they finish in: the first source
// to report a principal, person, account or policy document keeps it, and a later source that
// reports the same principal or person again has its coverage marked partial (kind invalid).
//
// Run waits for every source it starts: a source that ignores its context (the Source contract
// forbids it) holds the run past its timeout. Run returns an error only for duplicate source
// names or when ctx itself is cancelled: a snapshot of an interrupted run would read as if every
// source had failed.
func Run(ctx context.Context, sources []Source, opts RunOptions) (*inventory.Snapshot, error) {
	seen := make(map[string]bool, len(sources))
	for _, s := range sources {
		if seen[s.Name()] {
			return nil, fmt.Errorf("collect: duplicate source name %q", s.Name())
		}
		seen[s.Name()] = true
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("component", "collector")

	started := now().UTC()
	outcomes := make([]outcome, len(sources))
	var g errgroup.Group
	limit := opts.Parallelism
	if limit <= 0 || limit > len(sources) {
		limit = max(len(sources), 1)
	}
	g.SetLimit(limit)
	for i, src := range sources {
		g.Go(func() error {
			outcomes[i] = collectOne(ctx, src, opts, now, logger)
			return nil
		})
	}
	_ = g.Wait() // the goroutines never fail: failures are coverage
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("collect: %w", err)
	}

	snap := merge(outcomes)
	snap.ID = snapshotID(started)
	snap.StartedAt = started
	snap.FinishedAt = now().UTC()
	snap.ProvostVersion = opts.ProvostVersion
	Link(snap, opts.Linking)
	return snap, nil
}

// snapshotID is the start time in UTC and six random hex digits: "20260314T020000Z-9f86d0".
func snapshotID(started time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:]) // never fails
	return started.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// outcome is what one source produced; result is never nil.
type outcome struct {
	name   string
	result *Result
}

func collectOne(ctx context.Context, src Source, opts RunOptions, now func() time.Time, logger *slog.Logger) outcome {
	name := src.Name()
	log := logger.With("source", name)
	if opts.Progress != nil {
		opts.Progress(name, false, nil)
	}
	sctx, cancel := ctx, context.CancelFunc(func() {})
	if opts.Timeout > 0 {
		sctx, cancel = context.WithTimeout(ctx, opts.Timeout)
	}
	defer cancel()

	start := now().UTC()
	log.Debug("collecting")
	res, err := collectSafely(sctx, src, log)
	end := now().UTC()
	if err == nil && res == nil {
		err = Errorf(inventory.ErrUnknown, "source %q returned neither a result nor an error", name)
	}
	if opts.Progress != nil {
		opts.Progress(name, true, err)
	}

	if err != nil {
		kind := KindOf(err)
		msg := err.Error()
		if ctx.Err() == nil && sctx.Err() == context.DeadlineExceeded {
			kind = inventory.ErrTimeout
			msg = fmt.Sprintf("timed out after %s: %s", opts.Timeout, msg)
		}
		log.Warn("source failed", "kind", kind, "error", msg, "elapsed", end.Sub(start))
		cov := inventory.Coverage{
			Source:     name,
			Status:     inventory.CoverageFailed,
			ErrorKind:  kind,
			Error:      msg,
			StartedAt:  start,
			FinishedAt: end,
		}
		if d, ok := src.(Describer); ok {
			cov.Provider, cov.Method = d.Provider(), d.Method()
		}
		return outcome{name: name, result: &Result{Coverage: []inventory.Coverage{cov}}}
	}

	if len(res.Coverage) == 0 {
		// A source that says nothing about what it saw must not be read as having seen it all.
		res.Coverage = []inventory.Coverage{{
			Source:    name,
			Status:    inventory.CoveragePartial,
			ErrorKind: inventory.ErrInvalid,
			Error:     fmt.Sprintf("source %q reported no coverage", name),
		}}
	}
	for i := range res.Coverage {
		c := &res.Coverage[i]
		if c.Source == "" {
			c.Source = name
		}
		if c.StartedAt.IsZero() {
			c.StartedAt = start
		}
		if c.FinishedAt.IsZero() {
			c.FinishedAt = end
		}
	}
	log.Info("source collected", "principals", len(res.Principals), "people", len(res.People),
		"accounts", len(res.Accounts), "scopes", len(res.Coverage), "elapsed", end.Sub(start))
	return outcome{name: name, result: res}
}

// collectSafely turns a panic in Collect into an error, so that one broken source cannot take
// the run down.
func collectSafely(ctx context.Context, src Source, log *slog.Logger) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			log.Error("source panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			res, err = nil, Errorf(inventory.ErrUnknown, "source %q panicked: %v", src.Name(), r)
		}
	}()
	return src.Collect(ctx)
}

// duplicate is a principal or person that a later source reported again.
type duplicate struct {
	what, id, account, firstSource string
}

// merge builds the snapshot body from the outcomes. Where two sources report the same ID, the
// one earlier in the list of sources wins, whatever order they finished in.
func merge(outcomes []outcome) *inventory.Snapshot {
	snap := &inventory.Snapshot{
		Coverage:   []inventory.Coverage{},
		Accounts:   []inventory.Account{},
		PolicyDocs: []inventory.PolicyDoc{},
	}
	covStart := make([]int, len(outcomes)+1)
	for i, o := range outcomes {
		snap.Coverage = append(snap.Coverage, o.result.Coverage...)
		covStart[i+1] = len(snap.Coverage)
	}
	accounts := map[string]bool{}
	docs := map[string]bool{}
	for _, o := range outcomes {
		for _, a := range o.result.Accounts {
			if !accounts[a.ID] {
				accounts[a.ID] = true
				snap.Accounts = append(snap.Accounts, a)
			}
		}
		for _, d := range o.result.PolicyDocs {
			if !docs[d.ID] {
				docs[d.ID] = true
				snap.PolicyDocs = append(snap.PolicyDocs, d)
			}
		}
	}

	dups := make([][]duplicate, len(outcomes))
	snap.Principals = mergeByID(outcomes,
		func(r *Result) []inventory.Principal { return r.Principals },
		func(p *inventory.Principal) string { return p.ID },
		func(src int, p *inventory.Principal, first string) {
			dups[src] = append(dups[src], duplicate{"principal", p.ID, p.Account, first})
		})
	for i := range snap.Principals {
		snap.Principals[i].Normalize()
	}
	snap.People = mergeByID(outcomes,
		func(r *Result) []inventory.Person { return r.People },
		func(p *inventory.Person) string { return p.ID },
		func(src int, p *inventory.Person, first string) {
			dups[src] = append(dups[src], duplicate{"person", p.ID, "", first})
		})
	for i := range outcomes {
		markDuplicates(snap.Coverage[covStart[i]:covStart[i+1]], dups[i])
	}

	slices.SortStableFunc(snap.Coverage, func(a, b inventory.Coverage) int {
		return cmp.Or(strings.Compare(a.Source, b.Source), strings.Compare(a.Scope, b.Scope))
	})
	slices.SortFunc(snap.Accounts, func(a, b inventory.Account) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(snap.PolicyDocs, func(a, b inventory.PolicyDoc) int { return strings.Compare(a.ID, b.ID) })
	return snap
}

// mergeByID gathers the records of every outcome sorted by ID, keeping the first source's
// record of each ID and reporting the others to dup. Records are large, so it sorts small
// references and copies each kept record once.
func mergeByID[T any](outcomes []outcome, records func(*Result) []T, id func(*T) string, dup func(src int, rec *T, first string)) []T {
	type ref struct {
		id       string
		src, idx int
	}
	n := 0
	for _, o := range outcomes {
		n += len(records(o.result))
	}
	refs := make([]ref, 0, n)
	for src, o := range outcomes {
		recs := records(o.result)
		for i := range recs {
			refs = append(refs, ref{id(&recs[i]), src, i})
		}
	}
	slices.SortFunc(refs, func(a, b ref) int {
		return cmp.Or(strings.Compare(a.id, b.id), cmp.Compare(a.src, b.src), cmp.Compare(a.idx, b.idx))
	})
	out := make([]T, 0, len(refs))
	kept := 0 // index in refs of the record kept for the current ID
	for i, r := range refs {
		rec := &records(outcomes[r.src].result)[r.idx]
		if i > 0 && refs[kept].id == r.id {
			dup(r.src, rec, outcomes[refs[kept].src].name)
			continue
		}
		kept = i
		out = append(out, *rec)
	}
	return out
}

// markDuplicates marks the coverage of the scopes that reported duplicates as partial: what
// the source saw there is not wholly in the snapshot. A duplicate whose scope the source has no
// coverage entry for marks all of the source's entries.
func markDuplicates(cov []inventory.Coverage, dups []duplicate) {
	if len(dups) == 0 {
		return
	}
	perEntry := make([][]duplicate, len(cov))
	for _, d := range dups {
		matched := false
		for i := range cov {
			if d.account != "" && cov[i].Scope == d.account {
				perEntry[i] = append(perEntry[i], d)
				matched = true
			}
		}
		if !matched {
			for i := range cov {
				perEntry[i] = append(perEntry[i], d)
			}
		}
	}
	for i, ds := range perEntry {
		if len(ds) == 0 {
			continue
		}
		c := &cov[i]
		if c.Status == inventory.CoverageComplete {
			c.Status = inventory.CoveragePartial
		}
		if c.ErrorKind == inventory.ErrNone {
			c.ErrorKind = inventory.ErrInvalid
		}
		d := ds[0]
		msg := fmt.Sprintf("%s %q was already collected by source %q", d.what, d.id, d.firstSource)
		if len(ds) > 1 {
			msg = fmt.Sprintf("%d principals or people were already collected by other sources, e.g. %s %q by source %q",
				len(ds), d.what, d.id, d.firstSource)
		}
		if c.Error != "" {
			msg = c.Error + "; " + msg
		}
		c.Error = msg
	}
}
