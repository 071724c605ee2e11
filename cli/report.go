package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/audit"
	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/reports"
	"github.com/provost-dev/provost/store"
)

func (a *app) newReportCommand() *cobra.Command {
	var formats, out, snapshot, title string
	cmd := &cobra.Command{
		Use:   "report --format html,json,... --out DIR [--snapshot S]",
		Short: "Render a stored snapshot's findings as reports (HTML, JSON, CSV, SARIF, …)",
		Long: `report renders the findings of a stored, evaluated snapshot (default: the latest evaluated) in
one or more formats into DIR, one file per format named report.<ext>: html, json, csv,
markdown, ocsf, sarif, junit, review-html, review-csv. Files are written mode 0600.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var fs []reports.Format
			for _, name := range strings.Split(formats, ",") {
				if strings.TrimSpace(name) == "" {
					continue
				}
				f, err := reports.ParseFormat(name)
				if err != nil {
					return usageErr(err)
				}
				fs = append(fs, f)
			}
			if len(fs) == 0 {
				return usageErr(fmt.Errorf("report needs --format (e.g. html,json,sarif)"))
			}
			if out == "" {
				return usageErr(fmt.Errorf("report needs --out DIR"))
			}
			db, err := a.openStore(true)
			if err != nil {
				return err
			}
			defer db.Close()
			id, findings, err := a.loadFindings(db, snapshot)
			if err != nil {
				return err
			}
			snap, err := db.Snapshot(id)
			if err != nil {
				return err
			}
			var prev *inventory.Snapshot
			var events []drift.Event
			pm, err := db.Previous(id)
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				return err
			default:
				if prev, err = db.SnapshotHeader(pm.ID); err != nil {
					return err
				}
				if events, err = drift.DiffStore(cmd.Context(), db, prev, snap); err != nil {
					return err
				}
			}
			lib, ws, err := a.loadPolicies(cmd.Context(), nil)
			if err != nil {
				return err
			}
			rep, err := audit.BuildReport(db, snap, findings, events, prev, lib, ws, time.Now())
			if err != nil {
				return err
			}
			if err := audit.AddKPIs(db, rep, audit.LifecycleOptions(policyConfig(a.cfg.Policy))); err != nil {
				return err
			}
			rep.Title = title
			paths, problems, err := audit.WriteReports(cmd.Context(), out, fs, rep)
			if err != nil {
				return err
			}
			if a.output == "json" {
				if err := writeJSON(a.stdout, map[string]any{"snapshot": id, "reports": paths, "problems": problems}); err != nil {
					return err
				}
			} else {
				for _, p := range paths {
					fmt.Fprintln(a.stdout, p)
				}
			}
			if len(problems) > 0 {
				return errors.New(strings.Join(problems, "\n"))
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&formats, "format", "html", "comma-separated formats: html, json, csv, markdown, ocsf, sarif, junit, review-html, review-csv")
	fl.StringVar(&out, "out", "", "directory to write the reports into (created 0700 when missing)")
	fl.StringVar(&snapshot, "snapshot", "", "snapshot ID, latest or previous (default: the latest evaluated)")
	fl.StringVar(&title, "title", "", "report title (default \"Provost access report\")")
	return cmd
}
