package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/store"
)

func (a *app) newAccessCommand() *cobra.Command {
	var at, account, privilege string
	cmd := &cobra.Command{
		Use:   "access --at DATE [--account A] [--privilege LEVEL]",
		Short: "Show who had which access at a past date",
		Long: `access answers "who could reach what on that date?" from the newest snapshot taken at or
before DATE, and says which snapshot answered. DATE is RFC 3339 (2026-03-03T12:00:00Z) or a day
(2026-03-03, meaning up to the end of that day, UTC).

Each row is one grant of one principal. --account keeps grants on that scope (an AWS account ID,
projects/…, folders/…, organizations/…); --privilege keeps grants at that level or above (read,
write, admin). Disabled principals are listed with state "disabled".`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			when, label, err := parseAt(at)
			if err != nil {
				return usageErr(err)
			}
			var floor inventory.Privilege
			switch p := inventory.Privilege(privilege); p {
			case "":
			case inventory.PrivilegeRead, inventory.PrivilegeWrite, inventory.PrivilegeAdmin:
				floor = p
			default:
				return usageErr(fmt.Errorf("invalid --privilege %q: want read, write or admin", privilege))
			}
			db, err := a.openStore(true)
			if err != nil {
				return err
			}
			defer db.Close()
			m, err := snapshotAt(db, when, label)
			if err != nil {
				return err
			}
			rows := []accessRow{}
			err = db.EachPrincipal(m.ID, func(p *inventory.Principal) error {
				for _, g := range p.Grants {
					if account != "" && g.Where != account {
						continue
					}
					if g.Privilege.Rank() < floor.Rank() {
						continue
					}
					rows = append(rows, accessRow{
						Principal: p.ID, Kind: p.Kind, Name: p.Name, Account: p.Account, Provider: p.Provider,
						Person: p.PersonID, Disabled: p.Disabled, Grant: g,
					})
				}
				return nil
			})
			if err != nil {
				return err
			}
			out := accessJSON{At: when, Snapshot: refOf(m), CoverageComplete: coverageComplete(m.Coverage), Coverage: m.Coverage, Access: rows}
			if a.output == "json" {
				return writeJSON(a.stdout, out)
			}
			return writeAccessTable(a, label, m, out)
		},
	}
	cmd.Flags().StringVar(&at, "at", "", "the date: RFC 3339 or YYYY-MM-DD (required)")
	cmd.Flags().StringVar(&account, "account", "", "only grants on this scope (account ID, projects/…, folders/…)")
	cmd.Flags().StringVar(&privilege, "privilege", "", "only grants at this level or above: read, write or admin")
	return cmd
}

type accessRow struct {
	Principal string                  `json:"principal"`
	Kind      inventory.PrincipalKind `json:"kind"`
	Name      string                  `json:"name,omitempty"`
	Account   string                  `json:"account"`
	Provider  inventory.Provider      `json:"provider"`
	Person    string                  `json:"person,omitempty"`
	Disabled  bool                    `json:"disabled"`
	Grant     inventory.Grant         `json:"grant"`
}

// accessJSON is what `provost access` reports.
type accessJSON struct {
	At               time.Time            `json:"at"`
	Snapshot         snapshotRef          `json:"snapshot"`
	CoverageComplete bool                 `json:"coverage_complete"`
	Coverage         []inventory.Coverage `json:"coverage"`
	Access           []accessRow          `json:"access"`
}

// parseAt reads --at: an RFC 3339 instant, or a day meaning up to its end (UTC). It returns the
// last instant covered and how to name it in messages.
func parseAt(s string) (time.Time, string, error) {
	if s == "" {
		return time.Time{}, "", fmt.Errorf("--at is required: a date as RFC 3339 (2026-03-03T12:00:00Z) or YYYY-MM-DD")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), fmtTime(t), nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.AddDate(0, 0, 1).Add(-time.Nanosecond), "the end of " + s + " (UTC)", nil
	}
	return time.Time{}, "", fmt.Errorf("invalid --at %q: want RFC 3339 (2026-03-03T12:00:00Z) or YYYY-MM-DD", s)
}

// snapshotAt returns the newest snapshot that started at or before t.
func snapshotAt(db *store.DB, t time.Time, label string) (store.SnapshotMeta, error) {
	metas, err := db.Snapshots()
	if err != nil {
		return store.SnapshotMeta{}, err
	}
	if len(metas) == 0 {
		return store.SnapshotMeta{}, fmt.Errorf("no snapshots in %s yet: run `provost scan` first", db.Path())
	}
	for i := len(metas) - 1; i >= 0; i-- {
		if !metas[i].StartedAt.After(t) {
			return metas[i], nil
		}
	}
	return store.SnapshotMeta{}, fmt.Errorf("no snapshot at or before %s: the oldest in %s, %s, started %s",
		label, db.Path(), metas[0].ID, fmtTime(metas[0].StartedAt))
}

func coverageComplete(cov []inventory.Coverage) bool {
	for _, c := range cov {
		if !c.Complete() {
			return false
		}
	}
	return true
}

func writeAccessTable(a *app, label string, m store.SnapshotMeta, out accessJSON) error {
	w := a.stdout
	fmt.Fprintf(w, "Access at %s, from snapshot %s (started %s), the newest at or before then: %s\n",
		label, cleanCell(m.ID), fmtTime(m.StartedAt), plural(len(out.Access), "grant", "grants"))
	if !out.CoverageComplete {
		fmt.Fprintf(w, "WARNING: coverage of that snapshot is %s: access in the scopes not seen completely may be missing.\n", coverageSummary(m))
	}
	if len(out.Access) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	t := newTable(w, "PRINCIPAL", "KIND", "PERSON", "WHERE", "WHAT", "VIA", "PRIVILEGE", "STATE")
	for _, r := range out.Access {
		state := "active"
		if r.Disabled {
			state = "disabled"
		}
		t.row(r.Principal, string(r.Kind), r.Person, r.Grant.Where, r.Grant.What, r.Grant.Via, string(r.Grant.Privilege), state)
	}
	return t.flush()
}
