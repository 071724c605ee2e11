package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/store"
)

func (a *app) newSnapshotsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "snapshots",
		Aliases: []string{"snapshot"},
		Short:   "List, show, delete and prune stored snapshots",
		Args:    noArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(a.newSnapshotsListCommand(), a.newSnapshotsShowCommand(),
		a.newSnapshotsDeleteCommand(), a.newSnapshotsPruneCommand())
	return cmd
}

// openStore opens the configured database; read-only commands take a shared lock so they can run
// beside each other.
func (a *app) openStore(readOnly bool) (*store.DB, error) {
	return store.Open(a.cfg.Store.Path, store.Options{
		Timeout:  time.Duration(a.cfg.Store.LockTimeout),
		ReadOnly: readOnly,
		Logger:   a.logger,
	})
}

// resolveSnapshot accepts an ID, "latest" or "previous".
func resolveSnapshot(db *store.DB, ref string) (store.SnapshotMeta, error) {
	switch ref {
	case "latest", "":
		m, err := db.Latest()
		if errors.Is(err, store.ErrNotFound) {
			return m, fmt.Errorf("no snapshots in %s yet: run `provost scan` first", db.Path())
		}
		return m, err
	case "previous":
		latest, err := resolveSnapshot(db, "latest")
		if err != nil {
			return latest, err
		}
		m, err := db.Previous(latest.ID)
		if errors.Is(err, store.ErrNotFound) {
			return m, fmt.Errorf("only one snapshot in %s: there is no previous one", db.Path())
		}
		return m, err
	}
	m, err := db.Meta(ref)
	if errors.Is(err, store.ErrNotFound) {
		return m, fmt.Errorf("no snapshot %q in %s (see `provost snapshots list`)", ref, db.Path())
	}
	return m, err
}

func (a *app) newSnapshotsListCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List snapshots, oldest first",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := a.openStore(true)
			if err != nil {
				return err
			}
			defer db.Close()
			metas, err := db.Snapshots()
			if err != nil {
				return err
			}
			if a.output == "json" {
				if metas == nil {
					metas = []store.SnapshotMeta{}
				}
				return writeJSON(a.stdout, metas)
			}
			t := newTable(a.stdout, "ID", "STARTED", "DURATION", "PRINCIPALS", "PEOPLE", "COVERAGE")
			for _, m := range metas {
				t.row(m.ID, fmtTime(m.StartedAt), fmtDuration(m.FinishedAt.Sub(m.StartedAt)),
					fmt.Sprint(m.Principals), fmt.Sprint(m.People), coverageSummary(m))
			}
			return t.flush()
		},
	}
}

func coverageSummary(m store.SnapshotMeta) string {
	complete := 0
	for _, c := range m.Coverage {
		if c.Complete() {
			complete++
		}
	}
	if complete == len(m.Coverage) {
		return fmt.Sprintf("complete (%d scopes)", complete)
	}
	return fmt.Sprintf("INCOMPLETE (%d of %d scopes)", complete, len(m.Coverage))
}

func (a *app) newSnapshotsShowCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "show [ID|latest|previous]",
		Short: "Show one snapshot's counts and coverage",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErr(fmt.Errorf("%s takes at most one snapshot ID", cmd.CommandPath()))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.openStore(true)
			if err != nil {
				return err
			}
			defer db.Close()
			ref := "latest"
			if len(args) == 1 {
				ref = args[0]
			}
			m, err := resolveSnapshot(db, ref)
			if err != nil {
				return err
			}
			if a.output == "json" {
				return writeJSON(a.stdout, m)
			}
			fmt.Fprintf(a.stdout, "Snapshot   %s\nStarted    %s\nFinished   %s\nVersion    %s\n",
				m.ID, fmtTime(m.StartedAt), fmtTime(m.FinishedAt), m.ProvostVersion)
			fmt.Fprintf(a.stdout, "Contents   %d principals, %d people, %d accounts, %d policy documents\n\n",
				m.Principals, m.People, m.Accounts, m.PolicyDocs)
			return printCoverage(a.stdout, m.Coverage)
		},
	}
}

func (a *app) newSnapshotsDeleteCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "delete ID",
		Short: "Delete one snapshot (records no other snapshot uses are freed)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.openStore(false)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := db.DeleteSnapshot(args[0]); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("no snapshot %q in %s (see `provost snapshots list`)", args[0], db.Path())
				}
				return err
			}
			fmt.Fprintf(a.stdout, "Deleted snapshot %s\n", args[0])
			return nil
		},
	}
}

func (a *app) newSnapshotsPruneCommand() *cobra.Command {
	var keepLast, keepDays int
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Delete snapshots outside the retention policy and free unreferenced records",
		Long: `prune keeps the newest --keep-last snapshots and every snapshot younger than --keep-days days
(defaults: store.keep_last and store.keep_days from the config); the latest snapshot is never
deleted. --dry-run lists what would go and changes nothing.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keepLast < 0 || keepDays < 0 {
				return usageErr(fmt.Errorf("--keep-last and --keep-days must be 0 or more"))
			}
			r := store.Retention{KeepLast: a.cfg.Store.KeepLast, KeepDays: a.cfg.Store.KeepDays}
			if cmd.Flags().Changed("keep-last") {
				r.KeepLast = keepLast
			}
			if cmd.Flags().Changed("keep-days") {
				r.KeepDays = keepDays
			}
			db, err := a.openStore(dryRun)
			if err != nil {
				return err
			}
			defer db.Close()
			res, err := db.Prune(cmd.Context(), r, time.Now(), dryRun)
			if err != nil {
				return err
			}
			if a.output == "json" {
				return writeJSON(a.stdout, map[string]any{"dry_run": dryRun, "deleted": res.Deleted, "records_freed": res.RecordsFreed})
			}
			verb := "Deleted"
			if dryRun {
				verb = "Would delete"
			}
			fmt.Fprintf(a.stdout, "%s %d snapshot(s), freeing %d record(s)\n", verb, len(res.Deleted), res.RecordsFreed)
			for _, id := range res.Deleted {
				fmt.Fprintf(a.stdout, "  %s\n", id)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&keepLast, "keep-last", 0, "keep this many newest snapshots")
	cmd.Flags().IntVar(&keepDays, "keep-days", 0, "keep snapshots younger than this many days")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show what would be deleted, change nothing")
	return cmd
}
