package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// specParser reads five-field specs with an optional leading seconds field, and descriptors.
var specParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedules parses cron specs in the time zone tz ("" means UTC). Errors name the spec.
func ParseSchedules(specs []string, tz string) ([]cron.Schedule, error) {
	if tz == "" {
		tz = "UTC"
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return nil, fmt.Errorf("daemon.timezone %q: %w", tz, err)
	}
	var errs []error
	out := make([]cron.Schedule, 0, len(specs))
	for i, s := range specs {
		spec := strings.TrimSpace(s)
		if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
			errs = append(errs, fmt.Errorf("daemon.schedules[%d] %q: set the time zone with daemon.timezone, not in the spec", i, s))
			continue
		}
		sch, err := specParser.Parse("CRON_TZ=" + tz + " " + spec)
		if err != nil {
			errs = append(errs, fmt.Errorf("daemon.schedules[%d] %q: %w (want e.g. \"0 2 * * *\", \"0 0 2 * * *\" or \"@daily\")", i, s, err))
			continue
		}
		out = append(out, sch)
	}
	return out, errors.Join(errs...)
}

// scheduler starts a run at every tick of its schedules, delayed by jitter; a tick that finds a
// run in progress is skipped.
type scheduler struct {
	schedules []cron.Schedule
	maxJitter time.Duration
	now       func() time.Time
	after     func(time.Duration) <-chan time.Time
	jitter    func(max time.Duration) time.Duration // in [0, max)
	start     func(trigger string) (Run, error)
	skipped   func()
	log       *slog.Logger
}

// next is the earliest tick after t, and false when there is none.
func (s *scheduler) next(t time.Time) (time.Time, bool) {
	var best time.Time
	for _, sch := range s.schedules {
		n := sch.Next(t)
		if n.IsZero() {
			continue
		}
		if best.IsZero() || n.Before(best) {
			best = n
		}
	}
	return best, !best.IsZero()
}

// loop runs until ctx is done.
func (s *scheduler) loop(ctx context.Context) {
	for {
		now := s.now()
		tick, ok := s.next(now)
		if !ok {
			return
		}
		wait := tick.Sub(now)
		if s.maxJitter > 0 {
			wait += s.jitter(s.maxJitter)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.after(wait):
		}
		if ctx.Err() != nil {
			return
		}
		switch run, err := s.start(TriggerSchedule); {
		case errors.Is(err, ErrBusy):
			s.skipped()
			s.log.Warn("scheduled run skipped: a run is still going", "tick", tick)
		case err != nil:
			s.log.Info("scheduled run not started", "tick", tick, "error", err)
		default:
			s.log.Info("scheduled run started", "run", run.ID, "tick", tick)
		}
		// A run that began exactly at the tick must not be scheduled again for the same tick.
		for s.now().Before(tick) {
			select {
			case <-ctx.Done():
				return
			case <-s.after(tick.Sub(s.now())):
			}
		}
	}
}
