package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/store"
)

func (a *app) newHistoryCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "history PRINCIPAL",
		Short: "Show every change of one principal across the retained snapshots, oldest first",
		Long: `history follows one principal (an AWS ARN, gcp:user:…, gcp:serviceAccount:…, ldap:…, scim:…)
through every stored snapshot and lists what changed between each snapshot and the one before:
the same events as provost diff, for that principal alone.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.openStore(true)
			if err != nil {
				return err
			}
			defer db.Close()
			h, err := principalHistory(db, args[0])
			if err != nil {
				return err
			}
			if a.output == "json" {
				return writeJSON(a.stdout, h)
			}
			return writeHistoryTable(a, h)
		},
	}
}

// historyJSON is what `provost history` reports.
type historyJSON struct {
	Principal string         `json:"principal"`
	Snapshots int            `json:"snapshots"`  // retained snapshots
	PresentIn int            `json:"present_in"` // how many of them hold the principal
	FirstSeen snapshotRef    `json:"first_seen"`
	LastSeen  snapshotRef    `json:"last_seen"`
	Changes   []historyEvent `json:"changes"`
}

type historyEvent struct {
	Snapshot  string    `json:"snapshot"`
	StartedAt time.Time `json:"started_at"`
	drift.Event
}

func principalHistory(db *store.DB, id string) (*historyJSON, error) {
	metas, err := db.Snapshots()
	if err != nil {
		return nil, err
	}
	if len(metas) == 0 {
		return nil, fmt.Errorf("no snapshots in %s yet: run `provost scan` first", db.Path())
	}
	h := &historyJSON{Principal: id, Snapshots: len(metas), Changes: []historyEvent{}}
	var prev *inventory.Principal
	for i, m := range metas {
		cur, err := db.Principal(m.ID, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			cur = nil
		case err != nil:
			return nil, err
		default:
			h.PresentIn++
			if h.PresentIn == 1 {
				h.FirstSeen = refOf(m)
			}
			h.LastSeen = refOf(m)
		}
		if i > 0 {
			for _, e := range drift.DiffPrincipal(prev, cur, metas[i-1].Coverage, m.Coverage) {
				h.Changes = append(h.Changes, historyEvent{Snapshot: m.ID, StartedAt: m.StartedAt, Event: e})
			}
		}
		prev = cur
	}
	if h.PresentIn == 0 {
		return nil, fmt.Errorf("principal %q is in none of the %d snapshots in %s", id, len(metas), db.Path())
	}
	return h, nil
}

func writeHistoryTable(a *app, h *historyJSON) error {
	w := a.stdout
	fmt.Fprintf(w, "%s: in %d of %d snapshots, first seen in %s (%s), last seen in %s (%s); %s\n",
		cleanCell(h.Principal), h.PresentIn, h.Snapshots, cleanCell(h.FirstSeen.ID), fmtTime(h.FirstSeen.StartedAt),
		cleanCell(h.LastSeen.ID), fmtTime(h.LastSeen.StartedAt), plural(len(h.Changes), "change", "changes"))
	if len(h.Changes) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	t := newTable(w, "SNAPSHOT", "STARTED", "KIND", "CHANGE")
	for _, c := range h.Changes {
		t.row(c.Snapshot, fmtTime(c.StartedAt), string(c.Kind), c.Message)
	}
	return t.flush()
}
