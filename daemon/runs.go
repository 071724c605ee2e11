package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/provost-dev/provost/store"
)

// loadRuns reads the run records kept in the store, oldest first, the newest keepRuns of them.
// A record still "running" belongs to a process that ended mid-run: it is marked interrupted
// (and stored so) — its snapshot, if any, was never committed.
func loadRuns(ctx context.Context, db *store.DB, now func() time.Time) ([]*Run, error) {
	var runs []*Run
	err := db.EachRun(func(id string, v []byte) error {
		var r Run
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("run record %s: %w", id, err)
		}
		runs = append(runs, &r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(runs, func(a, b *Run) int { return a.Started.Compare(b.Started) })
	for _, r := range runs {
		if r.Status != StatusRunning {
			continue
		}
		r.Status, r.Finished, r.Error = StatusInterrupted, now().UTC(), "the daemon stopped before the run finished; nothing of it was stored"
		if err := putRun(ctx, db, *r); err != nil {
			return nil, err
		}
	}
	if len(runs) > keepRuns {
		runs = runs[len(runs)-keepRuns:]
	}
	return runs, nil
}

func putRun(ctx context.Context, db *store.DB, r Run) error {
	v, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode run %s: %w", r.ID, err)
	}
	return db.PutRun(ctx, r.ID, v)
}

// persister stores run records, logging (not failing) when the store refuses: a run's result
// is in its snapshot and findings either way.
func persister(db *store.DB, log *slog.Logger) func(Run) {
	return func(r Run) {
		if err := putRun(context.Background(), db, r); err != nil {
			log.Error("store run record", "run", r.ID, "error", err)
		}
	}
}
