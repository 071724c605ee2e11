package daemon

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/provost-dev/provost/audit"
)

func TestParseSchedules(t *testing.T) {
	from := time.Date(2026, 3, 18, 9, 30, 15, 0, time.UTC) // a Wednesday
	tests := []struct {
		name  string
		specs []string
		tz    string
		want  []time.Time // next tick of each spec after from
		err   string
	}{
		{name: "five fields", specs: []string{"0 2 * * *"}, want: []time.Time{time.Date(2026, 3, 19, 2, 0, 0, 0, time.UTC)}},
		{name: "seconds field", specs: []string{"30 45 9 * * *"}, want: []time.Time{time.Date(2026, 3, 18, 9, 45, 30, 0, time.UTC)}},
		{name: "descriptor", specs: []string{"@daily", "@hourly"}, want: []time.Time{time.Date(2026, 3, 19, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 18, 10, 0, 0, 0, time.UTC)}},
		{name: "every", specs: []string{"@every 6h"}, want: []time.Time{time.Date(2026, 3, 18, 15, 30, 15, 0, time.UTC)}},
		{name: "time zone", specs: []string{"0 2 * * *"}, tz: "America/New_York", want: []time.Time{time.Date(2026, 3, 19, 6, 0, 0, 0, time.UTC)}},
		{name: "bad spec", specs: []string{"0 2 * *"}, err: `daemon.schedules[0] "0 2 * *"`},
		{name: "bad field", specs: []string{"@daily", "61 * * * *"}, err: `daemon.schedules[1] "61 * * * *"`},
		{name: "tz in spec", specs: []string{"CRON_TZ=UTC 0 2 * * *"}, err: "set the time zone with daemon.timezone"},
		{name: "bad zone", specs: []string{"@daily"}, tz: "Mars/Olympus", err: `daemon.timezone "Mars/Olympus"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSchedules(tt.specs, tt.tz)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var next []time.Time
			for _, s := range got {
				next = append(next, s.Next(from).UTC())
			}
			if diff := cmp.Diff(tt.want, next); diff != "" {
				t.Errorf("next ticks (-want +got):\n%s", diff)
			}
		})
	}
}

// fakeClock hands each wait the scheduler asks for to the test, which fires it by moving the
// clock forward by exactly that wait.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	waits chan fakeWait
	stop  chan struct{}
}

type fakeWait struct {
	d time.Duration
	c chan time.Time
}

func newFakeClock(t time.Time) *fakeClock {
	return &fakeClock{t: t, waits: make(chan fakeWait), stop: make(chan struct{})}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) After(d time.Duration) <-chan time.Time {
	c := make(chan time.Time, 1)
	select {
	case f.waits <- fakeWait{d, c}:
	case <-f.stop:
	}
	return c
}

// next receives the scheduler's next wait request.
func (f *fakeClock) next(t *testing.T) fakeWait {
	t.Helper()
	select {
	case w := <-f.waits:
		return w
	case <-time.After(10 * time.Second):
		t.Fatal("the scheduler asked for no wait within 10s")
		return fakeWait{}
	}
}

func (f *fakeClock) fire(w fakeWait) {
	f.mu.Lock()
	f.t = f.t.Add(w.d)
	now := f.t
	f.mu.Unlock()
	w.c <- now
}

// blockingRun is a RunFunc that reports each start and returns when released (or cancelled).
type blockingRun struct {
	started chan struct{}
	release chan struct{}
	calls   atomic.Int32
}

func newBlockingRun() *blockingRun {
	return &blockingRun{started: make(chan struct{}, 10), release: make(chan struct{})}
}

func (b *blockingRun) run(ctx context.Context) (*audit.Result, error) {
	b.calls.Add(1)
	b.started <- struct{}{}
	select {
	case <-b.release:
		return &audit.Result{SnapshotID: "s"}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func recv[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s within 10s", what)
		var zero T
		return zero
	}
}

func TestSchedulerSkipsTickWhileRunning(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 3, 18, 0, 30, 0, 0, time.UTC))
	br := newBlockingRun()
	done := make(chan Run, 10)
	d := newTestDaemon(t, Options{
		Config: configWith(func(c *Config) { c.Schedules = []string{"0 * * * *"} }),
		Run:    br.run, Now: clock.Now, After: clock.After,
		OnRun: func(_ context.Context, r Run) { done <- r },
	})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { d.sched.loop(ctx) })
	defer func() {
		close(clock.stop)
		cancel()
		wg.Wait()
		_ = d.runner.stop(context.Background())
	}()

	w := clock.next(t)
	if w.d != 30*time.Minute {
		t.Fatalf("first wait = %v, want 30m (00:30 → 01:00)", w.d)
	}
	clock.fire(w)
	recv(t, br.started, "run start at 01:00")

	w = clock.next(t) // 01:00 → 02:00 while the first run is still going
	if w.d != time.Hour {
		t.Fatalf("second wait = %v, want 1h", w.d)
	}
	clock.fire(w)
	w = clock.next(t) // the 02:00 tick has been handled: skipped
	if got := testutil.ToFloat64(d.metrics.skipped); got != 1 {
		t.Errorf("skipped ticks = %v, want 1", got)
	}
	if got := br.calls.Load(); got != 1 {
		t.Errorf("runs started = %d, want 1", got)
	}

	br.release <- struct{}{}
	first := recv(t, done, "first run to finish")
	clock.fire(w) // 03:00: nothing running, so a run starts
	recv(t, br.started, "run start at 03:00")
	br.release <- struct{}{}
	second := recv(t, done, "second run to finish")

	got := []Run{first, second}
	want := []Run{
		{Trigger: TriggerSchedule, Status: StatusSucceeded, Started: time.Date(2026, 3, 18, 1, 0, 0, 0, time.UTC), Finished: time.Date(2026, 3, 18, 2, 0, 0, 0, time.UTC)},
		{Trigger: TriggerSchedule, Status: StatusSucceeded, Started: time.Date(2026, 3, 18, 3, 0, 0, 0, time.UTC), Finished: time.Date(2026, 3, 18, 3, 0, 0, 0, time.UTC)},
	}
	for i := range got {
		got[i].ID, got[i].Result = "", nil
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
	if got := testutil.ToFloat64(d.metrics.runs.WithLabelValues(TriggerSchedule, StatusSucceeded)); got != 2 {
		t.Errorf("provost_runs_total{schedule,succeeded} = %v, want 2", got)
	}
}

func TestSchedulerJitterBounds(t *testing.T) {
	const jitter = 10 * time.Minute
	clock := newFakeClock(time.Date(2026, 3, 18, 0, 0, 0, 0, time.UTC))
	d := newTestDaemon(t, Options{
		Config: configWith(func(c *Config) { c.Schedules = []string{"0 * * * *"}; c.Jitter = jitter }),
		Run:    func(context.Context) (*audit.Result, error) { return nil, errors.New("not in this test") },
		Now:    clock.Now, After: clock.After,
	})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { d.sched.loop(ctx) })
	defer func() {
		close(clock.stop)
		cancel()
		wg.Wait()
		_ = d.runner.stop(context.Background())
	}()

	distinct := map[time.Duration]bool{}
	for i := range 200 {
		now := clock.Now()
		w := clock.next(t)
		tick := now.Truncate(time.Hour).Add(time.Hour)
		j := w.d - tick.Sub(now)
		if j < 0 || j >= jitter {
			t.Fatalf("wait %d: jitter %v outside [0, %v)", i, j, jitter)
		}
		distinct[j] = true
		clock.fire(w)
	}
	if len(distinct) < 150 {
		t.Errorf("%d distinct jitters in 200 ticks: the jitter is not random", len(distinct))
	}
}

func TestRunnerStop(t *testing.T) {
	tests := []struct {
		name       string
		finish     bool // the run finishes before the deadline
		wantStatus string
		wantErr    error
	}{
		{name: "finishes within the deadline", finish: true, wantStatus: StatusSucceeded},
		{name: "cancelled at the deadline", wantStatus: StatusCancelled, wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := newBlockingRun()
			done := make(chan Run, 1)
			r := newRunner(br.run, time.Now, discard(), func(run Run) { done <- run })
			if _, err := r.start(TriggerManual); err != nil {
				t.Fatal(err)
			}
			recv(t, br.started, "run start")
			if _, err := r.start(TriggerManual); !errors.Is(err, ErrBusy) {
				t.Errorf("second start: %v, want ErrBusy", err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			stopped := make(chan error, 1)
			go func() { stopped <- r.stop(ctx) }()
			if tt.finish {
				br.release <- struct{}{}
			} else {
				cancel()
			}
			err := recv(t, stopped, "stop")
			cancel()
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("stop = %v, want %v", err, tt.wantErr)
			}
			if run := recv(t, done, "run record"); run.Status != tt.wantStatus {
				t.Errorf("status = %q, want %q", run.Status, tt.wantStatus)
			}
			if _, err := r.start(TriggerManual); !errors.Is(err, ErrStopping) {
				t.Errorf("start after stop: %v, want ErrStopping", err)
			}
		})
	}
}

// TestRunnerStopIdle: with nothing running, stop succeeds even when its deadline has passed.
func TestRunnerStopIdle(t *testing.T) {
	r := newRunner(newBlockingRun().run, time.Now, discard(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 100 { // the outcome used to depend on select's random choice
		if err := r.stop(ctx); err != nil {
			t.Fatalf("stop with nothing running: %v", err)
		}
	}
}
