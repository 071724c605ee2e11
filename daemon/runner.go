package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/provost-dev/provost/audit"
)

// RunFunc does one audit pass (an adapter over audit.Run). When ctx is cancelled it must return
// promptly and store nothing partial — audit.Run writes each snapshot in one transaction.
type RunFunc func(ctx context.Context) (*audit.Result, error)

// Triggers say why a run started.
const (
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
	TriggerStartup  = "startup"
)

// Run outcomes.
const (
	StatusRunning   = "running"
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
	// StatusInterrupted: the process ended (killed, crashed) while the run was going; found at
	// the next start.
	StatusInterrupted = "interrupted"
)

var (
	// ErrBusy: a run is already going; the daemon runs one at a time.
	ErrBusy = errors.New("a run is already in progress")
	// ErrStopping: the daemon is shutting down and takes no new runs.
	ErrStopping = errors.New("the daemon is shutting down")
)

// Run is the record of one run as the API shows it.
type Run struct {
	ID       string        `json:"id"`
	Trigger  string        `json:"trigger"`
	Status   string        `json:"status"`
	Started  time.Time     `json:"started"`
	Finished time.Time     `json:"finished,omitzero"`
	Error    string        `json:"error,omitempty"`
	Result   *audit.Result `json:"result,omitempty"`
}

// keepRuns bounds the run records kept in memory.
const keepRuns = 200

// runner runs at most one RunFunc at a time on a goroutine it owns.
type runner struct {
	fn      RunFunc
	now     func() time.Time
	log     *slog.Logger
	onDone  func(Run) // called on the run's goroutine after the record is final
	persist func(Run) // stores a record (at start and when final); nil: memory only

	ctx    context.Context // parent of every run; cancelled by stop when the deadline passes
	cancel context.CancelFunc

	mu       sync.Mutex
	seq      int
	current  *Run
	runs     []*Run // oldest first
	stopping bool
	active   int           // runs started and not yet through do, notifications included
	idle     chan struct{} // closed by the last run to finish once stop waits for it
}

func newRunner(fn RunFunc, now func() time.Time, log *slog.Logger, onDone func(Run)) *runner {
	ctx, cancel := context.WithCancel(context.Background())
	return &runner{fn: fn, now: now, log: log, onDone: onDone, ctx: ctx, cancel: cancel}
}

// start begins a run unless one is going (ErrBusy) or the runner is stopping (ErrStopping).
func (r *runner) start(trigger string) (Run, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopping {
		return Run{}, ErrStopping
	}
	if r.current != nil {
		return Run{}, ErrBusy
	}
	r.seq++
	at := r.now().UTC()
	run := &Run{ID: fmt.Sprintf("run-%s-%d", at.Format("20060102T150405Z"), r.seq), Trigger: trigger, Status: StatusRunning, Started: at}
	r.current = run
	r.runs = append(r.runs, run)
	if len(r.runs) > keepRuns {
		r.runs = slices.Delete(r.runs, 0, len(r.runs)-keepRuns)
	}
	r.active++
	started := *run
	if r.persist != nil {
		r.persist(started) // before the run can finish and persist its final record
	}
	go r.do(run)
	return started, nil
}

func (r *runner) do(run *Run) {
	defer func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.active--; r.active == 0 && r.idle != nil {
			close(r.idle)
			r.idle = nil
		}
	}()
	res, err := r.fn(r.ctx)
	r.mu.Lock()
	run.Finished = r.now().UTC()
	switch {
	case err == nil:
		run.Status, run.Result = StatusSucceeded, res
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		run.Status, run.Error = StatusCancelled, err.Error()
	default:
		run.Status, run.Error = StatusFailed, err.Error()
	}
	r.current = nil
	final := *run
	r.mu.Unlock()
	if r.persist != nil {
		r.persist(final)
	}
	r.log.Info("run finished", "run", final.ID, "status", final.Status, "error", final.Error, "duration", final.Finished.Sub(final.Started))
	if r.onDone != nil {
		r.onDone(final)
	}
}

// list returns the run records, newest first.
func (r *runner) list() []Run {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Run, 0, len(r.runs))
	for i := len(r.runs) - 1; i >= 0; i-- {
		out = append(out, *r.runs[i])
	}
	return out
}

// get returns one run record.
func (r *runner) get(id string) (Run, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, run := range r.runs {
		if run.ID == id {
			return *run, true
		}
	}
	return Run{}, false
}

// busy reports whether a run is going.
func (r *runner) busy() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.current != nil
}

// stop takes no new runs, lets the current one finish until ctx is done, then cancels it and
// waits for it to return. It returns ctx's error when the run had to be cancelled.
func (r *runner) stop(ctx context.Context) error {
	r.mu.Lock()
	r.stopping = true
	if r.active == 0 {
		r.mu.Unlock()
		r.cancel()
		return nil
	}
	if r.idle == nil {
		r.idle = make(chan struct{})
	}
	idle := r.idle
	r.mu.Unlock()
	select {
	case <-idle:
		r.cancel()
		return nil
	case <-ctx.Done():
		r.log.Warn("shutdown deadline passed: cancelling the run in progress")
		r.cancel()
		<-idle
		return ctx.Err()
	}
}
