package daemon

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/notify"
	"github.com/provost-dev/provost/store"
)

// Options configure a Daemon. Store, Run and Token are required.
type Options struct {
	Config Config
	// Store is the open database; the caller opens it (its file lock keeps a second daemon
	// out) and closes it after Serve returns.
	Store *store.DB
	// Run does one audit pass.
	Run RunFunc
	// Token is the API bearer token (Config.Token reads it from the environment).
	Token string
	// OnRun, when set, is called after every run with its final record.
	OnRun func(context.Context, Run)
	// Notifier, when set, receives one digest per successful run: its new open findings at
	// or above NotifyMin (default high) and its drift events, at most NotifyLimit of each
	// (default 20).
	Notifier    Notifier
	NotifyMin   finding.Severity
	NotifyLimit int
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger // nil discards

	// Scheduler seams: After waits (nil: time.After); Jitter returns a duration in [0, max)
	// (nil: uniform random).
	After  func(time.Duration) <-chan time.Time
	Jitter func(max time.Duration) time.Duration
}

// Notifier sends a digest (notify.Notifier).
type Notifier interface {
	Notify(ctx context.Context, d notify.Digest) error
}

var _ Notifier = (*notify.Notifier)(nil)

// Daemon runs audits on a schedule and serves the HTTP API, metrics and dashboard.
type Daemon struct {
	cfg     Config
	db      *store.DB
	token   string
	now     func() time.Time
	log     *slog.Logger
	metrics *metrics
	runner  *runner
	sched   *scheduler
	onRun   func(context.Context, Run)
	ready   atomic.Bool

	cache findingsCache

	notifier    Notifier
	notifyMin   finding.Severity
	notifyLimit int
}

// New checks opts and builds a Daemon; nothing runs until Serve.
func New(opts Options) (*Daemon, error) {
	if opts.Store == nil {
		return nil, errors.New("daemon: no store")
	}
	if opts.Run == nil {
		return nil, errors.New("daemon: no run function")
	}
	if opts.Token == "" {
		return nil, errors.New("daemon: empty API token")
	}
	if err := opts.Config.Validate(); err != nil {
		return nil, err
	}
	schedules, err := ParseSchedules(opts.Config.Schedules, opts.Config.Timezone)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "daemon")
	d := &Daemon{cfg: opts.Config, db: opts.Store, token: opts.Token, now: now, log: log, metrics: newMetrics(), onRun: opts.OnRun}
	d.notifier, d.notifyMin, d.notifyLimit = opts.Notifier, opts.NotifyMin, opts.NotifyLimit
	if d.notifyMin == 0 {
		d.notifyMin = finding.SeverityHigh
	}
	if d.notifyLimit <= 0 {
		d.notifyLimit = 20
	}
	d.runner = newRunner(opts.Run, now, log, d.finished)
	runs, err := loadRuns(context.Background(), opts.Store, now)
	if err != nil {
		return nil, fmt.Errorf("load run records: %w", err)
	}
	d.runner.runs, d.runner.seq = runs, len(runs)
	d.runner.persist = persister(opts.Store, log)
	after, jitter := opts.After, opts.Jitter
	if after == nil {
		after = time.After
	}
	if jitter == nil {
		jitter = func(max time.Duration) time.Duration { return rand.N(max) }
	}
	d.sched = &scheduler{
		schedules: schedules, maxJitter: opts.Config.Jitter, now: now, after: after, jitter: jitter,
		start: d.startRun, skipped: d.metrics.skipped.Inc, log: log,
	}
	return d, nil
}

// startRun starts a run and marks it in progress.
func (d *Daemon) startRun(trigger string) (Run, error) {
	run, err := d.runner.start(trigger)
	if err == nil {
		d.metrics.inProgress.Set(1)
	}
	return run, err
}

// finished is called on the run's goroutine once its record is final.
func (d *Daemon) finished(run Run) {
	d.cache.clear()
	d.metrics.inProgress.Set(0)
	d.metrics.observe(run)
	if d.notifier != nil && run.Status == StatusSucceeded && run.Result != nil {
		res := run.Result
		dg := notify.NewDigest(res.SnapshotID, res.PreviousID, res.EvalTime, res.Findings, res.Drift, d.notifyMin, d.notifyLimit)
		dg.Run = run.ID
		// The run's context: a shutdown deadline cuts retries short too.
		if err := d.notifier.Notify(d.runner.ctx, dg); err != nil {
			d.metrics.notifyErrors.Inc()
			d.log.Error("notification failed", "run", run.ID, "error", err)
		}
	}
	if d.onRun != nil {
		d.onRun(d.runner.ctx, run)
	}
}

// StartRun starts a run now, as POST /api/v1/runs does; ErrBusy when one is going.
func (d *Daemon) StartRun() (Run, error) { return d.startRun(TriggerManual) }

// Runs lists the run records, newest first.
func (d *Daemon) Runs() []Run { return d.runner.list() }

// Handler is the daemon's HTTP handler (API, metrics, health, dashboard).
func (d *Daemon) Handler() http.Handler { return d.routes() }

func (d *Daemon) isReady() bool { return d.ready.Load() }

// Serve (once per Daemon) serves HTTP on ln and runs the schedule until ctx is done, then shuts down: it stops
// taking runs, lets the run in progress finish within Config.ShutdownTimeout (cancelling it
// after, which stores nothing), and stops the HTTP server. ln is closed on return. The error
// is nil after a clean shutdown, and wraps context.DeadlineExceeded when a run had to be
// cancelled.
func (d *Daemon) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           d.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      5 * time.Minute, // reports of large estates take a while to render
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(d.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if d.cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(d.cfg.TLSCert, d.cfg.TLSKey)
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("load daemon.tls_cert/daemon.tls_key: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	schedCtx, stopSched := context.WithCancel(ctx)
	var schedDone sync.WaitGroup
	schedDone.Go(func() { d.sched.loop(schedCtx) })
	d.ready.Store(true)
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	d.log.Info("daemon serving", "addr", ln.Addr().String(), "schedules", d.cfg.Schedules, "tls", d.cfg.TLSCert != "")
	if d.cfg.RunAtStartup {
		if _, err := d.startRun(TriggerStartup); err != nil {
			d.log.Warn("start-up run not started", "error", err)
		}
	}

	var err error
	served := false
	select {
	case <-ctx.Done():
	case err = <-serveErr:
		served = true
		err = fmt.Errorf("http server: %w", err)
	}
	d.ready.Store(false)
	d.log.Info("daemon stopping", "shutdown_timeout", d.cfg.ShutdownTimeout)
	stopSched()
	schedDone.Wait()

	runCtx, cancel := context.WithTimeout(context.Background(), d.cfg.ShutdownTimeout)
	defer cancel()
	if rerr := d.runner.stop(runCtx); rerr != nil {
		err = errors.Join(err, fmt.Errorf("run in progress cancelled at shutdown: %w", rerr))
	}

	httpCtx, cancelHTTP := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelHTTP()
	if serr := srv.Shutdown(httpCtx); serr != nil {
		err = errors.Join(err, fmt.Errorf("http shutdown: %w", serr))
		_ = srv.Close()
	}
	if !served {
		if e := <-serveErr; !errors.Is(e, http.ErrServerClosed) {
			err = errors.Join(err, fmt.Errorf("http server: %w", e))
		}
	}
	d.log.Info("daemon stopped")
	return err
}
