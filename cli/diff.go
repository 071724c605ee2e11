package cli

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/store"
)

func (a *app) newDiffCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "diff [FROM] [TO]",
		Short: "Show what changed between two snapshots (default: previous → latest)",
		Long: `diff lists what changed from snapshot FROM to snapshot TO: principals added, removed,
disabled or re-enabled; credentials created, deleted, activated or deactivated; MFA and console
access; grants (flagged as an escalation when they raise the highest privilege at a scope);
group memberships; people who joined, left, moved or changed status; and coverage.

FROM and TO are snapshot IDs, "latest" or "previous". With no arguments diff compares the
previous snapshot with the latest; with one, that snapshot with the latest.

A principal missing from TO is only reported removed when TO saw its scope completely; when it
did not, the principal is "not seen" instead. --format markdown writes a Markdown table for
tickets and pull requests.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 2 {
				return usageErr(fmt.Errorf("%s takes at most two snapshots (FROM and TO), got %d", cmd.CommandPath(), len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			f := cmp.Or(format, a.output)
			switch f {
			case "table", "json", "markdown":
			default:
				return usageErr(fmt.Errorf("invalid --format %q: want table, json or markdown", f))
			}
			from, to := "previous", "latest"
			switch len(args) {
			case 1:
				from = args[0]
			case 2:
				from, to = args[0], args[1]
			}
			db, err := a.openStore(true)
			if err != nil {
				return err
			}
			defer db.Close()
			fm, err := resolveSnapshot(db, from)
			if err != nil {
				return err
			}
			tm, err := resolveSnapshot(db, to)
			if err != nil {
				return err
			}
			if fm.ID == tm.ID {
				return usageErr(fmt.Errorf("FROM and TO are both snapshot %s: nothing to compare", fm.ID))
			}
			prev, err := db.SnapshotHeader(fm.ID)
			if err != nil {
				return err
			}
			cur, err := db.SnapshotHeader(tm.ID)
			if err != nil {
				return err
			}
			events, err := drift.DiffStore(cmd.Context(), db, prev, cur)
			if err != nil {
				return err
			}
			switch f {
			case "json":
				if events == nil {
					events = []drift.Event{}
				}
				return writeJSON(a.stdout, diffJSON{From: refOf(fm), To: refOf(tm), Events: events})
			case "markdown":
				return writeDiffMarkdown(a.stdout, fm, tm, events)
			}
			return writeDiffTable(a.stdout, fm, tm, events)
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "output format: table, json or markdown (default: --output)")
	return cmd
}

// snapshotRef names a snapshot in JSON output.
type snapshotRef struct {
	ID        string    `json:"id"`
	StartedAt time.Time `json:"started_at"`
}

func refOf(m store.SnapshotMeta) snapshotRef { return snapshotRef{ID: m.ID, StartedAt: m.StartedAt} }

type diffJSON struct {
	From   snapshotRef   `json:"from"`
	To     snapshotRef   `json:"to"`
	Events []drift.Event `json:"events"`
}

// eventSubject is what an event is about: a principal, a person, or a source and scope.
func eventSubject(e drift.Event) string {
	switch {
	case e.Principal != "":
		return e.Principal
	case e.Person != "":
		return e.Person
	case e.Scope != "":
		return e.Source + " " + e.Scope
	}
	return e.Source
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func writeDiffTable(w io.Writer, from, to store.SnapshotMeta, events []drift.Event) error {
	fmt.Fprintf(w, "From %s (%s) to %s (%s): %s\n", cleanCell(from.ID), fmtTime(from.StartedAt),
		cleanCell(to.ID), fmtTime(to.StartedAt), plural(len(events), "change", "changes"))
	if len(events) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	t := newTable(w, "KIND", "SUBJECT", "ACCOUNT", "CHANGE")
	for _, e := range events {
		t.row(string(e.Kind), eventSubject(e), e.Account, e.Message)
	}
	return t.flush()
}

func writeDiffMarkdown(w io.Writer, from, to store.SnapshotMeta, events []drift.Event) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## Drift from %s to %s\n\n", mdEscape(from.ID), mdEscape(to.ID))
	fmt.Fprintf(&b, "%s, from the snapshot started %s to the one started %s.\n",
		plural(len(events), "change", "changes"), fmtTime(from.StartedAt), fmtTime(to.StartedAt))
	if len(events) > 0 {
		b.WriteString("\n| Kind | Subject | Account | Change |\n|---|---|---|---|\n")
		for _, e := range events {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdEscape(string(e.Kind)), mdEscape(eventSubject(e)),
				mdEscape(e.Account), mdEscape(e.Message))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdEscape makes text from clouds and directories inert inside a Markdown table cell: the
// characters that end a cell or start markup are backslash-escaped, and line breaks and control
// characters become spaces.
func mdEscape(s string) string {
	if s == "" {
		return "-"
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteByte(' ')
		case strings.ContainsRune("\\`*_[]<>|~&!#", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
